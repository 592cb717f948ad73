"""Stores: where cases live between requests, behind one :class:`Store` protocol.

>>> from service_recovery.stores import MemoryStore, SQLiteStore
>>> store = SQLiteStore(":memory:")     # or SQLiteStore("cases.db"); PostgresStore(url)

:class:`MemoryStore` keeps cases in process memory; :class:`SQLiteStore`
in one SQLite file (the embedded default); :class:`PostgresStore` in
PostgreSQL (``pip install "service-recovery[postgres]"``). See
docs/guides/persist-cases.md and docs/reference/stores.md.

How a new backend plugs in (for contributors)
---------------------------------------------
The protocol lives one layer down, in ``service_recovery._desk._store``
(:class:`Store`, with the values it trades in: :class:`Timing`,
:class:`EffectKey`, :class:`PendingEffect`, :class:`DueCase`,
:class:`CaseSummary`), so the Desk imports it without importing any backend.

A relational backend subclasses ``_sql.SQLStore``, which holds the schema
(``_sql.MIGRATIONS``, versioned in ``sr_schema``), every query and the
mapping of driver errors to ``CaseExists`` / ``StaleCase`` /
``IdempotencyConflict``. The backend supplies only:

1. a ``_sql.Dialect``: placeholder (``?`` or ``%s``), the statement that
   begins a write transaction (SQLite ``BEGIN IMMEDIATE``), the suffix that
   lets concurrent claims pass over each other's rows (PostgreSQL
   ``FOR UPDATE SKIP LOCKED``), the timestamp column type, table options,
   a schema-migration lock (PostgreSQL ``pg_advisory_xact_lock``), and a
   function naming the key an integrity error broke (``"case"``,
   ``"version"``, ``"command_id"``);
2. a transaction: ``transaction(write: bool)``, a context manager yielding a
   DB-API cursor (``execute``, ``executemany``, ``fetchone``, ``fetchall``,
   ``rowcount``) that commits on a clean exit and rolls back otherwise;
3. ``close()``, then a call to ``self._migrate()`` once connected.

Event rows hold the event exactly as a snapshot writes it (``_codec``), so
``to_dict`` and every store agree. A backend that is not SQL implements the
protocol directly, as :class:`MemoryStore` does. Either way it proves itself
by subclassing :class:`service_recovery.testing.StoreConformance`.
"""

from __future__ import annotations

from .._desk._store import CaseSummary, DueCase, EffectKey, PendingEffect, Store, Timing
from ._memory import MemoryStore
from ._postgres import PostgresStore
from ._sql import SCHEMA_VERSION, Dialect, SQLStore
from ._sqlite import SQLiteStore

__all__ = [
    "SCHEMA_VERSION",
    "CaseSummary",
    "Dialect",
    "DueCase",
    "EffectKey",
    "MemoryStore",
    "PendingEffect",
    "PostgresStore",
    "SQLStore",
    "SQLiteStore",
    "Store",
    "Timing",
]
