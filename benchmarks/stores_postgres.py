"""The store benchmarks on PostgreSQL: durable commands, loads, and the due list.

Run by ``benchmarks/stores.py`` beside the SQLite figures, with the same sizes.
They run on the server at ``SERVICE_RECOVERY_BENCH_POSTGRES`` (a conninfo)
when it is set, else on a private one started from the ``pgserver`` wheel in a
temporary folder (PostgreSQL 16 at its default settings: every commit waits
for the disk), each measurement in a schema of its own, dropped after.

The floor of a durable command is a raw ``INSERT`` of the same event row (the
same bytes the store writes) and a ``COMMIT``, on a connection from a pool
set up as the store's: what any durable write costs at least on this server.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import timing

import service_recovery as sr
from service_recovery.stores import PostgresStore
from service_recovery.stores._codec import event_rows

SERVER = "SERVICE_RECOVERY_BENCH_POSTGRES"
"""A conninfo to measure on instead of a private server."""

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = sr.Actor("ana", sr.Role.AGENT)

UNITS = {
    "pg_desk_apply_us": "us per command",
    "pg_raw_insert_commit_us": "us per command",
    "pg_desk_apply_vs_raw_ratio": "x",
    "pg_store_load_us": "us per load",
    "pg_store_load_cold_us": "us per load",
    "pg_due_limit_100_ms": "ms, fresh process",
    "pg_due_cases": "cases",
}


class Sizes(Protocol):
    """The sizes of ``benchmarks/stores.py`` these measurements read."""

    @property
    def rounds(self) -> int: ...
    @property
    def commands(self) -> int: ...
    @property
    def loads(self) -> int: ...
    @property
    def due_cases(self) -> int: ...


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The conninfo of the server to measure on (a private one is stopped after)."""
    given = os.environ.get(SERVER)
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="sr-bench-pg-"))
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

        started = get_server(folder / "pgdata", cleanup_mode="stop")
    try:
        yield str(started.get_uri())
    finally:
        started.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def schema(conninfo: str, name: str) -> Iterator[str]:
    """A new schema *name* on the server; the conninfo that works in it. Dropped after."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    identifier = sql.Identifier(f"bench_{name}_{os.getpid()}")
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(identifier))
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(identifier))
    try:
        yield make_conninfo(conninfo, options=f"-c search_path={identifier.as_string()}")
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(identifier))


def _open(desk: sr.Desk, case_id: str) -> sr.Case:
    return desk.open(
        customer=sr.Customer("c-1"),
        channel=sr.Channel.EMAIL,
        severity=sr.Severity.MODERATE,
        summary="Parcel lost",
        at=T0,
        id=case_id,
    )


def measure_apply(sizes: Sizes, conninfo: str) -> dict[str, float]:
    """Durable commands through Desk.apply, against inserting the same rows by hand."""
    workflow = sr.Workflow()
    with schema(conninfo, "desk") as desk_db, schema(conninfo, "floor") as floor_db:
        store = PostgresStore(desk_db, max_size=1)
        desk = sr.Desk(workflow, store)
        floor_store = PostgresStore(floor_db, max_size=1)  # the same schema and pool settings
        floor: Any = floor_store._pool
        # One command per case per round: histories stay as long as real ones.
        case_ids = [f"case-{n}" for n in range(sizes.commands)]
        for case_id in case_ids:
            opened = _open(desk, case_id)
            desk.apply(case_id, sr.Acknowledge(by=AGENT, at=T0))
            floor_store.add(workflow.apply(opened, sr.Acknowledge(by=AGENT, at=T0)))
        template = workflow.apply(desk.load(case_ids[0]), sr.Listen(by=AGENT, at=T0, note="again"))
        [(_, _, kind, command_id, data)] = event_rows(template, 2)
        versions = dict.fromkeys(case_ids, 2)

        def through_desk() -> None:
            for case_id in case_ids:
                desk.apply(case_id, sr.Listen(by=AGENT, at=T0, note="again"))

        def raw() -> None:
            for case_id in case_ids:
                versions[case_id] += 1
                with floor.connection() as connection, connection.transaction():
                    connection.execute(
                        "INSERT INTO sr_events (case_id, version, kind, command_id, data)"
                        " VALUES (%s, %s, %s, %s, %s)",
                        (case_id, versions[case_id], kind, command_id, data),
                    )

        samples = timing.interleaved({"desk": through_desk, "raw": raw}, sizes.rounds)
        store.close()
        floor_store.close()
    desk_us = timing.median(samples["desk"]) / sizes.commands * 1e6
    raw_us = timing.median(samples["raw"]) / sizes.commands * 1e6
    return {
        "pg_desk_apply_us": desk_us,
        "pg_raw_insert_commit_us": raw_us,
        "pg_desk_apply_vs_raw_ratio": timing.median_ratio(samples, "desk", "raw"),
    }


def measure_load(sizes: Sizes, conninfo: str) -> dict[str, float]:
    """Loading a 15-event case: as a Desk does (store cache on), and reading every row."""
    workflow = sr.Workflow()
    case = workflow.open(
        customer=sr.Customer("c-1"),
        channel=sr.Channel.EMAIL,
        severity=sr.Severity.MODERATE,
        summary="Parcel lost",
        at=T0,
        id="case-15",
    )
    case = workflow.apply(case, sr.Acknowledge(by=AGENT, at=T0))
    for number in range(13):
        case = workflow.apply(case, sr.Listen(by=AGENT, at=T0, note=f"note {number}"))
    with schema(conninfo, "load") as db:
        PostgresStore(db).add(case)
        warm, cold = PostgresStore(db, max_size=1), PostgresStore(db, max_size=1, cache_size=0)
        assert warm.load(case.id) == case == cold.load(case.id)

        def repeat(store: PostgresStore) -> Any:
            def run() -> None:
                for _ in range(sizes.loads):
                    store.load(case.id)

            return run

        samples = timing.interleaved({"warm": repeat(warm), "cold": repeat(cold)}, sizes.rounds)
        warm.close()
        cold.close()
    per = {name: timing.median(values) / sizes.loads * 1e6 for name, values in samples.items()}
    return {"pg_store_load_us": per["warm"], "pg_store_load_cold_us": per["cold"]}


def build_due_cases(conninfo: str, count: int) -> None:
    """*count* stored case rows, a fifth of them open with deadlines around T0 (by COPY)."""
    import psycopg

    PostgresStore(conninfo).close()  # the schema, with its indexes
    chooser = random.Random(11)
    now = T0.timestamp()
    policy = sr.Workflow().policy_identity
    with psycopg.connect(conninfo) as connection:
        with connection.cursor().copy(
            "COPY sr_cases (case_id, version, stage, policy, attention_at, next_due_at,"
            " breach_at) FROM STDIN"
        ) as copy:
            for number in range(count):
                row: tuple[object, ...]
                if chooser.random() < 0.2:
                    due = now + chooser.uniform(-3, 30) * 86_400
                    row = (f"case-{number:07}", 5, "resolving", policy, due - 43_200, due, due)
                else:
                    row = (f"case-{number:07}", 15, "closed", policy, None, None, None)
                copy.write_row(row)
        connection.execute("ANALYZE sr_cases")


_DUE_IN_A_FRESH_PROCESS = """
import sys, time
from datetime import datetime, timezone
import service_recovery as sr
from service_recovery.stores import PostgresStore
desk = sr.Desk(sr.Workflow(), PostgresStore(sys.argv[1], max_size=1))
now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
start = time.perf_counter()
found = desk.due(now, limit=100)
print(time.perf_counter() - start, len(found))
"""


def measure_due(sizes: Sizes, conninfo: str) -> dict[str, float]:
    """``desk.due(now, limit=100)`` over the stored cases, each time in a fresh process."""
    with schema(conninfo, "due") as db:
        build_due_cases(db, sizes.due_cases)
        seconds = []
        for _ in range(sizes.rounds):
            out = subprocess.run(
                [sys.executable, "-c", _DUE_IN_A_FRESH_PROCESS, db],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            ).stdout.split()
            if int(out[1]) == 0:
                raise RuntimeError("the due list should not be empty: the workload is broken")
            seconds.append(float(out[0]))
    return {"pg_due_limit_100_ms": timing.median(seconds) * 1000, "pg_due_cases": sizes.due_cases}


def measure(sizes: Sizes) -> dict[str, float]:
    """Every PostgreSQL figure (the keys of :data:`UNITS`), on one server."""
    began = time.perf_counter()
    figures: dict[str, float] = {}
    with server() as conninfo:
        figures.update(measure_apply(sizes, conninfo))
        figures.update(measure_load(sizes, conninfo))
        figures.update(measure_due(sizes, conninfo))
    print(f"PostgreSQL figures: {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return figures
