"""The embedded store: SQLite, from the standard library."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from .._errors import InvalidValue, StoreSchemaUnsupported
from ._sql import SCHEMA_VERSION, Conflict, Cursor, Dialect, SQLStore


def _sqlite_conflict(error: BaseException) -> Conflict | None:
    if not isinstance(error, sqlite3.IntegrityError):
        return None
    message = str(error)
    if "sr_cases.case_id" in message:
        return "case"
    if "sr_events.command_id" in message:
        return "command_id"
    if "sr_events.version" in message:
        return "version"
    return "other"


SQLITE = Dialect(
    name="sqlite",
    placeholder="?",
    begin_write="BEGIN IMMEDIATE",
    skip_locked="",  # BEGIN IMMEDIATE holds the one write lock: claims are serialised
    real="REAL",
    table_options=" WITHOUT ROWID",
    schema_lock=None,
    conflict=_sqlite_conflict,
    narrow_updates=True,
)
"""SQLite's spelling of the shared SQL."""

_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


class SQLiteStore(SQLStore):
    """Cases in one SQLite file (or in memory): the embedded default.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> from service_recovery.stores import SQLiteStore
    >>> store = SQLiteStore(":memory:")
    >>> case = sr.Workflow().open(
    ...     customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL, severity=sr.Severity.MINOR,
    ...     summary="Late parcel", at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc), id="case-1")
    >>> store.add(case)
    >>> store.load("case-1") == case
    True

    A file is opened in WAL mode (readers never wait for the writer), with
    ``synchronous=FULL`` so a committed event survives a power cut; one
    connection per store, shared by its threads under a lock. Several
    processes may open the same file: writes take SQLite's write lock
    (``BEGIN IMMEDIATE``) and wait up to *busy_timeout* seconds for it.

    Args:
        path: the database file, or ``":memory:"`` (a private database, for tests).
        busy_timeout: seconds a write waits for another process's lock.
        synchronous: SQLite's ``synchronous`` setting (``"FULL"``, ``"NORMAL"``...);
            ``"NORMAL"`` in WAL mode survives a process crash but may lose the
            last commits on a power cut.
        cache_size: how many recently used cases to keep in memory. A load
            then reads only the case's version, and the events after the
            cached one (none, unless another process wrote): it stays fast
            however long the history. 0 reads every case whole.

    Raises:
        StoreSchemaUnsupported: the file was written by a newer release, or is
            not a database at all.
        InvalidValue: a bad argument.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 30.0,
        synchronous: str = "FULL",
        cache_size: int = 10_000,
    ) -> None:
        if not isinstance(path, str | os.PathLike):
            raise InvalidValue(f"path: expected a file path, got {path!r}", field="path")
        if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, int | float):
            raise InvalidValue(f"busy_timeout: expected seconds, got {busy_timeout!r}")
        if busy_timeout < 0:
            raise InvalidValue(f"busy_timeout: expected seconds >= 0, got {busy_timeout!r}")
        if not isinstance(synchronous, str) or synchronous.upper() not in _SYNCHRONOUS:
            raise InvalidValue(
                f"synchronous: expected one of {', '.join(_SYNCHRONOUS)}, got {synchronous!r}"
            )
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise InvalidValue(f"cache_size: expected a whole number >= 0, got {cache_size!r}")
        super().__init__(SQLITE, self._transaction_of, self._snapshot_of, cache_size=cache_size)
        try:
            self._configure(busy_timeout, synchronous.upper())
            self._migrate()
        except sqlite3.DatabaseError as err:
            self._connection.close()
            raise StoreSchemaUnsupported(f"not a SQLite store ({err})", SCHEMA_VERSION) from None
        except BaseException:
            self._connection.close()
            raise

    def _configure(self, busy_timeout: float, synchronous: str) -> None:
        execute = self._connection.execute
        execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if self.path != ":memory:" and not self.path.startswith("file::memory:"):
            execute("PRAGMA journal_mode = WAL")
        execute(f"PRAGMA synchronous = {synchronous}")

    @contextlib.contextmanager
    def _transaction_of(self, write: bool) -> Iterator[Cursor]:
        with self._lock:
            cursor = self._connection.cursor()
            if not write:
                # Each read statement is its own transaction (two fewer statements per
                # call, as on PostgreSQL): events are only ever appended, with their
                # case row, so no statement sees half a write.
                try:
                    yield cursor
                finally:
                    cursor.close()
                return
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                self._connection.rollback()
                raise
            else:
                cursor.execute("COMMIT")
            finally:
                cursor.close()

    @contextlib.contextmanager
    def _snapshot_of(self) -> Iterator[Cursor]:
        # In WAL mode a read transaction keeps the snapshot of its first read,
        # whatever commits meanwhile.
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN")
            try:
                yield cursor
            finally:
                try:
                    cursor.execute("COMMIT")
                finally:
                    cursor.close()

    def close(self) -> None:
        """Close the connection; the store cannot be used after."""
        with self._lock:
            self._connection.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        name = self.path if self.path == ":memory:" else Path(self.path).name
        return f"<SQLiteStore {name!r}>"
