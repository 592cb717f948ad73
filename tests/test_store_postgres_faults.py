"""PostgresStore under real concurrency and real crashes: separate processes, one server.

Each test starts its workers with the ``spawn`` method (fresh interpreters, as
separate hosts would be), waits for them with a time limit, and then reads
the server's rows to check what they left behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Barrier
from typing import Any

import attrs
import psycopg

import service_recovery as sr
from service_recovery.stores import EffectKey, PostgresStore

from .scenarios import AGENT, CUSTOMER, T0

SPAWN = multiprocessing.get_context("spawn")
TIME_LIMIT = 120.0
"""Seconds any worker may take; one that takes longer fails the test."""


class RaceCountingStore(PostgresStore):
    """A PostgresStore that counts the saves it refused as stale (the races it saw)."""

    races = 0

    def save(self, case: sr.Case, **kwargs: Any) -> None:
        try:
            super().save(case, **kwargs)
        except sr.StaleCase:
            self.races += 1
            raise


def _open(desk: sr.Desk, case_id: str, *, at: Any = T0) -> sr.Case:
    return desk.open(
        customer=CUSTOMER,
        channel=sr.Channel.SOCIAL,
        severity=sr.Severity.MAJOR,
        summary="Wrong jacket delivered before a trip",
        at=at,
        id=case_id,
    )


def _traced(target: Callable[..., None], failures: Any, *arguments: Any) -> None:
    """Run *target* in a worker; what it raised goes to the test, not only to stderr."""
    try:
        target(*arguments)
    except BaseException:
        failures.put(traceback.format_exc())
        raise


def _run(target: Callable[..., None], argument_rows: Iterable[tuple[Any, ...]]) -> None:
    """Run one spawned process per row of arguments; fail unless all end cleanly in time."""
    failures = SPAWN.SimpleQueue()
    processes: list[BaseProcess] = [
        SPAWN.Process(target=_traced, args=(target, failures, *arguments))
        for arguments in argument_rows
    ]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join(TIME_LIMIT)
        raised = []
        while not failures.empty():
            raised.append(failures.get())
        ended = [process.exitcode for process in processes]
        assert (ended, raised) == ([0] * len(processes), []), "\n".join(raised)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()


# -- several writers on the same cases ---------------------------------------------

NOTES = 12


def _note(worker: int, number: int) -> sr.Listen:
    return sr.Listen(
        by=AGENT,
        at=T0 + timedelta(hours=1),
        note=f"worker {worker}, note {number}",
        id=f"w{worker}-{number}",
    )


def _apply_worker(
    conninfo: str, worker: int, case_ids: list[str], start: Barrier, races: Connection
) -> None:
    store = RaceCountingStore(conninfo, max_size=1)
    desk = sr.Desk(sr.Workflow(), store, retries=200)
    start.wait(TIME_LIMIT)
    for number in range(NOTES):
        for case_id in case_ids:
            desk.apply(case_id, _note(worker, number))
    resent = attrs.evolve(_note(worker, 0), at=T0 + timedelta(hours=2))
    for case_id in case_ids:  # a retried request: the same command, stamped again later
        desk.apply(case_id, resent)
    races.send(store.races)
    store.close()


def test_writers_in_several_processes_lose_no_update(postgres: str) -> None:
    workers, case_ids = 4, ["hot-1", "hot-2"]
    store = PostgresStore(postgres)
    desk = sr.Desk(sr.Workflow(), store)
    for case_id in case_ids:
        _open(desk, case_id)
        desk.apply(case_id, sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=1), id="ack"))
    start = SPAWN.Barrier(workers)
    receivers, senders = zip(*(SPAWN.Pipe(duplex=False) for _ in range(workers)), strict=True)
    _run(
        _apply_worker,
        [(postgres, worker, case_ids, start, senders[worker]) for worker in range(workers)],
    )
    races = sum(receiver.recv() for receiver in receivers)
    expected = {"ack"} | {f"w{w}-{n}" for w in range(workers) for n in range(NOTES)}
    for case_id in case_ids:
        case = store.load(case_id)
        ids = [str(event.command.id) for event in case.history[1:]]
        assert sorted(ids) == sorted(expected), case_id  # each accepted command, once
        assert case.version == 2 + workers * NOTES
        assert store.summary(case_id).version == case.version
        assert [e.at for e in case.history] == sorted(e.at for e in case.history)
    print(f"{races} saves lost a race and were judged again")
    assert races > 0, "the workers never raced: the test proved nothing"
    store.close()


# -- several tick workers on the same overdue cases --------------------------------


def page(ctx: sr.EffectContext) -> None:
    """The durable effect of a missed first response (the parent's desk delivers it)."""


def _tick_worker(conninfo: str, start: Barrier, report: Connection) -> None:
    store = PostgresStore(conninfo, max_size=1)
    desk = sr.Desk(sr.Workflow(), store, lease=timedelta(seconds=2))
    desk.effects.on_breach(sr.DeadlineKind.FIRST_RESPONSE)(page)
    start.wait(TIME_LIMIT)
    changed = desk.tick(T0 + timedelta(days=2), batch=3)
    report.send(sorted(case.id for case in changed))
    store.close()


def test_four_tick_workers_record_each_breach_once(postgres: str) -> None:
    workers, count = 4, 40
    store = PostgresStore(postgres)
    desk = sr.Desk(sr.Workflow(), store)
    for number in range(count):
        _open(desk, f"late-{number:02}", at=T0 + timedelta(minutes=number))
    start = SPAWN.Barrier(workers)
    receivers, senders = zip(*(SPAWN.Pipe(duplex=False) for _ in range(workers)), strict=True)
    _run(_tick_worker, [(postgres, start, senders[worker]) for worker in range(workers)])
    reports = [receiver.recv() for receiver in receivers]
    ticked = [case_id for report in reports for case_id in report]
    assert sorted(ticked) == [f"late-{number:02}" for number in range(count)]  # each by one worker
    first_responses = set()
    for summary in store.cases():
        history = store.load(summary.case_id).history
        refs = [e.command.ref for e in history if isinstance(e.command, sr.RecordBreach)]
        assert refs, summary.case_id
        assert len(refs) == len(set(refs)), summary.case_id
        first_responses |= {
            EffectKey(summary.case_id, version, "page")
            for version, event in enumerate(history, start=1)
            if isinstance(event.command, sr.RecordBreach)
            and event.command.kind is sr.DeadlineKind.FIRST_RESPONSE
        }
    assert len(first_responses) == count
    assert desk.tick(T0 + timedelta(days=2)) == []
    desk.effects.on_breach(sr.DeadlineKind.FIRST_RESPONSE)(page)
    assert set(desk.deliver().delivered) == first_responses  # one page per breach
    assert store.pending_effects() == 0
    store.close()


# -- a writer killed mid-stream ----------------------------------------------------

CASE_LENGTH = 8
"""Events per case the crashing writer writes before it opens the next case."""


def notify(ctx: sr.EffectContext) -> None:
    """The durable effect of every note (the parent's desk delivers it)."""


def _crash_writer(conninfo: str, committed: Connection) -> None:
    store = PostgresStore(conninfo, max_size=1)
    desk = sr.Desk(sr.Workflow(), store)
    desk.effects.after(sr.Listen)(notify)
    number = 0
    while True:  # until killed
        case_id, step = f"crash-{number // CASE_LENGTH:03}", number % CASE_LENGTH
        at = T0 + timedelta(minutes=step)
        if step == 0:
            case = _open(desk, case_id, at=at)
        elif step == 1:
            case = desk.apply(case_id, sr.Acknowledge(by=AGENT, at=at, id="ack"))
        else:
            note = sr.Listen(by=AGENT, at=at, note=f"note {step}", id=f"n{step}")
            case = desk.apply(case_id, note)
        committed.send((case_id, case.version))
        number += 1


def _stored_counts(conninfo: str) -> tuple[dict[str, int], dict[str, int]]:
    with psycopg.connect(conninfo) as connection:
        rows = connection.execute("SELECT case_id, version FROM sr_cases").fetchall()
        events = connection.execute(
            "SELECT case_id, COUNT(*), MAX(version) FROM sr_events GROUP BY case_id"
        ).fetchall()
    for case_id, count, newest in events:
        assert count == newest, f"{case_id}: the event versions have a gap"
    return dict(rows), {case_id: count for case_id, count, _ in events}


def test_a_writer_killed_mid_stream_loses_nothing_it_committed(postgres: str) -> None:
    receiver, sender = SPAWN.Pipe(duplex=False)
    writer = SPAWN.Process(target=_crash_writer, args=(postgres, sender))
    writer.start()
    sender.close()
    seen: list[tuple[str, int]] = []
    try:
        while len(seen) < 5 * CASE_LENGTH + 3:  # part way through a case
            assert receiver.poll(TIME_LIMIT), "the writer stopped writing"
            seen.append(receiver.recv())
    finally:
        assert writer.pid is not None
        os.kill(writer.pid, signal.SIGKILL)
        writer.join(TIME_LIMIT)
    assert writer.exitcode == -signal.SIGKILL

    case_rows, event_counts = _stored_counts(postgres)
    assert case_rows == event_counts  # no case row without its events, no events without one
    store = PostgresStore(postgres)
    for case_id, version in seen:  # everything it reported committed is there
        assert store.load(case_id).version >= version
    assert case_rows[seen[-1][0]] >= seen[-1][1]

    desk = sr.Desk(sr.Workflow(), store)
    desk.effects.after(sr.Listen)(notify)
    delivered = desk.deliver()
    expected = {
        EffectKey(case_id, version, "notify")
        for case_id in case_rows
        for version, event in enumerate(store.load(case_id).history, start=1)
        if isinstance(event.command, sr.Listen)
    }
    assert expected
    assert set(delivered.delivered) == expected  # the dead writer's effects, every one
    assert delivered.failed == ()
    assert store.pending_effects() == 0
    store.close()
