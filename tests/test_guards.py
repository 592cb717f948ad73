"""Guards: the contract guards hold under every policy; step guards keep data meaningful."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._decision._guards import CONTRACT_GUARDS, STEP_GUARDS
from tests.scenarios import (
    AGENT,
    MANAGER,
    OTHER_AGENT,
    SUPERVISOR,
    later,
    next_step,
    open_case,
    proposal,
    reachable_cases,
    walk_to,
)

S = sr.Stage
E = sr.Edge
GUARDS_DOC = Path(__file__).parent.parent / "docs" / "reference" / "guards.md"

VENTING = (
    "The customer has not finished venting: reflect back what you heard and have them "
    "confirm it, then finish venting before proposing anything"
)
UNCHECKED = (
    "Nobody has checked what the customer said: reflect back what you heard and have "
    "them confirm it before moving on"
)


def not_followed_up(attempts: int, needed: int) -> str:
    """The refusal of a close without follow-up, after *attempts* of *needed*."""
    return (
        "The customer has not been followed up: check back that the fix worked and they are "
        f"happy ({attempts} of {needed} unanswered attempts so far; close only after they "
        "confirm, or after every attempt went unanswered)"
    )


SHORTCUTS = sr.StageGraph(
    [
        *(edge for edge in sr.DEFAULT_GRAPH.edges if edge.command is not sr.FollowUp),
        # Any follow-up counts as one here, whatever the customer said:
        E(sr.FollowUp, S.RESOLVED, S.FOLLOWED_UP),
        # The bad shortcuts a careless policy might declare:
        E(sr.FinishVenting, S.ACKNOWLEDGED, S.UNDERSTOOD),
        E(sr.ProposeSolution, S.ACKNOWLEDGED, S.SOLUTION_PROPOSED),
        E(sr.SendUpdate, S.LISTENING, S.SOLUTION_PROPOSED),
        E(sr.Close, S.ACKNOWLEDGED, S.CLOSED),
        E(sr.SendUpdate, S.RESOLVED, S.CLOSED),
    ]
)
"""A graph that declares every bad shortcut; the contract guards must still refuse them."""


def careless(**rules: Any) -> sr.Workflow:
    """A workflow on the shortcut graph, with *rules* for the policy."""
    policy = sr.RecoveryPolicy(
        name="careless", graph=SHORTCUTS, requirements=(), playbooks={}, **rules
    )
    return sr.Workflow(policy)


def acknowledged(workflow: sr.Workflow) -> sr.Case:
    """A case of *workflow*, acknowledged and nothing more."""
    case = open_case(workflow)
    return workflow.apply(case, sr.Acknowledge(by=AGENT, at=later(case)))


def guards_of(reasons: Iterable[sr.Reason]) -> list[str]:
    """The names of the guards that gave *reasons*."""
    return [reason.guard for reason in reasons]


policies: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "follow_up_attempts": st.integers(2, 6),
        "reopen_window": st.timedeltas(timedelta(0), timedelta(days=90)),
    }
)
"""Rules a policy may set without touching the contract."""


class TestGuardTables:
    def test_contract_guard_names(self) -> None:
        """The contract guards are the five the product promises."""
        expected = [
            "venting finished",
            "summary confirmed",
            "followed up",
            "within authority",
            "no solution accepted",
        ]
        assert expected == [guard.name for guard in CONTRACT_GUARDS]

    def test_guard_names_are_unique(self) -> None:
        """Every guard has its own name, so a reason says which rule refused."""
        names = [guard.name for guard in (*CONTRACT_GUARDS, *STEP_GUARDS)]
        assert len(set(names)) == len(names)

    def test_every_guard_is_documented(self) -> None:
        """docs/reference/guards.md names every guard the workflow runs."""
        text = GUARDS_DOC.read_text(encoding="utf-8")
        missing = [g.name for g in (*CONTRACT_GUARDS, *STEP_GUARDS) if g.name not in text]
        assert [] == missing

    def test_reason_prints_as_its_message(self) -> None:
        """``str(reason)`` is the sentence for the agent."""
        assert "Do this first" == str(sr.Reason("some guard", "Do this first"))

    def test_guard_wraps_its_message(self) -> None:
        """A guard turns its check's message into a reason carrying its name."""
        guard = sr.Guard("always", lambda policy, case, command: "No", commands=(sr.Close,))
        quiet = sr.Guard("never", lambda policy, case, command: None)
        policy, case = sr.RecoveryPolicy(), open_case()
        assert sr.Reason("always", "No") == guard.reason(policy, case, None)
        assert quiet.reason(policy, case, None) is None


