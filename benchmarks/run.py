"""Measure service-recovery against bare ``transitions`` and check the performance budgets.

    python benchmarks/run.py                      # the full run: a few minutes
    python benchmarks/run.py --quick              # seconds; keeps the suite working (CI)
    python benchmarks/run.py --json results.json  # also write the figures as JSON
    python benchmarks/run.py --skip verify        # leave a measurement out

The store budgets (``benchmarks/stores.py``: the Desk against the database floor,
loading a case, the due list of a million stored cases) are part of the run; the
PostgreSQL figures only in the full run, which starts a private server.

Prints a table of the figures (medians of interleaved rounds) and the budgets they are
held to. Exits non-zero only when the suite itself breaks, never because of a timing:
a budget that does not hold is reported, not enforced (machines differ).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import stores
import suite
import timing

SCHEMA = "service-recovery/benchmarks"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Budget:
    """A figure's limit: ``value <op> limit`` must hold."""

    figure: str
    op: str
    limit: float

    def holds(self, value: float | None) -> bool | None:
        """Whether *value* keeps the budget (``None`` when it was not measured)."""
        if value is None:
            return None
        return {
            "<=": value <= self.limit,
            "<": value < self.limit,
            ">=": value >= self.limit,
        }[self.op]


BUDGETS: tuple[Budget, ...] = (
    Budget("apply_vs_transitions_ratio", "<=", 1.0),
    Budget("replay_events_per_s", ">=", 500_000),
    Budget("bytes_per_case", "<=", 3_000),
    Budget("overdue_scan_100k_ms", "<=", 100),
    Budget("verify_default_s", "<", 1),
    Budget("redelivery_1000_vs_10_ratio", "<=", 1.2),
    *(Budget(name, op, limit) for name, (op, limit) in stores.BUDGETS.items()),
)

UNITS = {
    "apply_us": "us per command",
    "transitions_trigger_us": "us per trigger",
    "dict_fsm_us": "us per step",
    "apply_vs_transitions_ratio": "x",
    "apply_vs_dict_ratio": "x",
    "apply_engine_move_us": "us per command",
    "apply_decision_us": "us per command",
    "apply_new_case_us": "us per command",
    "apply_no_hook_us": "us per command",
    "apply_one_noop_hook_us": "us per command",
    "apply_noop_hook_ratio": "x",
    "redelivery_10_events_us": "us per command",
    "redelivery_1000_events_us": "us per command",
    "redelivery_1000_vs_10_ratio": "x",
    "replay_events_per_s": "events/s",
    "replay_case_us": "us per case",
    "to_dict_per_s": "cases/s",
    "from_dict_per_s": "cases/s",
    "bytes_per_case": "bytes",
    "bytes_per_loaded_case": "bytes",
    "overdue_scan_100k_ms": "ms",
    "overdue_scan_cold_100k_ms": "ms",
    "verify_default_s": "s",
    **stores.UNITS,
}


def run(
    sizes: suite.Sizes,
    registry: Sequence[suite.Measurement] = suite.REGISTRY,
    skip: Collection[str] = (),
) -> dict[str, Any]:
    """Run *registry* at *sizes* but *skip*; return the report (figures, budgets, statuses)."""
    context = suite.Context(sizes)
    figures: dict[str, float | None] = {}
    measurements: dict[str, dict[str, Any]] = {}
    for measurement in registry:
        figures.update(dict.fromkeys(measurement.figures))
        if measurement.name in skip:
            measurements[measurement.name] = {"status": "skipped", "reason": "--skip"}
            continue
        missing = measurement.available()
        if missing is not None:
            measurements[measurement.name] = {"status": "not available", "reason": missing}
            continue
        unwanted = measurement.wanted(sizes)
        if unwanted is not None:
            measurements[measurement.name] = {"status": "skipped", "reason": unwanted}
            continue
        start = time.perf_counter()
        try:
            measured = measurement.run(context)
        except Exception as err:
            measurements[measurement.name] = {
                "status": "error",
                "reason": f"{type(err).__name__}: {err}",
                "traceback": traceback.format_exc(),
            }
            continue
        unknown = set(measured) - set(measurement.figures)
        if unknown:
            measurements[measurement.name] = {
                "status": "error",
                "reason": f"reported undeclared figures {sorted(unknown)}",
            }
            continue
        figures.update(measured)
        measurements[measurement.name] = {
            "status": "ok",
            "seconds": round(time.perf_counter() - start, 3),
        }
    budgets = {
        budget.figure: {
            "op": budget.op,
            "limit": budget.limit,
            "value": figures.get(budget.figure),
            "holds": budget.holds(figures.get(budget.figure)),
        }
        for budget in BUDGETS
    }
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "machine": timing.machine(),
        "sizes": asdict(sizes),
        "figures": figures,
        "budgets": budgets,
        "measurements": measurements,
    }


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value < 1 else f"{value:.2f}"


def table(report: dict[str, Any]) -> str:
    """The report as a table a person reads."""
    machine = report["machine"]
    lines = [
        f"service-recovery {machine['service_recovery']} on Python {machine['python']}, "
        f"transitions {machine['transitions']}, attrs {machine['attrs']}",
        f"{machine['cpu']} ({machine['cpu_count']} CPUs), {machine['platform']}",
        f"medians of {report['sizes']['rounds']} interleaved rounds",
        "",
        f"{'figure':<36} {'value':>14}  {'unit':<18} {'budget':<12} holds",
    ]
    budgets = report["budgets"]
    for name, value in report["figures"].items():
        budget = budgets.get(name)
        limit = f"{budget['op']} {_number(budget['limit'])}" if budget else ""
        holds = "" if budget is None else {True: "yes", False: "NO", None: "-"}[budget["holds"]]
        lines.append(
            f"{name:<36} {_number(value):>14}  {UNITS.get(name, ''):<18} {limit:<12} {holds}"
        )
    lines.append("")
    for name, status in report["measurements"].items():
        if status["status"] != "ok":
            lines.append(f"{name}: {status['status']} ({status['reason']})")
    return "\n".join(lines)


def main(
    argv: Sequence[str] | None = None, registry: Sequence[suite.Measurement] = suite.REGISTRY
) -> int:
    """Run the suite from the command line; 0 unless a measurement broke."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes: seconds, not minutes")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the report here")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="multiply every count by FACTOR (the suite's own test runs it tiny)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=[measurement.name for measurement in registry],
        metavar="NAME",
        help="leave out a measurement (repeatable): "
        + ", ".join(measurement.name for measurement in registry),
    )
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error(f"--scale must be positive, got {args.scale}")
    sizes = (suite.QUICK if args.quick else suite.FULL).scaled(args.scale)
    report = run(sizes, registry, args.skip)
    report["mode"] = "quick" if args.quick else "full"
    print(table(report))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    broken = [
        f"{name}:\n{status.get('traceback', status['reason'])}"
        for name, status in report["measurements"].items()
        if status["status"] == "error"
    ]
    for failure in broken:
        print(failure, file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
