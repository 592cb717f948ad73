"""The engine: one unattached ``transitions`` machine per workflow, never one per case."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import attrs
import pytest
import transitions

import service_recovery as sr
from service_recovery._decision import _engine
from service_recovery._decision._engine import Engine
from tests.scenarios import AGENT, later, open_case, walk_through, walk_to

S = sr.Stage


class CountingMachine(transitions.Machine):
    """A Machine that remembers every instance and every model added to it."""

    built: ClassVar[list[CountingMachine]] = []
    models_added: ClassVar[list[object]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        CountingMachine.built.append(self)

    def add_model(self, model: Any, initial: Any = None) -> None:
        if model is not None and model != []:
            CountingMachine.models_added.append(model)
        super().add_model(model, initial)


@pytest.fixture
def machines(monkeypatch: pytest.MonkeyPatch) -> type[CountingMachine]:
    """Count the machines the engine builds from here on."""
    CountingMachine.built = []
    CountingMachine.models_added = []
    monkeypatch.setattr(_engine, "Machine", CountingMachine)
    return CountingMachine


class TestOneMachine:
    def test_one_machine_per_workflow(self, machines: type[CountingMachine]) -> None:
        """A workflow builds one machine; running cases through it builds no more."""
        workflow = sr.Workflow()
        for _ in range(3):
            walk_through(workflow, S.CLOSED)
        assert 1 == len(machines.built)

    def test_no_model_is_ever_attached(self, machines: type[CountingMachine]) -> None:
        """Cases are never added to the machine as models."""
        workflow = sr.Workflow()
        walk_through(workflow, S.CLOSED)
        [machine] = machines.built
        assert ([], []) == (machines.models_added, list(machine.models))

    def test_no_auto_transitions(self, machines: type[CountingMachine]) -> None:
        """The machine has only the graph's commands as events: no ``to_<stage>`` shortcuts."""
        sr.Workflow()
        [machine] = machines.built
        names = {edge.command.__name__ for edge in sr.DEFAULT_GRAPH.all_edges()}
        assert names == set(machine.events)
        assert not machine.auto_transitions


class TestCasesStayPlain:
    def test_nothing_is_injected_onto_cases(self) -> None:
        """A case that went through the machine has no trigger methods or machine state."""
        case = walk_to(S.CLOSED)
        for name in ("trigger", "to_closed", "Close", "state", "may_Close", "__dict__"):
            assert not hasattr(case, name), name

    def test_case_pickles_without_the_machine(self) -> None:
        """Pickling a case does not drag the machine along."""
        case = walk_to(S.CLOSED)
        data = pickle.dumps(case)
        assert b"transitions" not in data
        assert case == pickle.loads(data)

    def test_cases_share_a_workflow_across_threads(self) -> None:
        """One workflow serves cases on several threads at once, with the same results."""
        workflow = sr.Workflow()
        with ThreadPoolExecutor(max_workers=4) as pool:
            cases = list(pool.map(lambda _: walk_to(S.CLOSED, workflow), range(8)))
        assert [cases[0]] * 8 == cases


class TestEngine:
    def test_move_follows_the_graph(self) -> None:
        """A move returns the destination the graph gives for the command."""
        engine = Engine(sr.DEFAULT_GRAPH)
        case = open_case()
        assert S.ACKNOWLEDGED == engine.move(case, sr.Acknowledge(by=AGENT, at=later(case)))

    def test_move_picks_the_route(self) -> None:
        """Where several edges share a command, the route decides."""
        engine = Engine(sr.DEFAULT_GRAPH)
        case = walk_to(S.RESOLVED)
        outcomes = {
            outcome: engine.move(case, sr.FollowUp(by=AGENT, at=later(case), outcome=outcome))
            for outcome in sr.FollowUpOutcome
        }
        assert {
            sr.FollowUpOutcome.NO_ANSWER: S.RESOLVED,
            sr.FollowUpOutcome.UNSATISFIED: S.LISTENING,
            sr.FollowUpOutcome.SATISFIED: S.FOLLOWED_UP,
        } == outcomes

    def test_engine_errors_become_no_move(self) -> None:
        """A trigger the machine rejects is no move, never a MachineError."""
        engine = Engine(sr.DEFAULT_GRAPH)
        case = open_case()
        assert engine.move(case, sr.Close(by=AGENT, at=later(case))) is None

    def test_unknown_command_type_is_no_move(self) -> None:
        """A command type the graph does not know is no move."""

        @attrs.frozen(kw_only=True)
        class Shout(sr.Command):
            pass

        engine = Engine(sr.DEFAULT_GRAPH)
        case = open_case()
        assert engine.move(case, Shout(by=AGENT, at=later(case))) is None
        assert not engine.has_step(S.REPORTED, Shout)

    def test_workflow_reraises_as_its_own_error(self) -> None:
        """Through the workflow, what the machine refuses is a TransitionNotAllowed."""
        case = open_case()
        with pytest.raises(sr.TransitionNotAllowed) as caught:
            sr.Workflow().apply(case, sr.Close(by=AGENT, at=later(case)))
        assert not isinstance(caught.value, transitions.MachineError)
        assert not isinstance(caught.value.__cause__, transitions.MachineError)

    @pytest.mark.parametrize(
        ("source", "command", "dest", "expected"),
        [
            (S.REPORTED, sr.Acknowledge, S.ACKNOWLEDGED, True),
            (S.REPORTED, sr.Acknowledge, S.LISTENING, False),
            (S.RESOLVED, sr.FollowUp, S.LISTENING, True),
            (S.CLOSED, sr.Escalate, S.CLOSED, False),
            (S.DIAGNOSED, sr.Escalate, S.DIAGNOSED, True),
        ],
    )
    def test_is_step(
        self, source: sr.Stage, command: type[sr.Command], dest: sr.Stage, expected: bool
    ) -> None:
        """``is_step`` answers from the graph's edges, loops included."""
        assert expected == Engine(sr.DEFAULT_GRAPH).is_step(source, command, dest)

    @pytest.mark.parametrize(
        ("stage", "command", "expected"),
        [
            (S.REPORTED, sr.Acknowledge, True),
            (S.REPORTED, sr.Close, False),
            (S.RESOLVED, sr.Close, True),
            (S.CLOSED, sr.Approve, False),
        ],
    )
    def test_has_step(self, stage: sr.Stage, command: type[sr.Command], expected: bool) -> None:
        """``has_step`` says whether any edge of the command leaves the stage."""
        assert expected == Engine(sr.DEFAULT_GRAPH).has_step(stage, command)
