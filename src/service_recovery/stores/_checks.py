"""The argument checks every store makes, so each says the same about bad input."""

from __future__ import annotations

from .._desk._store import Timing
from .._errors import InvalidValue
from .._model._case import Case


def timing_row(timing: Timing) -> tuple[float | None, float | None, float | None]:
    if not isinstance(timing, Timing):
        raise InvalidValue(f"timing: expected a Timing, got {type(timing).__name__}")
    return (timing.attention_at, timing.next_due_at, timing.breach_at)


def require_case(case: object) -> None:
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a Case, got {type(case).__name__}", field="case")


def require_id(case_id: object) -> None:
    if not isinstance(case_id, str) or not case_id:
        raise InvalidValue(f"case_id: expected a non-empty str, got {case_id!r}", field="case_id")


def require_version(case: Case, expected: object) -> None:
    if isinstance(expected, bool) or not isinstance(expected, int):
        raise InvalidValue(
            f"expected_version: expected an int, got {expected!r}", field="expected_version"
        )
    if not 1 <= expected <= case.version:
        raise InvalidValue(
            f"expected_version: {expected} is not a version of case {case.id!r} "
            f"(1..{case.version})",
            field="expected_version",
        )


def require_limit(limit: object) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidValue(f"limit: expected a whole number >= 1, got {limit!r}", field="limit")
