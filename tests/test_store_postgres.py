"""PostgresStore on a real server: the conformance suite, and what only PostgreSQL does."""

from __future__ import annotations

import pytest

from service_recovery.stores import PostgresStore
from service_recovery.testing import StoreConformance


class TestPostgresStore(StoreConformance):
    """Every store's tests, each in a new schema on the session's server."""

    @pytest.fixture(autouse=True)
    def _schema(self, postgres: str) -> None:
        self.conninfo = postgres

    def make_store(self) -> PostgresStore:
        return PostgresStore(self.conninfo, max_size=4)
