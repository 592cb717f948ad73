"""Compiled moves: the table read out of the workflow's Machine decides as a trigger would."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import transitions
from hypothesis import given, settings
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._decision._engine import Engine
from service_recovery._decision._moves import RouteCondition, compile_moves
from service_recovery._model._commands import COMMAND_TYPES
from service_recovery.testing import plausible_commands
from tests.scenarios import AGENT, commands_for, later, open_case

GRAPHS = {"DEFAULT_GRAPH": sr.DEFAULT_GRAPH} | {
    name: policy.graph for name, policy in sr.presets.PRESETS.items()
}
ANSWERS: tuple[object, ...] = (True, False, 1, 0, None, "yes")
"""What a route may answer: transitions compares the answer with ``==``, not its truth."""


class _Outcomes:
    """Routes whose answers a test sets: one key per route of the original graph."""

    def __init__(self) -> None:
        self.answers: dict[int, Any] = {}

    def route(self, original: sr.Route, key: int) -> sr.Route:
        return sr.Route(original.name, lambda case, command: self.answers[key])


def _controlled(graph: sr.StageGraph) -> tuple[Engine, _Outcomes, dict[int, sr.Route]]:
    """An engine of *graph* with each route replaced by one the test answers for."""
    outcomes = _Outcomes()
    keys: dict[int, sr.Route] = {}
    edges = []
    for declared in graph.edges:
        edge = declared
        if declared.route is not None:
            key = id(declared.route)
            keys[key] = declared.route
            edge = attrs.evolve(declared, route=outcomes.route(declared.route, key))
        edges.append(edge)
    return Engine(sr.StageGraph(edges, initial=graph.initial)), outcomes, keys


def _route_keys(graph: sr.StageGraph, stage: sr.Stage, kind: type[sr.Command]) -> list[int]:
    return list(
        dict.fromkeys(
            id(edge.route)
            for edge in graph.edges
            if edge.source is stage and edge.command is kind and edge.route is not None
        )
    )


def _situations(graph: sr.StageGraph) -> Iterator[tuple[sr.Stage, type[sr.Command], list[int]]]:
    kinds = dict.fromkeys([*COMMAND_TYPES, *(edge.command for edge in graph.all_edges())])
    for stage in sr.Stage:
        for kind in kinds:
            yield stage, kind, _route_keys(graph, stage, kind)


def _bare(kind: type[sr.Command]) -> sr.Command:
    """A command of *kind* whose details nobody reads (the controlled routes do not)."""
    command: sr.Command = object.__new__(kind)
    return command


@pytest.mark.parametrize("name", GRAPHS)
def test_compiled_moves_agree_with_the_machine_everywhere(name: str) -> None:
    """On every (stage, command type, route answers), the table and a trigger agree."""
    graph = GRAPHS[name]
    engine, outcomes, _ = _controlled(graph)
    base = open_case()
    checked = 0
    routed = 0
    for stage, kind, keys in _situations(graph):
        case = attrs.evolve(base, stage=stage)
        command = _bare(kind)
        for answers in itertools.product(ANSWERS, repeat=len(keys)):
            outcomes.answers = dict(zip(keys, answers, strict=True))
            expected = engine.move_by_trigger(case, command)
            assert expected == engine.move(case, command), (stage, kind, answers)
            checked += 1
            routed += bool(keys)
    assert checked > len(sr.Stage) * len(COMMAND_TYPES)
    if any(edge.route is not None for edge in graph.edges):
        assert routed > 0


@pytest.mark.parametrize("name", GRAPHS)
def test_every_step_of_the_machine_is_a_step(name: str) -> None:
    """``is_step`` knows every transition of the Machine, and nothing else."""
    graph = GRAPHS[name]
    engine = Engine(graph)
    declared = {(edge.source, edge.command, edge.dest) for edge in graph.all_edges()}
    for source, kind, dest in itertools.product(sr.Stage, COMMAND_TYPES, sr.Stage):
        assert ((source, kind, dest) in declared) == engine.is_step(source, kind, dest)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(GRAPHS)))
def test_real_routes_agree_along_sessions(data: st.DataObject, name: str) -> None:
    """With the presets' own routes, on cases a host holds, the table and a trigger agree."""
    policy = sr.presets.PRESETS.get(name, sr.presets.PRESETS["default"])
    workflow = sr.Workflow(policy)
    engine = Engine(policy.graph)
    case = open_case(workflow)
    for _ in range(data.draw(st.integers(0, 30))):
        tried = data.draw(plausible_commands(workflow, case) | commands_for(case))
        assert engine.move_by_trigger(case, tried) == engine.move(case, tried)
        if not workflow.explain(case, tried):
            case = workflow.apply(case, tried)


