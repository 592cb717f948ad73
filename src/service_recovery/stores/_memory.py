"""A store in process memory: for tests, demos and single-process tools."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence

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
from .._errors import CaseExists, CaseNotFound, IdempotencyConflict, StaleCase
from .._model._case import Case, fold
from .._model._stages import Stage
from ._checks import require_case, require_id, require_limit, require_version, timing_row
from ._codec import policy_of


@attrs.define
class _Row:
    case: Case
    timing: Timing
    command_ids: set[str]
    claimed_until: float | None = None


@attrs.define
class _Pending:
    attempts: int = 0
    next_attempt_at: float = 0.0
    claimed_until: float | None = None
    last_error: str | None = None


class MemoryStore:
    """Cases in a dict, with the same guarantees as the SQL stores within one process.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> from service_recovery.stores import MemoryStore
    >>> store = MemoryStore()
    >>> case = sr.Workflow().open(
    ...     customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL, severity=sr.Severity.MINOR,
    ...     summary="Late parcel", at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc), id="case-1")
    >>> store.add(case)
    >>> store.load("case-1") is case
    True

    Cases are values, so the store keeps them as they are; nothing survives
    the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, _Row] = {}
        self._outbox: dict[EffectKey, _Pending] = {}

    def add(
        self, case: Case, *, timing: Timing = NO_TIMING, effects: Sequence[EffectKey] = ()
    ) -> None:
        """Store a new case. Raises CaseExists if the id is taken."""
        require_case(case)
        timing_row(timing)
        ids = [command.id for command in case.history.commands if command.id is not None]
        with self._lock:
            if case.id in self._rows:
                raise CaseExists(case.id)
            self._rows[case.id] = _Row(case, timing, set(ids))
            self._enqueue(effects)

    def load(self, case_id: str, *, version: int | None = None) -> Case:
        """The stored case (or as it stood at *version*). Raises CaseNotFound."""
        require_id(case_id)
        with self._lock:
            row = self._rows.get(case_id)
        if row is None:
            raise CaseNotFound(case_id)
        if version is None or version == row.case.version:
            return row.case
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version:
            raise CaseNotFound(f"{case_id}@{version}")
        if version > row.case.version:
            raise CaseNotFound(f"{case_id}@{version}")
        return fold(row.case.history[:version])

    def save(
        self,
        case: Case,
        *,
        expected_version: int,
        timing: Timing = NO_TIMING,
        effects: Sequence[EffectKey] = (),
    ) -> None:
        """Append ``case.history[expected_version:]``. Raises StaleCase or CaseNotFound."""
        require_case(case)
        require_version(case, expected_version)
        timing_row(timing)
        new_ids = [
            command.id
            for command in case.history.commands[expected_version:]
            if command.id is not None
        ]
        with self._lock:
            row = self._rows.get(case.id)
            if row is None:
                raise CaseNotFound(case.id)
            if row.case.version != expected_version:
                raise StaleCase(case.id, expected_version, row.case.version)
            if row.case.history != case.history[:expected_version]:
                raise StaleCase(case.id, expected_version, None)
            reused = row.command_ids.intersection(new_ids)
            if reused or len(set(new_ids)) != len(new_ids):
                raise IdempotencyConflict(
                    f"case {case.id!r}: a new event reuses a command id the store already holds"
                )
            row.case = case
            row.timing = timing
            row.command_ids.update(new_ids)
            row.claimed_until = None
            self._enqueue(effects)

    def summary(self, case_id: str) -> CaseSummary:
        """The case row of *case_id*. Raises CaseNotFound."""
        require_id(case_id)
        with self._lock:
            row = self._rows.get(case_id)
        if row is None:
            raise CaseNotFound(case_id)
        return _summary(row)

    def cases(self, *, stage: Stage | None = None, limit: int | None = None) -> list[CaseSummary]:
        """The stored cases (at *stage* only, when given), by id, at most *limit*."""
        require_limit(limit)
        wanted = None if stage is None else Stage(stage)
        with self._lock:
            rows = [self._rows[key] for key in sorted(self._rows)]
        found = [_summary(row) for row in rows if wanted is None or row.case.stage is wanted]
        return found if limit is None else found[:limit]

    def due(self, now: float, horizon: float, limit: int | None) -> list[DueCase]:
        """Cases warned by *now* or due by *horizon*, by due time then id."""
        require_limit(limit)
        with self._lock:
            timed = [(key, row.timing) for key, row in self._rows.items()]
        picked = sorted(
            (timing.next_due_at, key, timing.attention_at)
            for key, timing in timed
            if timing.next_due_at is not None
            and timing.attention_at is not None
            and (timing.next_due_at <= horizon or timing.attention_at <= now)
        )
        if limit is not None:
            picked = picked[:limit]
        return [DueCase(key, moment(due), moment(warned)) for due, key, warned in picked]

    def claim_breaches(self, now: float, lease: float, limit: int) -> list[str]:
        """Claim up to *limit* cases whose breach time has come, for *lease* seconds."""
        with self._lock:
            ready = sorted(
                (row.timing.breach_at, key)
                for key, row in self._rows.items()
                if row.timing.breach_at is not None
                and row.timing.breach_at <= now
                and (row.claimed_until is None or row.claimed_until <= now)
            )[:limit]
            for _, key in ready:
                self._rows[key].claimed_until = now + lease
        return [key for _, key in ready]

    def _enqueue(self, effects: Sequence[EffectKey]) -> None:
        for key in effects:  # due at once: the first delivery waits for nothing
            self._outbox[key] = _Pending(next_attempt_at=0.0)

    def claim_effects(
        self, names: Collection[str], now: float, lease: float, limit: int
    ) -> list[PendingEffect]:
        """Claim up to *limit* pending effects named in *names*, for *lease* seconds."""
        wanted = set(names)
        with self._lock:
            ready = sorted(
                (pending.next_attempt_at, key)
                for key, pending in self._outbox.items()
                if key.effect in wanted
                and pending.next_attempt_at <= now
                and (pending.claimed_until is None or pending.claimed_until <= now)
            )[:limit]
            claimed = []
            for _, key in ready:
                pending = self._outbox[key]
                pending.claimed_until = now + lease
                claimed.append(PendingEffect(key, pending.attempts, pending.last_error))
        return claimed

    def effect_delivered(self, key: EffectKey) -> None:
        """Forget a delivered effect."""
        with self._lock:
            self._outbox.pop(key, None)

    def effect_failed(self, key: EffectKey, error: str, retry_at: float) -> None:
        """Count a failed attempt; claimable again from *retry_at*."""
        with self._lock:
            pending = self._outbox.get(key)
            if pending is not None:
                pending.attempts += 1
                pending.last_error = error
                pending.next_attempt_at = retry_at
                pending.claimed_until = None

    def pending_effects(self) -> int:
        """How many effects wait in the outbox."""
        with self._lock:
            return len(self._outbox)

    def close(self) -> None:
        """Nothing to release; the cases stay until the store is dropped."""

    def __repr__(self) -> str:
        return f"<MemoryStore of {len(self._rows)} case(s)>"


def _summary(row: _Row) -> CaseSummary:
    due = row.timing.next_due_at
    return CaseSummary(
        row.case.id,
        row.case.stage,
        row.case.version,
        policy_of(row.case),
        None if due is None else moment(due),
    )
