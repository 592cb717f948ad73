"""The store benchmarks keep working: every figure and budget is reported.

Nothing here looks at how fast anything is: that is the benchmarks' business.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def stores_bench() -> Iterator[Any]:
    """``benchmarks/stores.py``, imported the way ``python benchmarks/stores.py`` finds it."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("stores")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_a_tiny_run_reports_every_figure_and_budget(stores_bench: Any, tmp_path: Path) -> None:
    sizes = stores_bench.Sizes(rounds=1, commands=3, loads=3, due_cases=150)
    (tmp_path / "scratch").mkdir()
    report = stores_bench.run_in(sizes, tmp_path / "scratch", tmp_path)
    assert set(report["figures"]) == set(stores_bench.UNITS)
    assert set(report["budgets"]) == set(stores_bench.BUDGETS)
    assert all(value > 0 for value in report["figures"].values())
    assert "due_limit_100_ms" in stores_bench.table(report)


def test_the_due_database_is_built_once(stores_bench: Any, tmp_path: Path) -> None:
    path = tmp_path / "due.sqlite"
    stores_bench.build_due_database(path, 50)
    built = path.stat().st_mtime_ns
    stores_bench.build_due_database(path, 50)
    assert path.stat().st_mtime_ns == built
