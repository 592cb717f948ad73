"""The presets: the default practice and the named recovery models, each its own workflow."""

from __future__ import annotations

import itertools
from datetime import timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery import presets
from service_recovery._model._case import advance
from tests.scenarios import AGENT, STEP, open_case, plan, walk

S = sr.Stage
ALL = tuple(presets.PRESETS.values())
NAMED = {
    "heard": ["Listen", "Apologize", "ProposeSolution", "IdentifyCause"],
    "last": ["Listen", "Apologize", "ProposeSolution", "Thank"],
    "blast": ["Acknowledge", "Listen", "Apologize", "ProposeSolution", "Thank"],
    "latte": ["Listen", "Acknowledge", "ProposeSolution", "Thank", "IdentifyCause"],
    "learn": ["Listen", "ReflectBack", "Apologize", "ProposeSolution", "RecordPrevention"],
    "iso_10002": ["Acknowledge", "Listen", "IdentifyCause", "ProposeSolution", "Close"],
}
"""Each model's steps, in its order, as the commands that carry them out."""


def kinds(case: sr.Case) -> list[str]:
    return [event.kind for event in case.history]


def in_order(expected: list[str], actual: list[str]) -> bool:
    """Whether *expected* appears in *actual* in that order (not necessarily adjacent)."""
    remaining = iter(actual)
    return all(name in remaining for name in expected)


class TestCatalogue:
    def test_names(self) -> None:
        """The seven presets are exported under their contract names."""
        assert ["default", "heard", "last", "blast", "latte", "learn", "iso_10002"] == [
            policy.name for policy in ALL
        ]
        assert presets.HEARD is sr.presets.by_name("Heard")

    def test_unknown_name(self) -> None:
        """Asking for a preset that does not exist lists the ones that do."""
        with pytest.raises(sr.InvalidPolicy, match="heard, last"):
            presets.by_name("agile")

    def test_default_is_the_default_policy(self) -> None:
        """The DEFAULT preset is what RecoveryPolicy() and Workflow() use."""
        assert sr.RecoveryPolicy() == presets.DEFAULT
        assert presets.DEFAULT == sr.Workflow().policy
        assert sr.DEFAULT_GRAPH == presets.DEFAULT.graph

    def test_named_models_are_documented(self) -> None:
        """Each named model says what it is and where it comes from."""
        for policy in ALL[1:]:
            assert policy.name.split("_")[0].upper() in policy.description.upper()
        assert "Disney" in presets.HEARD.description

    @pytest.mark.parametrize(("first", "second"), list(itertools.combinations(ALL, 2)))
    def test_every_preset_is_its_own_workflow(
        self, first: sr.RecoveryPolicy, second: sr.RecoveryPolicy
    ) -> None:
        """No two presets share a stage graph and required steps: none is a renamed default."""
        assert (first.graph, first.requirements) != (second.graph, second.requirements)
        assert set(first.graph.edges) != set(second.graph.edges)


