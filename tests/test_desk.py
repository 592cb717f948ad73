"""The Desk: one unit of work per command, a lost race judged again, timers from the index."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import service_recovery as sr
from service_recovery.stores import MemoryStore, SQLiteStore

from .scenarios import AGENT, CUSTOMER, OTHER_AGENT, T0, next_step, walk_to


def _open(desk: sr.Desk, case_id: str = "case-1", **changes: Any) -> sr.Case:
    fields: dict[str, Any] = {
        "customer": CUSTOMER,
        "channel": sr.Channel.SOCIAL,
        "severity": sr.Severity.MAJOR,
        "summary": "Wrong jacket delivered before a trip",
        "at": T0,
        "id": case_id,
    }
    return desk.open(**(fields | changes))


class RacingStore(MemoryStore):
    """A store where another writer saves first, just before each of the next *races* saves."""

    def __init__(self) -> None:
        super().__init__()
        self.rival: Callable[[], None] | None = None
        self.races = 0

    def save(self, case: sr.Case, **kwargs: Any) -> None:
        if self.races and self.rival is not None:
            self.races -= 1
            self.rival()
        super().save(case, **kwargs)

    def win(self, case: sr.Case, expected_version: int) -> None:
        """The rival's save: it gets there first."""
        super().save(case, expected_version=expected_version)


@pytest.fixture
def racing() -> tuple[sr.Desk, RacingStore]:
    store = RacingStore()
    return sr.Desk(sr.Workflow(), store), store


# -- apply -------------------------------------------------------------------------


def test_apply_commits_the_event_and_returns_the_committed_case() -> None:
    desk = sr.Desk(sr.Workflow(), SQLiteStore(":memory:"))
    _open(desk)
    case = desk.apply("case-1", sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=3)))
    assert case.stage is sr.Stage.ACKNOWLEDGED
    assert desk.load("case-1") == case


def test_a_lost_race_is_judged_again_on_the_winners_case(
    racing: tuple[sr.Desk, RacingStore],
) -> None:
    desk, store = racing
    _open(desk)
    winner = sr.Acknowledge(by=OTHER_AGENT, at=T0 + timedelta(minutes=2), message="On it")
    store.rival = lambda: store.win(
        sr.Workflow().apply(store.load("case-1"), winner), expected_version=1
    )
    store.races = 1
    # Both agents acknowledge; the loser's Listen is then judged on the acknowledged case.
    case = desk.apply("case-1", sr.Escalate(by=AGENT, at=T0 + timedelta(minutes=2), reason="VIP"))
    assert [event.kind for event in case.history] == ["Open", "Acknowledge", "Escalate"]
    assert desk.load("case-1") == case


def test_a_command_a_moment_older_than_the_winners_is_accepted_in_time_order(
    racing: tuple[sr.Desk, RacingStore],
) -> None:
    desk, store = racing
    _open(desk)
    skew = desk.workflow.policy.clock_skew
    winner_at = T0 + timedelta(minutes=2)
    store.rival = lambda: store.win(
        sr.Workflow().apply(store.load("case-1"), sr.Acknowledge(by=OTHER_AGENT, at=winner_at)),
        1,
    )
    store.races = 1
    loser = sr.Escalate(by=AGENT, at=winner_at - skew, reason="VIP customer")
    case = desk.apply("case-1", loser)
    assert case.history[-1].kind == "Escalate"
    assert case.last_at == winner_at  # recorded at the winner's time: the history stays ordered
    assert sr.from_dict(sr.to_dict(case)) == case


def test_a_command_older_than_the_clock_skew_is_still_refused(
    racing: tuple[sr.Desk, RacingStore],
) -> None:
    desk, store = racing
    _open(desk)
    winner_at = T0 + timedelta(minutes=2)
    store.rival = lambda: store.win(
        sr.Workflow().apply(store.load("case-1"), sr.Acknowledge(by=OTHER_AGENT, at=winner_at)),
        1,
    )
    store.races = 1
    too_old = winner_at - desk.workflow.policy.clock_skew - timedelta(seconds=1)
    with pytest.raises(sr.TransitionNotAllowed, match="in time order"):
        desk.apply("case-1", sr.Escalate(by=AGENT, at=too_old, reason="VIP customer"))
    assert desk.load("case-1").version == 2


def test_a_command_no_longer_acceptable_after_the_race_is_refused(
    racing: tuple[sr.Desk, RacingStore],
) -> None:
    desk, store = racing
    _open(desk)
    at = T0 + timedelta(minutes=2)
    store.rival = lambda: store.win(
        sr.Workflow().apply(store.load("case-1"), sr.Acknowledge(by=OTHER_AGENT, at=at)),
        1,
    )
    store.races = 1
    with pytest.raises(sr.TransitionNotAllowed):
        desk.apply("case-1", sr.Acknowledge(by=AGENT, at=at))  # acknowledged already
    assert [e.by for e in desk.load("case-1").history][1] == OTHER_AGENT


