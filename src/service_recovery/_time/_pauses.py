"""Waiting: when a case stops its service-level clocks, and when it first answered.

A case waiting on the customer (a photo, a receipt) or on a third party (a
courier, a bank) stops its service-level clocks the way help desks do; the
waits are events in the history, so they are part of the record. A case may
only wait once the customer has had a first answer: the first-response clock
is never paused.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from .._model._case import Case
from .._model._commands import AwaitCustomer, AwaitThirdParty, Command, Resume
from .._model._kinds import WaitingOn

if TYPE_CHECKING:
    from .._rulebook._policy import RecoveryPolicy


@attrs.frozen
class Pause:
    """One stretch of waiting, from a wait command to the :class:`Resume` that ended it.

    Attributes:
        waiting_on: the customer or a third party.
        reason: what the case waits for.
        started_at: when the wait began.
        ended_at: when it ended; ``None`` while the case still waits.
    """

    waiting_on: WaitingOn
    reason: str
    started_at: datetime
    ended_at: datetime | None = None


def pauses(case: Case) -> tuple[Pause, ...]:
    """Every wait in *case*'s history, oldest first.

    >>> from datetime import datetime, timedelta, timezone
    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> ana = sr.Actor("ana", sr.Role.AGENT)
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
    ...     severity=sr.Severity.MINOR, summary="Broken lamp", at=t0)
    >>> case = workflow.apply(case, sr.Acknowledge(by=ana, at=t0 + timedelta(hours=1)))
    >>> case = workflow.apply(case, sr.AwaitCustomer(
    ...     by=ana, at=t0 + timedelta(hours=2), reason="Photo of the lamp"))
    >>> [(p.waiting_on.value, p.ended_at) for p in sr.pauses(case)]
    [('customer', None)]
    """
    return tuple(_pauses(case.history.commands))


def _pauses(commands: Iterable[Command]) -> list[Pause]:
    found: list[Pause] = []
    current: AwaitCustomer | AwaitThirdParty | None = None
    for command in commands:
        if isinstance(command, AwaitCustomer | AwaitThirdParty):
            if current is None:  # a wait inside a wait changes nothing: the clocks are stopped
                current = command
        elif isinstance(command, Resume) and current is not None:
            found.append(Pause(current.waiting_on, current.reason, current.at, command.at))
            current = None
    if current is not None:
        found.append(Pause(current.waiting_on, current.reason, current.at))
    return found


def first_response_at(case: Case) -> datetime | None:
    """When a person first answered the customer; ``None`` if nobody has yet.

    The case's ``acknowledged_at``: an automatic reply (an event by the
    ``SYSTEM`` actor) is recorded, but is not an answer.
    """
    return case.acknowledged_at


def _since(case: Case) -> str:
    wait = case.paused
    assert wait is not None
    return f"{wait.waiting_on.label} ({wait.reason}) since {wait.at.isoformat()}"


def check_not_waiting(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    """Guard: the case is not waiting (for steps that need it to be running)."""
    if case.paused is None:
        return None
    return f"The case is waiting on {_since(case)}: resume it first, so its clocks run again"


def check_can_wait(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    """Guard: a wait cannot start while the case already waits."""
    if case.paused is None:
        return None
    return f"The case is already waiting on {_since(case)}: resume it before waiting again"


def check_answered(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    """Guard: a wait needs a first answer to the customer (that clock never stops)."""
    if first_response_at(case) is not None:
        return None
    return (
        "Nobody has answered the customer yet: respond first; the first-response clock "
        "cannot be paused"
    )


def check_waiting(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    """Guard: Resume needs a wait to end."""
    if case.paused is not None:
        return None
    return "The case is not waiting on anyone: there is nothing to resume"
