"""Tick: record each new breach in the history, once, and fire the breach hooks.

A breach is a fact derived from the case's times and the policy. Recording
it as an event (a :class:`RecordBreach` by the ``SYSTEM`` actor) makes it
part of the history: a replay rebuilds it, a snapshot carries it, and the
case remembers which deadlines it has recorded so a second tick adds nothing.
Hooks run only on the tick that records a breach; replay runs no hook at all.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .._errors import HookFailed
from .._hooks import Hook, HookContext
from .._model._case import Case, advance
from .._model._commands import RecordBreach
from .._model._events import Event
from .._model._values import SYSTEM
from ._deadlines import Timekeeper, read_timers

if TYPE_CHECKING:
    from .._workflow import Workflow

log = logging.getLogger("service_recovery")

Recorded = tuple[Case, Case, RecordBreach, Event]
"""One recorded breach: the case before, the case after, the command and its event."""


def record_breaches(timekeeper: Timekeeper, case: Case, now: datetime) -> list[Recorded]:
    """Append a :class:`RecordBreach` to *case* for every breach not yet recorded at *now*.

    The events are dated *now*, or the case's last event if *now* is earlier
    (a history never goes back in time); breaches are judged at that moment.
    """
    last = case.last_at
    at = now if now.astimezone(UTC) >= last.astimezone(UTC) else last
    instant = at.astimezone(UTC)
    if timekeeper.schedule(case).breach_ts > instant.timestamp():
        return []
    fresh = [
        timer
        for timer in read_timers(timekeeper.policy, case)
        if timer.ref not in case.breaches and timer.breached_by(instant)
    ]
    recorded: list[Recorded] = []
    for timer in sorted(fresh, key=lambda timer: (timer.due, timer.ref)):
        assert timer.due is not None
        command = RecordBreach(
            by=SYSTEM,
            at=at,
            kind=timer.kind,
            ref=timer.ref,
            due_at=timer.due.astimezone(timer.zone),
        )
        event = Event(command, case.stage)
        after = advance(case, event)
        recorded.append((case, after, command, event))
        case = after
    return recorded


def run_breach_hooks(workflow: Workflow, recorded: list[Recorded]) -> None:
    """Fire each recorded breach's hooks: ``on_breach``, then ``after(RecordBreach)``, then any.

    Raises:
        HookFailed: one or more hooks raised; every breach stays recorded and
            ``.case`` is the case with all of them.
    """
    hooks = workflow.hooks
    if not hooks or not recorded:
        return
    errors: list[tuple[Hook, Exception]] = []
    for before, after, command, event in recorded:
        for point, key in (("breach", command.kind), ("after", RecordBreach), ("any", None)):
            context = HookContext(point, command, before, after, event, workflow)
            for hook in hooks.selected(point, key):
                try:
                    hook(context)
                except Exception as err:
                    log.exception("%s-hook %r failed; the breach stays recorded", point, hook)
                    errors.append((hook, err))
    if errors:
        raise HookFailed(recorded[-1][1], accepted=True, errors=errors) from errors[0][1]