class TestModels:
    @pytest.mark.parametrize(("name", "steps"), sorted(NAMED.items()))
    def test_steps_come_in_the_model_order(self, name: str, steps: list[str]) -> None:
        """Walking a case to closed under each model takes its steps in its order."""
        case = walk(sr.Workflow(presets.by_name(name)))
        assert S.CLOSED == case.stage
        assert in_order(steps, kinds(case))

    def test_heard_diagnoses_after_resolving(self) -> None:
        """HEARD finds the cause after the customer's problem is resolved."""
        workflow = sr.Workflow(presets.HEARD)
        case = walk(workflow, until=S.RESOLVED)
        assert case.cause is None
        assert sr.IdentifyCause in workflow.allowed(case)

    def test_last_has_no_acknowledge_or_diagnosis(self) -> None:
        """LAST starts by listening and never asks for a cause."""
        workflow = sr.Workflow(presets.LAST)
        commands = {edge.command for edge in presets.LAST.graph.edges}
        assert sr.Acknowledge not in commands
        assert sr.IdentifyCause not in commands
        assert (sr.Listen,) == workflow.allowed(open_case(workflow, sr.Severity.MODERATE))[:1]

    def test_latte_acknowledges_after_hearing_and_has_no_apology(self) -> None:
        """LATTE acknowledges once the complaint is understood and has no apology step."""
        edges = presets.LATTE.graph.edges
        assert sr.Edge(sr.Acknowledge, S.UNDERSTOOD, S.ACKNOWLEDGED) in edges
        assert sr.Apologize not in {edge.command for edge in edges}

    @pytest.mark.parametrize("policy", [presets.LAST, presets.BLAST])
    def test_thanks_before_closing(self, policy: sr.RecoveryPolicy) -> None:
        """LAST and BLAST refuse to close until the customer is thanked."""
        workflow = sr.Workflow(policy)
        case = walk(workflow, until=S.FOLLOWED_UP)
        if case.thanked:  # the walk thanks as soon as it may; take a case that has not
            case = workflow.replay(tuple(e for e in case.history if e.kind != "Thank"))
        close = sr.Close(by=AGENT, at=case.last_at + STEP)
        reasons = workflow.explain(case, close)
        assert ["required steps"] == [reason.guard for reason in reasons]
        assert "thank the customer" in str(reasons[0])
        thanked = workflow.apply(case, sr.Thank(by=AGENT, at=close.at, message="Thanks!"))
        assert S.CLOSED == workflow.apply(thanked, close.__class__(by=AGENT, at=close.at)).stage

    def test_latte_thanks_before_explaining(self) -> None:
        """LATTE explains the cause only after thanking the customer."""
        workflow = sr.Workflow(presets.LATTE)
        case = walk(workflow, until=S.RESOLVED)
        explain = sr.IdentifyCause(by=AGENT, at=case.last_at + STEP, category="wrong_item")
        assert ["required steps"] == [r.guard for r in workflow.explain(case, explain)]

    @pytest.mark.parametrize("policy", [presets.LEARN, presets.ISO_10002])
    def test_prevention_note_before_closing_any_case(self, policy: sr.RecoveryPolicy) -> None:
        """LEARN and ISO 10002 want a prevention note before closing, whatever the severity."""
        workflow = sr.Workflow(policy)
        case = walk(workflow, until=S.RESOLVED, severity=sr.Severity.MINOR)
        case = workflow.apply(
            case,
            sr.FollowUp(by=AGENT, at=case.last_at + STEP, outcome=sr.FollowUpOutcome.SATISFIED),
        )
        reasons = workflow.explain(case, sr.Close(by=AGENT, at=case.last_at + STEP))
        assert "record what will change" in str(reasons[0])

    def test_iso_investigates_before_responding(self) -> None:
        """ISO 10002 investigates (identifies the cause) before any response is proposed."""
        workflow = sr.Workflow(presets.ISO_10002)
        case = walk(workflow, until=S.UNDERSTOOD)
        assert sr.ProposeSolution not in workflow.allowed(case)
        assert sr.IdentifyCause in workflow.allowed(case)

    def test_default_learns_from_critical_cases(self) -> None:
        """The default policy asks for a prevention note before closing a critical case only."""
        workflow = sr.Workflow()
        for severity, needed in ((sr.Severity.MINOR, False), (sr.Severity.CRITICAL, True)):
            case = walk(workflow, until=S.FOLLOWED_UP, severity=severity)
            case = workflow.replay(tuple(e for e in case.history if e.kind != "RecordPrevention"))
            reasons = workflow.explain(case, sr.Close(by=AGENT, at=case.last_at + STEP))
            assert needed == bool(reasons)


