"""The SQL every relational store shares: the schema, its migrations, and each query.

A backend (SQLite, PostgreSQL) supplies a :class:`Dialect` (how its SQL
differs: placeholders, how a write transaction starts, how a claim skips
rows another worker holds, column types), a transaction (a context manager
yielding a DB-API cursor that commits on exit and rolls back on an error; a
read runs each statement on its own) and a snapshot (a read whose statements
all see the database as it stood at the first). Everything else lives here,
once.

The tables (``sr_`` prefixed, so they sit beside a host's own):

``sr_schema``
    one row: the schema version the database is at.
``sr_cases``
    one row per case: stage, version, policy identity, and its timers
    (attention, next due, breach; POSIX timestamps, indexed) plus the claim
    a tick worker holds on it.
``sr_events``
    one row per event, primary key (case_id, version): the optimistic
    concurrency check. A unique index on (case_id, command_id) makes
    re-delivered commands no-ops across processes.
``sr_outbox``
    one row per durable effect waiting for delivery, primary key
    (case_id, version, effect): the key a delivery carries.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

import attrs

from .._desk._store import (
    NO_TIMING,
    CaseSummary,
    DueCase,
    EffectKey,
    PendingEffect,
    Timing,
    moment,
)
from .._errors import (
    CaseExists,
    CaseNotFound,
    IdempotencyConflict,
    StaleCase,
    StoreCorrupted,
    StoreSchemaUnsupported,
)
from .._model._case import Case, fold
from .._model._stages import Stage
from ._checks import require_case, require_id, require_limit, require_version, timing_row
from ._codec import event_rows, extend_case, policy_of, read_case

SCHEMA_VERSION = 1
"""The newest schema of the SQL stores; a database at a later one refuses to open."""


class Cursor(Protocol):
    """The part of a DB-API cursor the stores use (sqlite3 and psycopg both have it)."""

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed."""
        ...

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any:
        """Run one statement."""
        ...

    def executemany(self, sql: str, params: Sequence[Sequence[Any]], /) -> Any:
        """Run one statement once per parameter row."""
        ...

    def fetchone(self) -> Any:
        """The next row, or ``None``."""
        ...

    def fetchall(self) -> list[Any]:
        """The remaining rows."""
        ...


Conflict = str
"""Which key a refused insert broke: ``"case"``, ``"version"``, ``"command_id"`` or ``"other"``."""


@attrs.frozen
class Dialect:
    """How one database's SQL differs from the shared text (written with ``?`` placeholders).

    Attributes:
        name: the backend, for messages.
        placeholder: the parameter marker (``"?"`` or ``"%s"``).
        begin_write: the statement that starts a write transaction and takes
            the write lock early (SQLite ``BEGIN IMMEDIATE``), or ``None`` when
            the driver starts transactions itself.
        skip_locked: appended to a claim's ``SELECT`` so concurrent claimers
            pass over rows another holds (PostgreSQL ``FOR UPDATE SKIP
            LOCKED``); empty where the write lock already serialises claims.
        real: the column type of a timestamp.
        table_options: appended to ``CREATE TABLE`` of the keyed tables.
        schema_lock: a statement run first when migrating, so concurrent
            openers migrate one at a time (or ``None``).
        conflict: which key a driver's integrity error broke, or ``None``
            when the error is not a broken key.
        narrow_updates: a save rewrites only the case-row columns whose value
            changes. SQLite maintains every index on a column a ``SET`` names,
            even to the value it had: writing the stage and the three timers
            on every command cost more than the event's own insert.
            PostgreSQL skips unchanged indexes by value (HOT updates), so one
            ``UPDATE`` of every column is its fewer round trips.
    """

    name: str
    placeholder: str
    begin_write: str | None
    skip_locked: str
    real: str
    table_options: str
    schema_lock: str | None
    conflict: Callable[[BaseException], Conflict | None]
    narrow_updates: bool = False

    def adapt(self, sql: str) -> str:
        """*sql* with this dialect's placeholders and spellings."""
        text = sql.format(real=self.real, table_options=self.table_options)
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)


MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE sr_cases (
            case_id TEXT NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL,
            stage TEXT NOT NULL,
            policy TEXT,
            attention_at {real},
            next_due_at {real},
            breach_at {real},
            claimed_until {real}
        ){table_options}""",
        "CREATE INDEX sr_cases_next_due ON sr_cases (next_due_at, case_id)"
        " WHERE next_due_at IS NOT NULL",
        "CREATE INDEX sr_cases_attention ON sr_cases (attention_at, case_id)"
        " WHERE attention_at IS NOT NULL",
        "CREATE INDEX sr_cases_breach ON sr_cases (breach_at) WHERE breach_at IS NOT NULL",
        "CREATE INDEX sr_cases_stage ON sr_cases (stage, case_id)",
        """CREATE TABLE sr_events (
            case_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            command_id TEXT,
            data TEXT NOT NULL,
            PRIMARY KEY (case_id, version)
        ){table_options}""",
        "CREATE UNIQUE INDEX sr_events_command_id ON sr_events (case_id, command_id)"
        " WHERE command_id IS NOT NULL",
        """CREATE TABLE sr_outbox (
            case_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            effect TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at {real} NOT NULL,
            claimed_until {real},
            last_error TEXT,
            PRIMARY KEY (case_id, version, effect)
        ){table_options}""",
        "CREATE INDEX sr_outbox_next ON sr_outbox (next_attempt_at)",
    ),
}
"""The statements that take the schema from one version to the next, by target version.

A new release appends a version here; a store applies what its database lacks
when it opens, in one transaction per version.
"""


_QUERIES = {
    "schema_table": "CREATE TABLE IF NOT EXISTS sr_schema (version INTEGER NOT NULL)",
    "schema_read": "SELECT version FROM sr_schema",
    "schema_first": "INSERT INTO sr_schema (version) VALUES (?)",
    "schema_write": "UPDATE sr_schema SET version = ?",
    "case_insert": "INSERT INTO sr_cases"
    " (case_id, version, stage, policy, attention_at, next_due_at, breach_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)",
    "case_update": "UPDATE sr_cases SET version = ?, stage = ?, attention_at = ?,"
    " next_due_at = ?, breach_at = ?, claimed_until = NULL WHERE case_id = ? AND version = ?",
    "case_version": "SELECT version FROM sr_cases WHERE case_id = ?",
    "case_row": "SELECT version, stage, attention_at, next_due_at, breach_at FROM sr_cases"
    " WHERE case_id = ?",
    "case_summary": "SELECT case_id, stage, version, policy, next_due_at FROM sr_cases"
    " WHERE case_id = ?",
    "cases_all": "SELECT case_id, stage, version, policy, next_due_at FROM sr_cases"
    " ORDER BY case_id LIMIT ?",
    "cases_at": "SELECT case_id, stage, version, policy, next_due_at FROM sr_cases"
    " WHERE stage = ? ORDER BY case_id LIMIT ?",
    "events_insert": "INSERT INTO sr_events (case_id, version, kind, command_id, data)"
    " VALUES (?, ?, ?, ?, ?)",
    "events_read": "SELECT version, data FROM sr_events WHERE case_id = ? ORDER BY version",
    "events_after": "SELECT version, data FROM sr_events WHERE case_id = ? AND version > ?"
    " ORDER BY version",
    "events_upto": "SELECT version, data FROM sr_events WHERE case_id = ? AND version <= ?"
    " ORDER BY version",
    "due_by_time": "SELECT case_id, next_due_at, attention_at FROM sr_cases"
    " WHERE next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at, case_id LIMIT ?",
    "due_by_warning": "SELECT case_id, next_due_at, attention_at FROM sr_cases"
    " WHERE attention_at IS NOT NULL AND attention_at <= ? AND next_due_at > ?",
    "breach_claim": "SELECT case_id FROM sr_cases WHERE breach_at IS NOT NULL AND breach_at <= ?"
    " AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY breach_at LIMIT ?",
    "breach_hold": "UPDATE sr_cases SET claimed_until = ? WHERE case_id = ?",
    "outbox_insert": "INSERT INTO sr_outbox (case_id, version, effect, next_attempt_at)"
    " VALUES (?, ?, ?, ?)",
    "outbox_claim": "SELECT case_id, version, effect, attempts, last_error FROM sr_outbox"
    " WHERE next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)"
    " AND effect IN ({names}) ORDER BY next_attempt_at, case_id, version, effect LIMIT ?",
    "outbox_hold": "UPDATE sr_outbox SET claimed_until = ?"
    " WHERE case_id = ? AND version = ? AND effect = ?",
    "outbox_done": "DELETE FROM sr_outbox WHERE case_id = ? AND version = ? AND effect = ?",
    "outbox_failed": "UPDATE sr_outbox SET attempts = attempts + 1, last_error = ?,"
    " next_attempt_at = ?, claimed_until = NULL WHERE case_id = ? AND version = ? AND effect = ?",
    "outbox_count": "SELECT COUNT(*) FROM sr_outbox",
}


_CASE_COLUMNS = ("stage", "attention_at", "next_due_at", "breach_at")
CaseColumns = tuple[str, float | None, float | None, float | None]
"""What a save writes of the case row besides its version: the stage and the three timers."""

Transaction = Callable[[bool], contextlib.AbstractContextManager[Cursor]]
"""``transaction(write)``: a cursor inside one transaction, committed on a clean exit.

