"""The public API as a host uses it, written to be type-checked by ``mypy --strict``.

Nothing here is asserted at run time beyond the doctest below: the point is
that mypy accepts every line, so the published annotations fit real use.

>>> walk().stage
<Stage.CLOSED: 'closed'>
>>> refusal_reasons()
['venting finished']
>>> [error.__name__ for error in errors()]
['TransitionNotAllowed', 'CommandVetoed', 'HookFailed', 'InvalidValue']
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import service_recovery as sr

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = sr.Actor("ana", sr.Role.AGENT)
SUPERVISOR = sr.Actor("sam", sr.Role.SUPERVISOR)


def attach_hooks(workflow: sr.Workflow, seen: list[str]) -> None:
    """Hooks are plain functions of one context; the decorators return them unchanged."""

    @workflow.hooks.before(sr.Close)
    def check_close(ctx: sr.HookContext) -> None:
        if ctx.case_before is not None and ctx.case_before.severity is sr.Severity.CRITICAL:
            raise sr.Veto("A manager closes critical cases")

    @workflow.hooks.on_enter(sr.Stage.CLOSED)
    def thank(ctx: sr.HookContext) -> None:
        assert ctx.case_after is not None
        seen.append(f"thanked {ctx.case_after.customer.name}")

    @workflow.hooks.on_exit()
    def leaving(ctx: sr.HookContext) -> None:
        assert ctx.case_before is not None
        seen.append(ctx.case_before.stage.value)

    @workflow.hooks.after(sr.ProposeSolution, sr.AcceptSolution)
    def log_plan(ctx: sr.HookContext) -> None:
        assert ctx.event is not None
        seen.append(ctx.event.kind)

    workflow.hooks.on_command(lambda ctx: seen.append(type(ctx.command).__name__))
    hook: sr.Hook = thank
    assert callable(hook)


def step(workflow: sr.Workflow, case: sr.Case, command: sr.Command) -> sr.Case:
    """Apply a command the way a host does, keeping the case even when a hook fails."""
    try:
        return workflow.apply(case, command)
    except sr.HookFailed as failed:
        # An error types its case by what errors need; it is a Case: narrow it to keep it.
        if failed.accepted and isinstance(failed.case, sr.Case):
            return failed.case
        raise
    except sr.TransitionNotAllowed as refused:
        messages: list[str] = [reason.message for reason in refused.reasons]
        raise RuntimeError("; ".join(messages)) from refused


def walk() -> sr.Case:
    """A complaint from report to close through the public API only."""
    workflow = sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=2))
    seen: list[str] = []
    attach_hooks(workflow, seen)
    case: sr.Case = workflow.open(
        customer=sr.Customer("c-1", "Dana"),
        channel=sr.Channel.EMAIL,
        severity=sr.Severity.MODERATE,
        summary="Charged twice",
        at=T0,
        id="case-typed",
    )
    minute = timedelta(minutes=1)
    at = T0
    credit = sr.Compensation(sr.CompensationKind.CREDIT, sr.Money("20.00", "EUR"))
    commands: list[sr.Command] = [
        sr.Acknowledge(by=AGENT, at=at + 1 * minute),
        sr.Listen(by=AGENT, at=at + 2 * minute, note="Charged twice for one order"),
        sr.ReflectBack(by=AGENT, at=at + 3 * minute, summary="Double charge", confirmed=True),
        sr.FinishVenting(by=AGENT, at=at + 4 * minute),
        sr.Apologize(by=AGENT, at=at + 5 * minute, message="Sorry, that is our mistake"),
        sr.IdentifyCause(by=AGENT, at=at + 6 * minute, category="billing", detail="retry bug"),
        sr.Escalate(by=AGENT, at=at + 7 * minute, reason="Goodwill", amount=sr.Money(60, "EUR")),
        sr.Approve(by=SUPERVISOR, at=at + 8 * minute),
        sr.ProposeSolution(
            by=AGENT,
            at=at + 9 * minute,
            plan="Refund the second charge",
            actions=(sr.Action("Refund", due=at + timedelta(days=5)),),
            compensation=credit,
        ),
        sr.AcceptSolution(by=AGENT, at=at + 10 * minute),
        sr.CompleteAction(by=AGENT, at=at + 11 * minute, index=0),
        sr.FollowUp(by=AGENT, at=at + 12 * minute, outcome=sr.FollowUpOutcome.NO_ANSWER),
        sr.FollowUp(by=AGENT, at=at + 13 * minute, outcome=sr.FollowUpOutcome.SATISFIED),
        sr.Close(by=AGENT, at=at + 14 * minute, note="Refunded"),
    ]
    for command in commands:
        offered: tuple[type[sr.Command], ...] = workflow.allowed(case)
        assert type(command) in offered
        case = step(workflow, case, command)
    data: dict[str, Any] = json.loads(json.dumps(sr.to_dict(case)))
    restored: sr.Case = sr.from_dict(data, workflow=workflow)
    history: sr.History = restored.history
    last: sr.Event = history[-1]
    earlier: sr.History = history[:-1]
    kinds: list[str] = [event.kind for event in history]
    said: tuple[sr.Command, ...] = history.commands
    stages: tuple[sr.Stage, ...] = history.stages
    assert (last.stage, len(earlier) + 1, kinds[-1]) == (case.stage, len(history), "Close")
    assert len(said) == len(stages) == case.version
    replayed: sr.Case = workflow.replay(history)
    assert restored == replayed == case
    assert "thanked Dana" in seen
    return case


def refusal_reasons() -> list[str]:
    """``explain`` gives reasons whose guard names a program can branch on."""
    workflow = sr.Workflow()
    case = workflow.open(
        customer=sr.Customer("c-2"),
        channel=sr.Channel.CHAT,
        severity=sr.Severity.MINOR,
        summary="Rude reply",
        at=T0,
    )
    case = workflow.apply(case, sr.Acknowledge(by=AGENT, at=T0))
    case = workflow.apply(case, sr.Listen(by=AGENT, at=T0))
    offer = sr.ProposeSolution(
        by=AGENT, at=T0, plan="Voucher", actions=[sr.Action("Send", due=T0 + timedelta(days=1))]
    )
    reasons: list[sr.Reason] = workflow.explain(case, offer)
    return [reason.guard for reason in reasons if reason.guard != "step available"]


def errors() -> list[type[sr.RecoveryError]]:
    """Every library error is a RecoveryError; data errors carry their problems."""
    try:
        sr.from_dict({"schema": "nope"})
    except sr.InvalidSnapshot as bad:
        problems: tuple[str, ...] = bad.problems
        assert problems
    return [sr.TransitionNotAllowed, sr.CommandVetoed, sr.HookFailed, sr.InvalidValue]


def withdrawn_duplicate() -> sr.Case:
    """A duplicate opened with the host's reference ends withdrawn, naming the other case."""
    workflow = sr.Workflow()
    case = workflow.open(
        customer=sr.Customer("c-3"),
        channel=sr.Channel.EMAIL,
        severity=sr.Severity.MINOR,
        summary="Same parcel, second email",
        at=T0,
        reference="ZD-4712",
        previous_case=None,
    )
    reason: sr.WithdrawalReason = sr.WithdrawalReason.DUPLICATE
    case = workflow.apply(case, sr.Withdraw(by=AGENT, at=T0, reason=reason, duplicate_of="case-1"))
    ended: sr.Withdraw | None = case.withdrawal
    assert ended is not None
    assert case.reference == "ZD-4712"
    count: int = case.reopen_count
    assert count == 0
    assert case.stage.terminal
    return case


def new_date(workflow: sr.Workflow, case: sr.Case) -> sr.Case:
    """A promise gets a new date; the reason is what the customer is told."""
    return workflow.apply(
        case,
        sr.Reschedule(
            by=AGENT, at=T0, index=0, due=T0 + timedelta(days=3), reason="Ships on Monday"
        ),
    )
