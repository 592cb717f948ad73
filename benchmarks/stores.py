"""Measure the stores and the Desk against the database floor, and check their budgets.

    python benchmarks/stores.py            # the full run: builds a 1,000,000-case file once
    python benchmarks/stores.py --quick    # seconds: 10,000 cases (CI)
    python benchmarks/stores.py --json results.json

Figures are medians of interleaved rounds (see timing.py); the budgets are ratios
against a floor measured in the same run, or limits the docs promise. A budget
that does not hold is reported, never enforced: machines differ.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stores_postgres
import timing

import service_recovery as sr
from service_recovery.stores import SQLiteStore
from service_recovery.stores._codec import event_rows

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = sr.Actor("ana", sr.Role.AGENT)


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    rounds: int
    commands: int
    """Durable commands per round, through the Desk and through the floor, one per case."""
    loads: int
    """Loads of the 15-event case per round."""
    due_cases: int
    """Stored cases the due list is read from."""


FULL = Sizes(rounds=7, commands=300, loads=2_000, due_cases=1_000_000)
QUICK = Sizes(rounds=3, commands=60, loads=300, due_cases=10_000)

BUDGETS = {
    "desk_apply_vs_raw_ratio": ("<=", 1.5),
    "store_load_us": ("<=", 50.0),
    "due_limit_100_ms": ("<=", 20.0),
}
UNITS = {
    "desk_apply_us": "us per command",
    "raw_insert_commit_us": "us per command",
    "desk_apply_vs_raw_ratio": "x",
    "desk_apply_normal_us": "us per command",
    "raw_insert_commit_normal_us": "us per command",
    "desk_apply_normal_vs_raw_ratio": "x",
    "store_load_us": "us per load",
    "store_load_cold_us": "us per load",
    "from_dict_us": "us per case",
    "store_load_cold_vs_from_dict_ratio": "x",
    "due_limit_100_ms": "ms, fresh process",
    "due_with_open_ms": "ms, fresh process",
    "due_cases": "cases",
}
SQLITE_FIGURES = tuple(UNITS)
"""The figures of :func:`measure_sqlite`."""
UNITS.update(stores_postgres.UNITS)


def _fifteen_events(workflow: sr.Workflow, case_id: str) -> sr.Case:
    case = workflow.open(
        customer=sr.Customer("c-1"),
        channel=sr.Channel.EMAIL,
        severity=sr.Severity.MODERATE,
        summary="Parcel lost",
        at=T0,
        id=case_id,
    )
    case = workflow.apply(case, sr.Acknowledge(by=AGENT, at=T0))
    for number in range(13):
        case = workflow.apply(case, sr.Listen(by=AGENT, at=T0, note=f"note {number}"))
    assert case.version == 15
    return case


def measure_apply(sizes: Sizes, folder: Path, synchronous: str = "FULL") -> dict[str, float]:
    """Durable commands through Desk.apply, against inserting the same rows by hand.

    With ``synchronous="FULL"`` (the store's default) each commit waits for the disk;
    with ``"NORMAL"`` it does not, and the figures show the library's own work.
    """
    workflow = sr.Workflow()
    suffix = "" if synchronous == "FULL" else f"_{synchronous.lower()}"
    desk = sr.Desk(workflow, SQLiteStore(folder / f"desk{suffix}.sqlite", synchronous=synchronous))
    # The floor: the same schema and connection settings, the same bytes, by hand.
    floor_store = SQLiteStore(folder / f"floor{suffix}.sqlite", synchronous=synchronous)
    floor = floor_store._connection
    # One command per case per round: histories stay as long as real ones (under 15 events).
    case_ids = [f"case-{n}" for n in range(sizes.commands)]
    for case_id in case_ids:
        opened = desk.open(
            customer=sr.Customer("c-1"),
            channel=sr.Channel.EMAIL,
            severity=sr.Severity.MODERATE,
            summary="Parcel lost",
            at=T0,
            id=case_id,
        )
        desk.apply(case_id, sr.Acknowledge(by=AGENT, at=T0))
        floor_store.add(workflow.apply(opened, sr.Acknowledge(by=AGENT, at=T0)))
    template = workflow.apply(desk.load(case_ids[0]), sr.Listen(by=AGENT, at=T0, note="again"))
    [(_, _, kind, command_id, data)] = event_rows(template, 2)
    versions = dict.fromkeys(case_ids, 2)

    def through_desk() -> None:
        for number in range(sizes.commands):
            case_id = case_ids[number % len(case_ids)]
            desk.apply(case_id, sr.Listen(by=AGENT, at=T0, note="again"))

    def raw() -> None:
        for number in range(sizes.commands):
            case_id = case_ids[number % len(case_ids)]
            versions[case_id] += 1
            floor.execute("BEGIN IMMEDIATE")
            floor.execute(
                "INSERT INTO sr_events (case_id, version, kind, command_id, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (case_id, versions[case_id], kind, command_id, data),
            )
            floor.execute("COMMIT")

    samples = timing.interleaved({"desk": through_desk, "raw": raw}, sizes.rounds)
    desk_us = timing.median(samples["desk"]) / sizes.commands * 1e6
    raw_us = timing.median(samples["raw"]) / sizes.commands * 1e6
    return {
        f"desk_apply{suffix}_us": desk_us,
        f"raw_insert_commit{suffix}_us": raw_us,
        f"desk_apply{suffix}_vs_raw_ratio": desk_us / raw_us,
    }


def measure_load(sizes: Sizes, folder: Path) -> dict[str, float]:
    """Loading a 15-event case: as a Desk does (store cache on), cold, and from_dict."""
    case = _fifteen_events(sr.Workflow(), "case-15")
    path = folder / "load.sqlite"
    SQLiteStore(path).add(case)
    warm = SQLiteStore(path)
    cold = SQLiteStore(path, cache_size=0)
    snapshot = sr.to_dict(case)
    assert warm.load(case.id) == case == cold.load(case.id)

    def repeat(load: Any) -> Any:
        def run() -> None:
            for _ in range(sizes.loads):
                load()

        return run

    samples = timing.interleaved(
        {
            "warm": repeat(lambda: warm.load(case.id)),
            "cold": repeat(lambda: cold.load(case.id)),
            "from_dict": repeat(lambda: sr.from_dict(snapshot)),
        },
        sizes.rounds,
    )
    per = {name: timing.median(values) / sizes.loads * 1e6 for name, values in samples.items()}
    return {
        "store_load_us": per["warm"],
        "store_load_cold_us": per["cold"],
        "from_dict_us": per["from_dict"],
        "store_load_cold_vs_from_dict_ratio": per["cold"] / per["from_dict"],
    }


def build_due_database(path: Path, count: int) -> None:
    """*count* stored cases, a fifth of them open with deadlines around T0 (built once)."""
    if path.exists():
        return
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    store = SQLiteStore(partial, synchronous="OFF")
    connection = store._connection
    chooser = random.Random(11)
    now = T0.timestamp()
    policy = sr.Workflow().policy_identity
    connection.execute("BEGIN")
    rows: list[tuple[Any, ...]] = []
    for number in range(count):
        if chooser.random() < 0.2:
            due = now + chooser.uniform(-3, 30) * 86_400
            rows.append((f"case-{number:07}", 5, "resolving", policy, due - 43_200, due, due))
        else:
            rows.append((f"case-{number:07}", 15, "closed", policy, None, None, None))
        if len(rows) == 50_000:
            _insert(connection, rows)
    _insert(connection, rows)
    connection.execute("COMMIT")
    store.close()
    partial.rename(path)


def _insert(connection: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    connection.executemany(
        "INSERT INTO sr_cases (case_id, version, stage, policy, attention_at, next_due_at,"
        " breach_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    rows.clear()


_DUE_IN_A_FRESH_PROCESS = """
import sys, time
from datetime import datetime, timezone
import service_recovery as sr
from service_recovery.stores import SQLiteStore
opening = time.perf_counter()
desk = sr.Desk(sr.Workflow(), SQLiteStore(sys.argv[1]))
now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
start = time.perf_counter()
found = desk.due(now, limit=100)
done = time.perf_counter()
print(done - start, done - opening, len(found))
"""


def measure_due(sizes: Sizes, folder: Path) -> dict[str, float]:
    """``desk.due(now, limit=100)`` over the stored cases, each time in a fresh process.

    The budget's figure is the call, the first query on a new connection (SQLite's
    page cache empty, the file in the system's cache, as a cron job finds it); the
    second also counts building the workflow and the desk and opening the store.
    Neither counts starting Python and importing the library (about 0.3 s).
    """
    path = folder / f"due-{sizes.due_cases}.sqlite"
    build_due_database(path, sizes.due_cases)
    calls, opened = [], []
    for _ in range(sizes.rounds):
        out = subprocess.run(
            [sys.executable, "-c", _DUE_IN_A_FRESH_PROCESS, str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout.split()
        if int(out[2]) == 0:
            raise RuntimeError("the due list should not be empty: the workload is broken")
        calls.append(float(out[0]))
        opened.append(float(out[1]))
    return {
        "due_limit_100_ms": timing.median(calls) * 1000,
        "due_with_open_ms": timing.median(opened) * 1000,
        "due_cases": sizes.due_cases,
    }


def table(report: dict[str, Any]) -> str:
    """The report as a table a person reads."""
    lines = [f"{'figure':<36} {'value':>12}  {'unit':<18} {'budget':<10} holds"]
    for name, value in report["figures"].items():
        budget = report["budgets"].get(name)
        limit = f"{budget['op']} {budget['limit']:g}" if budget else ""
        holds = "" if budget is None else ("yes" if budget["holds"] else "NO")
        lines.append(f"{name:<36} {value:>12.3f}  {UNITS.get(name, ''):<18} {limit:<10} {holds}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes: seconds, not minutes")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the report here")
    parser.add_argument(
        "--folder",
        type=Path,
        default=KEPT,
        help="where the databases are built (the due database is kept and reused)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    args.folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.folder) as scratch:
        report = run_in(sizes, Path(scratch), args.folder)
    print(table(report))
    print(f"\n{time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def run_in(sizes: Sizes, scratch: Path, kept: Path) -> dict[str, Any]:
    """Every figure, with the write benchmarks in *scratch* and the due database in *kept*."""
    figures = measure_sqlite(sizes, scratch, kept)
    figures.update(stores_postgres.measure(sizes))
    return run_report(sizes, figures)


def measure_sqlite(sizes: Sizes, scratch: Path, kept: Path) -> dict[str, float]:
    """The SQLite figures (:data:`SQLITE_FIGURES`): writes in *scratch*, due lists in *kept*."""
    figures: dict[str, float] = {}
    figures.update(measure_apply(sizes, scratch))
    figures.update(measure_apply(sizes, scratch, "NORMAL"))
    figures.update(measure_load(sizes, scratch))
    figures.update(measure_due(sizes, kept))
    return figures


KEPT = Path(tempfile.gettempdir()) / "service-recovery-benchmarks"
"""Where the due databases are kept between runs (building a million cases takes a while)."""


def run_report(sizes: Sizes, figures: dict[str, float]) -> dict[str, Any]:
    """The report of *figures*: the machine, the sizes, and each budget."""
    return {
        "schema": "service-recovery/store-benchmarks",
        "machine": timing.machine(),
        "sizes": asdict(sizes),
        "figures": figures,
        "budgets": {
            name: {
                "op": op,
                "limit": limit,
                "value": figures[name],
                "holds": figures[name] <= limit,
            }
            for name, (op, limit) in BUDGETS.items()
        },
    }


if __name__ == "__main__":
    sys.exit(main())
