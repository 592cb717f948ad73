"""Property-test your own workflow: your policy, your hooks, every promise checked.

Run it with ``python examples/property_test_my_workflow.py`` (pytest collects the
same tests if you copy the file into your test folder). A shop caps goodwill on
minor complaints and sends a satisfaction survey whenever a case closes.
``WorkflowStateMachine`` drives random sessions through that workflow (agents,
supervisors and managers doing sensible things, and now and then anything at
all) and checks, after every step, the promises the library makes: the contract
guards, refusals that change nothing, ``explain`` agreeing with ``apply``,
history, snapshots and replay, the hook order. The two invariants below add the
shop's own promises; they hold even after a case is reopened and closed again.
"""

from __future__ import annotations

import unittest
from collections.abc import Iterable
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis.stateful import invariant

import service_recovery as sr
from service_recovery.testing import WorkflowStateMachine, cases, record_hooks

CAP = sr.Money(Decimal(30), "EUR")


class ShopPolicy(sr.RecoveryPolicy):
    """The default practice, plus the shop's rule: at most 30 EUR on a minor complaint."""

    def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
        offer = getattr(command, "compensation", None)
        if case.severity is not sr.Severity.MINOR or offer is None:
            return
        # Amounts in two currencies do not compare: the cap is in euros, so must offers be.
        if offer.amount.currency != CAP.currency or CAP < offer.amount:
            yield f"Minor complaints get at most {CAP} of goodwill"


POLICY = ShopPolicy(name="shop")


def build_workflow(outbox: list[str]) -> sr.Workflow:
    """The shop's workflow: its policy, and a survey in *outbox* for every closed case."""
    workflow = sr.Workflow(POLICY)

    @workflow.hooks.on_enter(sr.Stage.CLOSED)
    def send_survey(ctx: sr.HookContext) -> None:
        assert ctx.case_after is not None
        outbox.append(ctx.case_after.id)

    return workflow


class ShopWorkflowMachine(WorkflowStateMachine):
    """Random sessions on the shop's workflow."""

    def make_workflow(self) -> sr.Workflow:
        self.outbox: list[str] = []
        return build_workflow(self.outbox)

    @invariant()
    def one_survey_per_close(self) -> None:
        # Count Close commands, not events at closed: a breach recorded late stays at closed.
        closes = sum(1 for event in self.case.history if isinstance(event.command, sr.Close))
        assert closes == len(self.outbox), f"{closes} closes but {len(self.outbox)} surveys"

    @invariant()
    def minor_goodwill_is_capped(self) -> None:
        if self.case.severity is sr.Severity.MINOR:
            for event in self.case.history:
                offer = getattr(event.command, "compensation", None)
                assert offer is None or offer.amount <= CAP, f"{offer} on a minor complaint"


TestShopWorkflow = ShopWorkflowMachine.TestCase
TestShopWorkflow.settings = settings(max_examples=30, stateful_step_count=40, deadline=None)


class TestSurvey(unittest.TestCase):
    """A plain property test with the same tools: real cases, recorded hooks."""

    @settings(max_examples=20, deadline=None)
    @given(cases(POLICY, stage=sr.Stage.FOLLOWED_UP))
    def test_closing_sends_one_survey(self, case: sr.Case) -> None:
        outbox: list[str] = []
        workflow = build_workflow(outbox)
        manager = sr.Actor("manager-1", sr.Role.MANAGER)
        # Drawn cases are real, so some cannot close yet (an escalation is pending, a
        # critical case still needs its prevention note): this test is about the others.
        assume(sr.Close in workflow.allowed(case))
        with record_hooks(workflow) as hooks:
            closed = workflow.apply(case, sr.Close(by=manager, at=case.last_at))
        assert [closed.id] == outbox
        assert ["enter closed", "after Close", "on_command"] == hooks.labels[-3:]


if __name__ == "__main__":
    unittest.main()
