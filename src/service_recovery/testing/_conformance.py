"""The store conformance suite: the tests every :class:`~service_recovery.Store` passes.

Subclass :class:`StoreConformance` in a test module, say how to make a fresh
store, and pytest runs every test against it::

    from service_recovery.testing import StoreConformance

    class TestMyStore(StoreConformance):
        def make_store(self):
            return MyStore(self.tmp_path / "cases.db")

The library runs it for :class:`MemoryStore` and :class:`SQLiteStore` (and
:class:`PostgresStore` on a real server); a host runs it for its own store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from .._desk._desk import Desk
from .._desk._effects import EffectContext
from .._desk._store import EffectKey, Store, Timing
from .._errors import CaseExists, CaseNotFound, IdempotencyConflict, InvalidValue, StaleCase
from .._model._case import Case
from .._model._commands import Acknowledge, Listen
from .._model._events import Event
from .._model._kinds import DeadlineKind
from .._model._stages import Stage
from .._model._values import Actor, Channel, Customer, Role, Severity
from .._workflow import Workflow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_AGENT = Actor("ana", Role.AGENT)
_MINUTE = timedelta(minutes=1)


def _opened(workflow: Workflow, case_id: str = "case-1", at: datetime = T0) -> Case:
    return workflow.open(
        customer=Customer("c-1", "Dana"),
        channel=Channel.SOCIAL,
        severity=Severity.MAJOR,
        summary="Wrong jacket delivered before a trip",
        at=at,
        id=case_id,
    )


def _listened(workflow: Workflow, case: Case, notes: int) -> Case:
    """*case* acknowledged, then listened to *notes* times, a minute apart."""
    at = case.last_at + _MINUTE
    case = workflow.apply(case, Acknowledge(by=_AGENT, at=at, id=f"{case.id}-ack"))
    for note in range(notes):
        at += _MINUTE
        case = workflow.apply(case, Listen(by=_AGENT, at=at, note=f"note {note}", id=f"n{note}"))
    return case


class StoreConformance:
    """Tests every store passes; subclass it with :meth:`make_store` (see the module doc).

    ``self.tmp_path`` is a fresh folder for each test, for stores kept in files.
    """

    tmp_path: Path

    def make_store(self) -> Store:
        """A new, empty store (override this)."""
        raise NotImplementedError("subclass StoreConformance and define make_store()")

    @pytest.fixture(autouse=True)
    def _store_folder(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh store from :meth:`make_store`, closed after the test."""
        made = self.make_store()
        yield made
        made.close()

    @pytest.fixture
    def workflow(self) -> Workflow:
        """The default workflow."""
        return Workflow()

    # -- add and load ----------------------------------------------------------

    def test_a_stored_case_loads_equal(self, store: Store, workflow: Workflow) -> None:
        case = _listened(workflow, _opened(workflow), 12)
        store.add(case)
        loaded = store.load(case.id)
        assert loaded == case
        assert loaded.history == case.history
        assert loaded.version == case.version

    def test_a_taken_id_is_refused_and_nothing_changes(
        self, store: Store, workflow: Workflow
    ) -> None:
        first = _listened(workflow, _opened(workflow), 1)
        store.add(first)
        with pytest.raises(CaseExists):
            store.add(_opened(workflow))
        assert store.load(first.id) == first

    def test_an_unknown_case_is_not_found(self, store: Store) -> None:
        with pytest.raises(CaseNotFound):
            store.load("nobody")
        with pytest.raises(CaseNotFound):
            store.summary("nobody")

    def test_a_case_loads_as_it_stood_at_a_version(self, store: Store, workflow: Workflow) -> None:
        case = _listened(workflow, _opened(workflow), 3)
        store.add(case)
        assert store.load(case.id, version=2) == workflow.replay(case.history[:2])
        with pytest.raises(CaseNotFound):
            store.load(case.id, version=case.version + 1)

    def test_bad_arguments_are_refused(self, store: Store, workflow: Workflow) -> None:
        with pytest.raises(InvalidValue):
            store.add("not a case")  # type: ignore[arg-type]
        with pytest.raises(InvalidValue):
            store.load("")
        store.add(_opened(workflow))
        case = _listened(workflow, store.load("case-1"), 1)
        with pytest.raises(InvalidValue):
            store.save(case, expected_version=0)
        with pytest.raises(InvalidValue):
            store.save(case, expected_version=case.version + 1)

    # -- save ------------------------------------------------------------------

    def test_save_appends_the_new_events(self, store: Store, workflow: Workflow) -> None:
        case = _opened(workflow)
        store.add(case)
        grown = _listened(workflow, case, 2)
        store.save(grown, expected_version=case.version)
        assert store.load(case.id) == grown
        assert store.summary(case.id).version == grown.version

    def test_a_stale_save_is_refused_and_writes_nothing(
        self, store: Store, workflow: Workflow
    ) -> None:
        case = _opened(workflow)
        store.add(case)
        winner = _listened(workflow, case, 1)
        loser = _listened(workflow, case, 2)
        store.save(winner, expected_version=case.version)
        with pytest.raises(StaleCase) as caught:
            store.save(loser, expected_version=case.version)
        assert caught.value.expected == case.version
        assert store.load(case.id) == winner

    def test_saving_an_unknown_case_is_refused(self, store: Store, workflow: Workflow) -> None:
        case = _listened(workflow, _opened(workflow), 1)
        with pytest.raises(CaseNotFound):
            store.save(case, expected_version=1)

    def test_a_reused_command_id_is_refused_and_writes_nothing(
        self, store: Store, workflow: Workflow
    ) -> None:
        case = _listened(workflow, _opened(workflow), 1)  # holds the command id "n0"
        store.add(case)
        again = Listen(by=_AGENT, at=case.last_at + _MINUTE, note="other", id="n0")
        forged = workflow.replay((*case.history, Event(again, case.stage)))
        with pytest.raises(IdempotencyConflict):
            store.save(forged, expected_version=case.version)
        assert store.load(case.id) == case

    def test_concurrent_saves_of_one_version_let_exactly_one_win(
        self, store: Store, workflow: Workflow
    ) -> None:
        case = _opened(workflow)
        store.add(case)
        rivals = [
            workflow.apply(case, Acknowledge(by=_AGENT, at=T0, message=f"take {n}"))
            for n in range(8)
        ]
        outcomes: list[str] = []
        start = threading.Barrier(len(rivals))

        def save(rival: Case) -> None:
            start.wait()
            try:
                store.save(rival, expected_version=case.version)
                outcomes.append("saved")
            except StaleCase:
                outcomes.append("stale")

        threads = [threading.Thread(target=save, args=(rival,)) for rival in rivals]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["saved"] + ["stale"] * (len(rivals) - 1)
        assert store.load(case.id) in rivals

    # -- the case rows ---------------------------------------------------------

    def test_the_case_row_says_stage_version_and_policy(
        self, store: Store, workflow: Workflow
    ) -> None:
        case = _listened(workflow, _opened(workflow), 1)
        store.add(case)
        summary = store.summary(case.id)
        assert (summary.case_id, summary.stage, summary.version) == (
            case.id,
            Stage.LISTENING,
            case.version,
        )
        assert summary.policy == workflow.policy_identity

    def test_cases_lists_by_id_and_filters_by_stage(self, store: Store, workflow: Workflow) -> None:
        for name in ("b", "a", "c"):
            store.add(_opened(workflow, name))
        store.save(_listened(workflow, store.load("c"), 1), expected_version=1)
        assert [row.case_id for row in store.cases()] == ["a", "b", "c"]
        assert [row.case_id for row in store.cases(stage=Stage.LISTENING)] == ["c"]
        assert [row.case_id for row in store.cases(limit=2)] == ["a", "b"]

    # -- timers ----------------------------------------------------------------

    def test_due_lists_from_the_timing_most_urgent_first(
        self, store: Store, workflow: Workflow
    ) -> None:
        now = 1_000_000.0
        plans = {
            "late": Timing(now - 50, now - 10, now - 10),
            "warned": Timing(now - 5, now + 100, now + 100),
            "soon": Timing(now + 20, now + 30, now + 30),
            "later": Timing(now + 500, now + 900, now + 900),
            "quiet": Timing(),
        }
        for case_id, timing in plans.items():
            store.add(_opened(workflow, case_id), timing=timing)
        assert [d.case_id for d in store.due(now, now, None)] == ["late", "warned"]
        assert [d.case_id for d in store.due(now, now + 60, None)] == ["late", "soon", "warned"]
        assert [d.case_id for d in store.due(now, now + 60, 2)] == ["late", "soon"]
        first = store.due(now, now, 1)[0]
        assert first.due_at == datetime.fromtimestamp(now - 10, UTC)

    def test_a_save_moves_the_timing(self, store: Store, workflow: Workflow) -> None:
        case = _opened(workflow)
        store.add(case, timing=Timing(10.0, 20.0, 20.0))
        store.save(
            _listened(workflow, case, 1), expected_version=1, timing=Timing(100.0, 200.0, None)
        )
        assert [d.case_id for d in store.due(50.0, 50.0, None)] == []
        assert [d.case_id for d in store.due(150.0, 150.0, None)] == [case.id]

    def test_a_breach_claim_is_held_against_other_claims(
        self, store: Store, workflow: Workflow
    ) -> None:
        for case_id in ("a", "b", "c"):
            store.add(_opened(workflow, case_id), timing=Timing(1.0, 2.0, 2.0))
        store.add(_opened(workflow, "future"), timing=Timing(1.0, 2.0, 500.0))
        first = store.claim_breaches(100.0, 60.0, 2)
        second = store.claim_breaches(100.0, 60.0, 10)
        assert len(first) == 2
        assert sorted(first + second) == ["a", "b", "c"]
        assert store.claim_breaches(100.0, 60.0, 10) == []
        assert sorted(store.claim_breaches(161.0, 60.0, 10)) == ["a", "b", "c"]  # lease over

    # -- outbox ----------------------------------------------------------------

    def test_effects_are_written_with_the_event(self, store: Store, workflow: Workflow) -> None:
        case = _opened(workflow)
        store.add(case, effects=[EffectKey(case.id, 1, "welcome")])
        grown = _listened(workflow, case, 1)
        store.save(grown, expected_version=1, effects=[EffectKey(case.id, 2, "thank")])
        assert store.pending_effects() == 2
        claimed = store.claim_effects({"welcome", "thank"}, 10.0, 60.0, 10)
        assert sorted(str(p.key) for p in claimed) == ["case-1:1:welcome", "case-1:2:thank"]
        assert store.claim_effects({"welcome", "thank"}, 10.0, 60.0, 10) == []

    def test_a_stale_save_enqueues_no_effect(self, store: Store, workflow: Workflow) -> None:
        case = _opened(workflow)
        store.add(case)
        store.save(_listened(workflow, case, 1), expected_version=1)
        with pytest.raises(StaleCase):
            store.save(
                _listened(workflow, case, 2),
                expected_version=1,
                effects=[EffectKey(case.id, 2, "never")],
            )
        assert store.pending_effects() == 0

    def test_only_named_effects_are_claimed(self, store: Store, workflow: Workflow) -> None:
        case = _opened(workflow)
        store.add(case, effects=[EffectKey(case.id, 1, "mine"), EffectKey(case.id, 1, "theirs")])
        assert [p.key.effect for p in store.claim_effects({"mine"}, 10.0, 60.0, 10)] == ["mine"]
        assert store.claim_effects(set(), 10.0, 60.0, 10) == []

    def test_a_failed_effect_waits_for_its_retry_time(
        self, store: Store, workflow: Workflow
    ) -> None:
        case = _opened(workflow)
        key = EffectKey(case.id, 1, "mail")
        store.add(case, effects=[key])
        [claimed] = store.claim_effects({"mail"}, 10.0, 60.0, 10)
        store.effect_failed(claimed.key, "SMTPError: down", 40.0)
        assert store.claim_effects({"mail"}, 39.0, 60.0, 10) == []
        [again] = store.claim_effects({"mail"}, 40.0, 60.0, 10)
        assert (again.attempts, again.last_error) == (1, "SMTPError: down")
        store.effect_delivered(key)
        assert store.pending_effects() == 0

    # -- through a desk --------------------------------------------------------

    def test_a_desk_on_the_store_records_each_breach_once(
        self, store: Store, workflow: Workflow
    ) -> None:
        desk = Desk(workflow, store)
        pages: list[str] = []

        @desk.effects.on_breach(DeadlineKind.FIRST_RESPONSE)
        def page(ctx: EffectContext) -> None:
            pages.append(str(ctx.key))

        desk.open(
            customer=Customer("c-1"),
            channel=Channel.SOCIAL,
            severity=Severity.MAJOR,
            summary="Nobody answered",
            at=T0,
            id="late",
        )
        later = T0 + timedelta(days=1)
        assert [case.id for case in desk.tick(later)] == ["late"]
        assert desk.tick(later) == []
        desk.deliver(later)
        assert pages == ["late:2:page"]
        assert sum(e.kind == "RecordBreach" for e in desk.load("late").history) == 1

    def test_a_desk_apply_is_idempotent_across_resends(
        self, store: Store, workflow: Workflow
    ) -> None:
        desk = Desk(workflow, store)
        store.add(_opened(workflow))
        sent = Acknowledge(by=_AGENT, at=T0 + _MINUTE, id="ack-1")
        first = desk.apply("case-1", sent)
        again = desk.apply("case-1", attrs.evolve(sent, at=T0 + 2 * _MINUTE))
        assert again == first
        assert store.load("case-1").version == 2
