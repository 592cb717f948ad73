"""The stage graph: the default edges, routes, and the checks run when a graph is built."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._rulebook._graph import ACTIONS_REMAIN, LAST_OPEN_ACTION, graph_problems
from tests.scenarios import AGENT, later, walk_to

S = sr.Stage
STAGES_DOC = Path(__file__).parent.parent / "docs" / "reference" / "stages.md"

DESIGNED = {
    ("Acknowledge", "reported", "acknowledged", None),
    ("Listen", "acknowledged", "listening", None),
    ("Listen", "listening", "listening", None),
    ("ReflectBack", "listening", "listening", None),
    ("FinishVenting", "listening", "understood", None),
    ("Apologize", "understood", "apologized", None),
    ("IdentifyCause", "apologized", "diagnosed", None),
    ("ProposeSolution", "diagnosed", "solution_proposed", None),
    ("DeclineSolution", "solution_proposed", "diagnosed", None),
    ("AcceptSolution", "solution_proposed", "resolving", None),
    ("SendUpdate", "resolving", "resolving", None),
    ("CompleteAction", "resolving", "resolved", "the last open action"),
    ("CompleteAction", "resolving", "resolving", "actions remain"),
    ("FollowUp", "resolved", "resolved", "outcome is no_answer"),
    ("FollowUp", "resolved", "listening", "outcome is unsatisfied"),
    ("FollowUp", "resolved", "followed_up", "outcome is satisfied"),
    ("Close", "followed_up", "closed", None),
    ("Close", "resolved", "closed", None),
    ("Reopen", "closed", "listening", None),
}
"""The default stage graph as the design states it (a contract)."""


def as_tuples(edges: object) -> set[tuple[str, str, str, str | None]]:
    """Edges as (command, source, dest, route) names, for comparison with the design."""
    return {
        (e.command.__name__, e.source.value, e.dest.value, e.route.name if e.route else None)
        for e in edges  # type: ignore[attr-defined]
    }


def tiny_graph(*extra: sr.Edge, initial: sr.Stage = S.REPORTED) -> sr.StageGraph:
    """reported -> closed -> reported, plus *extra* edges."""
    return sr.StageGraph(
        (sr.Edge(sr.Close, S.REPORTED, S.CLOSED), sr.Edge(sr.Reopen, S.CLOSED, S.REPORTED), *extra),
        initial=initial,
    )


class TestDefaultGraph:
    def test_designed_edges_are_all_there(self) -> None:
        """Every edge of the designed graph is in the default graph, routes included."""
        assert DESIGNED <= as_tuples(sr.DEFAULT_GRAPH.edges)

    def test_additions_never_move_a_case(self) -> None:
        """Edges beyond the design are self-loops: they record a step, never open a new way."""
        extra = as_tuples(sr.DEFAULT_GRAPH.edges) - DESIGNED
        assert [] == [edge for edge in extra if edge[1] != edge[2]]

    def test_uses_every_stage(self) -> None:
        """Every stage appears in the default graph, in Stage order, starting at reported."""
        assert tuple(S) == sr.DEFAULT_GRAPH.stages
        assert S.REPORTED == sr.DEFAULT_GRAPH.initial

    def test_escalation_works_at_every_open_stage(self) -> None:
        """Escalate and Approve loop on every stage but closed and withdrawn, and not there."""
        loops = {
            (e.command, e.source)
            for e in sr.DEFAULT_GRAPH.all_edges()
            if e.command in (sr.Escalate, sr.Approve)
        }
        open_stages = [stage for stage in S if stage not in (S.CLOSED, S.WITHDRAWN)]
        assert {(kind, s) for kind in (sr.Escalate, sr.Approve) for s in open_stages} == loops
        assert all(
            e.source is e.dest
            for e in sr.DEFAULT_GRAPH.all_edges()
            if e.command in (sr.Escalate, sr.Approve)
        )

    def test_declared_edges_win_over_escalation_loops(self) -> None:
        """A graph that routes Escalate itself gets no extra self-loop at that stage."""
        graph = tiny_graph(sr.Edge(sr.Escalate, S.REPORTED, S.CLOSED))
        escalations = [e for e in graph.all_edges() if e.command is sr.Escalate]
        assert [sr.Edge(sr.Escalate, S.REPORTED, S.CLOSED)] == escalations

    def test_commands_at_keeps_declaration_order(self) -> None:
        """The commands out of a stage come in declaration order, once each, loops last."""
        graph = tiny_graph(
            sr.Edge(sr.Listen, S.REPORTED, S.REPORTED),
            sr.Edge(sr.Close, S.REPORTED, S.CLOSED),
        )
        commands = graph.commands_at(S.REPORTED)
        assert (sr.Close, sr.Listen, sr.Escalate, sr.Approve) == commands[:4]
        assert len(set(commands)) == len(commands)

    @pytest.mark.parametrize("stage", list(S))
    def test_commands_at_are_the_edges_out(self, stage: sr.Stage) -> None:
        """The default graph offers at each stage exactly the commands of its edges out."""
        expected = {e.command for e in sr.DEFAULT_GRAPH.all_edges() if e.source is stage}
        assert expected == set(sr.DEFAULT_GRAPH.commands_at(stage))

    def test_documented_diagram_is_the_graph(self) -> None:
        """The mermaid diagram in docs/reference/stages.md draws exactly the declared edges."""
        text = STAGES_DOC.read_text(encoding="utf-8")
        block = text.split("```mermaid", 1)[1].split("```", 1)[0]
        drawn = {
            (command, source, dest, route or None)
            for source, dest, command, route in re.findall(
                r"^\s*(\w+) --> (\w+): (\w+)(?: \[(.+)\])?\s*$", block, re.MULTILINE
            )
        }
        assert as_tuples(sr.DEFAULT_GRAPH.edges) == drawn


class TestRoutes:
    @given(st.sampled_from(sr.FollowUpOutcome), st.sampled_from(sr.FollowUpOutcome))
    def test_outcome_is(self, wanted: sr.FollowUpOutcome, given_: sr.FollowUpOutcome) -> None:
        """An outcome route matches the follow-ups with that outcome only."""
        case = walk_to(S.RESOLVED)
        command = sr.FollowUp(by=AGENT, at=later(case), outcome=given_)
        assert (wanted is given_) == sr.outcome_is(wanted)(case, command)

    def test_outcome_route_ignores_other_commands(self) -> None:
        """A command without an outcome never matches an outcome route."""
        case = walk_to(S.RESOLVED)
        close = sr.Close(by=AGENT, at=later(case))
        assert not sr.outcome_is(sr.FollowUpOutcome.SATISFIED)(case, close)

    @pytest.mark.parametrize(("index", "last"), [(0, False), (1, False), (7, False)])
    def test_action_routes_with_two_open(self, index: int, last: bool) -> None:
        """With two actions open, no completion is the last one."""
        case = walk_to(S.RESOLVING)
        command = sr.CompleteAction(by=AGENT, at=later(case), index=index)
        assert (last, not last) == (LAST_OPEN_ACTION(case, command), ACTIONS_REMAIN(case, command))

    def test_action_routes_with_one_open(self) -> None:
        """With one action open, completing it is the last; any other index is not."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVING, workflow)
        case = workflow.apply(case, sr.CompleteAction(by=AGENT, at=later(case), index=0))
        finish = sr.CompleteAction(by=AGENT, at=later(case), index=1)
        again = sr.CompleteAction(by=AGENT, at=later(case), index=0)
        assert (True, False) == (LAST_OPEN_ACTION(case, finish), ACTIONS_REMAIN(case, finish))
        assert (False, True) == (LAST_OPEN_ACTION(case, again), ACTIONS_REMAIN(case, again))

    def test_routes_compare_by_name(self) -> None:
        """Two routes with the same name are equal, whatever function they wrap."""
        assert sr.Route("x", lambda case, command: True) == sr.Route("x", lambda c, m: False)


