"""``service-recovery cases list|show|tick|deliver --db FILE``."""

from __future__ import annotations

import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

import service_recovery as sr
from service_recovery._cli import main
from service_recovery.stores import SQLiteStore

from .scenarios import AGENT, CUSTOMER, T0


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "cases.sqlite"
    desk = sr.Desk(sr.Workflow(), SQLiteStore(path))
    desk.effects.after(sr.Acknowledge, name="reply")(lambda ctx: None)
    for case_id in ("case-1", "case-2"):
        desk.open(
            customer=CUSTOMER,
            channel=sr.Channel.SOCIAL,
            severity=sr.Severity.MAJOR,
            summary="Wrong jacket",
            at=T0,
            id=case_id,
        )
    desk.apply("case-2", sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=5)))
    desk.store.close()
    return str(path)


def test_list_prints_one_line_per_case(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "list", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in out] == [
        ["case-1", "reported", "v1"],
        ["case-2", "acknowledged", "v2"],
    ]
    assert main(["cases", "list", "--db", db, "--stage", "acknowledged"]) == 0
    assert capsys.readouterr().out.startswith("case-2\t")


def test_show_prints_the_history(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "show", "case-2", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "case-2: acknowledged, version 2, policy default@" in out
    assert "Acknowledge" in out


def test_show_of_an_unknown_case_says_so(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "show", "ghost", "--db", db]) == 2
    assert "no case 'ghost'" in capsys.readouterr().err


def test_tick_records_breaches_once(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = (T0 + timedelta(days=1)).isoformat()
    assert main(["cases", "tick", "--db", db, "--now", now]) == 0
    out = capsys.readouterr().out
    assert "case-1: breach recorded" in out
    assert main(["cases", "tick", "--db", db, "--now", now]) == 0
    assert capsys.readouterr().out == ""


def test_tick_refuses_a_time_without_a_zone(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "tick", "--db", db, "--now", "2026-03-03T09:00"]) == 2
    assert "no time zone" in capsys.readouterr().err


def test_deliver_runs_the_hosts_effects(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "host_effects.py").write_text(
        textwrap.dedent(
            """
            import service_recovery as sr

            def register(desk):
                desk.effects.after(sr.Acknowledge, name="reply")(lambda ctx: None)
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "host_effects", raising=False)
    assert main(["cases", "deliver", "--db", db, "--now", T0.isoformat()]) == 0
    assert "1 waiting in the outbox" in capsys.readouterr().err
    args = ["cases", "deliver", "--db", db, "--effects", "host_effects", "--now", T0.isoformat()]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "delivered case-2:2:reply" in captured.out
    assert "0 waiting in the outbox" in captured.err


def test_a_database_from_a_newer_release_is_refused_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite"
    store = SQLiteStore(path)
    store._connection.execute("UPDATE sr_schema SET version = 99")
    store.close()
    assert main(["cases", "list", "--db", str(path)]) == 2
    assert "upgrade service-recovery" in capsys.readouterr().err
