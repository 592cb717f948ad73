"""The Store protocol: what the Desk asks of any place that keeps cases.

A store keeps events, not snapshots: one row per event keyed by (case id,
version), which is the optimistic concurrency check, plus one row per case
with what queries need (stage, policy identity, version, timers). The rows
the Desk adds beside an event (its durable effects, the case's timers) are
written in the same transaction as the event.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import attrs

from .._model._case import Case
from .._model._stages import Stage


@attrs.frozen
class Timing:
    """A case's timers as a store indexes them: three moments, as POSIX timestamps.

    ``None`` means never (no running clock). The Desk works them out from its
    workflow's policy each time it writes a case.

    Attributes:
        attention_at: when the case first needs attention (a first warning,
            or a deadline falling due).
        next_due_at: when its running deadline due first falls due.
        breach_at: when its first breach not yet recorded happens (in the
            past if it has: a deadline met late but never ticked is still due).
    """

    attention_at: float | None = None
    next_due_at: float | None = None
    breach_at: float | None = None

    @classmethod
    def of(cls, attention_ts: float, next_ts: float, breach_ts: float) -> Timing:
        """The timing of three timestamps, infinity read as never."""
        return cls(_finite(attention_ts), _finite(next_ts), _finite(breach_ts))


NO_TIMING = Timing()
"""The timing of a case with no running clock, or one written without the Desk."""


def _finite(value: float) -> float | None:
    return None if math.isinf(value) else value


@attrs.frozen(order=True)
class EffectKey:
    """The stable key of one delivery: the case, the event's version, the effect's name.

    The same key comes with every attempt, so a host can deduplicate on it
    (``str(key)`` is ``"case-1:3:send_apology"``).
    """

    case_id: str
    version: int
    effect: str

    def __str__(self) -> str:
        return f"{self.case_id}:{self.version}:{self.effect}"


@attrs.frozen
class PendingEffect:
    """An effect recorded in the outbox and claimed for delivery.

    Attributes:
        key: which event and which effect.
        attempts: how many deliveries were tried before this one.
        last_error: what the previous attempt raised, if it failed.
    """

    key: EffectKey
    attempts: int = 0
    last_error: str | None = None


@attrs.frozen
class DueCase:
    """A case that needs attention, read from the store's index (no case is loaded).

    Attributes:
        case_id: the case.
        due_at: when its running deadline due first falls due (UTC).
        attention_at: when it first needed attention (UTC): a first warning or
            the deadline itself.
    """

    case_id: str
    due_at: datetime
    attention_at: datetime

    def __str__(self) -> str:
        return f"{self.case_id}: due {self.due_at.isoformat()}"


@attrs.frozen
class CaseSummary:
    """What a store's per-case row says about a case, without loading its history.

    Attributes:
        case_id: the case.
        stage: where it stands.
        version: how many events it has.
        policy: the identity of the policy it runs under (``None`` if unrecorded).
        next_due_at: when its running deadline due first falls due, if any.
    """

    case_id: str
    stage: Stage
    version: int
    policy: str | None
    next_due_at: datetime | None


def moment(timestamp: float) -> datetime:
    """A stored timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, UTC)


@runtime_checkable
class Store(Protocol):
    """Where cases live: the methods :class:`~service_recovery.Desk` uses.

    :class:`~service_recovery.stores.MemoryStore`,
    :class:`~service_recovery.stores.SQLiteStore` and
    :class:`~service_recovery.stores.PostgresStore` implement it; a host's own
    store does too, and proves it by passing
    :class:`service_recovery.testing.StoreConformance`.

    >>> from service_recovery.stores import MemoryStore
    >>> isinstance(MemoryStore(), Store)
    True

    Every write is one transaction: the events, the case row, the timing and
    the effects are all written, or nothing is.
    """

    def add(
        self, case: Case, *, timing: Timing = NO_TIMING, effects: Sequence[EffectKey] = ()
    ) -> None:
        """Store a new case with its whole history.

        Raises:
            CaseExists: a case with this id is stored; nothing is written.
        """
        ...

    def load(self, case_id: str, *, version: int | None = None) -> Case:
        """The stored case (as it stood at *version*, when given). Guards do not run.

        Raises:
            CaseNotFound: no such case (or it has no such version).
            StoreCorrupted: a row cannot be read back, naming it.
        """
        ...

    def save(
        self,
        case: Case,
        *,
        expected_version: int,
        timing: Timing = NO_TIMING,
        effects: Sequence[EffectKey] = (),
    ) -> None:
        """Append ``case.history[expected_version:]`` to the stored case.

        Raises:
            StaleCase: the stored version is not *expected_version*; nothing is written.
            CaseNotFound: no such case.
            IdempotencyConflict: a new event reuses a stored command id.
        """
        ...

    def summary(self, case_id: str) -> CaseSummary:
        """The case row of *case_id*, without its history.

        Raises:
            CaseNotFound: no such case.
        """
        ...

    def cases(self, *, stage: Stage | None = None, limit: int | None = None) -> list[CaseSummary]:
        """The stored cases (at *stage* only, when given), by id."""
        ...

    def due(self, now: float, horizon: float, limit: int | None) -> list[DueCase]:
        """Cases needing attention at the timestamp *now*, by due time then id.

        Listed: a case whose attention time is at or before *now*, or whose
        next due time is at or before *horizon*; at most *limit*. The list is
        read from one consistent state of the store: a case a concurrent save
        moves is listed once, as it stood before or after the save.
        """
        ...

    def claim_breaches(self, now: float, lease: float, limit: int) -> list[str]:
        """Claim up to *limit* cases whose breach time is at or before *now*.

        A claimed case is skipped by other claims for *lease* seconds, or until
        a save writes its new timing. Returns the claimed case ids.
        """
        ...

    def claim_effects(
        self, names: Collection[str], now: float, lease: float, limit: int
    ) -> list[PendingEffect]:
        """Claim up to *limit* pending effects named in *names* whose retry time has come.

        A claimed effect is skipped by other claims for *lease* seconds.
        """
        ...

    def effect_delivered(self, key: EffectKey) -> None:
        """Forget a delivered effect."""
        ...

    def effect_failed(self, key: EffectKey, error: str, retry_at: float) -> None:
        """Count a failed attempt; the effect is claimable again from *retry_at*."""
        ...

    def pending_effects(self) -> int:
        """How many effects wait in the outbox."""
        ...

    def close(self) -> None:
        """Release the store's connections."""
        ...
