"""SQLiteStore beyond the conformance suite: the file, its schema, and damaged data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._desk._store import Timing
from service_recovery._model._case import fold
from service_recovery.stores import SCHEMA_VERSION, SQLiteStore
from service_recovery.testing import cases

from .scenarios import walk_to

_MOMENTS = st.sampled_from([None, 1.0e9, 1.5e9, 1.75e9])
_TIMINGS = st.builds(Timing, _MOMENTS, _MOMENTS, _MOMENTS)


def test_a_file_store_keeps_cases_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    case = walk_to(sr.Stage.CLOSED)
    with SQLiteStore(path) as store:
        store.add(case)
    with SQLiteStore(path) as store:
        assert store.load(case.id) == case
        assert store.schema_version() == SCHEMA_VERSION


def test_a_file_store_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    with SQLiteStore(path, busy_timeout=7):
        pass
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    store = SQLiteStore(path, busy_timeout=7)
    assert store._connection.execute("PRAGMA busy_timeout").fetchone()[0] == 7000
    assert store._connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()


def test_a_new_database_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    SQLiteStore(path).close()
    connection = sqlite3.connect(path)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"sr_schema", "sr_cases", "sr_events", "sr_outbox"} <= tables
    assert connection.execute("SELECT version FROM sr_schema").fetchall() == [(SCHEMA_VERSION,)]
    connection.close()


def test_a_database_from_a_newer_release_refuses_to_open_and_is_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cases.sqlite"
    SQLiteStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE sr_schema SET version = ?", (SCHEMA_VERSION + 1,))
    connection.commit()
    connection.close()
    with pytest.raises(sr.StoreSchemaUnsupported, match="upgrade service-recovery") as caught:
        SQLiteStore(path)
    assert caught.value.found == SCHEMA_VERSION + 1
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT version FROM sr_schema").fetchone() == (SCHEMA_VERSION + 1,)
    connection.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list: milk, eggs\n" * 100)
    with pytest.raises(sr.StoreSchemaUnsupported, match="not a SQLite store"):
        SQLiteStore(path)


def test_a_garbled_version_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    SQLiteStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE sr_schema SET version = 'soon'")
    connection.commit()
    connection.close()
    with pytest.raises(sr.StoreSchemaUnsupported):
        SQLiteStore(path)


def _tamper(store: SQLiteStore, sql: str, *params: object) -> None:
    store._connection.execute(sql, params)


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE sr_events SET data = '{not json' WHERE version = 3", "version=3): not JSON"),
        (
            'UPDATE sr_events SET data = replace(data, \'"type":"\', \'"type":"Loud\')'
            " WHERE version = 4",
            "unknown command 'Loud",
        ),
        ("DELETE FROM sr_events WHERE version = 2", "the history has a gap"),
        ("UPDATE sr_events SET data = X'0102' WHERE version = 5", "version=5): data is not text"),
        ("UPDATE sr_events SET data = '[1, 2]' WHERE version = 5", "expected a mapping"),
        (
            "UPDATE sr_events SET data = replace(data, '2026-03-02T09:0', '2020-03-02T09:0')"
            " WHERE version = 6",
            "is before the previous event",
        ),
    ],
)
def test_a_corrupted_row_is_refused_naming_it(sql: str, named: str) -> None:
    store = SQLiteStore(":memory:", cache_size=0)  # every load reads the rows
    case = walk_to(sr.Stage.DIAGNOSED)
    store.add(case)
    _tamper(store, sql)
    with pytest.raises(sr.StoreCorrupted, match="case-1") as caught:
        store.load(case.id)
    assert any(named in problem for problem in caught.value.problems), caught.value.problems


def test_a_row_damaged_behind_a_cached_case_is_refused_on_the_next_events(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cases.sqlite"
    store = SQLiteStore(path)
    case = walk_to(sr.Stage.LISTENING)
    store.add(case)
    assert store.load(case.id) == case  # cached now
    other = SQLiteStore(path)
    grown = walk_to(sr.Stage.APOLOGIZED, case=case)
    other.save(grown, expected_version=case.version)
    _tamper(other, "UPDATE sr_events SET data = '{' WHERE version = ?", case.version + 1)
    with pytest.raises(sr.StoreCorrupted, match=f"version={case.version + 1}"):
        store.load(case.id)


def test_a_cached_case_catches_up_with_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    mine, theirs = SQLiteStore(path), SQLiteStore(path)
    case = walk_to(sr.Stage.LISTENING)
    mine.add(case)
    grown = walk_to(sr.Stage.CLOSED, case=theirs.load(case.id))
    theirs.save(grown, expected_version=case.version)
    assert mine.load(case.id) == grown
    assert mine.load(case.id, version=case.version) == case


def test_bad_cache_sizes_are_refused() -> None:
    with pytest.raises(sr.InvalidValue, match="cache_size"):
        SQLiteStore(":memory:", cache_size=-1)


def test_an_unknown_stage_in_a_case_row_is_refused() -> None:
    store = SQLiteStore(":memory:")
    store.add(walk_to(sr.Stage.LISTENING))
    _tamper(store, "UPDATE sr_cases SET stage = 'limbo'")
    with pytest.raises(sr.StoreCorrupted, match="unknown stage 'limbo'"):
        store.summary("case-1")


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(sr.InvalidValue, match="synchronous"):
        SQLiteStore(tmp_path / "a.sqlite", synchronous="SOMETIMES")
    with pytest.raises(sr.InvalidValue, match="busy_timeout"):
        SQLiteStore(tmp_path / "a.sqlite", busy_timeout=-1)
    with pytest.raises(sr.InvalidValue, match="path"):
        SQLiteStore(42)  # type: ignore[arg-type]


def test_the_store_names_its_file() -> None:
    assert repr(SQLiteStore(":memory:")) == "<SQLiteStore ':memory:'>"


@given(cases(max_steps=8), st.data())
def test_each_save_leaves_the_case_row_as_a_full_write_would(
    case: sr.Case, data: st.DataObject
) -> None:
    """Only the changed columns are written, yet the row always says the whole truth."""
    store = SQLiteStore(":memory:")
    first = fold(case.history[:1])
    store.add(first, timing=data.draw(_TIMINGS))
    for version in range(2, case.version + 1):
        timing = data.draw(_TIMINGS)
        claimed = data.draw(st.booleans())
        if claimed:  # a tick worker holds it: any save releases it
            _tamper(store, "UPDATE sr_cases SET claimed_until = 1e12")
        grown = fold(case.history[:version])
        store.save(grown, expected_version=version - 1, timing=timing)
        row = store._connection.execute(
            "SELECT version, stage, attention_at, next_due_at, breach_at, claimed_until"
            " FROM sr_cases"
        ).fetchall()
        expected = (version, grown.stage.value, timing.attention_at, timing.next_due_at)
        assert [(*expected, timing.breach_at, None)] == row


def test_a_stale_save_through_the_narrow_update_writes_nothing() -> None:
    store = SQLiteStore(":memory:")
    case = walk_to(sr.Stage.LISTENING)
    store.add(fold(case.history[:2]))
    before = store._connection.execute("SELECT * FROM sr_cases").fetchall()
    with pytest.raises(sr.StaleCase):
        store.save(case, expected_version=1, timing=Timing(1.0, 2.0, 3.0))
    assert before == store._connection.execute("SELECT * FROM sr_cases").fetchall()
    assert store._connection.execute("SELECT COUNT(*) FROM sr_events").fetchone() == (2,)