class TestVentingFinished:
    def test_default_graph_refuses_early_proposal(self) -> None:
        """While the customer is still talking, a proposal is refused with the reason why."""
        workflow = sr.Workflow()
        case = walk_to(S.LISTENING, workflow)
        reasons = workflow.explain(case, proposal(later(case)))
        assert sr.Reason("venting finished", VENTING) == reasons[0]

    @given(policies)
    def test_shortcut_edge_still_refused(self, rules: dict[str, Any]) -> None:
        """A policy that declares a proposal edge before venting cannot use it."""
        workflow = careless(**rules)
        case = acknowledged(workflow)
        with pytest.raises(sr.TransitionNotAllowed) as caught:
            workflow.apply(case, proposal(later(case)))
        assert ["venting finished"] == guards_of(caught.value.reasons)
        assert VENTING == str(caught.value)

    def test_entering_by_another_command_refused(self) -> None:
        """Any command that would lead to 'solution proposed' before venting is refused."""
        workflow = careless()
        case = walk_to(S.LISTENING, workflow)
        update = sr.SendUpdate(by=AGENT, at=later(case), message="here is a plan")
        assert ["venting finished"] == guards_of(workflow.explain(case, update))

    def test_subclass_cannot_switch_it_off(self) -> None:
        """A policy that returns no guards of its own still gets the contract guards."""

        class Lenient(sr.RecoveryPolicy):
            def guards(self) -> Iterable[sr.Guard]:
                return ()

        workflow = sr.Workflow(
            Lenient(graph=SHORTCUTS, requirements=(), playbooks={}, name="lenient")
        )
        case = acknowledged(workflow)
        assert ["venting finished"] == guards_of(workflow.explain(case, proposal(later(case))))


class TestSummaryConfirmed:
    @pytest.mark.parametrize("reflections", [(), (False,), (True, False)])
    def test_unconfirmed_summary_refused(self, reflections: tuple[bool, ...]) -> None:
        """Venting cannot finish until the latest reflected summary was confirmed."""
        workflow = sr.Workflow()
        case = walk_to(S.LISTENING, workflow)
        for confirmed in reflections:
            reflect = sr.ReflectBack(by=AGENT, at=later(case), summary="s", confirmed=confirmed)
            case = workflow.apply(case, reflect)
        reasons = workflow.explain(case, sr.FinishVenting(by=AGENT, at=later(case)))
        assert [sr.Reason("summary confirmed", UNCHECKED)] == reasons

    def test_confirmed_summary_lets_venting_finish(self) -> None:
        """After the customer confirms the summary, venting may finish."""
        workflow = sr.Workflow()
        case = walk_to(S.LISTENING, workflow)
        case = workflow.apply(case, next_step(case))
        case = workflow.apply(case, sr.FinishVenting(by=AGENT, at=later(case)))
        assert (S.UNDERSTOOD, True) == (case.stage, case.venting_finished)

    def test_shortcut_without_listening_refused(self) -> None:
        """A policy edge that finishes venting without any listening is refused."""
        workflow = careless()
        case = acknowledged(workflow)
        finish = sr.FinishVenting(by=AGENT, at=later(case))
        assert ["summary confirmed"] == guards_of(workflow.explain(case, finish))


