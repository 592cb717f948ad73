"""suggest and guidance: what to offer, and what to do and say next."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery import presets
from service_recovery._decision._guidance import COACHING
from tests.scenarios import AGENT, STEP, SUPERVISOR, make_case, walk

S = sr.Stage


class TestSuggest:
    def test_remedies_for_the_cause(self) -> None:
        """The playbook of the case's cause gives the remedies."""
        workflow = sr.Workflow()
        case = walk(workflow, until=S.DIAGNOSED, severity=sr.Severity.MINOR)
        suggestion = workflow.suggest(case)
        assert "wrong_item" == suggestion.category
        assert [
            "Send the right item by express delivery",
            "Collect the wrong item at our cost",
        ] == [remedy.action for remedy in suggestion.remedies]
        assert suggestion.compensation is None  # a minor slip: apology and the fix

    def test_scaled_to_severity(self) -> None:
        """A worse case gets more remedies and a larger, different kind of compensation."""
        workflow = sr.Workflow()
        minor = workflow.suggest(walk(workflow, until=S.DIAGNOSED, severity=sr.Severity.MINOR))
        major = workflow.suggest(walk(workflow, until=S.DIAGNOSED, severity=sr.Severity.MAJOR))
        assert len(major.remedies) > len(minor.remedies)
        assert major.compensation == sr.Compensation(
            sr.CompensationKind.CREDIT, sr.Money(100, "EUR")
        )
        assert (sr.CompensationKind.REFUND,) == major.alternatives

    @given(st.sampled_from(list(sr.Severity)), st.sampled_from(list(presets.DEFAULT.playbooks)))
    def test_remedies_fit_the_severity(self, severity: sr.Severity, category: str) -> None:
        """Every suggested remedy is offered for the case's severity, in playbook order."""
        workflow = sr.Workflow()
        case = make_case(S.DIAGNOSED, workflow, severity, cause=category)
        book = presets.DEFAULT.playbooks[category]
        expected = [r for r in book.remedies if r.offered_for(severity)]
        assert expected == list(workflow.suggest(case).remedies)
        assert book.advice == workflow.suggest(case).advice

    def test_needs_approval_for_the_actor(self) -> None:
        """Naming who would propose it tells whether the offer needs approval."""
        workflow = sr.Workflow()
        case = walk(workflow, until=S.DIAGNOSED, severity=sr.Severity.MAJOR)
        assert workflow.suggest(case, by=AGENT).needs_approval
        assert not workflow.suggest(case, by=SUPERVISOR).needs_approval
        assert not workflow.suggest(case).needs_approval

    def test_actions_become_a_plan(self) -> None:
        """The remedies turn into promised actions due after the agreed time."""
        workflow = sr.Workflow()
        case = walk(workflow, until=S.DIAGNOSED)
        at = case.last_at + STEP
        suggestion = workflow.suggest(case)
        actions = suggestion.actions(at)
        assert [at + r.due_in for r in suggestion.remedies] == [a.due for a in actions]
        offer = sr.ProposeSolution(by=AGENT, at=at, plan="as suggested", actions=actions)
        assert [] == workflow.explain(case, offer)

    def test_before_diagnosis_uses_the_fallback(self) -> None:
        """Before a cause is known (or under a model without diagnosis) the fallback helps."""
        workflow = sr.Workflow(presets.LAST)
        suggestion = workflow.suggest(walk(workflow, until=S.APOLOGIZED))
        assert suggestion.category is None
        assert presets.LAST.playbooks["other"].remedies == suggestion.remedies


