"""A case is the fold of its history: apply refuses one whose facts say otherwise.

Cases from ``open``, ``apply``, ``replay`` and ``from_dict`` are folds by
construction (sealed); any other case is folded again once, the first time it is
applied to, and refused if its facts disagree.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import service_recovery as sr
from service_recovery._model import _case
from service_recovery._model._history import History
from tests.scenarios import AGENT, later, next_step, open_case, walk_to

S = sr.Stage


@pytest.fixture
def folds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the folds made from here on (each entry: the folded history's length)."""
    made: list[int] = []
    real = _case.fold

    def counting(events: Any) -> sr.Case:
        made.append(len(events))
        return real(events)

    monkeypatch.setattr(_case, "fold", counting)
    return made


def _close(case: sr.Case) -> sr.Close:
    return sr.Close(by=AGENT, at=later(case))


class TestRefused:
    def test_facts_that_disagree_with_the_history_are_refused(self) -> None:
        """Ninety-nine follow-ups the history never saw do not let a case close."""
        workflow = sr.Workflow()
        honest = walk_to(S.RESOLVED, workflow)
        forged = attrs.evolve(honest, follow_up_attempts=99)
        with pytest.raises(sr.InvalidValue) as caught:
            workflow.apply(forged, _close(forged))
        assert "follow_up_attempts" == caught.value.field
        assert "follow_up_attempts is 99 where its history makes it 0" in str(caught.value)
        assert (S.RESOLVED, 99, len(honest.history)) == (
            forged.stage,
            forged.follow_up_attempts,
            len(forged.history),
        )

    def test_every_fact_that_disagrees_is_named(self) -> None:
        """The message names each disagreeing fact, in field order."""
        workflow = sr.Workflow()
        forged = attrs.evolve(walk_to(S.RESOLVED, workflow), stage=S.FOLLOWED_UP, followed_up=True)
        with pytest.raises(sr.InvalidValue, match=r"stage is .*; followed_up is True") as caught:
            workflow.apply(forged, _close(forged))
        assert "stage" == caught.value.field

    def test_a_forged_case_stays_refused(self) -> None:
        """A refusal does not seal: the next apply refuses again."""
        workflow = sr.Workflow()
        forged = attrs.evolve(walk_to(S.RESOLVED, workflow), follow_up_attempts=99)
        for _ in range(2):
            with pytest.raises(sr.InvalidValue):
                workflow.apply(forged, _close(forged))

    def test_a_huge_forged_value_is_quoted_short(self) -> None:
        """A 1 MB summary is not copied into the message."""
        workflow = sr.Workflow()
        forged = attrs.evolve(open_case(workflow), summary="x" * 1_000_000)
        with pytest.raises(sr.InvalidValue, match="summary is 'xxx") as caught:
            workflow.apply(forged, next_step(forged))
        assert len(str(caught.value)) < 500

    def test_a_history_that_is_no_history_is_refused(self) -> None:
        """A tuple of events in place of a History is named, not a bare AttributeError."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        events: Any = tuple(case.history)
        forged = attrs.evolve(case, history=events)
        with pytest.raises(sr.InvalidValue, match=r"case\.history: expected a History, got tuple"):
            workflow.apply(forged, next_step(case))

    def test_a_history_without_its_open_is_refused(self) -> None:
        """A history that cannot be a case's is reported as such, every problem listed."""
        workflow = sr.Workflow()
        case = walk_to(S.LISTENING, workflow)
        forged = attrs.evolve(case, history=History(tuple(case.history)[1:]))
        with pytest.raises(sr.InvalidHistory, match="starts with Open"):
            workflow.apply(forged, next_step(forged))


class TestAccepted:
    def test_an_evolved_case_that_is_its_fold_is_accepted_and_sealed(
        self, folds: list[int]
    ) -> None:
        """An honest rebuild is folded once, then treated as any case."""
        workflow = sr.Workflow()
        case = walk_to(S.LISTENING, workflow)
        rebuilt = attrs.evolve(case)
        folds.clear()
        after = workflow.apply(rebuilt, next_step(rebuilt))
        assert [len(case.history)] == folds
        workflow.apply(rebuilt, next_step(rebuilt))
        workflow.apply(after, next_step(after))
        assert [len(case.history)] == folds

    @pytest.mark.parametrize(
        "rebuild",
        [
            lambda case: pickle.loads(pickle.dumps(case)),
            copy.copy,
            copy.deepcopy,
        ],
        ids=["pickle", "copy", "deepcopy"],
    )
    def test_a_reconstructed_case_is_checked_once(
        self, rebuild: Callable[[sr.Case], sr.Case], folds: list[int]
    ) -> None:
        """Pickles and copies hold facts, not the seal: the first apply folds once."""
        workflow = sr.Workflow()
        case = walk_to(S.APOLOGIZED, workflow)
        loaded = rebuild(case)
        assert loaded == case
        folds.clear()
        after = workflow.apply(loaded, next_step(loaded))
        workflow.apply(loaded, next_step(loaded))
        assert after == workflow.apply(case, next_step(case))
        assert [len(case.history)] == folds

    def test_cases_the_library_makes_are_never_folded_again(self, folds: list[int]) -> None:
        """open, apply, replay and from_dict make sealed cases: apply folds none of them."""
        workflow = sr.Workflow()
        opened = open_case(workflow)
        walked = walk_to(S.RESOLVED, workflow)
        replayed = workflow.replay(walked.history)
        loaded = sr.from_dict(sr.to_dict(walked))
        folds.clear()
        for case in (opened, walked, replayed, loaded):
            workflow.apply(case, next_step(case))
        assert [] == folds

    def test_a_pickle_holds_no_memo(self) -> None:
        """What a pickle stores is the case's fields: no seal, no schedule, no id index."""
        workflow = sr.Workflow()
        command = attrs.evolve(next_step(walk_to(S.RESOLVED, workflow)), id="msg-1")
        case = workflow.apply(walk_to(S.RESOLVED, workflow), command)
        assert case is workflow.apply(case, command)  # the re-delivery built the id index
        workflow.deadlines(case, later(case))
        assert (True, {"msg-1": len(case.history) - 1}) == (case._sealed, case._command_ids)
        state = case.__getstate__()
        assert set(_case.FIELDS) == set(state)
        assert not any(name.startswith("_") for name in state)

    def test_the_seal_is_no_part_of_equality(self) -> None:
        """A sealed case and an equal unsealed one are equal and hash alike."""
        case = walk_to(S.RESOLVED)
        unsealed = attrs.evolve(case)
        assert (case, hash(case)) == (unsealed, hash(unsealed))
        assert repr(case) == repr(unsealed)


class TestReplayedCasesAreSealed:
    def test_a_replayed_case_is_not_folded_again_on_its_first_apply(self) -> None:
        """replay's checking pass builds the final case, so it is sealed like a fold's."""
        workflow = sr.Workflow()
        case = walk_to(sr.Stage.DIAGNOSED, workflow)
        replayed = workflow.replay(case.history)
        assert replayed == case
        assert replayed._sealed
