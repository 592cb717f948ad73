"""PostgresStore on a real server: the conformance suite, and what only PostgreSQL does."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import psycopg_pool
import pytest

import service_recovery as sr
from service_recovery.stores import SCHEMA_VERSION, EffectKey, PostgresStore
from service_recovery.stores._postgres import POSTGRES, _describe
from service_recovery.testing import StoreConformance

from .postgres import OPT_OUT, _opted_out
from .scenarios import walk_to


class TestPostgresStore(StoreConformance):
    """Every store's tests, each in a new schema on the session's server."""

    @pytest.fixture(autouse=True)
    def _schema(self, postgres: str) -> None:
        self.conninfo = postgres

    def make_store(self) -> PostgresStore:
        return PostgresStore(self.conninfo, max_size=4)


def _sql(conninfo: str, statement: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo) as connection:
        cursor = connection.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def test_a_new_schema_is_migrated_by_the_store(postgres: str) -> None:
    PostgresStore(postgres).close()
    tables = _sql(postgres, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    assert {"sr_schema", "sr_cases", "sr_events", "sr_outbox"} <= {row[0] for row in tables}
    assert _sql(postgres, "SELECT version FROM sr_schema") == [(SCHEMA_VERSION,)]
    indexes = _sql(postgres, "SELECT indexname FROM pg_indexes WHERE tablename = 'sr_cases'")
    assert {"sr_cases_next_due", "sr_cases_breach"} <= {row[0] for row in indexes}


def test_stores_opening_a_new_schema_at_once_migrate_it_once(postgres: str) -> None:
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            PostgresStore(postgres).close()
        except BaseException as err:  # reported below
            failures.append(err)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert _sql(postgres, "SELECT version FROM sr_schema") == [(SCHEMA_VERSION,)]


def test_a_schema_from_a_newer_release_refuses_to_open_and_is_untouched(postgres: str) -> None:
    PostgresStore(postgres).close()
    _sql(postgres, "UPDATE sr_schema SET version = %s", SCHEMA_VERSION + 1)
    with pytest.raises(sr.StoreSchemaUnsupported, match="upgrade service-recovery") as caught:
        PostgresStore(postgres)
    assert caught.value.found == SCHEMA_VERSION + 1
    assert _sql(postgres, "SELECT version FROM sr_schema") == [(SCHEMA_VERSION + 1,)]


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE sr_events SET data = '{not json' WHERE version = 3", "version=3): not JSON"),
        (
            'UPDATE sr_events SET data = replace(data, \'"type":"\', \'"type":"Loud\')'
            " WHERE version = 4",
            "unknown command 'Loud",
        ),
        ("DELETE FROM sr_events WHERE version = 2", "the history has a gap"),
        ("UPDATE sr_events SET data = '[1, 2]' WHERE version = 5", "expected a mapping"),
    ],
)
def test_a_corrupted_row_is_refused_naming_it(postgres: str, statement: str, named: str) -> None:
    store = PostgresStore(postgres, cache_size=0)  # every load reads the rows
    case = walk_to(sr.Stage.DIAGNOSED)
    store.add(case)
    _sql(postgres, statement)
    with pytest.raises(sr.StoreCorrupted, match="case-1") as caught:
        store.load(case.id)
    assert any(named in problem for problem in caught.value.problems), caught.value.problems
    store.close()


def test_an_unknown_stage_in_a_case_row_is_refused(postgres: str) -> None:
    store = PostgresStore(postgres)
    store.add(walk_to(sr.Stage.LISTENING))
    _sql(postgres, "UPDATE sr_cases SET stage = 'limbo'")
    with pytest.raises(sr.StoreCorrupted, match="unknown stage 'limbo'"):
        store.summary("case-1")
    store.close()


def test_a_cached_case_catches_up_with_another_process_writes(postgres: str) -> None:
    mine, theirs = PostgresStore(postgres), PostgresStore(postgres)
    case = walk_to(sr.Stage.LISTENING)
    mine.add(case)
    grown = walk_to(sr.Stage.CLOSED, case=theirs.load(case.id))
    theirs.save(grown, expected_version=case.version)
    assert mine.load(case.id) == grown
    mine.close()
    theirs.close()


def test_a_refused_save_leaves_no_row_behind(postgres: str) -> None:
    store = PostgresStore(postgres)
    case = walk_to(sr.Stage.LISTENING)
    store.add(case)
    grown = walk_to(sr.Stage.APOLOGIZED, case=case)
    store.save(grown, expected_version=case.version)
    rival = walk_to(sr.Stage.UNDERSTOOD, case=case)
    with pytest.raises(sr.StaleCase):
        store.save(rival, expected_version=case.version, effects=[EffectKey("case-1", 9, "x")])
    assert _sql(postgres, "SELECT COUNT(*) FROM sr_events") == [(grown.version,)]
    assert _sql(postgres, "SELECT COUNT(*) FROM sr_outbox") == [(0,)]
    assert store.load(case.id) == grown
    store.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"conninfo": 5}, "conninfo: expected a PostgreSQL connection string"),
        ({"conninfo": "  "}, "conninfo: expected a PostgreSQL connection string"),
        ({"conninfo": "host=a = b"}, "conninfo: not a PostgreSQL connection string"),
        ({"min_size": 0}, "min_size: expected a whole number >= 1"),
        ({"max_size": True}, "max_size: expected a whole number >= 1"),
        ({"min_size": 3, "max_size": 2}, "max_size: 2 is below min_size 3"),
        ({"timeout": 0}, "timeout: expected seconds > 0"),
        ({"cache_size": -1}, "cache_size: expected a whole number >= 0"),
    ],
)
def test_bad_arguments_are_refused(postgres: str, arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(sr.InvalidValue, match=message):
        PostgresStore(**({"conninfo": postgres} | arguments))


def test_a_server_that_does_not_answer_is_reported_within_the_timeout(tmp_path: Path) -> None:
    nowhere = f"host={tmp_path} port=1 dbname=none connect_timeout=1"
    with pytest.raises(psycopg_pool.PoolTimeout):
        PostgresStore(nowhere, timeout=1.0)


def test_without_the_extra_the_store_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg_pool", None)  # as if never installed
    with pytest.raises(ImportError, match=r'pip install "service-recovery\[postgres\]"'):
        PostgresStore("postgresql://app@db.internal/helpdesk")


def test_the_store_names_its_server_but_not_the_password() -> None:
    store = object.__new__(PostgresStore)
    store._where = _describe(psycopg, "postgresql://app:s3cret@db.internal:5433/helpdesk")
    assert repr(store) == "<PostgresStore 'db.internal:5433/helpdesk'>"
    assert "s3cret" not in repr(store)


def test_the_postgres_dialect_names_each_broken_key(postgres: str) -> None:
    store = PostgresStore(postgres)
    case = walk_to(sr.Stage.LISTENING)
    store.add(case)
    conflicts = []
    for statement, params in [
        ("INSERT INTO sr_cases (case_id, version, stage) VALUES (%s, 1, 'reported')", ("case-1",)),
        (
            "INSERT INTO sr_events (case_id, version, kind, data) VALUES (%s, 1, 'x', '{}')",
            ("case-1",),
        ),
        (
            "INSERT INTO sr_events (case_id, version, kind, command_id, data)"
            " VALUES ('z', 1, 'x', 'dup', '{}'), ('z', 2, 'x', 'dup', '{}')",
            (),
        ),
        ("INSERT INTO sr_cases (case_id, version) VALUES ('n', 1)", ()),
    ]:
        with pytest.raises(psycopg.IntegrityError) as caught:
            _sql(postgres, statement, *params)
        conflicts.append(POSTGRES.conflict(caught.value))
    assert conflicts == ["case", "version", "command_id", "other"]
    assert POSTGRES.conflict(ValueError("not a database error")) is None
    store.close()


@pytest.mark.parametrize(
    ("environment", "skips"),
    [({}, False), ({OPT_OUT: "1"}, True), ({OPT_OUT: "1", "CI": "true"}, False)],
)
def test_a_server_failure_skips_only_when_opted_out_outside_ci(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], skips: bool
) -> None:
    for name in (OPT_OUT, "CI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert _opted_out() is skips


class _Interrupting:
    """A cursor that lets *interrupt* run (once) just before its first ``fetchone``."""

    def __init__(self, cursor: Any, interrupt: list[Callable[[], None]]) -> None:
        self._cursor = cursor
        self._interrupt = interrupt

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def fetchone(self) -> Any:
        while self._interrupt:
            self._interrupt.pop()()
        return self._cursor.fetchone()


def test_a_case_evicted_by_another_thread_mid_load_still_loads(postgres: str) -> None:
    # One store is shared by a process's threads; its case cache must bear that.
    store = PostgresStore(postgres, cache_size=1, max_size=2)
    first = walk_to(sr.Stage.LISTENING)
    second = sr.Workflow().open(
        customer=first.customer,
        channel=first.channel,
        severity=first.severity,
        summary=first.summary,
        at=first.opened_at,
        id="case-2",
    )
    store.add(first)
    store.add(second)
    assert store.load(first.id) == first  # the one case the cache holds
    evict = threading.Thread(target=store.load, args=(second.id,))

    def evict_now() -> None:
        evict.start()
        evict.join()

    interrupt = [evict_now]
    inner = store._transaction

    @contextlib.contextmanager
    def meanwhile(write: bool) -> Iterator[Any]:
        with inner(write) as cursor:
            yield _Interrupting(cursor, interrupt)

    store._transaction = meanwhile
    assert store.load(first.id) == first  # while it read, another thread evicted it
    assert interrupt == []
    store.close()


def test_a_write_reads_the_result_of_its_last_statement(postgres: str) -> None:
    # Writes are pipelined: results of earlier statements may still be in flight.
    store = PostgresStore(postgres)
    for _ in range(20):
        with store._transaction(True) as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(1)")
            cursor.execute("SELECT 'second'")
            assert cursor.fetchall() == [("second",)]
            cursor.execute("SELECT 'third'")
            assert cursor.fetchone() == ("third",)
            cursor.execute("UPDATE sr_schema SET version = version")
            assert cursor.rowcount == 1
    store.close()


def test_a_migrated_schema_opens_again_and_again(postgres: str) -> None:
    for _ in range(10):
        with PostgresStore(postgres) as store:
            assert store.schema_version() == SCHEMA_VERSION


def test_a_store_waiting_for_the_migration_lock_opens_once_it_is_free(postgres: str) -> None:
    PostgresStore(postgres).close()
    opened: list[object] = []
    with psycopg.connect(postgres) as holder:
        holder.execute(POSTGRES.schema_lock or "")  # another opener is migrating
        opener = threading.Thread(target=lambda: opened.append(_open_or_error(postgres)))
        opener.start()
        opener.join(timeout=1.0)
        assert opener.is_alive()  # it waits for the lock
    opener.join(timeout=60)
    assert opened == [SCHEMA_VERSION]


def _open_or_error(conninfo: str) -> object:
    try:
        with PostgresStore(conninfo) as store:
            return store.schema_version()
    except sr.RecoveryError as err:
        return err
