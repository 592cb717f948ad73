"""The demo walks the whole story through the public API."""

from __future__ import annotations

import io
from pathlib import Path

import service_recovery as sr
from service_recovery._cli import main
from service_recovery._demo import run_demo
from service_recovery.stores import SQLiteStore


class TestDemo:
    def test_ends_closed_after_follow_up(self) -> None:
        """The demo's case ends closed, followed up, and round-trips."""
        out = io.StringIO()
        case = run_demo(color="never", out=out)
        assert sr.Stage.CLOSED == case.stage
        assert case.followed_up
        assert sr.from_dict(sr.to_dict(case)) == case

    def test_shows_refusals_and_hooks(self) -> None:
        """The story shows a refused shortcut with its reason and the hooks firing."""
        out = io.StringIO()
        run_demo(color="never", out=out)
        text = out.getvalue()
        assert "refused: The customer has not finished venting" in text
        assert "hook: paging the duty supervisor" in text
        assert "Timeline" in text
        assert "first response due by 09:12" in text
        assert "first response: met at 08:31" in text
        assert "coach: Listen without interrupting" in text
        assert "playbook for wrong item:" in text
        assert "\033[" not in text

    def test_cli_runs_demo(self, capsys: object) -> None:
        """``service-recovery demo`` exits 0."""
        assert 0 == main(["demo", "--color", "never"])

    def test_keeps_the_case_in_sqlite_and_reads_it_back(self, tmp_path: Path) -> None:
        """The demo stores its case in an embedded SQLite file and shows it reloaded."""
        out = io.StringIO()
        path = tmp_path / "demo.sqlite"
        case = run_demo(color="never", out=out, db=path)
        assert "equal to the case in memory: True" in out.getvalue()
        with SQLiteStore(path) as store:
            assert store.load(case.id) == case

    def test_cli_demo_keeps_the_file_it_is_given(self, tmp_path: Path) -> None:
        """``service-recovery demo --db FILE`` leaves the case in FILE."""
        path = tmp_path / "kept.sqlite"
        assert 0 == main(["demo", "--color", "never", "--db", str(path)])
        with SQLiteStore(path) as store:
            assert [row.case_id for row in store.cases()] == ["CASE-2026-0415"]
