"""Promises: every action of an accepted plan, kept on time, kept late, or broken.

The customer was given a date for each action ("the refund is issued by
Friday"). Completing the action by then keeps the promise; completing it
after keeps it late; letting the date pass with the action open breaks it.
A broken promise must be owned: tell the customer and agree a new date
(:class:`Reschedule`; the breach already recorded stays on record). The
workflow holds the agent to it, refusing to carry on with the plan until an
update has gone out since the promise broke.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

import attrs

from .._model._case import Case
from .._model._commands import UPDATES, AcceptSolution, CompleteAction, ProposeSolution, Reschedule
from .._model._kinds import PromiseStatus
from .._model._values import Action
from ._clock import after

if TYPE_CHECKING:
    from .._rulebook._policy import RecoveryPolicy


@attrs.frozen
class Promise:
    """One promised action of the accepted plan and what became of it.

    Attributes:
        index: the action's position in the plan (what :class:`CompleteAction` names).
        action: what was promised and by when (``action.due``).
        promised_at: when the customer accepted the plan.
        status: open, kept, kept late or broken, as of the moment asked.
        done_at: when the action was completed, if it was.
    """

    index: int
    action: Action
    promised_at: datetime
    status: PromiseStatus
    done_at: datetime | None = None

    @property
    def due(self) -> datetime:
        """When the action was promised for."""
        return self.action.due

    @property
    def advice(self) -> str | None:
        """What to do about a broken promise; ``None`` for any other."""
        if self.status is not PromiseStatus.BROKEN:
            return None
        return (
            f"Promise #{self.index} ({self.action.description}) was due "
            f"{self.due.isoformat()} and is broken: tell the customer, and agree a new date"
        )

    def __str__(self) -> str:
        return f"#{self.index} {self.action.description}: {self.status.value.replace('_', ' ')}"


class PlanProgress(NamedTuple):
    """The plan that binds a case now, and how far it got."""

    plan: ProposeSolution
    """The plan the customer accepted (the case's ``plan`` fact)."""
    accepted: int
    """The position of its :class:`AcceptSolution` in the history."""
    promised_at: datetime
    """When the customer accepted it."""
    done: dict[int, datetime]
    """When each completed action was completed, by index."""
    moved: dict[int, int]
    """Where the latest :class:`Reschedule` of each rescheduled action is in the history."""


def plan_progress(case: Case) -> PlanProgress | None:
    """The plan binding *case* and its progress; ``None`` when no plan binds.

    Whether a plan binds, and which actions are still open, are the fold's
    facts (``plan``, ``open_actions``); the history only adds when each
    step happened, read back from the end as far as the acceptance.
    """
    plan = case.plan
    if plan is None:
        return None
    commands = case.history.commands
    accepted = len(commands) - 1
    done: dict[int, datetime] = {}
    moved: dict[int, int] = {}
    remaining = len(plan.actions) - len(case.open_actions)
    while accepted > 0 and not isinstance(commands[accepted], AcceptSolution):
        command = commands[accepted]
        if remaining and isinstance(command, CompleteAction):
            done[command.index] = command.at  # read backwards: the earliest wins
        elif isinstance(command, Reschedule):
            moved.setdefault(command.index, accepted)  # read backwards: the latest wins
        accepted -= 1
    return PlanProgress(plan, accepted, commands[accepted].at, done, moved)


def promises(case: Case, now: datetime) -> tuple[Promise, ...]:
    """The promises of *case*'s accepted plan, as they stand at *now*.

    Empty when no plan is accepted (or the conversation started over).

    >>> from datetime import datetime, timedelta, timezone
    >>> import service_recovery as sr
    >>> workflow, ana = sr.Workflow(), sr.Actor("ana", sr.Role.AGENT)
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
    ...     severity=sr.Severity.MINOR, summary="No refund yet", at=t0)
    >>> for step in (
    ...     sr.Acknowledge(by=ana, at=t0), sr.Listen(by=ana, at=t0),
    ...     sr.ReflectBack(by=ana, at=t0, summary="Still no refund", confirmed=True),
    ...     sr.FinishVenting(by=ana, at=t0), sr.Apologize(by=ana, at=t0, message="Sorry"),
    ...     sr.IdentifyCause(by=ana, at=t0, category="payment"),
    ...     sr.ProposeSolution(by=ana, at=t0, plan="Refund", actions=[
    ...         sr.Action("Issue the refund", due=t0 + timedelta(days=5))]),
    ...     sr.AcceptSolution(by=ana, at=t0),
    ... ):
    ...     case = workflow.apply(case, step)
    >>> [str(p) for p in sr.promises(case, now=t0 + timedelta(days=6))]
    ['#0 Issue the refund: broken']
    """
    progress = plan_progress(case)
    if progress is None:
        return ()
    instant = now.astimezone(UTC)
    done, promised_at = progress.done, progress.promised_at
    return tuple(
        Promise(
            index, action, promised_at, _status(action, done.get(index), instant), done.get(index)
        )
        for index, action in enumerate(progress.plan.actions)
    )


def _status(action: Action, done_at: datetime | None, now: datetime) -> PromiseStatus:
    due = action.due.astimezone(UTC)
    if done_at is not None:
        return PromiseStatus.KEPT if done_at.astimezone(UTC) <= due else PromiseStatus.KEPT_LATE
    return PromiseStatus.BROKEN if now > due else PromiseStatus.OPEN


def broken_promises(case: Case, now: datetime) -> tuple[Promise, ...]:
    """The promises of *case* that are past due and still not done at *now*."""
    return tuple(p for p in promises(case, now) if p.status is PromiseStatus.BROKEN)


def check_broken_promises_owned(
    policy: RecoveryPolicy, case: Case, command: CompleteAction | None
) -> str | None:
    """Guard: before carrying on with the plan, the customer has heard about broken promises.

    A promise counts as owned once an update went out after its due date; a
    :class:`Reschedule` gives it a new date, which the customer is told.
    Without a command (for ``allowed``) the case is judged at the earliest
    time a command may be dated: a promise broken by then stays broken for
    any command, so the button is off until an update goes out.
    """
    plan = case.plan
    if plan is None or not case.open_actions:
        return None
    now = case.last_at - policy.clock_skew if command is None else command.at
    actions = plan.actions
    broken = [index for index in case.open_actions if after(now, actions[index].due)]
    if not broken:  # the usual case, decided without reading the history
        return None
    broken.sort()
    told = _last_update(case)
    unowned = [
        index for index in broken if told is None or told <= actions[index].due.astimezone(UTC)
    ]
    if not unowned:
        return None
    which = "; ".join(
        f"#{index} ({actions[index].description}) was due {actions[index].due.isoformat()}"
        for index in unowned
    )
    return (
        f"A promise to the customer is broken: {which}. Tell the customer (send an update) "
        "and agree a new date before carrying on"
    )


def _last_update(case: Case) -> datetime | None:
    for command in reversed(case.history.commands):
        if isinstance(command, UPDATES):
            return command.at.astimezone(UTC)
        if isinstance(command, AcceptSolution):
            break  # updates before the plan was agreed do not count
    return None