def test_stale_case_reaches_the_caller_only_when_retries_are_exhausted() -> None:
    store = RacingStore()
    desk = sr.Desk(sr.Workflow(), store, retries=3)
    _open(desk)
    notes = iter(range(100))

    def rival() -> None:
        case = store.load("case-1")
        listen = sr.Listen(by=OTHER_AGENT, at=case.last_at, note=f"rival {next(notes)}")
        command = listen if case.stage is not sr.Stage.REPORTED else next_step(case)
        store.win(sr.Workflow().apply(case, command), case.version)

    store.rival, store.races = rival, 4
    with pytest.raises(sr.StaleCase):
        desk.apply("case-1", sr.Escalate(by=AGENT, at=T0 + timedelta(hours=1), reason="VIP"))
    assert all(event.kind != "Escalate" for event in desk.load("case-1").history)
    store.races = 3  # one fewer rival than tries: the fourth try wins
    desk.apply("case-1", sr.Escalate(by=AGENT, at=T0 + timedelta(hours=1), reason="VIP"))
    assert desk.load("case-1").history[-1].kind == "Escalate"


def test_a_resent_command_with_a_new_time_is_a_no_op() -> None:
    desk = sr.Desk(sr.Workflow(), SQLiteStore(":memory:"))
    _open(desk)
    sent = sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=1), id="req-7")
    first = desk.apply("case-1", sent)
    again = desk.apply("case-1", attrs.evolve(sent, at=T0 + timedelta(minutes=9)))
    assert again == first
    assert desk.load("case-1").version == 2


def test_a_different_command_under_a_used_id_is_a_conflict() -> None:
    desk = sr.Desk(sr.Workflow(), SQLiteStore(":memory:"))
    _open(desk)
    desk.apply("case-1", sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=1), id="req-7"))
    with pytest.raises(sr.IdempotencyConflict):
        desk.apply("case-1", sr.Listen(by=AGENT, at=T0 + timedelta(minutes=2), id="req-7"))
    assert desk.load("case-1").version == 2


def test_a_case_of_another_policy_is_refused_and_nothing_written() -> None:
    store = SQLiteStore(":memory:")
    _open(sr.Desk(sr.Workflow(), store))
    heard = sr.Desk(sr.Workflow(sr.presets.HEARD), store)
    with pytest.raises(sr.PolicyMismatch, match="heard@"):
        heard.apply("case-1", sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=1)))
    assert store.load("case-1").version == 1


def test_a_veto_writes_nothing() -> None:
    workflow = sr.Workflow()

    @workflow.hooks.before(sr.Acknowledge)
    def refuse(ctx: sr.HookContext) -> None:
        raise sr.Veto("Not before the manager has seen it")

    desk = sr.Desk(workflow, MemoryStore())
    _open(desk)
    with pytest.raises(sr.CommandVetoed):
        desk.apply("case-1", sr.Acknowledge(by=AGENT, at=T0))
    assert desk.load("case-1").version == 1


def test_a_failing_after_hook_never_loses_the_committed_event() -> None:
    workflow = sr.Workflow()

    @workflow.hooks.after(sr.Acknowledge)
    def broken(ctx: sr.HookContext) -> None:
        raise RuntimeError("mail server down")

    desk = sr.Desk(workflow, MemoryStore())
    _open(desk)
    with pytest.raises(sr.HookFailed) as caught:
        desk.apply("case-1", sr.Acknowledge(by=AGENT, at=T0))
    assert caught.value.accepted
    assert desk.load("case-1") == caught.value.case
    assert desk.load("case-1").stage is sr.Stage.ACKNOWLEDGED


def test_opening_a_taken_id_is_refused() -> None:
    desk = sr.Desk(sr.Workflow(), MemoryStore())
    _open(desk)
    with pytest.raises(sr.CaseExists):
        _open(desk, summary="Someone else")
    assert desk.load("case-1").summary == "Wrong jacket delivered before a trip"


def test_opening_a_taken_id_runs_no_hook() -> None:
    workflow = sr.Workflow()
    calls: list[str] = []
    workflow.hooks.on_enter(sr.Stage.REPORTED)(lambda ctx: calls.append(ctx.case_after.id))
    desk = sr.Desk(workflow, MemoryStore())
    _open(desk)
    with pytest.raises(sr.CaseExists):
        _open(desk)
    assert calls == ["case-1"]


def test_a_failing_hook_on_open_still_stores_the_case() -> None:
    workflow = sr.Workflow()

    @workflow.hooks.on_enter(sr.Stage.REPORTED)
    def broken(ctx: sr.HookContext) -> None:
        raise RuntimeError("routing service down")

    desk = sr.Desk(workflow, MemoryStore())
    with pytest.raises(sr.HookFailed) as caught:
        _open(desk)
    assert caught.value.accepted
    assert desk.load("case-1") == caught.value.case


