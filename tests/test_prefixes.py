"""The cases a loaded history is checked on: one fold, a case per judged length, each exact."""

from __future__ import annotations

from typing import cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._decision import _loading
from service_recovery._model import _case
from service_recovery._model._case import CaseFacts, fold, fold_prefixes
from tests.scenarios import AGENT, T0, reachable_cases, walk_to


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
        assert isinstance(early, sr.Case)
        before = attrs.asdict(early, recurse=False)
        next(prefixes)
        assert (before, early) == (attrs.asdict(early, recurse=False), fold(history[:2]))


def _fields(found: sr.Case | CaseFacts) -> dict[str, object]:
    """What a prefix holds, field by field (read as a guard reads it)."""
    return {name: getattr(found, name) for name in _FIELDS}


_FIELDS = [field.name for field in attrs.fields(sr.Case) if field.init]


class TestPrefixFacts:
    @given(reachable_cases(), st.data())
    def test_facts_hold_what_the_case_holds(self, case: sr.Case, data: st.DataObject) -> None:
        """A prefix asked for as facts reads, field by field, as the case of that prefix."""
        lengths = _lengths(case, data)
        as_facts = set(data.draw(st.lists(st.sampled_from(lengths))))
        found = [
            _fields(prefix) for prefix in fold_prefixes(case.history, lengths, as_facts=as_facts)
        ]
        assert [_fields(fold(case.history[:n])) for n in lengths] == found

    @given(reachable_cases(), st.data())
    def test_facts_give_only_the_fields(self, case: sr.Case, data: st.DataObject) -> None:
        """Anything but a field is missing from the facts: a guard reading more fails loudly."""
        length = data.draw(st.integers(1, case.version))
        facts = next(fold_prefixes(case.history, [length], as_facts={length}))
        assert isinstance(facts, CaseFacts)
        with pytest.raises(AttributeError):
            _ = facts.version  # a property of Case, not a fact

    @given(reachable_cases())
    def test_contract_guards_answer_on_facts_as_on_the_case(self, case: sr.Case) -> None:
        """Every case-only contract guard says the same of a prefix's facts and its case."""
        policy = _loading._FLOOR
        for length in range(1, case.version + 1):
            facts = next(fold_prefixes(case.history, [length], as_facts={length}))
            prefix = fold(case.history[:length])
            for guard in _loading._CASE_ONLY.guards:
                on_facts = guard.check(policy, cast(sr.Case, facts), None)
                assert (guard.name, length, on_facts) == (
                    guard.name,
                    length,
                    guard.check(policy, prefix, None),
                )

    @given(reachable_cases(), st.data())
    def test_fields_only_routes_answer_on_facts_as_on_the_case(
        self, case: sr.Case, data: st.DataObject
    ) -> None:
        """A route that says it reads only fields routes the facts as it routes the case."""
        routes = [e.route for e in sr.DEFAULT_GRAPH.edges if e.route is not None]
        assert routes
        assert all(route.fields_only for route in routes)
        length = data.draw(st.integers(1, case.version))
        command = case.history.commands[length - 1] if length < case.version else None
        facts = next(fold_prefixes(case.history, [length], as_facts={length}))
        prefix = fold(case.history[:length])
        candidates = [command] if command is not None else []
        candidates += [sr.CompleteAction(by=AGENT, at=T0, index=n) for n in range(3)]
        candidates += [sr.FollowUp(by=AGENT, at=T0, outcome=o) for o in sr.FollowUpOutcome]
        for route in routes:
            for candidate in candidates:
                assert route(cast(sr.Case, facts), candidate) == route(prefix, candidate)


class TestStepChecks:
    @given(reachable_cases())
    def test_each_step_check_is_what_the_tables_say(self, case: sr.Case) -> None:
        """The check of each step is the contract table's guards and the judge's routes."""
        judge = sr.Workflow().judge
        checks = _loading.step_checks(judge)
        stages, commands = case.history.stages, case.history.commands
        for position in range(1, case.version):
            source, kind, dest = stages[position - 1], type(commands[position]), stages[position]
            guards = _loading._CASE_ONLY.on(kind, dest)
            routed = judge.routes(source, kind)
            expected = _loading.StepCheck(guards, routed, False, True) if guards or routed else None
            step = (_STAGE_CODES[source], kind, _STAGE_CODES[dest])
            assert (position, expected) == (position, checks[step])

    def test_a_command_type_never_seen_is_asked_of_the_table(self) -> None:
        """A new subclass of a judged command is judged by its base's guards the first time."""

        class ConfirmVentingDone(sr.FinishVenting):
            """A host's own FinishVenting, first seen here."""

        case = walk_to(sr.Stage.UNDERSTOOD)
        last = case.history[-1]
        step = (
            _STAGE_CODES[case.history[-2].stage],
            ConfirmVentingDone,
            _STAGE_CODES[last.stage],
        )
        found = _loading.step_checks(None)[step]
        assert found == _loading.StepCheck(
            _loading._CASE_ONLY.of(sr.FinishVenting), False, False, True
        )

    def test_a_route_that_reads_more_than_fields_is_given_a_case(self) -> None:
        """A custom route without ``fields_only`` sees a real Case when a history loads."""
        seen: list[type] = []

        def satisfied(case: sr.Case, command: sr.Command) -> bool:
            seen.append(type(case))
            return getattr(command, "outcome", None) is sr.FollowUpOutcome.SATISFIED

        satisfied_route = sr.outcome_is(sr.FollowUpOutcome.SATISFIED)
        edges = [
            sr.Edge(e.command, e.source, e.dest, sr.Route("satisfied, seen", satisfied))
            if e.route == satisfied_route
            else e
            for e in sr.DEFAULT_GRAPH.edges
        ]
        workflow = sr.Workflow(sr.RecoveryPolicy(graph=sr.StageGraph(edges)))
        closed = walk_to(sr.Stage.CLOSED, workflow)
        seen.clear()
        assert workflow.replay(closed.history) == closed
        assert seen
        assert set(seen) == {sr.Case}


_STAGE_CODES = {stage: code for code, stage in enumerate(sr.Stage)}