class TestContractGuardsInEveryPreset:
    @pytest.mark.parametrize("policy", ALL, ids=lambda p: p.name)
    def test_no_solution_before_venting(self, policy: sr.RecoveryPolicy) -> None:
        """A case forced into the stage a preset proposes from is still refused a plan."""
        workflow = sr.Workflow(policy)
        source = next(e.source for e in policy.graph.edges if e.command is sr.ProposeSolution)
        forced = attrs.evolve(open_case(workflow, sr.Severity.MODERATE), stage=source)
        reasons = workflow.explain(forced, plan(forced.last_at + STEP))
        assert "venting finished" in [reason.guard for reason in reasons]

    @pytest.mark.parametrize("policy", ALL, ids=lambda p: p.name)
    def test_no_close_without_follow_up(self, policy: sr.RecoveryPolicy) -> None:
        """Every preset refuses to close a resolved case nobody followed up."""
        workflow = sr.Workflow(policy)
        case = walk(workflow, until=S.RESOLVED)
        reasons = workflow.explain(case, sr.Close(by=AGENT, at=case.last_at + STEP))
        assert "followed up" in [reason.guard for reason in reasons]

    @settings(max_examples=30, deadline=None)
    @given(
        policy=st.sampled_from(ALL),
        choices=st.lists(st.integers(0, 50), max_size=40),
    )
    def test_random_work_never_breaks_the_contract(
        self, policy: sr.RecoveryPolicy, choices: list[int]
    ) -> None:
        """Whatever allowed commands are tried, no case proposes unheard or closes unfollowed."""
        workflow = sr.Workflow(policy)
        case = open_case(workflow, sr.Severity.MODERATE)
        outcomes = list(sr.FollowUpOutcome)
        for choice in choices:
            at = case.last_at + STEP
            candidates: list[sr.Command] = [
                sr.Listen(by=AGENT, at=at),
                sr.ReflectBack(by=AGENT, at=at, summary="s", confirmed=choice % 2 == 0),
                sr.FinishVenting(by=AGENT, at=at),
                sr.Acknowledge(by=AGENT, at=at),
                sr.Apologize(by=AGENT, at=at, message="sorry"),
                sr.IdentifyCause(by=AGENT, at=at, category="software_bug"),
                plan(at),
                sr.AcceptSolution(by=AGENT, at=at),
                sr.DeclineSolution(by=AGENT, at=at),
                sr.CompleteAction(by=AGENT, at=at, index=0),
                sr.FollowUp(by=AGENT, at=at, outcome=outcomes[choice % 3]),
                sr.Thank(by=AGENT, at=at, message="thanks"),
                sr.RecordPrevention(by=AGENT, at=at, note="fix"),
                sr.Close(by=AGENT, at=at),
                sr.Reopen(by=AGENT, at=at + timedelta(days=choice), reason="again"),
            ]
            command = candidates[choice % len(candidates)]
            if workflow.explain(case, command):
                with pytest.raises(sr.TransitionNotAllowed):
                    workflow.apply(case, command)
                continue
            case = workflow.apply(case, command)
            if case.stage is S.SOLUTION_PROPOSED:
                assert case.venting_finished
            if case.stage is S.CLOSED:
                assert case.followed_up or case.follow_up_attempts >= 2


@pytest.fixture(scope="module")
def reports() -> dict[str, sr.VerificationReport]:
    """Every preset verified once for this module."""
    return {policy.name: sr.verify(sr.Workflow(policy)) for policy in ALL}


class TestPresetsVerify:
    @pytest.mark.parametrize("name", list(presets.PRESETS))
    def test_every_preset_is_proven(
        self, reports: dict[str, sr.VerificationReport], name: str
    ) -> None:
        """Each preset passes every built-in property over its whole reachable graph."""
        report = reports[name]
        assert report.ok, str(report)
        assert report.states > 100


class TestStepsOfTheModels:
    @pytest.mark.parametrize("policy", ALL, ids=lambda p: p.name)
    def test_cases_round_trip(self, policy: sr.RecoveryPolicy) -> None:
        """A closed case of every preset snapshots and replays to an equal case."""
        workflow = sr.Workflow(policy)
        case = walk(workflow, severity=sr.Severity.CRITICAL)
        assert case == sr.from_dict(sr.to_dict(case), workflow=workflow)
        assert case == workflow.replay(case.history)

    def test_thanks_are_given_again_after_a_restart(self) -> None:
        """An unsatisfied follow-up starts a new conversation: the thanks must be given again."""
        workflow = sr.Workflow(presets.LAST)
        case = walk(workflow, until=S.RESOLVED)
        case = workflow.apply(case, sr.Thank(by=AGENT, at=case.last_at + STEP, message="Thanks"))
        assert case.thanked
        unhappy = sr.FollowUp(
            by=AGENT, at=case.last_at + STEP, outcome=sr.FollowUpOutcome.UNSATISFIED
        )
        assert not workflow.apply(case, unhappy).thanked

    def test_a_new_cause_needs_a_new_prevention_note(self) -> None:
        """A prevention note belongs to the cause it was written for."""
        workflow = sr.Workflow(presets.HEARD)
        case = walk(workflow, until=S.DIAGNOSED)
        noted = workflow.apply(
            case, sr.RecordPrevention(by=AGENT, at=case.last_at + STEP, note="Label check")
        )
        assert "Label check" == noted.prevention_note
        again = sr.IdentifyCause(by=AGENT, at=noted.last_at + STEP, category="software_bug")
        assert advance(noted, sr.Event(again, S.DIAGNOSED)).prevention_note is None