def test_apply_never_triggers_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A workflow decides moves from its table: a trigger would fail here."""
    workflow = sr.Workflow()

    def no_trigger(*args: Any, **kwargs: Any) -> bool:
        raise AssertionError("the machine was triggered")

    monkeypatch.setattr(transitions.core.Event, "trigger", no_trigger)
    case = open_case(workflow)
    case = workflow.apply(case, sr.Acknowledge(by=AGENT, at=later(case)))
    assert sr.Stage.ACKNOWLEDGED is case.stage
    with pytest.raises(AssertionError, match="triggered"):
        workflow._engine.move_by_trigger(case, sr.Listen(by=AGENT, at=later(case), note=""))


def _machine(**kwargs: Any) -> transitions.Machine:
    return transitions.Machine(
        model=None, states=["reported", "acknowledged"], initial="reported",
        auto_transitions=False, send_event=True, **kwargs,
    )  # fmt: skip


class TestWhatIsNotCompiled:
    def test_a_machine_callback_is_refused(self) -> None:
        """A callback would run on a trigger and never from a table: no table is made."""
        machine = _machine(after_state_change=[lambda event: None])
        machine.add_transition("Acknowledge", "reported", "acknowledged")
        with pytest.raises(sr.InvalidPolicy, match="after_state_change"):
            compile_moves(machine, {"Acknowledge": sr.Acknowledge})

    def test_a_state_callback_is_refused(self) -> None:
        """Entering a state would run its callback: no table is made."""
        machine = _machine()
        machine.add_transition("Acknowledge", "reported", "acknowledged")
        machine.states["acknowledged"].add_callback("enter", lambda event: None)
        with pytest.raises(sr.InvalidPolicy, match=r"acknowledged\.on_enter"):
            compile_moves(machine, {"Acknowledge": sr.Acknowledge})

    def test_a_transition_callback_is_refused(self) -> None:
        """A transition's ``before`` would run on a trigger: no table is made."""
        machine = _machine()
        machine.add_transition(
            "Acknowledge", "reported", "acknowledged", before=[lambda event: None]
        )
        with pytest.raises(sr.InvalidPolicy, match="before callbacks"):
            compile_moves(machine, {"Acknowledge": sr.Acknowledge})

    def test_a_condition_that_is_no_route_is_refused(self) -> None:
        """Only route conditions are read back; any other would be lost."""
        machine = _machine()
        machine.add_transition(
            "Acknowledge", "reported", "acknowledged", conditions=[lambda event: True]
        )
        with pytest.raises(sr.InvalidPolicy, match="tests no route"):
            compile_moves(machine, {"Acknowledge": sr.Acknowledge})

    def test_an_event_that_is_no_command_is_refused(self) -> None:
        """Every event of the Machine is a command type of the graph."""
        machine = _machine()
        machine.add_transition("Shout", "reported", "acknowledged")
        with pytest.raises(sr.InvalidPolicy, match="'Shout' is no command type"):
            compile_moves(machine, {})

    def test_unless_is_compiled_as_a_condition_that_must_fail(self) -> None:
        """``unless`` conditions pass when the route answers no, as in transitions."""
        machine = _machine()
        route = sr.Route("never", lambda case, command: False)
        machine.add_transition(
            "Acknowledge", "reported", "acknowledged", unless=[RouteCondition(route)]
        )
        moves = compile_moves(machine, {"Acknowledge": sr.Acknowledge})
        assert ((((route.test, False),), sr.Stage.ACKNOWLEDGED),) == moves[sr.Acknowledge][
            sr.Stage.REPORTED
        ]


def test_two_command_types_of_one_name_are_refused() -> None:
    """The Machine names events by command name: two types of one name would share one."""

    def named_close() -> type[sr.Command]:
        @attrs.frozen(kw_only=True)
        class Close(sr.Command):
            pass

        return Close

    other = named_close()
    edges = [*sr.DEFAULT_GRAPH.edges, sr.Edge(other, sr.Stage.CLOSED, sr.Stage.CLOSED)]
    with pytest.raises(sr.InvalidPolicy, match="two command types are named 'Close'"):
        Engine(sr.StageGraph(edges))
