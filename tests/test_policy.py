"""RecoveryPolicy: rules as data, checked when built; override points; authority."""

from __future__ import annotations

import runpy
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery import presets
from service_recovery._rulebook._policy import DEFAULT_AUTHORITY
from tests.scenarios import AGENT, MANAGER, OTHER_AGENT, STEP, SUPERVISOR, plan, walk

S = sr.Stage
EXAMPLES = Path(__file__).parent.parent / "examples"


def eur(amount: int) -> sr.Money:
    return sr.Money(amount, "EUR")


def diagnosed(workflow: sr.Workflow, severity: sr.Severity = sr.Severity.MODERATE) -> sr.Case:
    return walk(workflow, until=S.DIAGNOSED, severity=severity)


class TestDefaults:
    def test_practitioner_defaults(self) -> None:
        """The defaults: three follow-ups, a 30-day reopen window, a rising authority ladder."""
        policy = sr.RecoveryPolicy()
        assert 3 == policy.follow_up_attempts
        assert timedelta(days=30) == policy.reopen_window
        assert [eur(50), eur(250), eur(1000)] == [
            policy.authority[role] for role in (sr.Role.AGENT, sr.Role.SUPERVISOR, sr.Role.MANAGER)
        ]

    def test_ladder_rises_with_severity(self) -> None:
        """Apology only, then discount, then credit or refund, then complimentary service."""
        ladder = sr.RecoveryPolicy().compensation
        assert [sr.CompensationKind.APOLOGY_ONLY] == list(ladder[sr.Severity.MINOR].kinds)
        assert sr.CompensationKind.DISCOUNT == ladder[sr.Severity.MODERATE].kinds[0]
        assert sr.CompensationKind.REFUND in ladder[sr.Severity.MAJOR].kinds
        assert sr.CompensationKind.COMPLIMENTARY_SERVICE in ladder[sr.Severity.CRITICAL].kinds
        amounts = [ladder[severity].up_to.amount for severity in sr.Severity]
        assert sorted(amounts) == amounts

    def test_playbooks_cover_the_common_causes(self) -> None:
        """There is a playbook for each cause seen in practice, and a fallback."""
        assert {
            "wrong_item",
            "delivery_delay",
            "damaged_or_defective",
            "software_bug",
            "sales_mistake",
            "misrouted_call",
            "customer_error",
            "other",
        } == set(sr.RecoveryPolicy().playbooks)

    def test_rules_are_read_only(self) -> None:
        """Mappings given to a policy are frozen copies."""
        authority = dict(sr.RecoveryPolicy().authority)
        policy = sr.RecoveryPolicy(authority=authority)
        authority[sr.Role.AGENT] = eur(1)
        assert eur(50) == policy.authority[sr.Role.AGENT]
        with pytest.raises(TypeError):
            policy.authority[sr.Role.AGENT] = eur(2)  # type: ignore[index]


