"""A case factory for example-based tests: a real case at the stage you ask for.

The factory finds the shortest run of ordinary commands (all by one agent, at
the clock's time) that brings a new case to the stage, under the workflow's own
policy, and applies it through a bare workflow of that policy, so building a
case never fires the host's hooks. Needs no hypothesis.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import attrs

from .._errors import InvalidValue, RecoveryError
from .._model._case import Case
from .._model._commands import (
    Acknowledge,
    Apologize,
    Command,
    CompleteAction,
    FollowUp,
    IdentifyCause,
    Open,
    ProposeSolution,
    ReflectBack,
    Reopen,
    Reschedule,
    SendUpdate,
    Withdraw,
)
from .._model._stages import Stage
from .._model._values import (
    Action,
    Actor,
    Channel,
    Customer,
    FollowUpOutcome,
    Role,
    Severity,
    WithdrawalReason,
)
from .._time._clock import Clock
from .._workflow import Workflow

AGENT = Actor("agent-1", Role.AGENT)
"""Who takes the factory's steps: a front-line agent, as in most cases."""

_MAX_STEPS = 40

Variants = Callable[[Case, Actor, datetime], Iterator[Command]]


def _variants(kind: type[Command]) -> Variants:
    """The ordinary ways to issue *kind*: the ones that make the next step possible."""

    def plain(case: Case, by: Actor, at: datetime) -> Iterator[Command]:
        attrs.resolve_types(kind)
        fields: dict[str, Any] = {}
        for field in attrs.fields(kind):
            if field.name in ("by", "at") or field.default is not attrs.NOTHING:
                continue
            if field.type is not str:
                return  # a field the factory cannot fill sensibly: not an ordinary step
            fields[field.name] = "As agreed with the customer"
        try:
            yield kind(by=by, at=at, **fields)
        except InvalidValue:
            return

    return _KNOWN.get(kind, plain)


_KNOWN: dict[type[Command], Variants] = {
    Acknowledge: lambda case, by, at: iter((Acknowledge(by=by, at=at, message="We are on it"),)),
    ReflectBack: lambda case, by, at: iter(
        (ReflectBack(by=by, at=at, summary="What you told us", confirmed=True),)
    ),
    Apologize: lambda case, by, at: iter((Apologize(by=by, at=at, message="We are sorry"),)),
    IdentifyCause: lambda case, by, at: iter((IdentifyCause(by=by, at=at, category="wrong item"),)),
    ProposeSolution: lambda case, by, at: iter(
        (
            ProposeSolution(
                by=by,
                at=at,
                plan="Put it right",
                actions=(Action("Put it right", due=at + timedelta(days=7)),),
            ),
        )
    ),
    CompleteAction: lambda case, by, at: (
        CompleteAction(by=by, at=at, index=index) for index in sorted(case.open_actions)
    ),
    FollowUp: lambda case, by, at: (
        FollowUp(by=by, at=at, outcome=outcome) for outcome in FollowUpOutcome
    ),
    SendUpdate: lambda case, by, at: iter((SendUpdate(by=by, at=at, message="On its way"),)),
    Reopen: lambda case, by, at: iter((Reopen(by=by, at=at, reason="It happened again"),)),
    Reschedule: lambda case, by, at: (
        Reschedule(
            by=by, at=at, index=index, due=at + timedelta(days=7), reason="A new date, agreed"
        )
        for index in sorted(case.open_actions)
    ),
    Withdraw: lambda case, by, at: iter(
        (Withdraw(by=by, at=at, reason=WithdrawalReason.CUSTOMER_WITHDREW),)
    ),
}


def _signature(case: Case) -> tuple[Any, ...]:
    """What decides where a case can go next; cases alike in it need exploring once."""
    return (
        case.stage,
        case.summary_confirmed,
        case.venting_finished,
        case.apologized,
        case.cause is None,
        case.proposal is None,
        case.open_actions,
        case.escalation is None,
        case.follow_up_attempts,
        case.followed_up,
        case.closed_at is None,
        getattr(case, "paused", None) is None,
        getattr(case, "thanked", False),
        getattr(case, "prevention_note", None) is None,
        case.solution_accepted,
    )


class CaseFactory:
    """Builds real cases of a workflow's policy at the stage a test needs.

    Every step is taken by one agent at the clock's time, so the case's last
    event is "now" and the test carries on from there.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> from service_recovery.testing import CaseFactory
    >>> clock = sr.FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    >>> make_case = CaseFactory(sr.Workflow(), clock)
    >>> case = make_case(sr.Stage.RESOLVED, severity=sr.Severity.MAJOR)
    >>> case.stage, case.severity, case.last_at == clock.now()
    (<Stage.RESOLVED: 'resolved'>, <Severity.MAJOR: 'major'>, True)
    """

    __slots__ = ("_bare", "_clock")

    def __init__(self, workflow: Workflow, clock: Clock) -> None:
        if not isinstance(workflow, Workflow):
            raise InvalidValue(f"workflow: expected a sr.Workflow, got {type(workflow).__name__}")
        if isinstance(clock, datetime):
            # datetime has a now() too: the wall clock's, which a test must never read.
            raise InvalidValue(
                f"clock: got the datetime {clock.isoformat()}; pass a clock that shows it, "
                "such as sr.FixedClock(...)",
                field="clock",
            )
        if not callable(getattr(clock, "now", None)):
            raise InvalidValue(
                f"clock: expected an object with now(), got {clock!r}", field="clock"
            )
        self._bare = Workflow(workflow.policy)
        self._clock = clock

    def __call__(
        self,
        stage: Stage = Stage.REPORTED,
        *,
        customer: Customer | None = None,
        channel: Channel = Channel.EMAIL,
        severity: Severity = Severity.MODERATE,
        summary: str = "Received the wrong item",
        id: str | None = None,
    ) -> Case:
        """A case opened with these details and brought to *stage*.

        Raises:
            InvalidValue: *stage* is not a :class:`~service_recovery.Stage`, or the
                policy lets no run of ordinary commands reach it.
        """
        if not isinstance(stage, Stage):
            raise InvalidValue(f"stage: expected a sr.Stage, got {stage!r}", field="stage")
        now = self._clock.now()
        case = self._bare.open(
            customer=Customer("c-1", "Dana") if customer is None else customer,
            channel=channel,
            severity=severity,
            summary=summary,
            at=now,
            id=id,
        )
        found = self._search(case, stage, now)
        if found is None:
            raise InvalidValue(
                f"stage: no run of ordinary commands brings a {severity.value} case to "
                f"'{stage.value}' under the {self._bare.policy.name} policy; build this case "
                "step by step with workflow.apply",
                field="stage",
            )
        return found

    def _search(self, start: Case, stage: Stage, now: datetime) -> Case | None:
        """Breadth first over accepted commands: the shortest way to *stage*."""
        seen = {_signature(start)}
        todo = deque([start])
        while todo:
            case = todo.popleft()
            if case.stage is stage:
                return case
            if case.version > _MAX_STEPS:
                continue
            for kind in self._bare.allowed(case):
                if kind is Open:
                    continue
                for command in _variants(kind)(case, AGENT, now):
                    try:
                        following = self._bare.apply(case, command)
                    except RecoveryError:
                        continue
                    signature = _signature(following)
                    if signature not in seen:
                        seen.add(signature)
                        todo.append(following)
        return None