class TestFollowedUp:
    def no_answer(self, workflow: sr.Workflow, case: sr.Case, times: int) -> sr.Case:
        """*case* after *times* unanswered follow-up calls, a day apart."""
        return unanswered(workflow, case, times)

    @pytest.mark.parametrize("attempts", [0, 1, 2])
    def test_close_refused_before_attempts_run_out(self, attempts: int) -> None:
        """Under the default policy (3 attempts) a close needs the customer or three tries."""
        workflow = sr.Workflow()
        case = self.no_answer(workflow, walk_to(S.RESOLVED, workflow), attempts)
        reasons = workflow.explain(case, sr.Close(by=AGENT, at=later(case)))
        assert [sr.Reason("followed up", not_followed_up(attempts, 3))] == reasons

    def test_close_after_attempts_run_out(self) -> None:
        """After the policy's unanswered attempts, the case may close from 'resolved'."""
        workflow = sr.Workflow()
        case = self.no_answer(workflow, walk_to(S.RESOLVED, workflow), 3)
        assert S.CLOSED == workflow.apply(case, sr.Close(by=AGENT, at=later(case))).stage

    @pytest.mark.parametrize("claimed", [0, 1])
    def test_one_unanswered_call_is_never_enough(self, claimed: int) -> None:
        """A subclass asking for fewer than two attempts still needs two."""

        class Impatient(sr.RecoveryPolicy):
            def follow_up_attempts_for(self, case: sr.Case) -> int:
                return claimed

        workflow = sr.Workflow(Impatient())
        case = self.no_answer(workflow, walk_to(S.RESOLVED, workflow), 1)
        close = sr.Close(by=AGENT, at=later(case))
        assert [not_followed_up(1, 2)] == [str(r) for r in workflow.explain(case, close)]
        case = self.no_answer(workflow, case, 1)
        assert [] == workflow.explain(case, sr.Close(by=AGENT, at=later(case)))

    @given(st.integers(2, 6), st.integers(0, 7))
    def test_attempts_follow_the_policy(self, needed: int, attempts: int) -> None:
        """A case closes without an answer exactly when the policy's attempts are used."""
        workflow = sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=needed))
        case = self.no_answer(workflow, walk_to(S.RESOLVED, workflow), attempts)
        refused = workflow.explain(case, sr.Close(by=AGENT, at=later(case)))
        assert (attempts < needed) == bool(refused)

    @pytest.mark.parametrize("shortcut", [sr.Close, sr.SendUpdate])
    def test_shortcuts_to_closed_refused(self, shortcut: type[sr.Command]) -> None:
        """No command reaches 'closed' without a follow-up, whatever edge a policy declares."""
        workflow = careless()
        case = acknowledged(workflow) if shortcut is sr.Close else walk_to(S.RESOLVED, workflow)
        command = (
            sr.Close(by=AGENT, at=later(case))
            if shortcut is sr.Close
            else sr.SendUpdate(by=AGENT, at=later(case), message="done")
        )
        assert ["followed up"] == guards_of(workflow.explain(case, command))

    def test_unsatisfied_follow_up_does_not_count(self) -> None:
        """Reaching 'followed up' with an unhappy customer does not satisfy the guard."""
        workflow = careless()
        case = walk_to(S.RESOLVED, workflow)
        unhappy = sr.FollowUp(by=AGENT, at=later(case), outcome=sr.FollowUpOutcome.UNSATISFIED)
        case = workflow.apply(case, unhappy)
        assert S.FOLLOWED_UP == case.stage
        close = sr.Close(by=AGENT, at=later(case))
        assert ["followed up"] == guards_of(workflow.explain(case, close))


def unanswered(workflow: sr.Workflow, case: sr.Case, times: int) -> sr.Case:
    """*case* after *times* unanswered follow-up calls, each a day after the last event."""
    for _ in range(times):
        at = case.last_at + timedelta(days=1)
        case = workflow.apply(case, sr.FollowUp(by=AGENT, at=at, outcome=NO_ANSWER))
    return case


NO_ANSWER = sr.FollowUpOutcome.NO_ANSWER


class TestFollowUpsSpaced:
    def test_three_calls_in_a_minute_are_one_attempt(self) -> None:
        """A second unanswered call a minute after the first is refused; Close stays refused."""
        workflow = sr.Workflow()
        case = workflow.apply(
            walk_to(S.RESOLVED, workflow), sr.FollowUp(by=AGENT, at=T_RESOLVED, outcome=NO_ANSWER)
        )
        again = sr.FollowUp(by=AGENT, at=later(case), outcome=NO_ANSWER)
        [reason] = workflow.explain(case, again)
        assert "follow-ups spaced" == reason.guard
        assert "try again after 1 day" in str(reason)
        with pytest.raises(sr.TransitionNotAllowed):
            workflow.apply(case, again)
        assert ["followed up"] == guards_of(
            workflow.explain(case, sr.Close(by=AGENT, at=later(case)))
        )

    def test_the_customer_may_answer_any_time(self) -> None:
        """Only unanswered attempts are spaced: the customer calling back is always heard."""
        workflow = sr.Workflow()
        case = unanswered(workflow, walk_to(S.RESOLVED, workflow), 1)
        for outcome in (sr.FollowUpOutcome.SATISFIED, sr.FollowUpOutcome.UNSATISFIED):
            assert [] == workflow.explain(
                case, sr.FollowUp(by=AGENT, at=later(case), outcome=outcome)
            )

    @given(st.integers(0, 72), st.integers(1, 72))
    def test_the_interval_is_the_policy_s(self, hours: int, after: int) -> None:
        """An unanswered attempt is accepted exactly when the policy's interval has passed."""
        policy = sr.RecoveryPolicy(follow_up_interval=timedelta(hours=hours))
        workflow = sr.Workflow(policy)
        case = unanswered(workflow, walk_to(S.RESOLVED, workflow), 1)
        call = sr.FollowUp(by=AGENT, at=case.last_at + timedelta(hours=after), outcome=NO_ANSWER)
        assert (after >= hours) == (not workflow.explain(case, call))

    def test_the_interval_is_read_from_a_policy_file(self) -> None:
        """follow_up_interval is a duration in TOML, and a negative one is refused."""
        policy = sr.RecoveryPolicy.from_toml('follow_up_interval = "4h"\n')
        assert timedelta(hours=4) == policy.follow_up_interval
        with pytest.raises(sr.InvalidPolicy, match="follow_up_interval: expected a timedelta >= 0"):
            sr.RecoveryPolicy(follow_up_interval=timedelta(hours=-1))


