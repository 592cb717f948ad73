"""The pytest plugin of service-recovery: fixtures for tests of code that runs cases.

Registered through the ``pytest11`` entry point, so the fixtures are there in any
project that installs ``service-recovery``. This module lives outside the package
and imports it only when a fixture is used: pytest loads plugins before coverage
starts, and a plugin that imported the library at load time would hide the
library's own lines from coverage (and slow every pytest start).

Override ``recovery_workflow`` in your ``conftest.py`` to test your own
workflow: ``recovery_case_factory`` then builds cases of your policy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from service_recovery import FixedClock, Workflow
    from service_recovery.testing import CaseFactory

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Where the test clock starts: a Monday morning, 09:00 UTC."""


@pytest.fixture
def recovery_clock() -> FixedClock:
    """A clock that stands still at Monday 2026-01-05 09:00 UTC until the test moves it."""
    from service_recovery import FixedClock

    return FixedClock(START)


@pytest.fixture
def recovery_workflow(recovery_clock: FixedClock) -> Workflow:
    """A workflow of the default policy on the test clock; override it to test yours."""
    from service_recovery import Workflow

    return Workflow(clock=recovery_clock)


@pytest.fixture
def recovery_case_factory(recovery_workflow: Workflow, recovery_clock: FixedClock) -> CaseFactory:
    """Builds real cases of ``recovery_workflow``'s policy at any stage, dated by the clock."""
    from service_recovery.testing import CaseFactory

    return CaseFactory(recovery_workflow, recovery_clock)