A read (``write=False``) may run each statement on its own: reads that need
several statements to agree use a :data:`Snapshot`.
"""

Snapshot = Callable[[], contextlib.AbstractContextManager[Cursor]]
"""``snapshot()``: a cursor whose statements all read one consistent state of the database."""


class SQLStore:
    """A store on a relational database: every query of the Store protocol, once.

    Subclasses give the :class:`Dialect`, a transaction and a snapshot (see
    the module docstring); then call ``_migrate`` once their connection is ready.
    """

    dialect: Dialect
    _transaction: Transaction
    _snapshot: Snapshot

    def __init__(
        self,
        dialect: Dialect,
        transaction: Transaction,
        snapshot: Snapshot,
        *,
        cache_size: int = 10_000,
    ) -> None:
        self.dialect = dialect
        self._transaction = transaction
        self._snapshot = snapshot
        self.cache_size = cache_size
        # The latest stored state of recently used cases. Cases are values and a stored
        # history only grows, so a cached case is brought up to date by the events after it.
        self._cache: OrderedDict[str, Case] = OrderedDict()
        self._cache_lock = threading.Lock()  # a store is shared by its process's threads
        self._sql = {
            name: dialect.adapt(text) for name, text in _QUERIES.items() if "{names}" not in text
        }
        # The narrow case-row updates, by which columns change (16 at most), made when needed.
        self._narrow: dict[tuple[int, ...], str] = {}

    # -- schema ----------------------------------------------------------------

    def _migrate(self) -> int:
        """Bring the schema to :data:`SCHEMA_VERSION`; return the version found.

        Raises:
            StoreSchemaUnsupported: the database is at a later version, or its
                version row is not one; nothing is changed.
        """
        sql = self._sql
        with self._transaction(True) as cursor:
            if self.dialect.schema_lock is not None:
                cursor.execute(self.dialect.schema_lock)
            cursor.execute(sql["schema_table"])
            cursor.execute(sql["schema_read"])
            rows = cursor.fetchall()
            if not rows:
                found = 0
                cursor.execute(sql["schema_first"], (0,))
            elif len(rows) == 1 and type(rows[0][0]) is int and rows[0][0] >= 0:
                found = rows[0][0]
            else:
                raise StoreSchemaUnsupported([row[0] for row in rows], SCHEMA_VERSION)
            if found > SCHEMA_VERSION:
                raise StoreSchemaUnsupported(found, SCHEMA_VERSION)
            for target in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    cursor.execute(self.dialect.adapt(statement))
                cursor.execute(sql["schema_write"], (target,))
        return found

    def schema_version(self) -> int:
        """The schema version of the database (after this store migrated it)."""
        with self._transaction(False) as cursor:
            cursor.execute(self._sql["schema_read"])
            row = cursor.fetchone()
        return int(row[0])

    # -- cases -----------------------------------------------------------------

    def add(
        self, case: Case, *, timing: Timing = NO_TIMING, effects: Sequence[EffectKey] = ()
    ) -> None:
        """Store a new case with its whole history, its timing and its effects at once.

        Raises:
            CaseExists: the id is taken; nothing is written.
        """
        require_case(case)
        rows = event_rows(case, 0)
        try:
            with self._transaction(True) as cursor:
                cursor.execute(
                    self._sql["case_insert"],
                    (case.id, case.version, case.stage.value, policy_of(case), *timing_row(timing)),
                )
                cursor.executemany(self._sql["events_insert"], rows)
                self._enqueue(cursor, effects)
        except Exception as err:
            if self.dialect.conflict(err) == "case":
                raise CaseExists(case.id) from None
            raise
        self._remember(case)

    def load(self, case_id: str, *, version: int | None = None) -> Case:
        """The stored case, or as it stood at *version*. Guards do not run.

        Raises:
            CaseNotFound: no such case, or no such version of it.
            StoreCorrupted: a row cannot be read back (the problem names it).
        """
        require_id(case_id)
        cached = self._cache.get(case_id)
        if version is not None:
            if cached is not None and 1 <= version <= cached.version:
                return cached if version == cached.version else fold(cached.history[:version])
            return self._load_upto(case_id, version)
        sql = self._sql
        with self._transaction(False) as cursor:
            if cached is None:
                cursor.execute(sql["events_read"], (case_id,))
                rows = cursor.fetchall()
            else:  # events are never rewritten: only those after the cached version are read
                cursor.execute(sql["case_version"], (case_id,))
                found = cursor.fetchone()
                if found is None:
                    raise CaseNotFound(case_id)
                if found[0] == cached.version:
                    self._remember(cached)  # another thread may have evicted it meanwhile
                    return cached
                cursor.execute(sql["events_after"], (case_id, cached.version))
                rows = cursor.fetchall()
        if cached is not None:
            case = extend_case(cached, rows, "sr_events")
        elif not rows:
            raise CaseNotFound(case_id)
        else:
            case = read_case(case_id, rows, "sr_events")
        self._remember(case)
        return case

    def _load_upto(self, case_id: str, version: int) -> Case:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise CaseNotFound(f"{case_id}@{version!r}")
        with self._transaction(False) as cursor:
            cursor.execute(self._sql["events_upto"], (case_id, version))
            rows = cursor.fetchall()
        if len(rows) < version:
            raise CaseNotFound(f"{case_id}@{version}")
        return read_case(case_id, rows, "sr_events")

    def _remember(self, case: Case) -> None:
        """Keep *case* as the latest known stored state of its id (least recently used go)."""
        with self._cache_lock:
            cache = self._cache
            cache[case.id] = case
            cache.move_to_end(case.id)
            if len(cache) > self.cache_size:
                cache.popitem(last=False)

    def save(
        self,
        case: Case,
        *,
        expected_version: int,
        timing: Timing = NO_TIMING,
        effects: Sequence[EffectKey] = (),
    ) -> None:
        """Append ``case.history[expected_version:]``, update the case row, enqueue *effects*.

        With nothing to append, the case row's timing is still rewritten (if
        the version is still *expected_version*): how a tick that found no
        new breach moves the case's timers on.

        Raises:
            StaleCase: the stored version is not *expected_version*; nothing is written.
            CaseNotFound: no such case.
            IdempotencyConflict: a new event reuses a stored command id.
        """
        require_case(case)
        require_version(case, expected_version)
        columns = (case.stage.value, *timing_row(timing))
        rows = event_rows(case, expected_version)
        sql = self._sql
        try:
            with self._transaction(True) as cursor:
                if self.dialect.narrow_updates:
                    self._update_changed(cursor, case, expected_version, columns)
                else:
                    self._update_row(cursor, case, expected_version, columns)
                if rows:
                    cursor.executemany(sql["events_insert"], rows)
                self._enqueue(cursor, effects)
        except StaleCase:
            self._cache.pop(case.id, None)
            raise
        except CaseNotFound:
            raise
        except Exception as err:
            conflict = self.dialect.conflict(err)
            if conflict == "version":
                raise StaleCase(case.id, expected_version, None) from None
            if conflict == "command_id":
                raise IdempotencyConflict(
                    f"case {case.id!r}: a new event reuses a command id the store already holds"
                ) from None
            raise
        self._remember(case)

    def _update_row(
        self, cursor: Cursor, case: Case, expected_version: int, columns: CaseColumns
    ) -> None:
        """Move the case row from *expected_version* to the case's, every column written."""
        cursor.execute(
            self._sql["case_update"], (case.version, *columns, case.id, expected_version)
        )
        if cursor.rowcount != 1:
            cursor.execute(self._sql["case_version"], (case.id,))
            found = cursor.fetchone()
            if found is None:
                raise CaseNotFound(case.id)
            raise StaleCase(case.id, expected_version, int(found[0]))

    def _update_changed(
        self, cursor: Cursor, case: Case, expected_version: int, columns: CaseColumns
    ) -> None:
        """Move the case row from *expected_version*, writing only the columns that change.

        Runs inside the write transaction, after its write lock is taken: the
        row read is the row updated.
        """
        cursor.execute(self._sql["case_row"], (case.id,))
        found = cursor.fetchone()
        if found is None:
            raise CaseNotFound(case.id)
        if found[0] != expected_version:
            raise StaleCase(case.id, expected_version, int(found[0]))
        changed = tuple(
            position
            for position, (stored, value) in enumerate(zip(found[1:], columns, strict=True))
            if stored != value
        )
        statement = self._narrow.get(changed)
        if statement is None:
            assignments = "".join(f", {_CASE_COLUMNS[position]} = ?" for position in changed)
            statement = self._narrow[changed] = self.dialect.adapt(
                f"UPDATE sr_cases SET version = ?{assignments}, claimed_until = NULL"
                " WHERE case_id = ? AND version = ?"
            )
        cursor.execute(
            statement,
            (case.version, *(columns[position] for position in changed), case.id, expected_version),
        )
        if cursor.rowcount != 1:  # the lock makes this unreachable; never write past it
            raise StaleCase(case.id, expected_version, None)

    def summary(self, case_id: str) -> CaseSummary:
        """The case row of *case_id*.

        Raises:
            CaseNotFound: no such case.
        """
        require_id(case_id)
        with self._transaction(False) as cursor:
            cursor.execute(self._sql["case_summary"], (case_id,))
            row = cursor.fetchone()
        if row is None:
            raise CaseNotFound(case_id)
        return _summary(row)

    def cases(self, *, stage: Stage | None = None, limit: int | None = None) -> list[CaseSummary]:
        """The stored cases (at *stage* only, when given), by id, at most *limit*."""
        require_limit(limit)
        with self._transaction(False) as cursor:
            if stage is None:
                cursor.execute(self._sql["cases_all"], (_rows(limit),))
            else:
                cursor.execute(self._sql["cases_at"], (Stage(stage).value, _rows(limit)))
            rows = cursor.fetchall()
        return [_summary(row) for row in rows]

    # -- timers ----------------------------------------------------------------

    def due(self, now: float, horizon: float, limit: int | None) -> list[DueCase]:
        """Cases needing attention: attention time at or before *now*, or due by *horizon*.

        Two index range scans: the cases due by *horizon*, in due order
        (stopping at *limit*); then, only if the page is not full, the cases
        warned by *now* but due later (few: a warning window's worth). Both
        read one snapshot, so a case a concurrent save moves from one range
        to the other is listed once, as it stood. (One statement would need
        the second scan to run even when the first fills the page: it reads
        every overdue case, tens of milliseconds over a million.)
        """
        require_limit(limit)
        found: list[tuple[str, float, float]] = []
        with self._snapshot() as cursor:
            cursor.execute(self._sql["due_by_time"], (horizon, _rows(limit)))
            found = cursor.fetchall()
            if limit is None or len(found) < limit:
                cursor.execute(self._sql["due_by_warning"], (now, horizon))
                warned = sorted(cursor.fetchall(), key=lambda row: (row[1], row[0]))
                found.extend(warned if limit is None else warned[: limit - len(found)])
        return [DueCase(row[0], moment(row[1]), moment(row[2])) for row in found]

    def claim_breaches(self, now: float, lease: float, limit: int) -> list[str]:
        """Claim up to *limit* cases whose breach time has come, for *lease* seconds."""
        with self._transaction(True) as cursor:
            cursor.execute(self._sql["breach_claim"] + self.dialect.skip_locked, (now, now, limit))
            claimed = [row[0] for row in cursor.fetchall()]
            cursor.executemany(self._sql["breach_hold"], [(now + lease, id_) for id_ in claimed])
        return claimed

    # -- outbox ----------------------------------------------------------------

    def _enqueue(self, cursor: Cursor, effects: Sequence[EffectKey]) -> None:
        if effects:  # due at once: the first delivery waits for nothing
            cursor.executemany(
                self._sql["outbox_insert"],
                [(key.case_id, key.version, key.effect, 0.0) for key in effects],
            )

    def claim_effects(
        self, names: Collection[str], now: float, lease: float, limit: int
    ) -> list[PendingEffect]:
        """Claim up to *limit* pending effects named in *names*, for *lease* seconds."""
        wanted = sorted(set(names))
        if not wanted:
            return []
        query = self.dialect.adapt(
            _QUERIES["outbox_claim"].replace("{names}", ", ".join("?" * len(wanted)))
        )
        with self._transaction(True) as cursor:
            cursor.execute(query + self.dialect.skip_locked, (now, now, *wanted, limit))
            claimed = [
                PendingEffect(EffectKey(case_id, version, effect), attempts, last_error)
                for case_id, version, effect, attempts, last_error in cursor.fetchall()
            ]
            cursor.executemany(
                self._sql["outbox_hold"],
                [(now + lease, p.key.case_id, p.key.version, p.key.effect) for p in claimed],
            )
        return claimed

    def effect_delivered(self, key: EffectKey) -> None:
        """Forget a delivered effect."""
        with self._transaction(True) as cursor:
            cursor.execute(self._sql["outbox_done"], (key.case_id, key.version, key.effect))

    def effect_failed(self, key: EffectKey, error: str, retry_at: float) -> None:
        """Count a failed attempt; claimable again from *retry_at*."""
        with self._transaction(True) as cursor:
            cursor.execute(
                self._sql["outbox_failed"],
                (error, retry_at, key.case_id, key.version, key.effect),
            )

    def pending_effects(self) -> int:
        """How many effects wait in the outbox."""
        with self._transaction(False) as cursor:
            cursor.execute(self._sql["outbox_count"])
            return int(cursor.fetchone()[0])


_ALL_ROWS = 2**62
"""The ``LIMIT`` that means all rows, in every dialect."""


def _rows(limit: int | None) -> int:
    return _ALL_ROWS if limit is None else limit


def _summary(row: Sequence[Any]) -> CaseSummary:
    case_id, stage, version, policy, next_due_at = row
    try:
        member = Stage(stage)
    except ValueError:
        raise StoreCorrupted(
            [f"sr_cases row (case_id={case_id!r}): unknown stage {stage!r}"]
        ) from None
    return CaseSummary(
        case_id, member, version, policy, None if next_due_at is None else moment(next_due_at)
    )
