"""Real faults on one SQLite file: several writer processes, and a writer killed mid-stream."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import service_recovery as sr
from service_recovery.stores import SQLiteStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = sr.Actor("ana", sr.Role.AGENT)
CASES = ("case-a", "case-b", "case-c")
WORKERS = 4
NOTES = 15
TIMEOUT = 120  # seconds: every wait in this module is bounded


def _listening_cases(path: Path) -> None:
    """The cases the workers write to, already at the listening stage."""
    desk = sr.Desk(sr.Workflow(), SQLiteStore(path))
    for case_id in CASES:
        desk.open(
            customer=sr.Customer("c-1"),
            channel=sr.Channel.EMAIL,
            severity=sr.Severity.MODERATE,
            summary="Parcel lost",
            at=T0,
            id=case_id,
        )
        desk.apply(case_id, sr.Acknowledge(by=AGENT, at=T0))
        desk.apply(case_id, sr.Listen(by=AGENT, at=T0, note="It never came"))
    desk.store.close()


def _write_notes(path: str, worker: int) -> None:
    """One writer process: a note from this worker on every case, NOTES times over."""
    desk = sr.Desk(sr.Workflow(), SQLiteStore(path, busy_timeout=TIMEOUT), retries=200)
    at = T0 + timedelta(hours=1)  # one time for all: no command is older than another
    for number in range(NOTES):
        for case_id in CASES:
            note = sr.Listen(by=AGENT, at=at, note=f"w{worker}", id=f"w{worker}-{number}")
            desk.apply(case_id, note)
    desk.store.close()


def test_writer_processes_lose_no_update_and_record_each_command_once(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    _listening_cases(path)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_notes, args=(str(path), worker)) for worker in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(TIMEOUT)
    assert [worker.exitcode for worker in workers] == [0] * WORKERS
    store = SQLiteStore(path)
    for case_id in CASES:
        case = store.load(case_id)
        ids = Counter(c.id for c in case.history.commands if c.id is not None)
        expected = {f"w{w}-{n}" for w in range(WORKERS) for n in range(NOTES)}
        assert set(ids) == expected
        assert set(ids.values()) == {1}
        assert case.version == 3 + WORKERS * NOTES == store.summary(case_id).version


_KILLED_WRITER = """
import sys
from datetime import UTC, datetime, timedelta
import service_recovery as sr
from service_recovery.stores import SQLiteStore

path, start = sys.argv[1], datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
desk = sr.Desk(sr.Workflow(), SQLiteStore(path))
desk.effects.after(sr.Listen, name="crm-sync")(lambda ctx: None)
agent = sr.Actor("ana", sr.Role.AGENT)
for number in range(100_000):
    case_id = ("case-a", "case-b", "case-c")[number % 3]
    command_id = f"k-{number}"
    desk.apply(case_id, sr.Listen(by=agent, at=start, note="again", id=command_id))
    print(command_id, flush=True)  # only once the commit has returned
"""


def test_a_writer_killed_mid_stream_loses_nothing_it_committed(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    _listening_cases(path)
    read, write = os.pipe()
    # The writer is a plain interpreter, killed from outside as a crash would stop it.
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(path)],
        stdout=write,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    os.close(write)
    reported: list[str] = []
    with os.fdopen(read) as lines:
        for line in lines:
            reported.append(line.strip())
            if len(reported) == 60:
                writer.send_signal(signal.SIGKILL)
                break
        writer.wait(TIMEOUT)
        reported += [line.strip() for line in lines if line.strip()]
    assert writer.returncode == -signal.SIGKILL
    store = SQLiteStore(path)
    stored: set[str] = set()
    for case_id in CASES:
        case = store.load(case_id)  # every case loads whole: no partial write
        assert store.summary(case_id).version == case.version
        stored |= {c.id for c in case.history.commands if c.id is not None}
    assert set(reported) <= stored
    delivered: list[str] = []
    desk = sr.Desk(sr.Workflow(), store)
    desk.effects.after(sr.Listen, name="crm-sync")(lambda ctx: delivered.append(ctx.key.case_id))
    desk.deliver(T0)
    assert len(delivered) == len(stored)  # one effect per committed Listen, none lost
    assert store.pending_effects() == 0
