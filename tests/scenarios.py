"""Shared examples for the tests: a cast of actors, a clock, and cases at any stage.

``walk_to(stage)`` and ``walk(workflow, until=stage)`` build a real case at
*stage* with the public :class:`~service_recovery.testing.CaseFactory` (the
shortest run of accepted commands under the workflow's own policy, every step
at ``T0``), so the tests build cases the way the library tells its users to.
``next_step(case)`` is the command the default happy path takes next, for
tests that walk a case on by hand. The hypothesis strategies build arbitrary
*reachable* cases (every one the result of accepted commands) and arbitrary
commands to throw at them.

>>> import service_recovery as sr
>>> walk_to(sr.Stage.RESOLVED).stage
<Stage.RESOLVED: 'resolved'>
>>> walk(sr.Workflow(sr.presets.LATTE)).stage
<Stage.CLOSED: 'closed'>
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

import service_recovery as sr
from service_recovery.testing import CaseFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""When the example complaint comes in."""

CUSTOMER = sr.Customer("c-1", "Dana")
AGENT = sr.Actor("ana", sr.Role.AGENT)
OTHER_AGENT = sr.Actor("ben", sr.Role.AGENT)
SUPERVISOR = sr.Actor("sam", sr.Role.SUPERVISOR)
MANAGER = sr.Actor("max", sr.Role.MANAGER)
CAST: tuple[sr.Actor, ...] = (AGENT, OTHER_AGENT, SUPERVISOR, MANAGER, sr.SYSTEM)
"""Everyone who acts in the examples."""

STEP = timedelta(minutes=1)


SUMMARY = "Wrong jacket delivered before a trip"


def open_case(
    workflow: sr.Workflow | None = None,
    severity: sr.Severity = sr.Severity.MAJOR,
    *,
    channel: sr.Channel = sr.Channel.SOCIAL,
    at: datetime = T0,
    id: str = "case-1",
) -> sr.Case:
    """A fresh case, as the default example complaint opens it."""
    return (workflow or sr.Workflow()).open(
        customer=CUSTOMER, channel=channel, severity=severity, summary=SUMMARY, at=at, id=id
    )


def make_case(
    stage: sr.Stage,
    workflow: sr.Workflow | None = None,
    severity: sr.Severity = sr.Severity.MAJOR,
    *,
    channel: sr.Channel = sr.Channel.SOCIAL,
    at: datetime = T0,
    id: str = "case-1",
    cause: str = "wrong_item",
    actions: int = 2,
) -> sr.Case:
    """The example complaint, opened at *at* and brought to *stage* by the CaseFactory.

    Its plan has two promised actions, so on the way to *stage* it is resolving
    with one action done and one open.
    """
    factory = CaseFactory(workflow or sr.Workflow(), sr.FixedClock(at))
    return factory(
        stage,
        customer=CUSTOMER,
        channel=channel,
        severity=severity,
        summary=SUMMARY,
        id=id,
        cause=cause,
        actions=actions,
    )


def later(case: sr.Case, steps: int = 1) -> datetime:
    """A time *steps* minutes after the case's last event."""
    return case.last_at + steps * STEP


def proposal(
    at: datetime,
    *,
    actions: int = 2,
    compensation: sr.Compensation | None = None,
    by: sr.Actor = AGENT,
) -> sr.ProposeSolution:
    """A plan with *actions* promised actions, due in the days after *at*."""
    return sr.ProposeSolution(
        by=by,
        at=at,
        plan="Ship the right jacket by express",
        actions=tuple(
            sr.Action(f"Promised action {n}", due=at + timedelta(days=n + 1))
            for n in range(actions)
        ),
        compensation=compensation,
    )


