"""The shared store: PostgreSQL, through psycopg 3 and a connection pool.

psycopg is imported when a :class:`PostgresStore` is made, not when
:mod:`service_recovery.stores` is, so the library runs without the
``postgres`` extra until a host asks for this store.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .._errors import InvalidValue
from ._sql import Conflict, Cursor, Dialect, SQLStore

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

_UNIQUE_VIOLATION = "23505"
_INTEGRITY_CLASS = "23"
_KEYS: dict[str, Conflict] = {
    "sr_cases_pkey": "case",
    "sr_events_pkey": "version",
    "sr_events_command_id": "command_id",
}

_MIGRATION_LOCK = 0x5352_5343_4845_4D41  # "SRSCHEMA": one advisory lock key for every opener


def _postgres_conflict(error: BaseException) -> Conflict | None:
    # Read from the error's SQLSTATE, so this needs no import of psycopg.
    sqlstate = getattr(error, "sqlstate", None)
    if not isinstance(sqlstate, str) or not sqlstate.startswith(_INTEGRITY_CLASS):
        return None
    if sqlstate != _UNIQUE_VIOLATION:
        return "other"
    constraint = getattr(getattr(error, "diag", None), "constraint_name", None)
    return _KEYS.get(constraint, "other") if isinstance(constraint, str) else "other"


POSTGRES = Dialect(
    name="postgresql",
    placeholder="%s",
    begin_write=None,  # psycopg's transaction() begins it
    skip_locked=" FOR UPDATE SKIP LOCKED",
    real="DOUBLE PRECISION",
    table_options="",
    schema_lock=f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})",
    conflict=_postgres_conflict,
)
"""PostgreSQL's spelling of the shared SQL."""

_EXTRA_HINT = 'PostgresStore needs the postgres extra: pip install "service-recovery[postgres]"'


def _driver(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise ImportError(f"{_EXTRA_HINT} ({name} could not be imported: {err})") from err


class PostgresStore(SQLStore):
    """Cases in PostgreSQL, shared by every process and worker of a host.

    Made from a connection string, then used like any store (it needs a
    server, so this is not run here)::

        store = PostgresStore("postgresql://app@db.internal/helpdesk")
        desk = sr.Desk(sr.Workflow(), store)
        desk.apply("case-1", command)
        store.close()

    The same tables and behaviour as :class:`~service_recovery.stores.SQLiteStore`
    (the schema is created, and later migrated, by the store itself when it
    opens). Each call borrows a connection from a pool. A write is one
    transaction at PostgreSQL's default isolation (read committed): a save's
    ``UPDATE ... WHERE version = expected`` waits for a concurrent save of the
    same case and then finds the version moved on, so the loser gets
    :class:`~service_recovery.StaleCase` and writes nothing. Tick and deliver
    workers claim rows with ``FOR UPDATE SKIP LOCKED``, so they pass over
    each other's claims instead of waiting on them. A read runs without a
    transaction around it (one round trip to the server, not three): each of
    its statements sees everything committed before it, and a case's events
    are written with its row, so a load never sees half a write. The due
    list, two index scans, reads in one ``REPEATABLE READ`` transaction, so
    both see the same snapshot.

    Args:
        conninfo: a libpq connection string or URL (``"postgresql://user@host/db"``,
            ``"host=... dbname=..."``).
        min_size: connections the pool keeps open.
        max_size: the most connections the pool opens (at least *min_size*).
        timeout: seconds to wait for the server when opening, and for a free
            connection on each call.
        cache_size: how many recently used cases to keep in memory. A load
            then reads only the case's version, and the events after the
            cached one (those another process wrote): it stays fast however
            long the history. 0 reads every case whole.

    Raises:
        ImportError: psycopg or psycopg-pool is not installed (the ``postgres`` extra).
        InvalidValue: a bad argument.
        psycopg_pool.PoolTimeout: the server could not be reached within *timeout*.
        StoreSchemaUnsupported: the database was written by a newer release.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 30.0,
        cache_size: int = 10_000,
    ) -> None:
        if not isinstance(conninfo, str) or not conninfo.strip():
            raise InvalidValue(
                f"conninfo: expected a PostgreSQL connection string, got {conninfo!r}",
                field="conninfo",
            )
        for name, size in (("min_size", min_size), ("max_size", max_size)):
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise InvalidValue(f"{name}: expected a whole number >= 1, got {size!r}")
        if max_size < min_size:
            raise InvalidValue(f"max_size: {max_size} is below min_size {min_size}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise InvalidValue(f"timeout: expected seconds > 0, got {timeout!r}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise InvalidValue(f"cache_size: expected a whole number >= 0, got {cache_size!r}")
        psycopg = _driver("psycopg")
        pool_module = _driver("psycopg_pool")
        self._where = _describe(psycopg, conninfo)
        self._pool: ConnectionPool[Any] = pool_module.ConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            kwargs={"autocommit": True},  # transactions are explicit: one per store call
            open=False,
            name="service-recovery",
        )
        super().__init__(POSTGRES, self._transaction_of, self._snapshot_of, cache_size=cache_size)
        try:
            self._pool.open(wait=True, timeout=timeout)
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    @contextlib.contextmanager
    def _transaction_of(self, write: bool) -> Iterator[Cursor]:
        with self._pool.connection() as connection:
            if not write:  # each read statement sees every commit before it: no BEGIN, no COMMIT
                with connection.cursor() as cursor:
                    yield cursor
                return
            # Pipelined: BEGIN goes with the first statement, COMMIT with the last, and the
            # server is waited for only where a result is read (an error surfaces there, or
            # at the end, and rolls the whole transaction back).
            with connection.pipeline() as pipeline, connection.transaction():
                yield _PipelinedCursor(connection, pipeline)

    @contextlib.contextmanager
    def _snapshot_of(self) -> Iterator[Cursor]:
        # Read committed gives each statement a snapshot of its own; repeatable read
        # keeps the first one for the whole transaction.
        with self._pool.connection() as connection, connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield cursor
            except BaseException:
                connection.rollback()
                raise
            else:
                cursor.execute("COMMIT")

    def close(self) -> None:
        """Close the pool's connections; the store cannot be used after."""
        self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PostgresStore {self._where}>"


def _describe(psycopg: ModuleType, conninfo: str) -> str:
    """Where *conninfo* points, without its password (for ``repr``)."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as err:
        raise InvalidValue(
            f"conninfo: not a PostgreSQL connection string ({err})", field="conninfo"
        ) from None
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return repr(f"{host}{port}/{parts.get('dbname') or ''}")


class _PipelinedCursor:
    """Statements sent down a pipeline; reading a result waits for those sent before it.

    Each statement runs on a cursor of its own, so a result read is always the
    last statement's, however many are still in flight.
    """

    __slots__ = ("_connection", "_cursor", "_pipeline")

    def __init__(self, connection: Any, pipeline: Any) -> None:
        self._connection = connection
        self._pipeline = pipeline
        self._cursor: Any = None

    def _result(self) -> Any:
        self._pipeline.sync()
        return self._cursor

    @property
    def rowcount(self) -> int:
        return int(self._result().rowcount)

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any:
        self._cursor = self._connection.cursor()
        return self._cursor.execute(sql, params)

    def executemany(self, sql: str, params: Sequence[Sequence[Any]], /) -> Any:
        self._cursor = self._connection.cursor()
        return self._cursor.executemany(sql, params)

    def fetchone(self) -> Any:
        return self._result().fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._result().fetchall())