class TestArguments:
    def test_arguments_and_evolve(self) -> None:
        """Rules are changed with arguments, or with attrs.evolve on a preset."""
        patient = sr.RecoveryPolicy(follow_up_attempts=5)
        quick = attrs.evolve(presets.HEARD, reopen_window=timedelta(days=7))
        assert 5 == patient.follow_up_attempts
        assert (timedelta(days=7), presets.HEARD.graph) == (quick.reopen_window, quick.graph)

    def test_every_problem_at_once(self) -> None:
        """A policy with several bad rules lists them all, each with its path."""
        with pytest.raises(sr.InvalidPolicy) as caught:
            sr.RecoveryPolicy(
                name=" ",
                follow_up_attempts=1,
                reopen_window=timedelta(days=-1),
                authority={sr.Role.AGENT: "lots"},
                playbooks={"": sr.Playbook()},
                requirements=("thank",),
            )
        paths = [problem.split(":")[0] for problem in caught.value.problems]
        assert [
            "name",
            "follow_up_attempts",
            "reopen_window",
            "authority.agent",
            "authority.supervisor",
            "authority.manager",
            "authority.system",
            "playbooks",
            "requirements[0]",
        ] == paths

    @pytest.mark.parametrize(
        ("authority", "problem"),
        [
            (
                {sr.Role.AGENT: eur(300), sr.Role.SUPERVISOR: eur(250)},
                "authority.supervisor: 250 EUR is less than agent's 300 EUR",
            ),
            (
                {sr.Role.MANAGER: sr.Money(2000, "USD")},
                "authority.manager: 2000 USD is in another currency than supervisor's 250 EUR",
            ),
        ],
    )
    def test_authority_must_rise(self, authority: dict[sr.Role, sr.Money], problem: str) -> None:
        """A role never has less authority than the one below it, in one currency."""
        full = {**sr.RecoveryPolicy().authority, **authority}
        with pytest.raises(sr.InvalidPolicy) as caught:
            sr.RecoveryPolicy(authority=full)
        assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems

    def test_ladder_must_not_fall(self) -> None:
        """Compensation for a worse case is never capped lower than for a milder one."""
        ladder = dict(sr.RecoveryPolicy().compensation)
        ladder[sr.Severity.CRITICAL] = sr.CompensationRung([sr.CompensationKind.REFUND], eur(10))
        with pytest.raises(sr.InvalidPolicy, match=r"compensation\.critical: 10 EUR is less"):
            sr.RecoveryPolicy(compensation=ladder)

    def test_requirement_the_graph_cannot_meet(self) -> None:
        """A required step whose command the graph never offers is refused when built."""
        with pytest.raises(sr.InvalidPolicy, match=r"requirements\[0\]: step 'thank' needs Thank"):
            attrs.evolve(presets.LEARN, requirements=(sr.Requirement(sr.Step.THANK, S.CLOSED),))

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: sr.Requirement("thank", S.CLOSED), "step: expected Step"),  # type: ignore[arg-type]
            (lambda: sr.Remedy("", timedelta(1)), "action: must not be blank"),
            (lambda: sr.Remedy("x", timedelta(-1)), "due_in: expected a duration >= 0"),
            (lambda: sr.CompensationRung([], eur(1)), "kinds: name at least one"),
            (lambda: sr.Playbook(remedies=["x"]), r"remedies\[0\]: expected Remedy"),
        ],
    )
    def test_rule_values_check_themselves(self, build: object, message: str) -> None:
        """Each rule value refuses a malformed field with a message naming it."""
        with pytest.raises(sr.InvalidPolicy, match=message):
            build()  # type: ignore[operator]

    @given(st.integers(2, 50), st.integers(0, 400))
    def test_any_sensible_numbers(self, attempts: int, days: int) -> None:
        """Any attempts >= 2 and any non-negative window make a valid policy."""
        policy = sr.RecoveryPolicy(follow_up_attempts=attempts, reopen_window=timedelta(days))
        assert (attempts, days) == (policy.follow_up_attempts, policy.reopen_window.days)