class TestGraphChecks:
    def test_unreachable_and_dead_end_stages(self) -> None:
        """Every problem is collected into one error, each naming its stage."""
        with pytest.raises(sr.InvalidPolicy) as caught:
            tiny_graph(
                sr.Edge(sr.Listen, S.LISTENING, S.CLOSED),
                sr.Edge(sr.Acknowledge, S.REPORTED, S.ACKNOWLEDGED),
            )
        assert (
            "stage 'listening' is unreachable from 'reported'",
            "stage 'acknowledged' is a dead end: no command leads out of it",
            "stage 'acknowledged' has no path to 'closed'",
        ) == caught.value.problems

    def test_self_loop_is_still_a_dead_end(self) -> None:
        """A stage whose only way out loops back to itself is a dead end."""
        with pytest.raises(sr.InvalidPolicy, match="'acknowledged' is a dead end"):
            tiny_graph(
                sr.Edge(sr.Acknowledge, S.REPORTED, S.ACKNOWLEDGED),
                sr.Edge(sr.Listen, S.ACKNOWLEDGED, S.ACKNOWLEDGED),
            )

    def test_graph_must_reach_closed(self) -> None:
        """A graph without 'closed' is refused: every case must be able to close."""
        with pytest.raises(sr.InvalidPolicy) as caught:
            sr.StageGraph([sr.Edge(sr.Listen, S.REPORTED, S.LISTENING)])
        assert ("the graph never reaches 'closed': every case must be able to close",) == (
            caught.value.problems
        )

    def test_malformed_edges_are_named_by_position(self) -> None:
        """Edges that are not edges, or hold the wrong things, are listed with their index."""
        problems = list(
            graph_problems(
                [
                    sr.Edge(sr.Close, S.REPORTED, S.CLOSED),
                    "reported -> closed",
                    sr.Edge("Close", "reported", S.CLOSED),  # type: ignore[arg-type]
                ],
                S.REPORTED,
            )
        )
        assert [
            "edges[1]: expected an Edge, got str",
            "edges[2]: source 'reported' is not a Stage; command 'Close' is not a Command type",
        ] == problems

    def test_routes_must_be_routes(self) -> None:
        """A route given as a name, or wrapping something not callable, fails at start-up."""
        with pytest.raises(sr.InvalidPolicy, match=r"edges\[2\]: route 'satisfied' is not a Route"):
            tiny_graph(sr.Edge(sr.FollowUp, S.REPORTED, S.CLOSED, "satisfied"))  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="test: expected a callable"):
            sr.Route("satisfied", "outcome == satisfied")  # type: ignore[arg-type]

    def test_bad_initial_stage(self) -> None:
        """An initial stage that is not a Stage is named."""
        with pytest.raises(sr.InvalidPolicy, match="initial: 'reported' is not a Stage"):
            tiny_graph(initial="reported")  # type: ignore[arg-type]

    @pytest.mark.parametrize("edges", [5, None, sr.Edge(sr.Close, S.REPORTED, S.CLOSED)])
    def test_edges_must_be_a_collection(self, edges: object) -> None:
        """Something that is not a collection of edges is refused as a policy problem."""
        with pytest.raises(sr.InvalidPolicy, match="edges: expected a collection of Edge"):
            sr.StageGraph(edges)  # type: ignore[arg-type]

    def test_closed_needs_no_way_out(self) -> None:
        """'closed' may be the end of the road: no Reopen is required."""
        graph = sr.StageGraph([sr.Edge(sr.Close, S.REPORTED, S.CLOSED)])
        assert (S.REPORTED, S.CLOSED, S.WITHDRAWN) == graph.stages

    def test_custom_initial_stage(self) -> None:
        """A graph may start elsewhere than 'reported'."""
        graph = sr.StageGraph([sr.Edge(sr.Close, S.LISTENING, S.CLOSED)], initial=S.LISTENING)
        assert (S.LISTENING, S.CLOSED, S.WITHDRAWN) == graph.stages