class TestSummaryCurrent:
    def confirmed_then_more(self) -> sr.Case:
        """A case whose customer confirmed the summary, then added something."""
        case = walk_to(S.LISTENING)
        reflect = sr.ReflectBack(by=AGENT, at=later(case), summary="Charged twice", confirmed=True)
        case = WORKFLOW.apply(case, reflect)
        more = sr.Listen(by=AGENT, at=later(case), note="AND I was charged twice for shipping")
        return WORKFLOW.apply(case, more)

    def test_venting_cannot_finish_on_a_stale_summary(self) -> None:
        """A Listen after the confirmed summary needs a new confirmed reflect-back."""
        case = self.confirmed_then_more()
        finish = sr.FinishVenting(by=AGENT, at=later(case))
        [reason] = WORKFLOW.explain(case, finish)
        assert "summary current" == reason.guard
        assert sr.FinishVenting not in WORKFLOW.allowed(case)
        with pytest.raises(sr.TransitionNotAllowed):
            WORKFLOW.apply(case, finish)

    def test_a_new_confirmed_summary_lets_venting_finish(self) -> None:
        """Reflecting back again, confirmed, makes the summary current."""
        case = self.confirmed_then_more()
        again = sr.ReflectBack(
            by=AGENT, at=later(case), summary="Twice, and shipping", confirmed=True
        )
        case = WORKFLOW.apply(case, again)
        assert (
            S.UNDERSTOOD == WORKFLOW.apply(case, sr.FinishVenting(by=AGENT, at=later(case))).stage
        )

    def test_a_history_recorded_before_the_rule_still_loads(self) -> None:
        """The rule is a step guard: a stale-summary history is a fact, and it loads."""
        case = self.confirmed_then_more()
        finish = sr.FinishVenting(by=AGENT, at=later(case))
        history = (*case.history, sr.Event(finish, S.UNDERSTOOD))
        assert S.UNDERSTOOD == WORKFLOW.replay(history).stage


