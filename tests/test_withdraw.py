"""Withdraw: a duplicate, spam, merged or taken-back complaint ends at the terminal withdrawn."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._decision._engine import Engine
from service_recovery._decision._judge import Judge
from service_recovery.stores import MemoryStore, SQLiteStore

from .scenarios import AGENT, CUSTOMER, T0, later, next_step, open_case, walk_to

S = sr.Stage
R = sr.WithdrawalReason
BEFORE_ANY_PLAN = (
    S.REPORTED,
    S.ACKNOWLEDGED,
    S.LISTENING,
    S.UNDERSTOOD,
    S.APOLOGIZED,
    S.DIAGNOSED,
    S.SOLUTION_PROPOSED,
)


def withdraw(case: sr.Case, reason: sr.WithdrawalReason | str = R.SPAM) -> sr.Withdraw:
    other = "case-0" if R(reason).needs_other_case else None
    return sr.Withdraw(by=AGENT, at=later(case), reason=reason, duplicate_of=other)


class TestTheCommand:
    @given(st.sampled_from(R))
    def test_reason_as_member_or_text(self, reason: sr.WithdrawalReason) -> None:
        """The reason's text and its member make the same command."""
        other = "case-0" if reason.needs_other_case else None
        by_text = sr.Withdraw(by=AGENT, at=T0, reason=reason.value, duplicate_of=other)
        assert by_text == sr.Withdraw(by=AGENT, at=T0, reason=reason, duplicate_of=other)
        assert by_text.reason is reason

    def test_an_unknown_reason_lists_the_choices(self) -> None:
        """Anything but a known reason is refused with the valid ones named."""
        with pytest.raises(sr.InvalidValue, match="'duplicate', 'merged', 'spam'") as caught:
            sr.Withdraw(by=AGENT, at=T0, reason="bored")
        assert "reason" == caught.value.field
        with pytest.raises(sr.InvalidValue, match="reason: expected WithdrawalReason"):
            sr.Withdraw(by=AGENT, at=T0, reason=3)  # type: ignore[arg-type]

    @pytest.mark.parametrize("reason", [R.DUPLICATE, R.MERGED])
    def test_a_duplicate_names_the_other_case(self, reason: sr.WithdrawalReason) -> None:
        """A duplicate or merged case says which case carries the complaint on."""
        with pytest.raises(sr.InvalidValue, match="duplicate_of=<its id>"):
            sr.Withdraw(by=AGENT, at=T0, reason=reason)

    @pytest.mark.parametrize("reason", [R.SPAM, R.CUSTOMER_WITHDREW])
    def test_others_name_no_case(self, reason: sr.WithdrawalReason) -> None:
        """Spam, or a complaint taken back, is no duplicate of anything."""
        with pytest.raises(sr.InvalidValue, match="only a duplicate or merged case"):
            sr.Withdraw(by=AGENT, at=T0, reason=reason, duplicate_of="case-0")


