"""The demo: one realistic complaint, from an angry post to a closed, learned-from case.

Every step goes through the real public API; the hooks are the kind a CRM
attaches (send the email, page the supervisor, keep an audit line).
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import service_recovery as sr
from service_recovery.stores import SQLiteStore

_STYLES = {"step": "1;36", "ok": "32", "refused": "1;31", "hook": "35", "dim": "2", "title": "1"}


class _Printer:
    def __init__(self, out: TextIO, color: bool) -> None:
        self.out = out
        self.color = color

    def style(self, kind: str, text: str) -> str:
        return f"\033[{_STYLES[kind]}m{text}\033[0m" if self.color else text

    def line(self, text: str = "", kind: str | None = None, indent: int = 0) -> None:
        wrapped = (
            textwrap.fill(
                text, width=88, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2)
            )
            if text
            else ""
        )
        print(self.style(kind, wrapped) if kind else wrapped, file=self.out)


def _use_color(choice: str, out: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return out.isatty()


def run_demo(
    color: str = "auto", out: TextIO | None = None, db: str | os.PathLike[str] | None = None
) -> sr.Case:
    """Print the story of one complaint, keep it in a SQLite file, and return the case reloaded.

    Args:
        color: "auto", "always" or "never".
        out: where to print (standard output by default).
        db: the SQLite file to keep the case in; a temporary one when omitted.
    """
    stream = out if out is not None else sys.stdout
    say = _Printer(stream, _use_color(color, stream))
    zone = ZoneInfo("Europe/Dublin")
    start = datetime(2026, 11, 23, 8, 12, tzinfo=zone)

    def at(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    workflow = sr.Workflow()
    _attach_demo_hooks(workflow, say)

    agent = sr.Actor("priya", sr.Role.AGENT)
    supervisor = sr.Actor("marcus", sr.Role.SUPERVISOR)
    customer = sr.Customer("cust-4471", "Jordan Reyes")

    say.line("service-recovery demo: the wrong jacket", "title")
    say.line(
        "Jordan ordered a navy winter jacket for a trip on Friday and received a child-size "
        "yellow raincoat. At 08:12 they post about it on social media, tagging the shop.",
        "dim",
    )
    say.line()

    case = workflow.open(
        customer=customer,
        channel=sr.Channel.SOCIAL,
        severity=sr.Severity.MAJOR,
        summary="Wrong item delivered; needs the jacket before a trip on Friday",
        at=start,
        id="CASE-2026-0415",
    )

    [first_response] = workflow.deadlines(case, now=start)
    say.line(
        f"⏱ first response due by {first_response.due_at.strftime('%H:%M')} "
        f"(social media: customers expect an answer within the hour)",
        "dim",
    )

    def step(title: str, command: sr.Command) -> None:
        nonlocal case
        say.line(f"▶ {title}", "step")
        case = workflow.apply(case, command)
        say.line(f"now {case.stage.label} (version {case.version})", "ok", indent=2)

    def shortcut(title: str, command: sr.Command) -> None:
        say.line(f"✗ Shortcut attempted: {title}", "refused")
        try:
            workflow.apply(case, command)
        except sr.TransitionNotAllowed as refused:
            for reason in refused.reasons:
                say.line(f"refused: {reason}", "refused", indent=2)
        say.line(
            f"the case is untouched: still {case.stage.label}, version {case.version}",
            "dim",
            indent=2,
        )

    step(
        "Answer publicly within 20 minutes and move to a private channel",
        sr.Acknowledge(by=agent, at=at(19), message="So sorry, Jordan! DM-ing you now."),
    )
    answered = workflow.deadlines(case, now=at(19))[0]
    say.line(
        f"⏱ {answered.label}: {answered.status.value} at {at(19).strftime('%H:%M')}",
        "dim",
        indent=2,
    )
    coaching = workflow.guidance(workflow.apply(case, sr.Listen(by=agent, at=at(20))))
    say.line(f"coach: {coaching.do[0]}", "dim", indent=2)
    step(
        "Let Jordan vent, without interrupting",
        sr.Listen(by=agent, at=at(25), note="Trip on Friday; second wrong order this year"),
    )
    shortcut(
        "offer a discount code straight away",
        sr.ProposeSolution(
            by=agent,
            at=at(26),
            plan="Here is 10% off your next order",
            actions=(sr.Action("Email a discount code", due=at(30)),),
        ),
    )
    step(
        "Reflect back what was heard",
        sr.ReflectBack(
            by=agent,
            at=at(31),
            confirmed=True,
            summary="You needed the navy jacket for Friday, got a child's raincoat, "
            "and this is the second mix-up this year.",
        ),
    )
    step("Jordan has said everything", sr.FinishVenting(by=agent, at=at(32)))
    step(
        "Apologise and own it",
        sr.Apologize(
            by=agent,
            at=at(33),
            message="I'm sorry. We sent the wrong item and that is on us, not you.",
        ),
    )
    step(
        "Find the cause",
        sr.IdentifyCause(
            by=agent,
            at=at(40),
            category="wrong_item",
            detail="Picking label swapped at the warehouse",
        ),
    )

    suggestion = workflow.suggest(case, by=agent)
    say.line(
        f"playbook for {(suggestion.category or 'this cause').replace('_', ' ')}:", "dim", indent=2
    )
    for remedy in suggestion.remedies:
        say.line(f"- {remedy.action}", "dim", indent=4)
    if suggestion.compensation is not None:
        offer = suggestion.compensation
        say.line(
            f"- up to a {offer.kind.value} of {offer.amount} for a {case.severity.value} case",
            "dim",
            indent=4,
        )
    apology_credit = sr.Compensation(sr.CompensationKind.CREDIT, sr.Money(Decimal("80"), "EUR"))
    plan = sr.ProposeSolution(
        by=agent,
        at=at(42),
        plan="Express the right jacket, collect the raincoat, credit €80",
        actions=(
            sr.Action("Ship the navy jacket by express courier", due=at(60 * 26)),
            sr.Action("Courier collects the raincoat", due=at(60 * 50)),
        ),
        compensation=apology_credit,
    )
    say.line("✗ Shortcut attempted: an €80 credit on the agent's own say-so", "refused")
    for reason in workflow.explain(case, plan):
        say.line(f"refused: {reason}", "refused", indent=2)
    step(
        "Escalate the credit",
        sr.Escalate(
            by=agent,
            at=at(43),
            reason="Second error this year; trip on Friday",
            amount=sr.Money(Decimal("80"), "EUR"),
        ),
    )
    step("The supervisor approves", sr.Approve(by=supervisor, at=at(50), note="Agreed"))
    step(
        "Propose the plan with a timeline",
        plan.__class__(
            by=agent, at=at(52), plan=plan.plan, actions=plan.actions, compensation=apology_credit
        ),
    )
    step("Jordan accepts", sr.AcceptSolution(by=agent, at=at(55)))
    step(
        "Keep Jordan informed",
        sr.SendUpdate(
            by=agent, at=at(60 * 6), message="Your jacket is on the van: tracking link inside."
        ),
    )
    step("The jacket is delivered", sr.CompleteAction(by=agent, at=at(60 * 25), index=0))
    step("The raincoat is collected", sr.CompleteAction(by=agent, at=at(60 * 30), index=1))
    shortcut("close now that everything is done", sr.Close(by=agent, at=at(60 * 30 + 5)))
    step(
        "Follow up: no answer the first time",
        sr.FollowUp(by=agent, at=at(60 * 48), outcome=sr.FollowUpOutcome.NO_ANSWER),
    )
    step(
        "Follow up again: Jordan loves the jacket",
        sr.FollowUp(
            by=agent,
            at=at(60 * 72),
            outcome=sr.FollowUpOutcome.SATISFIED,
            note="Wore it on the trip; thanked us for the credit",
        ),
    )
    step(
        "Close, with the cause fed back to the warehouse",
        sr.Close(by=agent, at=at(60 * 72 + 10), note="Warehouse asked to double-check labels"),
    )

    say.line()
    say.line("Timeline", "title")
    for event in case.history:
        when = event.at.astimezone(zone).strftime("%a %H:%M")
        say.line(f"{when}  {event.kind:<16} {event.by.id:<8} → {event.stage.label}", indent=2)
    say.line()
    say.line(
        f"{case.id}: closed {case.closed_at and case.closed_at.strftime('%a %d %b %H:%M')}, "
        f"{case.version} events, snapshot round-trips: "
        f"{sr.from_dict(sr.to_dict(case)) == case}",
        "ok",
    )
    if db is not None:
        return _persist(workflow, case, Path(db), say)
    with tempfile.TemporaryDirectory() as folder:
        return _persist(workflow, case, Path(folder) / "cases.sqlite", say)


def _persist(workflow: sr.Workflow, case: sr.Case, path: Path, say: _Printer) -> sr.Case:
    """Keep *case* in the SQLite file at *path*, then read it back as another process would."""
    with SQLiteStore(path) as store:
        store.add(case)
    with SQLiteStore(path) as store:
        desk = sr.Desk(workflow, store)
        reloaded = desk.load(case.id)
        row = store.summary(case.id)
        due = desk.due(reloaded.last_at)
    say.line()
    say.line("Stored", "title")
    say.line(f"kept in {path.name} (SQLite, one row per event) and read back:", indent=2)
    say.line(f"{row.case_id}: {row.stage.label}, version {row.version}", "ok", indent=2)
    say.line(f"policy {row.policy}; due now: {len(due)}", "dim", indent=2)
    say.line(f"equal to the case in memory: {reloaded == case}", "ok", indent=2)
    return reloaded


def _attach_demo_hooks(workflow: sr.Workflow, say: _Printer) -> None:
    hooks = workflow.hooks

    def hook_line(text: str) -> Callable[[sr.HookContext], None]:
        def show(ctx: sr.HookContext) -> None:
            say.line(f"⚙ hook: {text}", "hook", indent=2)

        return show

    hooks.on_enter(sr.Stage.REPORTED)(hook_line("new social complaint routed to the care team"))
    hooks.after(sr.Escalate)(hook_line("paging the duty supervisor"))
    hooks.after(sr.AcceptSolution)(hook_line("emailing Jordan the plan and its dates"))
    hooks.on_enter(sr.Stage.RESOLVED)(hook_line("scheduling the follow-up call"))
    hooks.on_enter(sr.Stage.CLOSED)(hook_line("sending the cause to the warehouse lead"))
