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

from .._errors import InvalidValue
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
from .._model._refusals import TransitionNotAllowed
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

DEFAULT_CAUSE = "wrong_item"
"""The root cause the factory identifies unless told otherwise: the default policy's
playbook for the default complaint, a wrong item received."""


MAX_ACTIONS = 10
"""The most promised actions a factory plan holds: each order of completing them is explored."""


@attrs.frozen
class _Step:
    """What every command of one build shares: who, when, the cause to name, the plan's size."""

    by: Actor
    at: datetime
    cause: str
    actions: int


def _plan(step: _Step) -> tuple[Action, ...]:
    """The plan's promised actions: "Put it right", in a week; one more day for each further one."""
    if step.actions == 1:
        return (Action("Put it right", due=step.at + timedelta(days=7)),)
    return tuple(
        Action(f"Put it right, part {n + 1} of {step.actions}", due=step.at + timedelta(days=7 + n))
        for n in range(step.actions)
    )


Variants = Callable[[Case, _Step], Iterator[Command]]


def _variants(kind: type[Command]) -> Variants:
    """The ordinary ways to issue *kind*: the ones that make the next step possible."""

    def plain(case: Case, step: _Step) -> Iterator[Command]:
        attrs.resolve_types(kind)
        fields: dict[str, Any] = {}
        for field in attrs.fields(kind):
            if field.name in ("by", "at") or field.default is not attrs.NOTHING:
                continue
            if field.type is not str:
                return  # a field the factory cannot fill sensibly: not an ordinary step
            fields[field.name] = "As agreed with the customer"
        try:
            yield kind(by=step.by, at=step.at, **fields)
        except InvalidValue:
            return

    return _KNOWN.get(kind, plain)


