"""History: a case's events held compactly, reading exactly like the tuple of those events."""

from __future__ import annotations

import gc
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._model._case import check_history, fold
from service_recovery.testing import cases, commands
from tests.scenarios import open_case, walk_to

S = sr.Stage

events = st.builds(sr.Event, commands(), st.sampled_from(sr.Stage))
event_tuples = st.lists(events, max_size=8).map(tuple)
indexes = st.integers(min_value=-10, max_value=10)
slices = st.builds(
    slice,
    st.none() | indexes,
    st.none() | indexes,
    st.none() | st.integers(min_value=-3, max_value=3).filter(bool),
)


class TestReadsLikeATuple:
    @given(event_tuples)
    def test_sequence_views(self, expected: tuple[sr.Event, ...]) -> None:
        """Length, iteration, reversal, the commands and the stages are the tuple's."""
        history = sr.History(expected)
        assert (
            len(expected),
            list(expected),
            list(reversed(expected)),
            tuple(e.command for e in expected),
            tuple(e.stage for e in expected),
        ) == (
            len(history),
            list(history),
            list(reversed(history)),
            history.commands,
            history.stages,
        )

    @given(event_tuples, indexes)
    def test_indexing(self, expected: tuple[sr.Event, ...], index: int) -> None:
        """An index reads the same event a tuple gives, and an index past the end fails alike."""
        history = sr.History(expected)
        if -len(expected) <= index < len(expected):
            assert expected[index] == history[index]
        else:
            with pytest.raises(IndexError):
                history[index]

    @given(event_tuples, slices)
    def test_slicing(self, expected: tuple[sr.Event, ...], part: slice) -> None:
        """A slice is a History of the tuple's slice."""
        sliced = sr.History(expected)[part]
        assert (sr.History, expected[part]) == (type(sliced), tuple(sliced))

    @given(event_tuples, event_tuples)
    def test_equality_and_hash(self, one: tuple[sr.Event, ...], two: tuple[sr.Event, ...]) -> None:
        """Histories compare as their tuples do, equal a tuple of their events and hash like it."""
        first, second = sr.History(one), sr.History(two)
        assert (one == two, one != two) == (first == second, first != second)
        assert (True, True, False) == (first == one, one == first, first != one)
        assert hash(one) == hash(first)

    @given(event_tuples, event_tuples)
    def test_concatenation(self, one: tuple[sr.Event, ...], two: tuple[sr.Event, ...]) -> None:
        """``+`` joins histories and tuples of events into a History, in order."""
        joined = one + two
        results = [sr.History(one) + sr.History(two), sr.History(one) + two, one + sr.History(two)]
        assert [(sr.History, joined)] * 3 == [(type(r), tuple(r)) for r in results]

    @given(event_tuples, events)
    def test_membership_index_and_count(
        self, expected: tuple[sr.Event, ...], probe: sr.Event
    ) -> None:
        """``in``, ``count`` and ``index`` find the events a tuple finds."""
        history = sr.History(expected)
        for candidate in (*expected[:1], probe):
            assert (candidate in expected, expected.count(candidate)) == (
                candidate in history,
                history.count(candidate),
            )
            if candidate in expected:
                assert expected.index(candidate) == history.index(candidate)

    def test_not_equal_to_other_sequences(self) -> None:
        """Like a tuple, a history is not equal to a list of the same events."""
        case = walk_to(S.UNDERSTOOD)
        assert (False, True) == (case.history == list(case.history), case.history != [])

    def test_is_a_sequence_of_events(self) -> None:
        """It is a collections.abc.Sequence, so code typed for one takes it."""
        from collections.abc import Sequence

        assert isinstance(walk_to(S.LISTENING).history, Sequence)

    def test_repr_names_the_events(self) -> None:
        """The repr reads as the call that builds the history from its events."""
        history = walk_to(S.LISTENING).history
        assert f"History({list(history)!r})" == repr(history)


class TestBuilding:
    def test_refuses_what_is_not_an_event(self) -> None:
        """A non-event is named with its position; no history is built."""
        good = open_case().history[0]
        with pytest.raises(sr.InvalidValue, match=r"history\[1\]: expected an Event, got str"):
            sr.History([good, "not an event"])  # type: ignore[list-item]

    def test_refuses_an_event_of_something_else(self) -> None:
        """An Event holding no command or no stage is refused with its position."""
        good = open_case().history[0]
        with pytest.raises(sr.InvalidValue, match=r"history\[1\]: an Event holds a Command"):
            sr.History([good, sr.Event("no command", S.LISTENING)])  # type: ignore[arg-type]

    @given(event_tuples)
    def test_checked_as_its_events_are(self, given_events: tuple[sr.Event, ...]) -> None:
        """A history's problems as a case's history are those of the tuple of its events."""
        assert check_history(given_events) == check_history(sr.History(given_events))

    def test_refuses_an_event_of_no_stage(self) -> None:
        """An Event whose stage is not a Stage (its name, say) is refused with its position."""
        good = open_case().history[0]
        with pytest.raises(sr.InvalidValue, match=r"history\[0\]: an Event holds a Command"):
            sr.History([sr.Event(good.command, "reported")])  # type: ignore[arg-type]

    def test_fold_refuses_what_is_not_an_event(self) -> None:
        """Folding a non-event names it rather than building a broken case."""
        with pytest.raises(sr.InvalidValue, match=r"history\[1\]: expected an Event, got int"):
            fold([*open_case().history, 7])  # type: ignore[list-item]

    def test_joins_only_histories_and_tuples(self) -> None:
        """Like a tuple, a history does not join a list."""
        history = open_case().history
        with pytest.raises(TypeError):
            history + list(history)  # type: ignore[operator]
        with pytest.raises(TypeError):
            list(history) + history  # type: ignore[operator]

    def test_empty(self) -> None:
        """A history may be empty (a case's never is)."""
        assert (0, (), ()) == (len(sr.History()), sr.History().commands, tuple(sr.History()))

    def test_immutable(self) -> None:
        """A history cannot be changed in place."""
        history = open_case().history
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            history._commands = ()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            del history._stages
        assert 1 == len(history)

    @given(cases())
    def test_pickles(self, case: sr.Case) -> None:
        """A history and its case survive pickling equal."""
        assert (case.history, case) == (
            pickle.loads(pickle.dumps(case.history)),
            pickle.loads(pickle.dumps(case)),
        )


class TestCasesHoldHistories:
    @given(cases())
    def test_every_case_holds_a_compact_history(self, case: sr.Case) -> None:
        """A case's history is a History holding its commands and stage bytes, no Event values."""
        history = case.history
        assert sr.History is type(history)
        assert not any(isinstance(item, sr.Event) for item in gc.get_referents(history))
        assert (case.version, case.stage) == (len(history), history[-1].stage)

    @given(cases())
    def test_replay_and_snapshot_give_histories(self, case: sr.Case) -> None:
        """replay and from_dict build cases whose histories are Histories equal to the original."""
        workflow = sr.Workflow()
        rebuilt = [workflow.replay(case.history), sr.from_dict(sr.to_dict(case))]
        assert [(sr.History, case.history)] * 2 == [(type(c.history), c.history) for c in rebuilt]

    def test_replay_takes_any_sequence_of_events(self) -> None:
        """replay rebuilds the same case from a History, a tuple or a list of its events."""
        case = walk_to(S.CLOSED)
        workflow = sr.Workflow()
        assert [case] * 3 == [
            workflow.replay(given)
            for given in (case.history, tuple(case.history), list(case.history))
        ]
