"""Shared fixtures and the hypothesis profiles (``CI=true`` selects the thorough one)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.postgres import postgres, postgres_server, pytest_terminal_summary  # noqa: F401

# Slow input generation depends on the machine's load, not on the code: never a failure.
settings.register_profile(
    "dev",
    max_examples=50,
    stateful_step_count=30,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
