"""Walk a case along any policy's graph: the sensible next command, whatever the preset.

``walk(workflow, until=stage)`` opens a case and applies, at each step, the
first allowed command of :data:`PREFERENCE` that still makes progress, until
the case reaches *until*. It works for every preset, because it asks the
workflow what is allowed instead of assuming an order.

>>> import service_recovery as sr
>>> walk(sr.Workflow(sr.presets.LATTE)).stage
<Stage.CLOSED: 'closed'>
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import service_recovery as sr

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)
AGENT = sr.Actor("ana", sr.Role.AGENT)
OTHER_AGENT = sr.Actor("ben", sr.Role.AGENT)
SUPERVISOR = sr.Actor("sam", sr.Role.SUPERVISOR)
MANAGER = sr.Actor("max", sr.Role.MANAGER)
CUSTOMER = sr.Customer("c-1", "Dana")


def open_case(
    workflow: sr.Workflow, severity: sr.Severity = sr.Severity.MODERATE, *, at: datetime = T0
) -> sr.Case:
    """A fresh case under *workflow*."""
    return workflow.open(
        customer=CUSTOMER,
        channel=sr.Channel.SOCIAL,
        severity=severity,
        summary="Wrong jacket delivered",
        at=at,
        id="case-1",
    )


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


def sensible(kind: type[sr.Command], case: sr.Case, at: datetime) -> sr.Command | None:
    """The command of *kind* a careful agent would issue now, or None if it would not."""
    if kind is sr.Acknowledge:
        return sr.Acknowledge(by=AGENT, at=at, message="We are on it")
    if kind is sr.Listen:
        return None if case.stage is sr.Stage.LISTENING else sr.Listen(by=AGENT, at=at)
    if kind is sr.ReflectBack:
        if case.summary_confirmed:
            return None
        return sr.ReflectBack(by=AGENT, at=at, summary="You got the wrong size", confirmed=True)
    if kind is sr.FinishVenting:
        return sr.FinishVenting(by=AGENT, at=at)
    if kind is sr.Apologize:
        return None if case.apologized else sr.Apologize(by=AGENT, at=at, message="Sorry")
    if kind is sr.IdentifyCause:
        return sr.IdentifyCause(by=AGENT, at=at, category="wrong_item")
    if kind is sr.ProposeSolution:
        return plan(at)
    if kind is sr.AcceptSolution:
        return sr.AcceptSolution(by=AGENT, at=at)
    if kind is sr.CompleteAction:
        return sr.CompleteAction(by=AGENT, at=at, index=min(case.open_actions))
    if kind is sr.Thank:
        return None if case.thanked else sr.Thank(by=AGENT, at=at, message="Thank you")
    if kind is sr.RecordPrevention:
        if case.prevention_note is not None:
            return None
        return sr.RecordPrevention(by=AGENT, at=at, note="Double-check labels")
    if kind is sr.FollowUp:
        return sr.FollowUp(by=AGENT, at=at, outcome=sr.FollowUpOutcome.SATISFIED)
    if kind is sr.Close:
        return sr.Close(by=AGENT, at=at)
    return None


PREFERENCE: tuple[type[sr.Command], ...] = (
    sr.Acknowledge,
    sr.ReflectBack,
    sr.Listen,
    sr.FinishVenting,
    sr.Apologize,
    sr.Thank,
    sr.RecordPrevention,
    sr.IdentifyCause,
    sr.ProposeSolution,
    sr.AcceptSolution,
    sr.CompleteAction,
    sr.FollowUp,
    sr.Close,
)
"""The order a careful agent tries the allowed steps in."""


def step(workflow: sr.Workflow, case: sr.Case) -> sr.Case:
    """Apply the sensible next command to *case*."""
    at = case.last_at + STEP
    allowed = workflow.allowed(case)
    for kind in PREFERENCE:
        if kind not in allowed:
            continue
        command = sensible(kind, case, at)
        if command is not None and not workflow.explain(case, command):
            return workflow.apply(case, command)
    raise AssertionError(f"no sensible step from {case.stage.value} under {workflow.policy.name}")


def walk(
    workflow: sr.Workflow,
    until: sr.Stage = sr.Stage.CLOSED,
    severity: sr.Severity = sr.Severity.MODERATE,
) -> sr.Case:
    """Open a case and take sensible steps until it first reaches *until*."""
    case = open_case(workflow, severity)
    for _ in range(40):
        if case.stage is until:
            return case
        case = step(workflow, case)
    raise AssertionError(f"{until.value} not reached under {workflow.policy.name}")