_KNOWN: dict[type[Command], Variants] = {
    Acknowledge: lambda case, s: iter((Acknowledge(by=s.by, at=s.at, message="We are on it"),)),
    ReflectBack: lambda case, s: iter(
        (ReflectBack(by=s.by, at=s.at, summary="What you told us", confirmed=True),)
    ),
    Apologize: lambda case, s: iter((Apologize(by=s.by, at=s.at, message="We are sorry"),)),
    IdentifyCause: lambda case, s: iter((IdentifyCause(by=s.by, at=s.at, category=s.cause),)),
    ProposeSolution: lambda case, s: iter(
        (ProposeSolution(by=s.by, at=s.at, plan="Put it right", actions=_plan(s)),)
    ),
    CompleteAction: lambda case, s: (
        CompleteAction(by=s.by, at=s.at, index=index) for index in sorted(case.open_actions)
    ),
    FollowUp: lambda case, s: (
        FollowUp(by=s.by, at=s.at, outcome=outcome) for outcome in FollowUpOutcome
    ),
    SendUpdate: lambda case, s: iter((SendUpdate(by=s.by, at=s.at, message="On its way"),)),
    Reopen: lambda case, s: iter((Reopen(by=s.by, at=s.at, reason="It happened again"),)),
    Reschedule: lambda case, s: (
        Reschedule(
            by=s.by,
            at=s.at,
            index=index,
            due=s.at + timedelta(days=7),
            reason="A new date, agreed",
        )
        for index in sorted(case.open_actions)
    ),
    Withdraw: lambda case, s: iter(
        (Withdraw(by=s.by, at=s.at, reason=WithdrawalReason.CUSTOMER_WITHDREW),)
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
    event is "now" and the test carries on from there. :meth:`advance` brings
    a case the test already holds (reopened, say, or opened through a
    :class:`~service_recovery.Desk`) on to another stage the same way.

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
        cause: str = DEFAULT_CAUSE,
        actions: int = 1,
    ) -> Case:
        """A case opened with these details and brought to *stage*.

        *cause* is the category of the root cause, if the way to *stage*
        identifies one: the playbook the case's suggestions and guidance use.
        *actions* is how many promised actions the plan holds, if the way
        proposes one (from 1 to 10): with two, the way to ``resolved`` passes
        a resolving case with one action done and one still open.

        >>> from datetime import datetime, timezone
        >>> import service_recovery as sr
        >>> from service_recovery.testing import CaseFactory
        >>> clock = sr.FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> make_case = CaseFactory(sr.Workflow(), clock)
        >>> make_case(sr.Stage.DIAGNOSED, cause="delivery_delay").cause.category
        'delivery_delay'

        Raises:
            InvalidValue: *stage* is not a :class:`~service_recovery.Stage`, or the
                policy lets no run of ordinary commands reach it.
            InvalidPolicy: an override of the policy answered the wrong kind of
                value on the way (only refusals are taken as "not this way").
        """
        _check_stage(stage)
        _check_cause(cause)
        _check_actions(actions)
        now = self._clock.now()
        case = self._bare.open(
            customer=Customer("c-1", "Dana") if customer is None else customer,
            channel=channel,
            severity=severity,
            summary=summary,
            at=now,
            id=id,
        )
        return self._bring(case, stage, _Step(AGENT, now, cause, actions))

    def advance(
        self, case: Case, stage: Stage, *, cause: str = DEFAULT_CAUSE, actions: int = 1
    ) -> Case:
        """*case* brought on from where it stands to *stage*, by the shortest run of steps.

        The steps are taken at the clock's time, or at the case's last event if
        that is later, so a case opened in the future is never refused for time
        order. A case already at *stage* comes back as it is. *cause* and
        *actions* are as for a new case.

        >>> from datetime import datetime, timezone
        >>> import service_recovery as sr
        >>> from service_recovery.testing import CaseFactory
        >>> clock = sr.FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> make_case = CaseFactory(sr.Workflow(), clock)
        >>> closed = make_case(sr.Stage.CLOSED)
        >>> ana = sr.Actor("ana", sr.Role.AGENT)
        >>> again = sr.Workflow().apply(closed, sr.Reopen(by=ana, at=clock.now(), reason="Torn"))
        >>> case = make_case.advance(again, sr.Stage.RESOLVED)
        >>> case.stage, [e.kind for e in case.history].count("Reopen")
        (<Stage.RESOLVED: 'resolved'>, 1)

        Raises:
            InvalidValue: *case* is not a case, *stage* is not a
                :class:`~service_recovery.Stage`, or no run of ordinary commands
                brings the case there.
            PolicyMismatch: *case* was opened under another policy.
            InvalidPolicy: an override of the policy answered the wrong kind of value.
        """
        if not isinstance(case, Case):
            raise InvalidValue(f"case: expected a sr.Case, got {type(case).__name__}", field="case")
        _check_stage(stage)
        _check_cause(cause)
        _check_actions(actions)
        now = self._clock.now()
        return self._bring(case, stage, _Step(AGENT, max(now, case.last_at), cause, actions))

    def _bring(self, case: Case, stage: Stage, step: _Step) -> Case:
        found = self._search(case, stage, step)
        if found is None:
            raise InvalidValue(
                f"stage: no run of ordinary commands brings this {case.severity.value} case "
                f"from '{case.stage.value}' to '{stage.value}' under the "
                f"{self._bare.policy.name} policy; build this case step by step with "
                "workflow.apply",
                field="stage",
            )
        return found

    def _search(self, start: Case, stage: Stage, step: _Step) -> Case | None:
        """Breadth first over accepted commands: the shortest way to *stage*."""
        seen = {_signature(start)}
        todo = deque([start])
        while todo:
            case = todo.popleft()
            if case.stage is stage:
                return case
            if case.version - start.version > _MAX_STEPS:
                continue
            for kind in self._bare.allowed(case):
                if kind is Open:
                    continue
                for command in _variants(kind)(case, step):
                    try:
                        following = self._bare.apply(case, command)
                    except TransitionNotAllowed:
                        continue  # not a way forward; any other error is the policy's to show
                    signature = _signature(following)
                    if signature not in seen:
                        seen.add(signature)
                        todo.append(following)
        return None


def _check_stage(stage: object) -> None:
    if not isinstance(stage, Stage):
        raise InvalidValue(f"stage: expected a sr.Stage, got {stage!r}", field="stage")


def _check_cause(cause: object) -> None:
    if not isinstance(cause, str) or not cause.strip():
        raise InvalidValue(
            f"cause: expected a root-cause category (a non-blank str), got {cause!r}",
            field="cause",
        )


def _check_actions(actions: object) -> None:
    if isinstance(actions, bool) or not isinstance(actions, int) or not 1 <= actions <= MAX_ACTIONS:
        raise InvalidValue(
            f"actions: expected a whole number of promised actions from 1 to {MAX_ACTIONS}, "
            f"got {actions!r}",
            field="actions",
        )