class TestPlanOnTime:
    def proposed(self, due_in: timedelta) -> sr.Case:
        """A case with a plan on the table whose one action is due *due_in* after proposing."""
        case = walk_to(S.DIAGNOSED)
        at = later(case)
        plan = sr.ProposeSolution(
            by=AGENT, at=at, plan="Refund", actions=(sr.Action("Refund", due=at + due_in),)
        )
        return WORKFLOW.apply(case, plan)

    def test_accepting_a_plan_already_late_is_refused(self) -> None:
        """Accepting three days after a proposal due in an hour would break the promise at once."""
        case = self.proposed(timedelta(hours=1))
        accept = sr.AcceptSolution(by=AGENT, at=case.last_at + timedelta(days=3))
        [reason] = WORKFLOW.explain(case, accept)
        assert "plan on time" == reason.guard
        assert "propose again" in str(reason)
        with pytest.raises(sr.TransitionNotAllowed):
            WORKFLOW.apply(case, accept)

    def test_accepting_in_time_is_not_held_up(self) -> None:
        """Accepted before its first action is due, a plan goes ahead."""
        case = self.proposed(timedelta(hours=1))
        accept = sr.AcceptSolution(by=AGENT, at=case.last_at + timedelta(minutes=59))
        assert S.RESOLVING == WORKFLOW.apply(case, accept).stage

    def test_declining_and_proposing_again_is_the_way_on(self) -> None:
        """A late plan is declined and proposed again with new dates."""
        case = self.proposed(timedelta(hours=1))
        at = case.last_at + timedelta(days=3)
        case = WORKFLOW.apply(case, sr.DeclineSolution(by=AGENT, at=at, reason="late"))
        again = (sr.Action("Refund", due=at + timedelta(days=1)),)
        plan = sr.ProposeSolution(by=AGENT, at=at, plan="Refund", actions=again)
        case = WORKFLOW.apply(case, plan)
        assert S.RESOLVING == WORKFLOW.apply(case, sr.AcceptSolution(by=AGENT, at=at)).stage

    def test_a_plan_late_before_the_last_event_turns_the_button_off(self) -> None:
        """An action due before the case's last event is late for any acceptance."""
        case = self.proposed(timedelta(hours=1))
        update = sr.SendUpdate(by=AGENT, at=case.last_at + timedelta(hours=2), message="soon")
        case = WORKFLOW.apply(case, sr.Escalate(by=AGENT, at=update.at, reason="advice"))
        case = WORKFLOW.apply(case, sr.Approve(by=SUPERVISOR, at=update.at))
        assert sr.AcceptSolution not in WORKFLOW.allowed(case)
        assert "plan on time" in guards_of(WORKFLOW.explain(case, sr.AcceptSolution))


WORKFLOW = sr.Workflow()

T_RESOLVED = walk_to(S.RESOLVED).last_at + timedelta(minutes=1)
"""A minute after the example case was resolved."""


