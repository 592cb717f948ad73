"""A real PostgreSQL server for the test session, started from the ``pgserver`` wheel.

The server (PostgreSQL 16, shipped inside the ``pgserver`` package of the
``dev`` extra) starts once, in a temporary data folder, the first time a test
asks for it, and stops when the session ends. Each test gets its own schema
on it, so tests never see each other's rows.

A PostgreSQL test never skips silently. If the server cannot start, every
test that needs it fails with the reason; only outside CI, and only when
``SERVICE_RECOVERY_SKIP_POSTGRES=1`` is set, are they skipped instead, and
the test report ends with a warning saying so.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

OPT_OUT = "SERVICE_RECOVERY_SKIP_POSTGRES"
"""Set to ``1`` (never honoured when ``CI`` is set) to skip PostgreSQL tests on a server failure."""

_skipped: list[str] = []
_schemas = itertools.count(1)


def _opted_out() -> bool:
    return os.environ.get(OPT_OUT) == "1" and not os.environ.get("CI")


def _start(folder: Path) -> Any:
    # pgserver's platformdirs warns at import when XDG_RUNTIME_DIR is unset (it falls
    # back to /tmp); the test session turns warnings into errors, so import quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

        return get_server(folder / "pgdata", cleanup_mode="stop")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The conninfo of the session's PostgreSQL server (its ``postgres`` database)."""
    folder = tmp_path_factory.mktemp("postgres")
    try:
        server = _start(folder)
    except Exception as err:
        log = folder / "pgdata" / "log"
        detail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        reason = f"the PostgreSQL test server did not start: {type(err).__name__}: {err}"
        if _opted_out():
            _skipped.append(reason)
            pytest.skip(f"{reason} ({OPT_OUT}=1)")
        pytest.fail(f"{reason}\n{detail}\n(outside CI, {OPT_OUT}=1 skips these tests)")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def fresh_schema(conninfo: str) -> str:
    """A new, empty schema on the server of *conninfo*; the conninfo that works in it."""
    import psycopg  # here, so a session without the postgres extra still collects
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    name = f"t{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    return make_conninfo(conninfo, options=f"-c search_path={name}")


@pytest.fixture
def postgres(postgres_server: str) -> str:
    """The conninfo of a new, empty schema on the session's server, for one test."""
    return fresh_schema(postgres_server)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """End the report with a warning when PostgreSQL tests were skipped by the opt-out."""
    if _skipped:
        terminalreporter.section("PostgreSQL tests NOT RUN", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{_skipped[0]}; every PostgreSQL test was skipped because {OPT_OUT}=1.",
            red=True,
            bold=True,
        )
