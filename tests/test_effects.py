"""Durable effects: recorded with the event, delivered after commit, at least once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import service_recovery as sr
from service_recovery.stores import MemoryStore, SQLiteStore

from .scenarios import AGENT, CUSTOMER, T0


def _open(desk: sr.Desk, case_id: str = "case-1") -> sr.Case:
    return desk.open(
        customer=CUSTOMER,
        channel=sr.Channel.SOCIAL,
        severity=sr.Severity.MAJOR,
        summary="Wrong jacket",
        at=T0,
        id=case_id,
    )


def _ack(minutes: int = 1) -> sr.Acknowledge:
    return sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=minutes))


def test_each_point_enqueues_its_effect_with_a_stable_key() -> None:
    desk = sr.Desk(sr.Workflow(), MemoryStore())
    calls: list[tuple[str, str, str]] = []

    @desk.effects.on_enter(sr.Stage.REPORTED)
    def welcome(ctx: sr.EffectContext) -> None:
        calls.append(("welcome", str(ctx.key), ctx.case.stage.value))

    @desk.effects.after(sr.Acknowledge)
    def reply(ctx: sr.EffectContext) -> None:
        calls.append(("reply", str(ctx.key), ctx.event.kind))

    @desk.effects.on_breach(sr.DeadlineKind.FIRST_RESPONSE, name="page-supervisor")
    def page(ctx: sr.EffectContext) -> None:
        calls.append(("page", str(ctx.key), ctx.event.kind))

    _open(desk)
    _open(desk, "case-2")
    desk.apply("case-1", _ack())
    desk.tick(T0 + timedelta(days=1))
    assert desk.store.pending_effects() == 4
    assert not calls  # nothing runs before deliver()
    report = desk.deliver(T0 + timedelta(days=1))
    assert sorted(calls) == [
        ("page", "case-2:2:page-supervisor", "RecordBreach"),
        ("reply", "case-1:2:reply", "Acknowledge"),
        ("welcome", "case-1:1:welcome", "reported"),
        ("welcome", "case-2:1:welcome", "reported"),
    ]
    assert len(report.delivered) == 4
    assert not report.failed
    assert desk.store.pending_effects() == 0
    assert not desk.deliver(T0 + timedelta(days=1))


def test_the_context_holds_the_case_as_it_stood_after_the_event() -> None:
    desk = sr.Desk(sr.Workflow(), SQLiteStore(":memory:"))
    seen: list[sr.Case] = []

    @desk.effects.after(sr.Acknowledge)
    def keep(ctx: sr.EffectContext) -> None:
        seen.append(ctx.case)

    _open(desk)
    acknowledged = desk.apply("case-1", _ack())
    desk.apply("case-1", sr.Listen(by=AGENT, at=T0 + timedelta(minutes=2), note="trip"))
    desk.deliver(T0)
    assert seen == [acknowledged]


def test_a_failing_effect_is_retried_with_backoff_and_never_blocks_others() -> None:
    backoff = sr.Backoff(first=timedelta(seconds=10), factor=3, cap=timedelta(minutes=5))
    desk = sr.Desk(sr.Workflow(), SQLiteStore(":memory:"), backoff=backoff)
    attempts: list[tuple[str, int]] = []
    outage = {"on": True}

    @desk.effects.after(sr.Acknowledge)
    def mail(ctx: sr.EffectContext) -> None:
        attempts.append((str(ctx.key), ctx.attempt))
        if outage["on"] and ctx.key.case_id == "case-1":
            raise ConnectionError("SMTP server down")

    _open(desk)
    _open(desk, "case-2")
    desk.apply("case-1", _ack())
    desk.apply("case-2", _ack())
    first = desk.deliver(T0)
    assert [str(key) for key in first.delivered] == ["case-2:2:mail"]
    assert [(str(key), error) for key, error in first.failed] == [
        ("case-1:2:mail", "ConnectionError: SMTP server down")
    ]
    assert not desk.deliver(T0 + timedelta(seconds=9))  # still backing off
    second = desk.deliver(T0 + timedelta(seconds=10))
    assert len(second.failed) == 1
    assert not desk.deliver(T0 + timedelta(seconds=39))  # 10 s, then 30 s
    outage["on"] = False
    third = desk.deliver(T0 + timedelta(seconds=40))
    assert [str(key) for key in third.delivered] == ["case-1:2:mail"]
    assert attempts == [
        ("case-1:2:mail", 1),
        ("case-2:2:mail", 1),
        ("case-1:2:mail", 2),
        ("case-1:2:mail", 3),
    ]
    assert desk.load("case-1").stage is sr.Stage.ACKNOWLEDGED  # the event was never at stake


def test_a_restarted_process_delivers_what_the_dead_one_committed(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    first = sr.Desk(sr.Workflow(), SQLiteStore(path))
    first.effects.after(sr.Acknowledge, name="reply")(lambda ctx: None)
    _open(first)
    first.apply("case-1", _ack())
    first.store.close()  # the process ends before deliver()
    delivered: list[str] = []
    second = sr.Desk(sr.Workflow(), SQLiteStore(path))
    second.effects.after(sr.Acknowledge, name="reply")(lambda ctx: delivered.append(str(ctx.key)))
    second.deliver(T0)
    assert delivered == ["case-1:2:reply"]


def test_an_effect_claimed_by_a_dead_worker_is_delivered_after_its_lease() -> None:
    store = SQLiteStore(":memory:")
    desk = sr.Desk(sr.Workflow(), store, lease=timedelta(seconds=30))
    delivered: list[str] = []
    desk.effects.after(sr.Acknowledge, name="reply")(lambda ctx: delivered.append(str(ctx.key)))
    _open(desk)
    desk.apply("case-1", _ack())
    store.claim_effects({"reply"}, T0.timestamp(), 30.0, 10)  # a worker claims it, then dies
    assert not desk.deliver(T0 + timedelta(seconds=29))
    desk.deliver(T0 + timedelta(seconds=30))
    assert delivered == ["case-1:2:reply"]


def test_effects_of_a_stale_attempt_are_not_enqueued() -> None:
    store = MemoryStore()
    desk = sr.Desk(sr.Workflow(), store)
    desk.effects.after(sr.Escalate, name="notify")(lambda ctx: None)
    _open(desk)
    sr.Desk(sr.Workflow(), store).apply("case-1", _ack())  # the other writer wins first
    stale = desk.workflow.apply(
        desk.workflow.replay(store.load("case-1").history[:1]),
        sr.Escalate(by=AGENT, at=T0, reason="VIP"),
    )
    with pytest.raises(sr.StaleCase):
        store.save(stale, expected_version=1, effects=desk.effects.keys_for(stale, 1))
    assert store.pending_effects() == 0


def test_an_effect_without_a_registration_here_waits_for_a_desk_that_has_it() -> None:
    store = MemoryStore()
    producer = sr.Desk(sr.Workflow(), store)
    producer.effects.after(sr.Acknowledge, name="crm-sync")(lambda ctx: None)
    _open(producer)
    producer.apply("case-1", _ack())
    assert not sr.Desk(sr.Workflow(), store).deliver(T0)
    assert store.pending_effects() == 1


@pytest.mark.parametrize(
    ("register", "message"),
    [
        (lambda effects: effects.on_enter("closed"), "Stage"),
        (lambda effects: effects.after(str), "command type"),
        (lambda effects: effects.on_breach("late"), "DeadlineKind"),
        (lambda effects: effects.after(sr.Close, name="a:b")(print), "without ':'"),
        (lambda effects: effects.after(sr.Close)(42), "callable"),
    ],
)
def test_bad_registrations_are_refused(register: object, message: str) -> None:
    effects = sr.Desk(sr.Workflow(), MemoryStore()).effects
    with pytest.raises(sr.InvalidValue, match=message):
        register(effects)  # type: ignore[operator]


def test_a_name_is_registered_once() -> None:
    effects = sr.Desk(sr.Workflow(), MemoryStore()).effects
    effects.after(sr.Close, name="survey")(print)
    with pytest.raises(sr.InvalidValue, match="already registered"):
        effects.on_enter(sr.Stage.CLOSED, name="survey")(print)
    assert effects.names == {"survey"}
    assert len(effects) == 1


@pytest.mark.parametrize(
    "arguments",
    [
        {"first": timedelta(0)},
        {"factor": 0.5},
        {"factor": True},
        {"cap": timedelta(seconds=1)},
        {"first": 5},
    ],
)
def test_bad_backoffs_are_refused(arguments: dict[str, object]) -> None:
    with pytest.raises(sr.InvalidValue):
        sr.Backoff(**arguments)  # type: ignore[arg-type]