class TestWithinAuthority:
    def offer(self, case: sr.Case, by: sr.Actor, amount: sr.Money) -> sr.ProposeSolution:
        """A proposal by *by* with *amount* of credit."""
        credit = sr.Compensation(sr.CompensationKind.CREDIT, amount)
        return proposal(later(case), compensation=credit, by=by)

    @pytest.mark.parametrize(
        ("actor", "amount", "allowed"),
        [
            (AGENT, "50", True),
            (AGENT, "50.01", False),
            (SUPERVISOR, "250", True),
            (SUPERVISOR, "250.01", False),
            (MANAGER, "1000", True),
            (MANAGER, "1000.01", False),
            (sr.SYSTEM, "0.01", False),
        ],
    )
    def test_default_authority(self, actor: sr.Actor, amount: str, allowed: bool) -> None:
        """Each role may grant up to its limit alone, and not a cent more."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        reasons = guards_of(
            workflow.explain(case, self.offer(case, actor, sr.Money(amount, "EUR")))
        )
        assert allowed == ("within authority" not in reasons)

    def test_refusal_says_what_to_do(self) -> None:
        """The refusal names the amount, the limit, and the way forward."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        [reason] = workflow.explain(case, self.offer(case, AGENT, sr.Money(80, "EUR")))
        assert (
            "Compensation of 80 EUR is above the agent's authority of 50 EUR: escalate with the "
            "amount and get it approved by a role whose authority covers it"
        ) == str(reason)

    def test_other_currency_needs_approval(self) -> None:
        """An amount in another currency than the actor's limit is escalated, not converted."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        [reason] = workflow.explain(case, self.offer(case, AGENT, sr.Money(1, "USD")))
        assert (
            "Compensation of 1 USD is in another currency than the agent's authority (50 EUR): "
            "escalate it for approval"
        ) == str(reason)

    @given(
        st.decimals(0, 500, places=2),
        st.decimals(0, 500, places=2),
        st.sampled_from([AGENT, SUPERVISOR, MANAGER]),
    )
    def test_any_authority_table(self, limit: Decimal, amount: Decimal, actor: sr.Actor) -> None:
        """Whatever limits a policy sets, a proposal passes only within the actor's limit."""
        table = {role: sr.Money(limit, "EUR") for role in sr.Role}
        workflow = sr.Workflow(sr.RecoveryPolicy(authority=table))
        case = walk_to(S.DIAGNOSED, workflow)
        reasons = guards_of(
            workflow.explain(case, self.offer(case, actor, sr.Money(amount, "EUR")))
        )
        assert (amount <= limit) == ("within authority" not in reasons)

    def test_approved_escalation_covers_the_amount(self) -> None:
        """After a supervisor approves 200 EUR, the agent may offer up to 200 EUR."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        ask = sr.Escalate(by=AGENT, at=later(case), reason="goodwill", amount=sr.Money(200, "EUR"))
        case = workflow.apply(case, ask)
        case = workflow.apply(case, sr.Approve(by=SUPERVISOR, at=later(case)))
        assert [] == workflow.explain(case, self.offer(case, AGENT, sr.Money(200, "EUR")))
        too_much = self.offer(case, AGENT, sr.Money("200.01", "EUR"))
        assert ["within authority"] == guards_of(workflow.explain(case, too_much))


class TestApproval:
    def escalated(
        self, by: sr.Actor = AGENT, amount: sr.Money | None = None
    ) -> tuple[sr.Workflow, sr.Case]:
        """A workflow and a case with an escalation by *by* pending."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        ask = sr.Escalate(by=by, at=later(case), reason="goodwill", amount=amount)
        return workflow, workflow.apply(case, ask)

    def test_nothing_to_approve(self) -> None:
        """Approving with no escalation pending is refused."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        reasons = workflow.explain(case, sr.Approve(by=SUPERVISOR, at=later(case)))
        assert ["There is nothing to approve: no escalation is pending"] == [
            str(reason) for reason in reasons
        ]

    def test_nobody_approves_their_own(self) -> None:
        """The escalating actor cannot approve their own escalation, whatever their role."""
        workflow, case = self.escalated(by=SUPERVISOR)
        reasons = workflow.explain(case, sr.Approve(by=SUPERVISOR, at=later(case)))
        assert ["Nobody can approve their own escalation: ask a supervisor or manager"] == [
            str(reason) for reason in reasons
        ]

    @pytest.mark.parametrize(
        ("approver", "allowed"),
        [(OTHER_AGENT, False), (sr.SYSTEM, False), (SUPERVISOR, True), (MANAGER, True)],
    )
    def test_without_amount_needs_a_higher_role(self, approver: sr.Actor, allowed: bool) -> None:
        """An escalation without amount is approved only by a role with more authority."""
        workflow, case = self.escalated()
        reasons = workflow.explain(case, sr.Approve(by=approver, at=later(case)))
        assert allowed == (not reasons)

    @pytest.mark.parametrize(
        ("approver", "allowed"), [(OTHER_AGENT, False), (SUPERVISOR, False), (MANAGER, True)]
    )
    def test_amount_needs_covering_authority(self, approver: sr.Actor, allowed: bool) -> None:
        """An escalation for 300 EUR is approved only by someone whose authority covers it."""
        workflow, case = self.escalated(amount=sr.Money(300, "EUR"))
        reasons = workflow.explain(case, sr.Approve(by=approver, at=later(case)))
        assert allowed == (not reasons)

    def test_uncovered_amount_refusal(self) -> None:
        """The refusal names the approver's limit and the amount asked."""
        workflow, case = self.escalated(amount=sr.Money(300, "EUR"))
        [reason] = workflow.explain(case, sr.Approve(by=SUPERVISOR, at=later(case)))
        assert (
            "The supervisor's authority (250 EUR) does not cover the 300 EUR asked for: "
            "a higher role must approve"
        ) == str(reason)

    def test_lower_role_cannot_approve_a_higher_ones_request(self) -> None:
        """A supervisor does not approve a manager's escalation, even for an amount they cover."""
        workflow, case = self.escalated(by=MANAGER, amount=sr.Money(100, "EUR"))
        reasons = workflow.explain(case, sr.Approve(by=SUPERVISOR, at=later(case)))
        assert ["approver qualified"] == guards_of(reasons)

    @pytest.mark.parametrize(
        ("by", "amount", "message"),
        [
            (
                MANAGER,
                None,
                "No role has more authority than a manager, so nobody could approve this "
                "escalation: decide within your own authority",
            ),
            (
                AGENT,
                sr.Money(5000, "EUR"),
                "No role's authority covers 5000 EUR, so nobody could approve this "
                "escalation: ask for an amount within someone's authority",
            ),
            (
                AGENT,
                sr.Money(100, "USD"),
                "No role's authority covers 100 USD, so nobody could approve this "
                "escalation: ask for an amount within someone's authority",
            ),
        ],
    )
    def test_escalation_nobody_could_approve_is_refused(
        self, by: sr.Actor, amount: sr.Money | None, message: str
    ) -> None:
        """An escalation no role could ever approve is refused: it would block the case."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        ask = sr.Escalate(by=by, at=later(case), reason="goodwill", amount=amount)
        assert [sr.Reason("approvable", message)] == workflow.explain(case, ask)

    @pytest.mark.parametrize(
        ("by", "amount"),
        [
            (AGENT, None),
            (SUPERVISOR, None),
            (AGENT, sr.Money(1000, "EUR")),
            (MANAGER, sr.Money(1000, "EUR")),
        ],
    )
    def test_escalation_someone_could_approve_is_accepted(
        self, by: sr.Actor, amount: sr.Money | None
    ) -> None:
        """Escalations a higher role (or a peer covering the amount) could approve go through."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        ask = sr.Escalate(by=by, at=later(case), reason="goodwill", amount=amount)
        assert [] == workflow.explain(case, ask)

    def test_one_escalation_at_a_time(self) -> None:
        """A second escalation waits for the first to be approved."""
        workflow, case = self.escalated()
        again = sr.Escalate(by=AGENT, at=later(case), reason="and this")
        assert ["An escalation is already pending: wait for its approval"] == [
            str(reason) for reason in workflow.explain(case, again)
        ]

    @pytest.mark.parametrize(
        ("stage", "commitment"),
        [
            (S.DIAGNOSED, proposal),
            (S.SOLUTION_PROPOSED, lambda at: sr.AcceptSolution(by=AGENT, at=at)),
            (S.FOLLOWED_UP, lambda at: sr.Close(by=AGENT, at=at)),
        ],
    )
    def test_pending_escalation_blocks_commitments(
        self, stage: sr.Stage, commitment: Callable[[datetime], sr.Command]
    ) -> None:
        """While an escalation waits, nothing is proposed, accepted or closed."""
        workflow = sr.Workflow()
        case = walk_to(stage, workflow)
        case = workflow.apply(case, sr.Escalate(by=AGENT, at=later(case), reason="customer VIP"))
        reasons = workflow.explain(case, commitment(later(case)))
        assert [
            sr.Reason(
                "no pending escalation",
                "An escalation is waiting for approval (customer VIP): "
                "a supervisor or manager must approve it first",
            )
        ] == reasons


