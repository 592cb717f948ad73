"""The benchmark suite keeps working: it runs, reports every figure and budget, and says why not.

Nothing here looks at how fast anything is: speed is the suite's business, and a
machine's speed is not a test result.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
FIGURES = {
    "apply_us",
    "transitions_trigger_us",
    "dict_fsm_us",
    "apply_vs_transitions_ratio",
    "apply_vs_dict_ratio",
    "apply_engine_move_us",
    "apply_decision_us",
    "apply_new_case_us",
    "apply_no_hook_us",
    "apply_one_noop_hook_us",
    "apply_noop_hook_ratio",
    "redelivery_10_events_us",
    "redelivery_1000_events_us",
    "redelivery_1000_vs_10_ratio",
    "replay_events_per_s",
    "replay_case_us",
    "to_dict_per_s",
    "from_dict_per_s",
    "bytes_per_case",
    "bytes_per_loaded_case",
    "overdue_scan_100k_ms",
    "overdue_scan_cold_100k_ms",
    "verify_default_s",
    "desk_apply_us",
    "raw_insert_commit_us",
    "desk_apply_vs_raw_ratio",
    "desk_apply_normal_us",
    "raw_insert_commit_normal_us",
    "desk_apply_normal_vs_raw_ratio",
    "store_load_us",
    "store_load_cold_us",
    "from_dict_us",
    "store_load_cold_vs_from_dict_ratio",
    "due_limit_100_ms",
    "due_with_open_ms",
    "due_cases",
    "pg_desk_apply_us",
    "pg_raw_insert_commit_us",
    "pg_desk_apply_vs_raw_ratio",
    "pg_store_load_us",
    "pg_store_load_cold_us",
    "pg_due_limit_100_ms",
    "pg_due_cases",
}
BUDGETS = {
    "apply_vs_transitions_ratio",
    "replay_events_per_s",
    "bytes_per_case",
    "overdue_scan_100k_ms",
    "verify_default_s",
    "redelivery_1000_vs_10_ratio",
    "desk_apply_vs_raw_ratio",
    "store_load_us",
    "due_limit_100_ms",
}
MACHINE = {
    "platform",
    "cpu",
    "cpu_count",
    "python",
    "implementation",
    "service_recovery",
    "transitions",
    "attrs",
}


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    """The suite's ``run`` module, imported the way ``python benchmarks/run.py`` finds it."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("run")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, dict[str, Any]]:
    """One tiny quick run in a subprocess: exit code, printed table, JSON report.

    Verification is left out: it explores every state of the default workflow
    whatever the scale, which takes seconds (its plumbing is tested in-process).
    """
    target = tmp_path_factory.mktemp("bench") / "figures.json"
    command = [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--scale", "0.01"]
    command += ["--skip", "verify"]
    done = subprocess.run(
        [*command, "--json", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr, json.loads(target.read_text())


def _fake_sizes(bench: Any) -> Any:
    return bench.suite.QUICK.scaled(0.001)


class TestQuickRun:
    def test_it_succeeds(self, quick_run: tuple[int, str, dict[str, Any]]) -> None:
        """The quick run exits 0 and no measurement broke."""
        code, output, report = quick_run
        statuses = {name: m["status"] for name, m in report["measurements"].items()}
        assert (0, []) == (code, [n for n, s in statuses.items() if s == "error"]), output

    def test_the_store_budgets_are_measured_and_postgres_left_to_the_full_run(
        self, quick_run: tuple[int, str, dict[str, Any]]
    ) -> None:
        """The quick run measures the SQLite store budgets; PostgreSQL is skipped, saying why."""
        report = quick_run[2]
        measurements = report["measurements"]
        assert ("ok", "skipped") == (
            measurements["stores"]["status"],
            measurements["stores_postgres"]["status"],
        )
        assert "full run only" in measurements["stores_postgres"]["reason"]
        assert [] == [
            name
            for name in ("desk_apply_vs_raw_ratio", "store_load_us", "due_limit_100_ms")
            if report["budgets"][name]["holds"] is None
        ]

    def test_every_figure_is_reported(self, quick_run: tuple[int, str, dict[str, Any]]) -> None:
        """The JSON names every figure, measured (a positive number) or not (null)."""
        report = quick_run[2]
        assert FIGURES == set(report["figures"])
        assert [] == [
            name
            for name, value in report["figures"].items()
            if value is not None and not (isinstance(value, float | int) and value > 0)
        ]

    def test_every_budget_is_reported(self, quick_run: tuple[int, str, dict[str, Any]]) -> None:
        """Each budget carries its limit, the figure, and whether it holds (null if unmeasured)."""
        budgets = quick_run[2]["budgets"]
        assert BUDGETS == set(budgets)
        for name, budget in budgets.items():
            assert {"op", "limit", "value", "holds"} == set(budget)
            assert quick_run[2]["figures"][name] == budget["value"]
            assert (budget["value"] is None) == (budget["holds"] is None)

    def test_machine_and_sizes_are_reported(
        self, quick_run: tuple[int, str, dict[str, Any]]
    ) -> None:
        """The report says what it ran on and how much work it did."""
        report = quick_run[2]
        assert MACHINE == set(report["machine"])
        assert ("quick", 3) == (report["mode"], report["sizes"]["rounds"])

    def test_unmeasured_figures_say_why(self, quick_run: tuple[int, str, dict[str, Any]]) -> None:
        """A figure left null belongs to a measurement skipped or not available, with a reason."""
        report = quick_run[2]
        statuses = report["measurements"]
        assert ("skipped", "--skip") == (statuses["verify"]["status"], statuses["verify"]["reason"])
        assert [] == [
            name for name, m in statuses.items() if m["status"] != "ok" and not m["reason"]
        ]
        assert {"ok", "not available", "skipped"} >= {m["status"] for m in statuses.values()}

    def test_table_names_every_figure(self, quick_run: tuple[int, str, dict[str, Any]]) -> None:
        """The printed table has a line for every figure."""
        assert [] == [name for name in FIGURES if f"\n{name} " not in quick_run[1]]


class TestCommandLine:
    def test_scale_must_be_positive(self) -> None:
        """A zero scale is refused with a message, before anything runs."""
        done = subprocess.run(
            [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--scale", "0"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (2, True) == (done.returncode, "--scale must be positive" in done.stderr)


class TestRegistry:
    def test_missing_feature_is_not_available(self, bench: Any) -> None:
        """A measurement whose feature is missing is not run; its figure stays null."""
        ran: list[str] = []

        def measure(context: Any) -> dict[str, float]:
            ran.append("ran")
            return {"future_s": 1.0}

        future = bench.suite.Measurement("future", ("future_s",), measure, lambda: "not yet")
        report = bench.run(_fake_sizes(bench), [future])
        assert (
            [],
            {"future_s": None},
            {"status": "not available", "reason": "not yet"},
        ) == (ran, report["figures"], report["measurements"]["future"])

    def test_a_measurement_not_wanted_at_these_sizes_is_skipped(self, bench: Any) -> None:
        """A measurement whose sizes say no is not run: skipped with the reason, figure null."""
        ran: list[str] = []

        def measure(context: Any) -> dict[str, float]:
            ran.append("ran")
            return {"big_s": 1.0}

        big = bench.suite.Measurement(
            "big", ("big_s",), measure, wanted=lambda sizes: "full run only"
        )
        report = bench.run(_fake_sizes(bench), [big])
        assert (
            [],
            {"big_s": None},
            {"status": "skipped", "reason": "full run only"},
        ) == (ran, report["figures"], report["measurements"]["big"])

    def test_broken_measurement_fails_the_run(
        self, bench: Any, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A measurement that raises is an error: reported, and the exit code is 1."""

        def broken(context: Any) -> dict[str, float]:
            raise bench.suite.SuiteBroken("the path must close")

        registry = [bench.suite.Measurement("broken", ("broken_s",), broken)]
        code = bench.main(["--quick", "--scale", "0.001"], registry)
        err = capsys.readouterr().err
        assert (1, True) == (code, "SuiteBroken: the path must close" in err)

    def test_undeclared_figure_is_an_error(self, bench: Any) -> None:
        """A measurement reporting a figure it did not declare is an error, not a figure."""
        sloppy = bench.suite.Measurement("sloppy", ("a_s",), lambda context: {"b_s": 1.0})
        report = bench.run(_fake_sizes(bench), [sloppy])
        assert ("error", {"a_s": None}) == (
            report["measurements"]["sloppy"]["status"],
            report["figures"],
        )

    def test_registry_declares_every_figure(self, bench: Any) -> None:
        """The registry's measurements declare exactly the figures the report lists."""
        declared = [name for m in bench.suite.REGISTRY for name in m.figures]
        assert (FIGURES, len(declared)) == (set(declared), len(set(declared)))


class TestMeasurements:
    def test_verify_is_timed_run_by_run(self, bench: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """Verification runs once per round, from scratch, and must find the workflow sound."""
        runs: list[object] = []

        def verify(workflow: object) -> SimpleNamespace:
            runs.append(workflow)
            return SimpleNamespace(ok=True)

        monkeypatch.setattr(bench.suite.sr, "verify", verify, raising=False)
        sizes = bench.suite.QUICK.scaled(0.001)
        figures = bench.suite.measure_verify(bench.suite.Context(sizes))
        assert (sizes.verify_rounds, ["verify_default_s"]) == (len(runs), list(figures))

    def test_unsound_workflow_breaks_the_suite(
        self, bench: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A verification that fails means the figure measures nothing: the suite says so."""
        monkeypatch.setattr(bench.suite.sr, "verify", lambda workflow: object(), raising=False)
        with pytest.raises(bench.suite.SuiteBroken, match="must verify"):
            bench.suite.measure_verify(bench.suite.Context(bench.suite.QUICK.scaled(0.001)))


class TestBudget:
    @pytest.mark.parametrize(
        ("op", "value", "holds"),
        [
            ("<=", 1.5, True),
            ("<=", 1.51, False),
            ("<", 1.0, False),
            ("<", 0.99, True),
            (">=", 500_000, True),
            (">=", 499_999, False),
            ("<=", None, None),
        ],
    )
    def test_holds(self, bench: Any, op: str, value: float | None, holds: bool | None) -> None:
        """A budget holds when the figure keeps its limit; unmeasured, it is undecided."""
        limit = {"<=": 1.5, "<": 1.0, ">=": 500_000}[op]
        assert holds == bench.Budget("figure", op, limit).holds(value)