def next_step(case: sr.Case) -> sr.Command:
    """The command the default happy path applies to *case* next (one minute later).

    A pending escalation is approved by the manager first (unless the manager raised it).
    """
    at = later(case)
    stage = case.stage
    if case.escalation is not None and case.escalation.by != MANAGER:
        return sr.Approve(by=MANAGER, at=at, note="approved")
    if stage is sr.Stage.REPORTED:
        return sr.Acknowledge(by=AGENT, at=at, message="We are on it")
    if stage is sr.Stage.ACKNOWLEDGED:
        return sr.Listen(by=AGENT, at=at, note="Trip on Friday")
    if stage is sr.Stage.LISTENING and not case.summary_confirmed:
        return sr.ReflectBack(by=AGENT, at=at, summary="Wrong jacket, trip Friday", confirmed=True)
    if stage is sr.Stage.LISTENING:
        return sr.FinishVenting(by=AGENT, at=at)
    if stage is sr.Stage.UNDERSTOOD:
        return sr.Apologize(by=AGENT, at=at, message="I am sorry; this is on us")
    if stage is sr.Stage.APOLOGIZED:
        return sr.IdentifyCause(by=AGENT, at=at, category="wrong item", detail="picking error")
    if stage is sr.Stage.DIAGNOSED:
        return proposal(at)
    if stage is sr.Stage.SOLUTION_PROPOSED:
        return sr.AcceptSolution(by=AGENT, at=at)
    if stage is sr.Stage.RESOLVING:
        return sr.CompleteAction(by=AGENT, at=at, index=min(case.open_actions))
    if stage is sr.Stage.RESOLVED:
        return sr.FollowUp(by=AGENT, at=at, outcome=sr.FollowUpOutcome.SATISFIED)
    if stage is sr.Stage.FOLLOWED_UP:
        return sr.Close(by=AGENT, at=at)
    return sr.Reopen(by=AGENT, at=at, reason="The jacket is torn")


def walk_to(
    stage: sr.Stage, workflow: sr.Workflow | None = None, case: sr.Case | None = None
) -> sr.Case:
    """The example complaint at *stage*; or *case* brought on to *stage* from where it stands.

    Steps on a given case are taken at its last event's time.
    """
    if case is None:
        return make_case(stage, workflow)
    factory = CaseFactory(workflow or sr.Workflow(), sr.FixedClock(case.last_at))
    return factory.advance(case, stage, actions=2)


def walk_through(workflow: sr.Workflow, until: sr.Stage, case: sr.Case | None = None) -> sr.Case:
    """*case* (a fresh one if omitted) taken along the happy path by *workflow* itself.

    Unlike :func:`walk_to`, every step is applied through *workflow*, one minute
    apart, so its hooks run and its engine moves: for tests of what applying
    does, for tests that read the happy path's own details (steps a minute
    apart, by ``AGENT``), and for policies whose broken overrides would stop
    the factory's search (it tries every ordinary step, approvals included).

    Raises:
        AssertionError: the path does not get there (a custom graph, say).
    """
    case = case or open_case(workflow)
    for _ in range(2 * len(sr.Stage)):
        if case.stage is until:
            return case
        case = workflow.apply(case, next_step(case))
    raise AssertionError(f"the happy path never reaches {until}")


# -- hypothesis strategies ------------------------------------------------------------

APPLICABLE: tuple[type[sr.Command], ...] = (
    sr.Acknowledge,
    sr.Listen,
    sr.ReflectBack,
    sr.FinishVenting,
    sr.Apologize,
    sr.IdentifyCause,
    sr.ProposeSolution,
    sr.AcceptSolution,
    sr.DeclineSolution,
    sr.Escalate,
    sr.Approve,
    sr.CompleteAction,
    sr.SendUpdate,
    sr.FollowUp,
    sr.Close,
    sr.Reopen,
)
"""Every command type a host applies (all but ``Open``, which ``Workflow.open`` issues)."""

amounts = st.builds(
    sr.Money,
    st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["EUR", "EUR", "EUR", "USD"]),
)
"""Money around the default authority limits, mostly in euros."""