class TestPlanGuards:
    def test_plan_needs_an_action(self) -> None:
        """A plan without a concrete action is refused with an example of one."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        reasons = workflow.explain(case, proposal(later(case), actions=0))
        assert ["concrete plan"] == guards_of(reasons)
        assert "agree at least one action with a due date" in str(reasons[0])

    def test_actions_cannot_be_due_in_the_past(self) -> None:
        """A promise already late when made is refused, naming the action."""
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        at = later(case)
        late = sr.Action("Refund", due=at - timedelta(seconds=1))
        command = sr.ProposeSolution(by=AGENT, at=at, plan="refund", actions=(late,))
        [reason] = workflow.explain(case, command)
        assert f"Promised actions cannot be due in the past: #0 is due {late.due.isoformat()}" == (
            str(reason)
        )

    def test_acceptance_needs_a_proposal(self) -> None:
        """Accepting with nothing on the table is refused (a policy edge could allow it)."""
        guard = next(g for g in STEP_GUARDS if g.name == "proposal on the table")
        case = walk_to(S.DIAGNOSED)
        reason = guard.reason(sr.RecoveryPolicy(), case, None)
        assert sr.Reason(
            "proposal on the table", "No solution is on the table: propose one first"
        ) == (reason)

    @pytest.mark.parametrize(
        ("index", "message"),
        [
            (2, "There is no promised action #2: the plan has 2 action(s), numbered 0 to 1"),
            (-1, "There is no promised action #-1: the plan has 2 action(s), numbered 0 to 1"),
            (0, "Promised action #0 is already completed"),
        ],
    )
    def test_action_must_be_open(self, index: int, message: str) -> None:
        """Completing an action that does not exist or is done is refused, saying which."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVING, workflow)
        case = workflow.apply(case, sr.CompleteAction(by=AGENT, at=later(case), index=0))
        reasons = workflow.explain(case, sr.CompleteAction(by=AGENT, at=later(case), index=index))
        assert [message] == [str(reason) for reason in reasons]

    def test_no_plan_no_action(self) -> None:
        """Without an accepted plan there is nothing to complete."""
        guard = next(g for g in STEP_GUARDS if g.name == "action open")
        case = walk_to(S.DIAGNOSED)
        command = sr.CompleteAction(by=AGENT, at=later(case), index=0)
        reason = guard.reason(sr.RecoveryPolicy(), case, command)
        assert "There is no accepted plan with promised actions to complete" == str(reason)