def test_applying_to_an_unknown_case_is_refused() -> None:
    desk = sr.Desk(sr.Workflow(), MemoryStore())
    with pytest.raises(sr.CaseNotFound):
        desk.apply("ghost", sr.Acknowledge(by=AGENT, at=T0))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"workflow": "default"}, "workflow"),
        ({"store": {}}, "store"),
        ({"retries": -1}, "retries"),
        ({"retries": True}, "retries"),
        ({"lease": timedelta(0)}, "lease"),
        ({"backoff": 5}, "backoff"),
    ],
)
def test_bad_desk_arguments_are_refused(arguments: dict[str, Any], message: str) -> None:
    given: dict[str, Any] = {"workflow": sr.Workflow(), "store": MemoryStore()} | arguments
    with pytest.raises(sr.InvalidValue, match=message):
        sr.Desk(**given)


# -- due ---------------------------------------------------------------------------


def _mixed_desk(store: sr.Store) -> sr.Desk:
    """Cases at several stages, opened a few minutes apart."""
    desk = sr.Desk(sr.Workflow(), store)
    for number, stage in enumerate(
        [sr.Stage.REPORTED, sr.Stage.LISTENING, sr.Stage.RESOLVING, sr.Stage.CLOSED] * 3
    ):
        case_id = f"case-{number:02}"
        at = T0 + timedelta(minutes=7 * number)
        case = _open(desk, case_id, at=at)
        walked = walk_to(stage, desk.workflow, case)
        desk.store.save(walked, expected_version=1, timing=desk._timing(case, walked))
    return desk


@pytest.mark.parametrize("make_store", [MemoryStore, lambda: SQLiteStore(":memory:")])
@pytest.mark.parametrize(("hours", "within"), [(0, 0), (1, 0), (1, 2), (30, 0), (80, 0), (400, 24)])
def test_due_from_the_index_agrees_with_the_workflow(
    make_store: Callable[[], sr.Store], hours: int, within: int
) -> None:
    desk = _mixed_desk(make_store())
    now = T0 + timedelta(hours=hours)
    cases = [desk.load(row.case_id) for row in desk.store.cases()]
    expected = desk.workflow.due(cases, now, within=timedelta(hours=within))
    found = desk.due(now, within=timedelta(hours=within))
    # The workflow keeps equal due times in the order given: by id, as the index does.
    assert [d.case_id for d in found] == [d.case.id for d in expected]
    assert [d.due_at for d in found] == [d.deadline.due_at for d in expected]
    assert desk.due(now, within=timedelta(hours=within), limit=2) == found[:2]


def test_due_needs_a_time_and_sane_limits() -> None:
    desk = sr.Desk(sr.Workflow(), MemoryStore())
    with pytest.raises(sr.InvalidValue, match="no time given"):
        desk.due()
    with pytest.raises(sr.InvalidValue, match="within"):
        desk.due(T0, within=timedelta(hours=-1))
    with pytest.raises(sr.InvalidValue, match="limit"):
        desk.due(T0, limit=0)
    clocked = sr.Desk(sr.Workflow(), MemoryStore(), clock=sr.FixedClock(T0))
    assert clocked.due() == []


# -- tick --------------------------------------------------------------------------


def test_a_deadline_met_late_but_never_ticked_is_still_recorded() -> None:
    desk = sr.Desk(sr.Workflow(), SQLiteStore(":memory:"))
    _open(desk)
    late = T0 + timedelta(hours=5)  # social media: the first answer was due within 2 hours
    desk.apply("case-1", sr.Acknowledge(by=AGENT, at=late))
    [ticked] = desk.tick(late + timedelta(minutes=1))
    breaches = [e.command for e in ticked.history if isinstance(e.command, sr.RecordBreach)]
    assert [b.kind for b in breaches] == [sr.DeadlineKind.FIRST_RESPONSE]
    assert desk.tick(late + timedelta(minutes=2)) == []


def test_tick_moves_the_timers_on_even_when_nothing_is_recorded() -> None:
    store = MemoryStore()
    desk = sr.Desk(sr.Workflow(), store)
    case = _open(desk)
    store.save(case, expected_version=1, timing=sr.stores.Timing(0.0, 0.0, 0.0))  # a stale index
    assert desk.tick(T0) == []
    assert store.claim_breaches(T0.timestamp(), 60.0, 10) == []


def test_several_tick_workers_record_each_breach_once(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    workflow = sr.Workflow()
    opener = sr.Desk(workflow, SQLiteStore(path))
    for number in range(30):
        _open(opener, f"case-{number:02}", at=T0 + timedelta(minutes=number))
    later = T0 + timedelta(days=2)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        desk = sr.Desk(workflow, SQLiteStore(path), lease=timedelta(seconds=1))
        start.wait()
        try:
            desk.tick(later, batch=3)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    for summary in opener.store.cases():
        case = opener.load(summary.case_id)
        refs = [e.command.ref for e in case.history if isinstance(e.command, sr.RecordBreach)]
        assert refs, summary.case_id
        assert len(refs) == len(set(refs)), summary.case_id
