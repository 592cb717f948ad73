"""verify: exhaustive proofs over stage x facts, with shortest counterexamples."""

from __future__ import annotations

import enum
from typing import ClassVar

import attrs
import pytest

import service_recovery as sr
from service_recovery import presets
from service_recovery._decision._engine import Engine
from service_recovery._decision._judge import Judge
from service_recovery._decision._verify import NO_STUCK_CASE, Scene, _Explorer, _generic
from service_recovery._model._case import advance, changes_of, grow
from tests.scenarios import open_case

S = sr.Stage


class Unguarded(sr.Workflow):
    """A deliberately broken workflow: its judge runs no guard at all."""

    def __init__(self, policy: sr.RecoveryPolicy) -> None:
        super().__init__(policy)
        self._judge = Judge(policy, Engine(policy.graph), guards=())


@pytest.fixture(scope="module")
def last_report() -> sr.VerificationReport:
    return sr.verify(sr.Workflow(presets.LAST))


SHORTCUT = attrs.evolve(
    presets.LAST,
    name="shortcut",
    graph=sr.StageGraph(
        (
            *presets.LAST.graph.edges,
            sr.Edge(sr.ProposeSolution, S.LISTENING, S.SOLUTION_PROPOSED),
            sr.Edge(sr.Close, S.RESOLVING, S.CLOSED),
        )
    ),
)
"""LAST with two shortcut edges: propose while listening, close while resolving."""


@pytest.fixture(scope="module")
def unguarded_report() -> sr.VerificationReport:
    # Breadth first: the first counterexamples are the shortest, found long before the cap.
    return sr.verify(Unguarded(SHORTCUT), severities=(sr.Severity.MINOR,), max_states=3000)


class TestProofs:
    def test_a_sound_policy_holds(self, last_report: sr.VerificationReport) -> None:
        """The LAST preset passes every built-in property, exhaustively."""
        assert last_report.ok
        assert last_report.exhaustive
        assert last_report.counterexample is None
        assert [
            "no solution proposed before venting is finished",
            "never closed without a follow-up",
            "withdrawn never after an accepted solution",
            NO_STUCK_CASE,
        ] == [result.name for result in last_report.results]

    def test_every_stage_of_the_graph_is_explored(self) -> None:
        """Each severity opens its own cases, and every stage of the graph is reached."""
        workflow = sr.Workflow(presets.LAST)
        seen: set[tuple[sr.Stage, sr.Severity]] = set()

        def record(case: sr.Case) -> bool:
            seen.add((case.stage, case.severity))
            return True

        sr.verify(workflow, [sr.Property("record", record)])
        expected = {(stage, sev) for stage in presets.LAST.graph.stages for sev in sr.Severity}
        assert expected == seen

    def test_report_reads_well(self, last_report: sr.VerificationReport) -> None:
        """The printed report names the policy, the size and each property."""
        text = str(last_report)
        assert text.startswith(f"last: {last_report.states} states")
        assert "ok     never closed without a follow-up" in text