class TestReopenWindow:
    @pytest.mark.parametrize(
        ("after", "allowed"),
        [(timedelta(days=30), True), (timedelta(days=30, seconds=1), False)],
    )
    def test_window_counts_from_close(self, after: timedelta, allowed: bool) -> None:
        """A case reopens up to the window's end after closing, not a second later."""
        workflow = sr.Workflow()
        case = walk_to(S.CLOSED, workflow)
        reopen = sr.Reopen(by=AGENT, at=case.last_at + after, reason="broken again")
        reasons = workflow.explain(case, reopen)
        assert allowed == (not reasons)
        if not allowed:
            assert [
                "The reopen window of 30 days after closing has passed: open a new case "
                "that succeeds this one, with Workflow.open(..., previous_case='case-1')"
            ] == [str(reason) for reason in reasons]

    @given(
        st.timedeltas(timedelta(0), timedelta(days=60)),
        st.timedeltas(timedelta(0), timedelta(days=90)),
    )
    def test_any_window(self, window: timedelta, after: timedelta) -> None:
        """Under any window, a reopen is allowed exactly within it."""
        workflow = sr.Workflow(sr.RecoveryPolicy(reopen_window=window))
        case = walk_to(S.CLOSED, workflow)
        reopen = sr.Reopen(by=AGENT, at=case.last_at + after, reason="broken again")
        assert (after <= window) == (not workflow.explain(case, reopen))

    def test_not_closed(self) -> None:
        """The reopen guard refuses a case that is not closed (a policy edge could try)."""
        guard = next(g for g in STEP_GUARDS if g.name == "within reopen window")
        case = walk_to(S.RESOLVED)
        reopen = sr.Reopen(by=AGENT, at=later(case), reason="again")
        assert "The case is not closed" == str(guard.reason(sr.RecoveryPolicy(), case, reopen))


class TestContractInvariants:
    @given(reachable_cases())
    def test_facts_agree_with_the_stage(self, case: sr.Case) -> None:
        """Past 'diagnosed' venting is finished; a closed case was followed up or tried enough."""
        if case.stage in (S.SOLUTION_PROPOSED, S.RESOLVING, S.RESOLVED, S.FOLLOWED_UP):
            assert case.venting_finished
        if case.stage is S.CLOSED:
            assert case.followed_up or case.follow_up_attempts >= 3


class TestSystemNeverApproves:
    """The system role never approves, whatever its limit or whoever escalated."""

    def test_not_another_system_actors_escalation(self) -> None:
        workflow = sr.Workflow()
        case = walk_to(S.DIAGNOSED, workflow)
        robot = sr.Actor("robot-1", sr.Role.SYSTEM)
        case = workflow.apply(
            case,
            sr.Escalate(by=robot, at=later(case), reason="auto", amount=sr.Money(0, "EUR")),
        )
        reasons = workflow.explain(case, sr.Approve(by=sr.SYSTEM, at=later(case)))
        assert guards_of(reasons) == ["approver qualified"]
        assert "system" in str(reasons[0])

    def test_not_even_with_authority_that_covers_it(self) -> None:
        class GenerousSystem(sr.RecoveryPolicy):
            def authority_for(self, actor: sr.Actor) -> sr.Money:
                if actor.role is sr.Role.SYSTEM:
                    return sr.Money(5000, "EUR")
                return super().authority_for(actor)

        workflow = sr.Workflow(GenerousSystem())
        case = walk_to(S.DIAGNOSED, workflow)
        case = workflow.apply(
            case,
            sr.Escalate(by=AGENT, at=later(case), reason="big", amount=sr.Money(800, "EUR")),
        )
        reasons = workflow.explain(case, sr.Approve(by=sr.SYSTEM, at=later(case)))
        assert guards_of(reasons) == ["approver qualified"]


class TestDurationsInWords:
    def test_a_twelve_hour_reopen_window(self) -> None:
        """A window shorter than a day is said in hours, not as '0 day(s)'."""
        workflow = sr.Workflow(sr.RecoveryPolicy(reopen_window=timedelta(hours=12)))
        case = walk_to(S.CLOSED, workflow)
        reopen = sr.Reopen(by=AGENT, at=case.last_at + timedelta(days=1), reason="again")
        assert str(workflow.explain(case, reopen)[0]).startswith(
            "The reopen window of 12 hours after closing has passed"
        )