class TestOverridePoints:
    def test_requirements_for_combines_policy_and_playbook(self) -> None:
        """A major software bug needs a prevention note; a major wrong item does not."""
        workflow = sr.Workflow()
        case = diagnosed(workflow, sr.Severity.MAJOR)
        assert () == workflow.policy.requirements_for(case)
        bug = attrs.evolve(
            case, cause=sr.IdentifyCause(by=AGENT, at=case.last_at, category="software_bug")
        )
        assert [sr.Step.RECORD_PREVENTION] == [
            r.step for r in workflow.policy.requirements_for(bug)
        ]

    def test_unknown_cause_uses_the_fallback_playbook(self) -> None:
        """A cause without a playbook of its own gets the 'other' playbook."""
        policy = sr.RecoveryPolicy()
        case = diagnosed(sr.Workflow(policy))
        odd = attrs.evolve(
            case, cause=sr.IdentifyCause(by=AGENT, at=case.last_at, category="ghosts")
        )
        assert policy.playbooks["other"] == policy.playbook_for(odd)

    def test_subclass_adds_rules(self) -> None:
        """A subclass may add reasons to refuse, shown by explain with the policy's words."""

        class NoCreditOnSundays(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                if isinstance(command, sr.ProposeSolution) and command.at.weekday() == 6:
                    yield "Credits wait for Monday"

        workflow = sr.Workflow(NoCreditOnSundays())
        case = diagnosed(workflow)
        sunday = case.last_at + timedelta(days=(6 - case.last_at.weekday()) % 7 or 7)
        reasons = workflow.explain(case, plan(sunday))
        assert [("policy", "Credits wait for Monday")] == [(r.guard, r.message) for r in reasons]

    def test_per_person_authority(self) -> None:
        """authority_for can give one person a higher limit than their role."""

        class Trusted(sr.RecoveryPolicy):
            def authority_for(self, actor: sr.Actor) -> sr.Money:
                return eur(100) if actor.id == AGENT.id else super().authority_for(actor)

        workflow = sr.Workflow(Trusted())
        case = diagnosed(workflow)
        offer = plan(case.last_at + STEP, eur(80))
        assert [] == workflow.explain(case, offer)
        other = attrs.evolve(offer, by=OTHER_AGENT)
        assert ["within authority"] == [r.guard for r in workflow.explain(case, other)]


class TestContractGuardsCannotBeSwitchedOff:
    def test_fewer_follow_ups_are_raised_to_two(self) -> None:
        """A subclass asking for zero follow-ups still needs two unanswered attempts."""

        class Impatient(sr.RecoveryPolicy):
            def follow_up_attempts_for(self, case: sr.Case) -> int:
                return 0

        workflow = sr.Workflow(Impatient())
        case = walk(workflow, until=S.RESOLVED)
        close = sr.Close(by=AGENT, at=case.last_at + STEP)
        assert "followed up" in [r.guard for r in workflow.explain(case, close)]
        for _ in range(2):
            case = workflow.apply(
                case,
                sr.FollowUp(
                    by=AGENT,
                    at=case.last_at + timedelta(days=1),  # the follow-up interval
                    outcome=sr.FollowUpOutcome.NO_ANSWER,
                ),
            )
        assert S.CLOSED == workflow.apply(case, attrs.evolve(close, at=case.last_at + STEP)).stage

    def test_no_guards_of_its_own_keeps_the_contract(self) -> None:
        """A subclass returning no guards drops its own rules, never the contract guards."""

        class Lax(sr.RecoveryPolicy):
            def guards(self) -> Iterable[sr.Guard]:
                return ()

        workflow = sr.Workflow(Lax())
        listening = walk(workflow, until=S.LISTENING)
        forced = attrs.evolve(listening, stage=S.DIAGNOSED)
        assert "venting finished" in [
            r.guard for r in workflow.explain(forced, plan(forced.last_at + STEP))
        ]
        resolved = walk(workflow, until=S.RESOLVED)
        close = sr.Close(by=AGENT, at=resolved.last_at + STEP)
        assert "followed up" in [r.guard for r in workflow.explain(resolved, close)]

    def test_shortcut_edges_are_still_refused(self) -> None:
        """A graph with shortcuts into solution_proposed and closed is still guarded on entry."""
        graph = sr.StageGraph(
            (
                *sr.DEFAULT_GRAPH.edges,
                sr.Edge(sr.ProposeSolution, S.LISTENING, S.SOLUTION_PROPOSED),
                sr.Edge(sr.Close, S.RESOLVING, S.CLOSED),
                sr.Edge(sr.SendUpdate, S.RESOLVED, S.CLOSED),
            )
        )
        workflow = sr.Workflow(sr.RecoveryPolicy(graph=graph))
        listening = walk(workflow, until=S.LISTENING)
        reasons = workflow.explain(listening, plan(listening.last_at + STEP))
        assert "venting finished" in [r.guard for r in reasons]
        resolved = walk(workflow, until=S.RESOLVED)
        update = sr.SendUpdate(by=AGENT, at=resolved.last_at + STEP, message="done")
        assert "followed up" in [r.guard for r in workflow.explain(resolved, update)]
        with pytest.raises(sr.TransitionNotAllowed):
            workflow.apply(resolved, update)


class TestAuthority:
    def test_within_limit_needs_no_approval(self) -> None:
        """Compensation within the agent's limit goes straight through."""
        workflow = sr.Workflow()
        case = diagnosed(workflow)
        proposed = workflow.apply(case, plan(case.last_at + STEP, eur(50)))
        assert S.SOLUTION_PROPOSED == proposed.stage
        assert () == proposed.approvals

    def test_above_limit_names_the_limit(self) -> None:
        """Above the agent's limit the plan is refused with a reason naming the limit."""
        workflow = sr.Workflow()
        case = diagnosed(workflow)
        with pytest.raises(sr.TransitionNotAllowed) as refused:
            workflow.apply(case, plan(case.last_at + STEP, eur(80)))
        assert "above the agent's authority of 50 EUR" in str(refused.value)
        assert case is refused.value.case

    def escalated(self, amount: int = 80) -> tuple[sr.Workflow, sr.Case]:
        workflow = sr.Workflow()
        case = diagnosed(workflow)
        escalate = sr.Escalate(by=AGENT, at=case.last_at + STEP, reason="Trip", amount=eur(amount))
        return workflow, workflow.apply(case, escalate)

    def test_escalate_marks_pending(self) -> None:
        """Escalating marks the case pending; the plan waits for approval."""
        workflow, case = self.escalated()
        assert case.escalation_pending
        reasons = workflow.explain(case, plan(case.last_at + STEP, eur(80)))
        assert "no pending escalation" in [r.guard for r in reasons]

    @pytest.mark.parametrize(
        ("approver", "fragment"),
        [
            (AGENT, "Nobody can approve their own escalation"),
            (OTHER_AGENT, "does not cover the 80 EUR"),
        ],
    )
    def test_unqualified_approval_refused(self, approver: sr.Actor, fragment: str) -> None:
        """Self-approval and approval by a role whose limit does not cover it are refused."""
        workflow, case = self.escalated()
        with pytest.raises(sr.TransitionNotAllowed, match=fragment):
            workflow.apply(case, sr.Approve(by=approver, at=case.last_at + STEP))

    def test_lower_role_cannot_approve_a_higher_ones_escalation(self) -> None:
        """A supervisor may not approve what a manager escalated, even if the amount fits."""
        workflow = sr.Workflow()
        case = diagnosed(workflow)
        case = workflow.apply(
            case, sr.Escalate(by=MANAGER, at=case.last_at + STEP, reason="Board", amount=eur(80))
        )
        with pytest.raises(
            sr.TransitionNotAllowed, match="cannot approve an escalation raised by a manager"
        ):
            workflow.apply(case, sr.Approve(by=SUPERVISOR, at=case.last_at + STEP))

    def test_approval_clears_and_is_recorded(self) -> None:
        """A covering approval clears the plan; the history says who approved what."""
        workflow, case = self.escalated()
        approve = sr.Approve(by=SUPERVISOR, at=case.last_at + STEP, note="Agreed")
        case = workflow.apply(case, approve)
        case = workflow.apply(case, plan(case.last_at + STEP, eur(80)))
        assert S.SOLUTION_PROPOSED == case.stage
        ((escalation, approval),) = case.approvals
        assert (AGENT, eur(80), SUPERVISOR, "Agreed") == (
            escalation.by,
            escalation.amount,
            approval.by,
            approval.note,
        )
        assert case.approvals == workflow.replay(case.history).approvals

    @given(st.integers(0, 1200))
    def test_any_amount_is_within_or_escalated(self, amount: int) -> None:
        """Any amount is within the agent's limit, waits for a covering role's approval, or,
        above every role's limit, cannot even be escalated."""
        workflow = sr.Workflow()
        case = diagnosed(workflow)
        offer = plan(case.last_at + STEP, eur(amount))
        within = amount <= 50
        assert within == (not workflow.explain(case, offer))
        if within:
            return
        escalate = sr.Escalate(by=AGENT, at=case.last_at + STEP, reason="Trip", amount=eur(amount))
        approvable = amount <= workflow.policy.authority_for(MANAGER).amount
        assert approvable == (not workflow.explain(case, escalate))
        if not approvable:
            return
        _, pending = self.escalated(amount)
        approvers = [
            a for a in (SUPERVISOR, MANAGER) if workflow.policy.authority_for(a).amount >= amount
        ]
        for approver in (SUPERVISOR, MANAGER):
            approve = sr.Approve(by=approver, at=pending.last_at + STEP)
            assert (approver in approvers) == (not workflow.explain(pending, approve))


class TestExamples:
    def test_custom_policy_example_runs(self, capsys: pytest.CaptureFixture[str]) -> None:
        """examples/custom_policy.py runs and proves its policy."""
        namespace = runpy.run_path(str(EXAMPLES / "custom_policy.py"))
        report = namespace["main"]()
        assert report.ok
        assert "priya may grant 150 EUR" in capsys.readouterr().out


class TestEveryProblemAtOnce:
    def test_requirement_problems_come_with_the_others(self) -> None:
        """A requirement the graph cannot meet is reported with every other problem."""
        with pytest.raises(sr.InvalidPolicy) as caught:
            sr.RecoveryPolicy(
                graph=sr.presets.HEARD.graph,
                follow_up_attempts=1,
                authority={sr.Role.AGENT: "lots"},
                requirements=[sr.Requirement(sr.Step.THANK, S.CLOSED), "oops"],
            )
        problems = caught.value.problems
        assert any(p.startswith("follow_up_attempts:") for p in problems)
        assert any(p.startswith("authority.agent:") for p in problems)
        assert any(p.startswith("requirements[1]:") for p in problems)
        assert any(p.startswith("requirements[0]: step 'thank' needs Thank") for p in problems)


class TestSystemAuthority:
    """The system row of ``authority`` is checked like the others: one currency, the least."""

    def test_system_above_the_agents_is_refused(self) -> None:
        authority = {**DEFAULT_AUTHORITY, sr.Role.SYSTEM: eur(5000)}
        with pytest.raises(sr.InvalidPolicy, match=r"authority\.system: 5000 EUR is more than"):
            sr.RecoveryPolicy(authority=authority)

    def test_system_in_another_currency_is_refused(self) -> None:
        authority = {**DEFAULT_AUTHORITY, sr.Role.SYSTEM: sr.Money(0, "USD")}
        with pytest.raises(sr.InvalidPolicy, match=r"authority\.system: 0 USD is in another"):
            sr.RecoveryPolicy(authority=authority)

    def test_system_equal_to_the_agents_is_fine(self) -> None:
        authority = {**DEFAULT_AUTHORITY, sr.Role.SYSTEM: eur(50)}
        assert sr.RecoveryPolicy(authority=authority).authority[sr.Role.SYSTEM] == eur(50)