class TestCounterexamples:
    def test_missing_venting_guard_is_caught(self, unguarded_report: sr.VerificationReport) -> None:
        """Without guards a plan can be proposed unheard: the shortest path shows how."""
        assert not unguarded_report.ok
        example = unguarded_report.counterexample
        assert example is not None
        assert "no solution proposed before venting is finished" == example.property
        assert ["Listen", "ProposeSolution"] == [
            type(move.command).__name__ for move in example.moves
        ]
        assert S.SOLUTION_PROPOSED == example.case.stage
        assert not example.case.venting_finished

    def test_shortcut_edges_are_still_guarded(self) -> None:
        """With its guards, the same shortcut graph keeps every promise."""
        report = sr.verify(sr.Workflow(SHORTCUT), severities=(sr.Severity.MINOR,))
        assert report.ok, str(report)

    def test_missing_follow_up_guard_is_caught(
        self, unguarded_report: sr.VerificationReport
    ) -> None:
        """Without guards a case closes unfollowed; the path ends with Close."""
        result = unguarded_report.results[1]
        assert not result.holds
        assert result.counterexample is not None
        assert "Close" == result.counterexample.moves[-1].label
        assert not result.counterexample.case.followed_up

    def test_counterexample_is_its_history(self, unguarded_report: sr.VerificationReport) -> None:
        """A counterexample's moves are its case's history, which loading refuses by contract."""
        example = unguarded_report.counterexample
        assert example is not None
        case = example.case
        assert [move.command for move in example.moves] == [e.command for e in case.history[1:]]
        with pytest.raises(sr.InvalidHistory) as refused:
            Unguarded(SHORTCUT).replay(case.history)
        assert (
            "history[2]: ProposeSolution breaks the contract (venting finished): "
            "The customer has not finished venting: reflect back what you heard and have them "
            "confirm it, then finish venting before proposing anything",
        ) == refused.value.problems

    def test_stuck_escalation_is_found(self) -> None:
        """A rule refusing every approval leaves an escalation pending for good: a stuck case."""

        class NeverApprove(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> list[str]:
                return ["Nobody approves"] if isinstance(command, sr.Approve) else []

        policy = NeverApprove(
            name="never-approve",
            graph=presets.LAST.graph,
            requirements=presets.LAST.requirements,
            playbooks=presets.LAST.playbooks,
        )
        report = sr.verify(sr.Workflow(policy), severities=(sr.Severity.MINOR,))
        assert not report.ok
        example = report.counterexample
        assert example is not None
        assert NO_STUCK_CASE == example.property
        assert ["Escalate(for advice)"] == [move.label for move in example.moves]

    def test_rule_that_never_lets_a_case_close(self) -> None:
        """A business rule refusing every close makes every case stuck from the start."""

        class NeverClose(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> list[str]:
                return ["We never close"] if isinstance(command, sr.Close) else []

        policy = NeverClose(
            name="never",
            graph=presets.LAST.graph,
            requirements=presets.LAST.requirements,
            playbooks=presets.LAST.playbooks,
        )
        report = sr.verify(sr.Workflow(policy), severities=(sr.Severity.MINOR,))
        example = report.counterexample
        assert example is not None
        assert (NO_STUCK_CASE, ()) == (example.property, example.moves)

    def test_integrator_property(self) -> None:
        """A property the integrator passes is checked in every state, with a counterexample."""
        cause_known = sr.Property(
            "closed only with a known cause",
            lambda case: case.stage is not S.CLOSED or case.cause is not None,
        )
        report = sr.verify(
            sr.Workflow(presets.LAST), [cause_known], severities=(sr.Severity.MINOR,)
        )
        broken = report.results[-1]
        assert "closed only with a known cause" == broken.name
        assert broken.counterexample is not None
        assert S.CLOSED == broken.counterexample.case.stage
        assert str(broken.counterexample).startswith("closed only with a known cause: broken")
        heard = sr.verify(
            sr.Workflow(presets.HEARD), [cause_known], severities=(sr.Severity.MINOR,)
        )
        assert heard.ok

    def test_plain_callable_property(self) -> None:
        """A plain callable is a property named after the function."""

        def never_apologized(case: sr.Case) -> bool:
            return not case.apologized

        report = sr.verify(
            sr.Workflow(presets.LAST), [never_apologized], severities=(sr.Severity.MINOR,)
        )
        assert "never_apologized" == report.counterexample.property  # type: ignore[union-attr]

    def test_stopping_early_is_not_a_proof(self) -> None:
        """Past max_states the report says it is not exhaustive and is not ok."""
        report = sr.verify(sr.Workflow(presets.LAST), max_states=50)
        assert (False, False) == (report.exhaustive, report.ok)
        assert "not exhaustive" in str(report)

    def test_refuses_a_non_workflow(self) -> None:
        """verify takes a Workflow and says so."""
        with pytest.raises(sr.InvalidValue, match="expected a Workflow"):
            sr.verify(presets.LAST)  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="expected a Property"):
            sr.verify(sr.Workflow(presets.LAST), [42])  # type: ignore[list-item]


class TestDecisions:
    @pytest.mark.parametrize("workflow", [sr.Workflow(presets.LAST), Unguarded(SHORTCUT)])
    def test_moves_are_decided_as_apply_decides_them(self, workflow: sr.Workflow) -> None:
        """Every candidate move verify accepts or refuses, apply's evaluation judges the same."""
        explorer = _Explorer(workflow.judge, 400)
        explorer.run([(sr.Severity.MINOR, sr.Channel.EMAIL)], ())
        decided = 0
        for case in explorer.cases:
            for _, command in explorer._commands(case):
                reasons = workflow.explain(case, command)
                try:
                    applied: sr.Stage | None = workflow.apply(case, command).stage
                except sr.TransitionNotAllowed:
                    applied = None
                assert (applied, applied is None) == (
                    workflow.judge.destination(case, command),
                    bool(reasons),
                )
                decided += 1
        assert decided > 1000

    @pytest.mark.parametrize("workflow", [sr.Workflow(), sr.Workflow(presets.ISO_10002)])
    def test_state_after_a_move_is_keyed_without_building_its_case(
        self, workflow: sr.Workflow
    ) -> None:
        """The key worked out from a move's changes is the key of the case the move builds."""
        explorer = _Explorer(workflow.judge, 600)
        explorer.run([(sr.Severity.MAJOR, sr.Channel.SOCIAL)], ())
        abstraction = explorer.abstraction
        compared = 0
        for case, key in zip(explorer.cases, explorer.keys, strict=True):
            assert abstraction.key(case) == key
            for _, command in explorer._commands(case):
                dest = workflow.judge.destination(case, command)
                if dest is None:
                    continue
                changes = changes_of(case, command, dest)
                keyed = abstraction.key_after(key, changes)
                built = grow(case, changes, command, dest)
                assert (abstraction.key(built), built) == (
                    keyed,
                    advance(case, sr.Event(command, dest)),
                )
                compared += 1
        assert compared > 1000


class Rating(enum.Enum):
    GOOD = "good"
    BAD = "bad"


@attrs.frozen(kw_only=True)
class RateService(sr.Command):
    title: ClassVar[str] = "Rate the service"

    rating: Rating
    comment: str = ""
    anonymous: bool = False


class TestPayloads:
    def test_new_command_is_explored_by_its_field_types(self) -> None:
        """A command with no payload entry: every enum value, both bools, text left out or not."""
        workflow = sr.Workflow(presets.LAST)
        case = open_case(workflow, sr.Severity.MODERATE)
        scene = Scene(case, case.last_at, workflow.policy, ("other",))
        labels = [label for label, _ in _generic(RateService)(scene, RateService)]
        assert [
            f"RateService(rating={rating}{comment}, anonymous={anonymous})"
            for rating in ("good", "bad")
            for comment in ("", ", comment='noted'")
            for anonymous in (True, False)
        ] == labels

    def test_command_in_a_graph_is_explored(self) -> None:
        """A custom command on a graph edge is explored like any other."""
        graph = sr.StageGraph(
            (*presets.LAST.graph.edges, sr.Edge(RateService, S.FOLLOWED_UP, S.FOLLOWED_UP))
        )
        policy = attrs.evolve(presets.LAST, graph=graph)
        report = sr.verify(sr.Workflow(policy), severities=(sr.Severity.MINOR,))
        assert report.ok
