"""Re-delivered commands: found by their id through an index, as a scan of the history would."""

from __future__ import annotations

import pickle

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._model._case import applied_command, changes_of, grow
from tests.scenarios import AGENT, later, next_step, walk_to

S = sr.Stage


def _scanned(case: sr.Case, command_id: str) -> sr.Command | None:
    """The reference answer: the first command of the history with that id."""
    return next((c for c in case.history.commands if c.id == command_id), None)


def _with_id(case: sr.Case, command_id: str | None) -> sr.Command:
    return attrs.evolve(next_step(case), id=command_id)


def test_a_redelivered_command_is_a_no_op() -> None:
    """The same command again gives the same case back, however long ago it was applied."""
    workflow = sr.Workflow()
    case = walk_to(S.LISTENING, workflow)
    first = _with_id(case, "msg-1")
    case = workflow.apply(case, first)
    for _ in range(5):
        case = workflow.apply(case, next_step(case))
    assert case is workflow.apply(case, first)


def test_an_id_reused_by_another_command_is_a_conflict() -> None:
    """An id names one command: another command under it is refused, naming the first."""
    workflow = sr.Workflow()
    case = walk_to(S.LISTENING, workflow)
    case = workflow.apply(case, _with_id(case, "msg-1"))
    with pytest.raises(sr.IdempotencyConflict, match="'msg-1' was already used"):
        workflow.apply(case, _with_id(case, "msg-1"))


def test_cases_grown_from_one_case_keep_their_own_ids() -> None:
    """Two cases grown from one share nothing the other applied."""
    workflow = sr.Workflow()
    root = walk_to(S.ACKNOWLEDGED, workflow)
    listen_a = sr.Listen(by=AGENT, at=later(root), note="a", id="a")
    listen_b = sr.Listen(by=AGENT, at=later(root), note="b", id="b")
    first_a = workflow.apply(root, listen_a)  # the index is built here and shared
    first_b = workflow.apply(root, listen_b)
    assert first_a is workflow.apply(first_a, listen_a)
    assert first_b is workflow.apply(first_b, listen_b)
    assert listen_a not in first_b.history.commands
    # "a" is no step of first_b's history: applying it there records it.
    later_a = attrs.evolve(listen_a, at=later(first_b))
    both = workflow.apply(first_b, later_a)
    assert (later_a, listen_b) == (
        applied_command(both, "a"),
        applied_command(both, "b"),
    )
    assert both is workflow.apply(both, later_a)
    assert applied_command(first_a, "b") is None


def test_an_index_is_never_pickled_and_is_rebuilt() -> None:
    """A loaded case finds its ids again."""
    workflow = sr.Workflow()
    case = walk_to(S.LISTENING, workflow)
    command = _with_id(case, "msg-1")
    case = workflow.apply(case, command)
    assert case is workflow.apply(case, command)
    loaded = pickle.loads(pickle.dumps(case))
    assert loaded._command_ids is None
    assert loaded is workflow.apply(loaded, command)


def test_a_loaded_history_with_an_id_twice_answers_the_first() -> None:
    """From a history where two commands share an id, the first one is the answer."""
    workflow = sr.Workflow()
    case = walk_to(S.LISTENING, workflow)
    one = sr.Listen(by=AGENT, at=later(case), note="one", id="dup")
    two = sr.Listen(by=AGENT, at=later(case, 2), note="two", id="dup")
    history = (*case.history, sr.Event(one, S.LISTENING), sr.Event(two, S.LISTENING))
    replayed = workflow.replay(history)
    assert one is applied_command(replayed, "dup")
    assert replayed is workflow.apply(replayed, one)
    with pytest.raises(sr.IdempotencyConflict):
        workflow.apply(replayed, two)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1000), st.sampled_from([None, "a", "b", "c", "d"])),
        max_size=25,
    ),
    st.booleans(),
)
def test_the_index_answers_as_a_scan_on_every_case_of_a_tree(
    growth: list[tuple[int, str | None]], index_first: bool
) -> None:
    """Grow a tree of cases (each step from any earlier case, ids reused at will): every case
    finds each id as a scan of its own history does."""
    root = walk_to(S.LISTENING)
    if index_first:
        applied_command(root, "warm")
    cases = [root]
    for number, (parent, command_id) in enumerate(growth):
        source = cases[parent % len(cases)]
        command = sr.Listen(by=AGENT, at=later(source), note=f"n{number}", id=command_id)
        grown = grow(source, changes_of(source, command, source.stage), command, source.stage)
        cases.append(grown)
        if number % 3 == 0:  # some cases are asked early, so indexes spread along the tree
            applied_command(grown, "a")
    for case in cases:
        for command_id in ("a", "b", "c", "d", "none"):
            assert _scanned(case, command_id) is applied_command(case, command_id)
