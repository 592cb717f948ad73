"""The cases a loaded history is checked on: one fold, a case per judged length, each exact."""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._decision import _loading
from service_recovery._model import _case
from service_recovery._model._case import fold, fold_prefixes
from tests.scenarios import reachable_cases, walk_to


def _lengths(case: sr.Case, data: st.DataObject) -> list[int]:
    return sorted(data.draw(st.lists(st.integers(1, case.version), min_size=1, max_size=6)))


class TestPrefixCases:
    @given(reachable_cases(), st.data())
    def test_each_prefix_is_sealed_with_no_memo(self, case: sr.Case, data: st.DataObject) -> None:
        """A prefix case is known to be its fold, and carries no memo of another case."""
        found = list(fold_prefixes(case.history, _lengths(case, data)))
        assert [(True, None, None)] * len(found) == [
            (prefix._sealed, prefix._schedule, prefix._command_ids) for prefix in found
        ]

    @given(reachable_cases(), st.data())
    def test_each_prefix_holds_its_own_history(self, case: sr.Case, data: st.DataObject) -> None:
        """Each prefix's history is a History of exactly its first events, stage included."""
        lengths = _lengths(case, data)
        found = list(fold_prefixes(case.history, lengths))
        expected = [(sr.History, case.history[:n], case.history[n - 1].stage) for n in lengths]
        assert expected == [(type(p.history), p.history, p.stage) for p in found]

    @given(reachable_cases(), st.data())
    def test_without_the_copier_the_prefixes_are_the_same(
        self, case: sr.Case, data: st.DataObject
    ) -> None:
        """Going through Case's __init__ instead of the copier finds the same sealed cases."""
        lengths = _lengths(case, data)
        fast = list(fold_prefixes(case.history, lengths))
        copier, _case._copy = _case._copy, None
        try:
            slow = list(fold_prefixes(case.history, lengths))
        finally:
            _case._copy = copier
        expected = [fold(case.history[:n]) for n in lengths]
        assert (expected, expected, [True] * len(slow)) == (
            fast,
            slow,
            [prefix._sealed for prefix in slow],
        )

    def test_a_later_prefix_does_not_change_an_earlier_one(self) -> None:
        """The facts folded after a length leave the case already found for it as it was."""
        history = walk_to(sr.Stage.CLOSED).history
        prefixes = fold_prefixes(history, [2, len(history)])
        early = next(prefixes)
        before = attrs.asdict(early, recurse=False)
        next(prefixes)
        assert (before, early) == (attrs.asdict(early, recurse=False), fold(history[:2]))


class TestJudgedEvents:
    @given(reachable_cases())
    def test_judged_events_are_those_the_guard_table_names(self, case: sr.Case) -> None:
        """The events the loading checks judge are the contract table's own answer."""
        commands, stages = case.history.commands, case.history.stages
        expected = dict(_loading._CASE_ONLY.judged(commands, stages))
        assert expected == _loading._judged(commands, stages)

    def test_a_command_type_never_seen_is_asked_of_the_table(self) -> None:
        """A new subclass of a judged command is judged by its base's guards the first time."""

        class ConfirmVentingDone(sr.FinishVenting):
            """A host's own FinishVenting, first seen here."""

        case = walk_to(sr.Stage.UNDERSTOOD)
        last = case.history[-1]
        history = sr.History(
            (*case.history[:-1], sr.Event(ConfirmVentingDone(by=last.by, at=last.at), last.stage))
        )
        found = _loading._judged(history.commands, history.stages)
        assert {len(history) - 1: _loading._CASE_ONLY.of(sr.FinishVenting)} == found