class TestWithdrawing:
    @pytest.mark.parametrize("stage", BEFORE_ANY_PLAN)
    def test_from_every_stage_before_a_plan(self, stage: sr.Stage) -> None:
        """Any stage before a solution is accepted can end withdrawn."""
        workflow = sr.Workflow()
        case = walk_to(stage, workflow)
        assert sr.Withdraw in workflow.allowed(case)
        ended = workflow.apply(case, withdraw(case, R.DUPLICATE))
        assert S.WITHDRAWN == ended.stage
        assert ended.withdrawal is not None
        assert "case-0" == ended.withdrawal.duplicate_of
        assert ended.closed_at is None
        assert not ended.followed_up

    @pytest.mark.parametrize("stage", [S.RESOLVING, S.RESOLVED, S.FOLLOWED_UP, S.CLOSED])
    def test_never_once_a_solution_was_accepted(self, stage: sr.Stage) -> None:
        """After acceptance a case is recovered, followed up and closed: never withdrawn."""
        workflow = sr.Workflow()
        case = walk_to(stage, workflow)
        assert sr.Withdraw not in workflow.allowed(case)
        with pytest.raises(sr.TransitionNotAllowed) as refused:
            workflow.apply(case, withdraw(case))
        assert refused.value.case is case
        if stage is not S.CLOSED:  # closed refuses Withdraw as no step at all
            assert "no solution accepted" == refused.value.reasons[0].guard

    def test_not_even_after_a_reopen(self) -> None:
        """A reopened case is back at listening, but its accepted plan still counts."""
        workflow = sr.Workflow()
        case = walk_to(S.CLOSED, workflow)
        case = workflow.apply(case, next_step(case))  # reopened
        assert S.LISTENING == case.stage
        assert case.solution_accepted
        assert ["no solution accepted"] == [
            reason.guard for reason in workflow.explain(case, withdraw(case))
        ]
        assert sr.Withdraw not in workflow.allowed(case)

    def test_not_a_duplicate_of_itself(self) -> None:
        """``duplicate_of`` must name another case."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        itself = sr.Withdraw(by=AGENT, at=later(case), reason=R.MERGED, duplicate_of=case.id)
        assert ["another case"] == [reason.guard for reason in workflow.explain(case, itself)]

    def test_while_waiting_or_escalated(self) -> None:
        """A customer may take the complaint back while the case waits or an escalation is open."""
        workflow = sr.Workflow()
        case = walk_to(S.LISTENING, workflow)
        case = workflow.apply(case, sr.AwaitCustomer(by=AGENT, at=later(case), reason="Receipt"))
        case = workflow.apply(case, sr.Escalate(by=AGENT, at=later(case), reason="Goodwill"))
        assert S.WITHDRAWN == workflow.apply(case, withdraw(case, R.CUSTOMER_WITHDREW)).stage


class TestTerminal:
    def ended(self, workflow: sr.Workflow) -> sr.Case:
        case = walk_to(S.LISTENING, workflow)
        return workflow.apply(case, withdraw(case))

    def test_nothing_follows(self) -> None:
        """A withdrawn case accepts no command at all, not even an escalation."""
        workflow = sr.Workflow()
        case = self.ended(workflow)
        assert () == workflow.allowed(case)
        for command in (
            sr.Reopen(by=AGENT, at=later(case), reason="again"),
            sr.Escalate(by=AGENT, at=later(case), reason="again"),
            sr.Listen(by=AGENT, at=later(case)),
            withdraw(case),
        ):
            assert workflow.explain(case, command)

    def test_no_deadline_runs(self) -> None:
        """Deadlines, tick and the due list have nothing for a withdrawn case."""
        workflow = sr.Workflow()
        fresh = open_case(workflow)  # never answered: its first response would breach
        case = workflow.apply(fresh, withdraw(fresh))
        much_later = case.last_at + timedelta(days=90)
        assert () == workflow.deadlines(case, now=much_later)
        assert case is workflow.tick(case, now=much_later)
        assert [] == list(workflow.due([case], now=much_later))

    @pytest.mark.parametrize("make_store", [MemoryStore, lambda: SQLiteStore(":memory:")])
    def test_stores_list_it_as_never_due(self, make_store: object) -> None:
        """The stores' next-due index holds no time for a withdrawn case."""
        desk = sr.Desk(sr.Workflow(), make_store())  # type: ignore[operator]
        case = desk.open(
            customer=CUSTOMER,
            channel=sr.Channel.SOCIAL,
            severity=sr.Severity.MINOR,
            summary="Same complaint again",
            at=T0,
            id="case-2",
        )
        assert [case.id] == [item.case_id for item in desk.due(T0 + timedelta(days=1))]
        desk.apply(case.id, withdraw(case, R.DUPLICATE))
        assert [] == list(desk.due(T0 + timedelta(days=90)))
        assert [] == desk.tick(T0 + timedelta(days=90))
        assert S.WITHDRAWN == desk.load(case.id).stage

    def test_round_trips(self) -> None:
        """Snapshots and replay give a withdrawn case back, reason and all."""
        workflow = sr.Workflow()
        case = self.ended(workflow)
        assert case == sr.from_dict(sr.to_dict(case), workflow=workflow)
        assert case == workflow.replay(case.history)
        assert "spam" == sr.to_dict(case)["history"][-1]["reason"]


class TestContract:
    def test_a_history_withdrawn_after_acceptance_is_refused(self) -> None:
        """Loading checks the contract: a forged withdrawal after acceptance never loads."""
        case = walk_to(S.RESOLVING)
        command = withdraw(case)
        with pytest.raises(sr.InvalidHistory, match="no solution accepted"):
            sr.Workflow().replay((*case.history, sr.Event(command, S.WITHDRAWN)))
        data = sr.to_dict(case)
        data["history"].append(
            {
                "type": "Withdraw",
                "stage": "withdrawn",
                "by": {"id": AGENT.id, "role": AGENT.role.value},
                "at": command.at.isoformat(),
                "reason": "spam",
            }
        )
        data.update(stage="withdrawn", version=case.version + 1)
        with pytest.raises(sr.InvalidSnapshot, match="no solution accepted"):
            sr.from_dict(data)

    @pytest.mark.parametrize("policy", list(sr.presets.PRESETS.values()), ids=lambda p: p.name)
    def test_every_preset_withdraws_and_proves_it(self, policy: sr.RecoveryPolicy) -> None:
        """Each preset ends a fresh complaint withdrawn, and verify proves the guard holds."""
        workflow = sr.Workflow(policy)
        case = open_case(workflow)
        assert S.WITHDRAWN == workflow.apply(case, withdraw(case)).stage
        assert policy.graph.initial in policy.graph.withdrawable
        assert S.RESOLVING not in policy.graph.withdrawable

    def test_verify_catches_a_withdrawal_after_acceptance(self) -> None:
        """With the guards taken away, verify finds the shortest withdrawal after a plan."""

        class Unguarded(sr.Workflow):
            def __init__(self, policy: sr.RecoveryPolicy) -> None:
                super().__init__(policy)
                self._judge = Judge(policy, Engine(policy.graph), guards=())

        graph = sr.StageGraph(
            (*sr.presets.LAST.graph.edges, sr.Edge(sr.Withdraw, S.RESOLVING, S.WITHDRAWN))
        )
        leaky = attrs.evolve(sr.presets.LAST, name="leaky", graph=graph)
        report = sr.verify(Unguarded(leaky), severities=(sr.Severity.MINOR,), max_states=3000)
        broken = {r.name: r.counterexample for r in report.results if not r.holds}
        found = broken["withdrawn never after an accepted solution"]
        assert found is not None
        assert "Withdraw" in found.moves[-1].label
        assert any("AcceptSolution" in move.label for move in found.moves)