class TestGuidance:
    @pytest.mark.parametrize("policy", presets.PRESETS.values(), ids=lambda p: p.name)
    def test_every_stage_has_coaching(self, policy: sr.RecoveryPolicy) -> None:
        """Along a whole case, each stage has a goal, things to do, and the next buttons."""
        workflow = sr.Workflow(policy)
        case = walk(workflow)
        for position in range(1, case.version + 1):
            past = workflow.replay(case.history[:position])
            advice = workflow.guidance(past)
            assert past.stage == advice.stage
            assert advice.goal
            assert advice.do
            assert tuple(kind.title for kind in workflow.allowed(past)) == advice.next

    def test_listening_prompts(self) -> None:
        """While listening: do not interrupt, reflect back, avoid offering a fix."""
        workflow = sr.Workflow()
        advice = workflow.guidance(walk(workflow, until=S.LISTENING))
        text = str(advice)
        assert "without interrupting" in text
        assert "Reflect back" in text
        assert "Interrupting, or offering a solution" in text

    def test_apology_prompts_own_it_without_blame(self) -> None:
        """When apologising: own it, and avoid blame."""
        advice = COACHING[sr.Apologize]
        assert any("ownership" in line for line in advice.do)
        assert any("Blaming" in line for line in advice.avoid)

    def test_case_specific_reminders(self) -> None:
        """Confirmed summary, pending escalation and missing required steps are called out."""
        workflow = sr.Workflow(presets.LAST)
        listening = walk(workflow, until=S.LISTENING)
        confirmed = workflow.apply(
            listening,
            sr.ReflectBack(by=AGENT, at=listening.last_at + STEP, summary="s", confirmed=True),
        )
        assert any("finish venting" in line for line in workflow.guidance(confirmed).do)
        escalated = workflow.apply(
            confirmed, sr.Escalate(by=AGENT, at=confirmed.last_at + STEP, reason="VIP")
        )
        assert workflow.guidance(escalated).do[0].startswith("An escalation is waiting")
        resolved = walk(workflow, until=S.RESOLVING)
        reminders = workflow.guidance(resolved).do
        assert any("Thank the customer" in line and "closed" in line for line in reminders)

    def test_follow_up_count(self) -> None:
        """After resolution the guidance counts the unanswered follow-ups."""
        workflow = sr.Workflow()
        resolved = walk(workflow, until=S.RESOLVED)
        assert any("0 of 3" in line for line in workflow.guidance(resolved).do)

    def test_a_broken_promise_asks_for_a_new_date(self) -> None:
        """Once a promise broke, the first thing to do is tell the customer and reschedule."""
        workflow = sr.Workflow()
        case = walk(workflow, until=S.RESOLVING)
        assert not any("Reschedule" in line for line in workflow.guidance(case).do)
        due = case.plan.actions[0].due if case.plan is not None else case.last_at
        told = workflow.apply(case, sr.SendUpdate(by=AGENT, at=due + STEP, message="Still on it"))
        advice = workflow.guidance(told)
        assert advice.do[0].startswith("Promise #0")
        assert advice.do[0].endswith("(Reschedule).")
        assert advice.say[0] == COACHING[sr.Reschedule].say[0]
        moved = workflow.apply(
            told,
            sr.Reschedule(
                by=AGENT, at=told.last_at, index=0, due=told.last_at + STEP, reason="Monday"
            ),
        )
        assert not workflow.guidance(moved).do[0].startswith("Promise #0")

    def test_a_withdrawn_case_points_to_the_one_it_duplicates(self) -> None:
        """A withdrawn case is coached as ended, and names the case to carry on in."""
        workflow = sr.Workflow()
        case = walk(workflow, until=S.LISTENING)
        ended = workflow.apply(
            case,
            sr.Withdraw(
                by=AGENT, at=case.last_at + STEP, reason="duplicate", duplicate_of="case-0"
            ),
        )
        advice = workflow.guidance(ended)
        assert COACHING[sr.Withdraw].goal == advice.goal
        assert "Carry on in case 'case-0'." == advice.do[0]
        assert () == advice.next

    def test_refuses_a_non_case(self) -> None:
        """Guidance and suggestions are for cases."""
        with pytest.raises(sr.InvalidValue, match="expected a Case"):
            sr.Workflow().guidance("case-1")  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="expected a Case"):
            sr.Workflow().suggest(None)  # type: ignore[arg-type]


class TestOneHomePerRule:
    def test_follow_up_count_matches_the_guard(self) -> None:
        """Guidance counts follow-ups against the same minimum the guard uses (never 1 of 1)."""

        class Hasty(sr.RecoveryPolicy):
            def follow_up_attempts_for(self, case: sr.Case) -> int:
                return 1

        workflow = sr.Workflow(Hasty())
        case = walk(workflow, until=S.RESOLVED)
        advice = workflow.guidance(case)
        refusal = str(workflow.explain(case, sr.Close(by=AGENT, at=case.last_at + STEP))[0])
        assert "Unanswered follow-ups so far: 0 of 2." in advice.do
        assert "0 of 2 unanswered attempts" in refusal

    def test_a_system_auto_reply_is_not_the_first_answer(self) -> None:
        """After an automatic reply, guidance still asks a person to answer."""
        workflow = sr.Workflow()
        case = walk(workflow, until=S.REPORTED)
        case = workflow.apply(case, sr.Acknowledge(by=sr.SYSTEM, at=case.last_at + STEP))
        advice = workflow.guidance(case)
        assert advice.do[0].startswith("Nobody has answered the customer yet")


class TestCoachingFollowsTheGraph:
    def test_heard_at_resolved_coaches_the_diagnosis(self) -> None:
        """HEARD diagnoses after resolving: coaching at resolved is about the cause."""
        workflow = sr.Workflow(presets.HEARD)
        case = walk(workflow, until=S.RESOLVED)
        advice = workflow.guidance(case)
        assert advice.goal == COACHING[sr.IdentifyCause].goal
        assert not any(line.startswith("Follow up") for line in advice.do)
        assert "Identify the cause" in advice.next

    def test_latte_at_acknowledged_coaches_the_proposal(self) -> None:
        """LATTE acknowledges after hearing: coaching there is about the remedy."""
        workflow = sr.Workflow(presets.LATTE)
        case = walk(workflow, until=S.ACKNOWLEDGED)
        advice = workflow.guidance(case)
        assert advice.goal == COACHING[sr.ProposeSolution].goal
        assert not any("tell you what happened" in line for line in advice.do)

    def test_default_graph_coaching_is_unchanged(self) -> None:
        """On the default graph each stage still gets its step's coaching."""
        workflow = sr.Workflow()
        assert workflow.guidance(walk(workflow, until=S.RESOLVED)).goal == (
            "Check back that it worked."
        )
        assert workflow.guidance(walk(workflow, until=S.ACKNOWLEDGED)).goal == (
            "Give the customer room to tell the whole story."
        )

    def test_a_step_without_coaching_is_named(self) -> None:
        """Where the only way on is a step the practice does not coach, guidance names it."""
        edges = [
            sr.Edge(sr.Thank, S.UNDERSTOOD, S.APOLOGIZED) if edge.command is sr.Apologize else edge
            for edge in sr.DEFAULT_GRAPH.edges
        ]
        policy = sr.RecoveryPolicy(graph=sr.StageGraph(edges), requirements=())
        workflow = sr.Workflow(policy)
        case = walk(workflow, until=S.UNDERSTOOD)
        advice = workflow.guidance(case)
        assert advice.goal == "Move the case on from understood."
        assert advice.do == ("Next: Thank the customer.",)
