"""The store conformance suite, run for the stores the library ships."""

from __future__ import annotations

from service_recovery.stores import MemoryStore, SQLiteStore
from service_recovery.testing import StoreConformance


class TestMemoryStore(StoreConformance):
    def make_store(self) -> MemoryStore:
        return MemoryStore()


class TestSQLiteStoreInMemory(StoreConformance):
    def make_store(self) -> SQLiteStore:
        return SQLiteStore(":memory:")


class TestSQLiteStoreOnFile(StoreConformance):
    """A file in WAL mode: what a host runs in production."""

    def make_store(self) -> SQLiteStore:
        return SQLiteStore(self.tmp_path / "cases.sqlite")