@st.composite
def commands_for(draw: st.DrawFn, case: sr.Case, *, earliest: datetime | None = None) -> sr.Command:
    """Any command (but ``Open``) with arbitrary details, dated at or after *earliest*.

    *earliest* defaults to the case's last event, so time order holds; pass an
    earlier time to also draw commands that are out of order.
    """
    start = case.last_at if earliest is None else earliest
    at = start + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=45)))
    by = draw(st.sampled_from(CAST))
    kind = draw(st.sampled_from(APPLICABLE))
    if kind is sr.ProposeSolution:
        count = draw(st.integers(0, 3))
        compensation = draw(
            st.none() | st.builds(sr.Compensation, st.sampled_from(sr.CompensationKind), amounts)
        )
        return sr.ProposeSolution(
            by=by,
            at=at,
            plan="a plan",
            actions=tuple(
                sr.Action(
                    f"action {n}",
                    due=at + draw(st.timedeltas(timedelta(hours=-1), timedelta(days=30))),
                )
                for n in range(count)
            ),
            compensation=compensation,
        )
    details = draw(_DETAILS.get(kind, st.just({})))
    return kind(by=by, at=at, **details)


due_in = st.timedeltas(timedelta(hours=-1), timedelta(days=30))
"""When a promised action is due, from its proposal (sometimes already late)."""
notes = st.sampled_from(["", "noted", "a longer note, with ünïcode"])
_DETAILS: dict[type[sr.Command], st.SearchStrategy[dict[str, Any]]] = {
    sr.Listen: st.fixed_dictionaries({"note": notes}),
    sr.ReflectBack: st.fixed_dictionaries(
        {"summary": st.just("what I heard"), "confirmed": st.booleans()}
    ),
    sr.Apologize: st.just({"message": "I am sorry"}),
    sr.IdentifyCause: st.fixed_dictionaries({"category": st.just("wrong item"), "detail": notes}),
    sr.DeclineSolution: st.fixed_dictionaries({"reason": notes}),
    sr.Escalate: st.fixed_dictionaries(
        {"reason": st.just("above my authority"), "amount": st.none() | amounts}
    ),
    sr.Approve: st.fixed_dictionaries({"note": notes}),
    sr.CompleteAction: st.fixed_dictionaries({"index": st.integers(-1, 3)}),
    sr.SendUpdate: st.just({"message": "the parcel left the warehouse"}),
    sr.FollowUp: st.fixed_dictionaries(
        {"outcome": st.sampled_from(sr.FollowUpOutcome), "note": notes}
    ),
    sr.Close: st.fixed_dictionaries({"note": notes}),
    sr.Reopen: st.just({"reason": "still broken"}),
}
"""Arbitrary details for each command type that has any."""


@st.composite
def reachable_cases(
    draw: st.DrawFn, workflow: sr.Workflow | None = None, *, max_steps: int = 40
) -> sr.Case:
    """A case reached by accepted commands: mostly the happy path, with detours.

    Each step is either the happy path's next command or an arbitrary one;
    refused commands are skipped, so every case drawn is one a host could hold.
    """
    workflow = workflow or sr.Workflow()
    case = open_case(workflow)
    for _ in range(draw(st.integers(0, max_steps))):
        command = next_step(case) if draw(st.booleans()) else draw(commands_for(case))
        if not workflow.explain(case, command):
            case = workflow.apply(case, command)
    return case


def walk(
    workflow: sr.Workflow,
    until: sr.Stage = sr.Stage.CLOSED,
    severity: sr.Severity = sr.Severity.MODERATE,
) -> sr.Case:
    """The example complaint of *severity* at *until*, under any policy's graph."""
    return make_case(until, workflow, severity)


def plan(at: datetime, amount: sr.Money | None = None, actions: int = 1) -> sr.ProposeSolution:
    """A plan with *actions* promised actions, and compensation of *amount* if given."""
    return sr.ProposeSolution(
        by=AGENT,
        at=at,
        plan="Ship the right jacket",
        actions=tuple(
            sr.Action(f"Action {n}", due=at + timedelta(days=2 + n)) for n in range(actions)
        ),
        compensation=None
        if amount is None
        else sr.Compensation(sr.CompensationKind.CREDIT, amount),
    )
