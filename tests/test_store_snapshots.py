"""The SQL stores' due list reads one snapshot, whatever another process commits meanwhile."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service_recovery._desk._store import Timing
from service_recovery.stores import PostgresStore, SQLiteStore
from service_recovery.stores._sql import SQLStore

from .scenarios import T0, open_case

NOW = T0.timestamp()


class _AfterFirstRead:
    """A cursor that runs *meanwhile* (once) right after its first ``fetchall``."""

    def __init__(self, cursor: Any, meanwhile: list[Callable[[], None]]) -> None:
        self._cursor = cursor
        self._meanwhile = meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def fetchall(self) -> list[Any]:
        rows = self._cursor.fetchall()
        while self._meanwhile:
            self._meanwhile.pop()()
        return list(rows)


def _interrupt_reads(store: SQLStore, meanwhile: list[Callable[[], None]]) -> None:
    inner = store._snapshot

    @contextlib.contextmanager
    def interrupted() -> Iterator[Any]:
        with inner() as cursor:
            yield _AfterFirstRead(cursor, meanwhile)

    store._snapshot = interrupted


def _sqlite_pair(tmp_path: Path, postgres: Callable[[], str]) -> tuple[SQLStore, SQLStore]:
    path = tmp_path / "cases.sqlite"
    return SQLiteStore(path), SQLiteStore(path)


def _postgres_pair(tmp_path: Path, postgres: Callable[[], str]) -> tuple[SQLStore, SQLStore]:
    conninfo = postgres()
    return PostgresStore(conninfo), PostgresStore(conninfo)


@pytest.fixture
def postgres_later(request: pytest.FixtureRequest) -> Callable[[], str]:
    """The conninfo of a fresh schema, asked for only by the PostgreSQL case."""
    return lambda: str(request.getfixturevalue("postgres"))


@pytest.mark.parametrize("make_pair", [_sqlite_pair, _postgres_pair], ids=["sqlite", "postgres"])
def test_a_case_moved_while_the_due_list_is_read_is_listed_once_as_it_stood(
    make_pair: Callable[..., tuple[SQLStore, SQLStore]],
    tmp_path: Path,
    postgres_later: Callable[[], str],
) -> None:
    reader, writer = make_pair(tmp_path, postgres_later)
    due, warned = open_case(id="case-1"), open_case(id="case-2")
    reader.add(due, timing=Timing(NOW - 20, NOW - 10, NOW - 10))
    reader.add(warned, timing=Timing(NOW - 5, NOW + 100, NOW + 100))
    # Between the two scans another process moves case-1 from "due" to "warned, due later".
    moved = Timing(NOW - 5, NOW + 50, NOW + 50)
    meanwhile = [lambda: writer.save(due, expected_version=due.version, timing=moved)]
    _interrupt_reads(reader, meanwhile)
    listed = [(item.case_id, item.due_at.timestamp()) for item in reader.due(NOW, NOW, None)]
    assert meanwhile == []  # the move did happen mid-read
    assert [("case-1", NOW - 10), ("case-2", NOW + 100)] == listed
    after = [(item.case_id, item.due_at.timestamp()) for item in reader.due(NOW, NOW, None)]
    assert [("case-1", NOW + 50), ("case-2", NOW + 100)] == after
    reader.close()  # type: ignore[attr-defined]
    writer.close()  # type: ignore[attr-defined]
