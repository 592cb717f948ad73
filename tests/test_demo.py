"""The demo walks the whole story through the public API."""

from __future__ import annotations

import io

import service_recovery as sr
from service_recovery._cli import main
from service_recovery._demo import run_demo


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
