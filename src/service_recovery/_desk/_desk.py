"""The Desk: the unit of work a CRM calls, over a workflow and a store."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import attrs

from .._errors import (
    CaseExists,
    CaseNotFound,
    InvalidValue,
    RecoveryError,
    StaleCase,
)
from .._model._case import Case
from .._model._commands import Command
from .._model._refusals import HookFailed
from .._model._values import SYSTEM, Actor, Channel, Customer, Severity
from .._time._clock import Clock, SystemClock, aware, check_clock
from .._time._schedules import schedule_after
from .._workflow import Workflow
from ._effects import Backoff, EffectContext, Effects
from ._store import DueCase, EffectKey, Store, Timing

log = logging.getLogger("service_recovery")


@attrs.frozen
class Delivery:
    """What one :meth:`Desk.deliver` did.

    Attributes:
        delivered: the keys of the effects that ran and returned.
        failed: each effect that raised, with what it raised; it is retried
            from a later ``deliver()`` after its backoff.
    """

    delivered: tuple[EffectKey, ...] = ()
    failed: tuple[tuple[EffectKey, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.delivered or self.failed)


class Desk:
    """Cases kept in a store and judged by a workflow: the unit of work a CRM calls.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> from service_recovery.stores import SQLiteStore
    >>> desk = sr.Desk(sr.Workflow(), SQLiteStore(":memory:"))
    >>> now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> case = desk.open(customer=sr.Customer("c-1", "Dana"), channel=sr.Channel.EMAIL,
    ...                  severity=sr.Severity.MINOR, summary="Late parcel", at=now, id="case-1")
    >>> case = desk.apply("case-1", sr.Acknowledge(by=sr.Actor("ana", sr.Role.AGENT), at=now))
    >>> desk.load("case-1").stage
    <Stage.ACKNOWLEDGED: 'acknowledged'>

    Each :meth:`apply` loads the case, judges the command, and appends its
    event with the case's timers and durable effects in one transaction. If
    another writer saved the case first, the command is judged again on the
    winner's case, up to *retries* times; :class:`~service_recovery.StaleCase`
    reaches the caller only when they are exhausted.

    Args:
        workflow: the rules (cases opened under another policy are refused).
        store: where cases live (:mod:`service_recovery.stores`).
        retries: how many times a command lost to a concurrent save is judged again.
        clock: where :meth:`due`, :meth:`tick` and :meth:`deliver` read the time
            when no ``now=`` is given; the workflow's clock when omitted.
            :meth:`deliver` falls back to the system clock: retry times are
            operational, not facts of a case.
        backoff: how long a failed effect waits before its next attempt.
        lease: how long a claim (of a due case by :meth:`tick`, of an effect
            by :meth:`deliver`) keeps other workers off it; a worker that
            died holding one releases it when it ends.
    """

    __slots__ = ("backoff", "clock", "effects", "lease", "retries", "store", "workflow")

    def __init__(
        self,
        workflow: Workflow,
        store: Store,
        *,
        retries: int = 8,
        clock: Clock | None = None,
        backoff: Backoff | None = None,
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        if not isinstance(workflow, Workflow):
            raise InvalidValue(f"workflow: expected a Workflow, got {type(workflow).__name__}")
        if not isinstance(store, Store):
            raise InvalidValue(
                f"store: expected a store such as SQLiteStore, got {type(store).__name__}"
            )
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise InvalidValue(f"retries: expected a whole number >= 0, got {retries!r}")
        if not isinstance(lease, timedelta) or lease <= timedelta(0):
            raise InvalidValue(f"lease: expected a timedelta > 0, got {lease!r}")
        if backoff is not None and not isinstance(backoff, Backoff):
            raise InvalidValue(f"backoff: expected a Backoff, got {type(backoff).__name__}")
        self.workflow = workflow
        self.store = store
        self.retries = retries
        self.clock = workflow.clock if clock is None else check_clock(clock)
        self.backoff = Backoff() if backoff is None else backoff
        self.lease = lease
        self.effects = Effects()

    def __repr__(self) -> str:
        return f"<Desk {self.workflow!r} on {self.store!r}>"

    # -- cases -----------------------------------------------------------------

    def open(
        self,
        *,
        customer: Customer,
        channel: Channel,
        severity: Severity,
        summary: str,
        at: datetime,
        id: str | None = None,
        by: Actor = SYSTEM,
        reference: str | None = None,
        previous_case: str | None = None,
    ) -> Case:
        """Open a case (as :meth:`Workflow.open`) and store it with its effects.

        Raises:
            CaseExists: a case with this id is stored; nothing is written.
            InvalidValue, CommandVetoed: as :meth:`Workflow.open`; nothing is written.
            HookFailed: a hook raised; if ``.accepted``, the case *is* stored.
        """
        if isinstance(id, str) and id:
            try:  # refused before any hook runs; the add below still settles a race
                self.store.summary(id)
            except CaseNotFound:
                pass
            else:
                raise CaseExists(id)
        failed: HookFailed | None = None
        try:
            case = self.workflow.open(
                customer=customer,
                channel=channel,
                severity=severity,
                summary=summary,
                at=at,
                id=id,
                by=by,
                reference=reference,
                previous_case=previous_case,
            )
        except HookFailed as err:
            if not err.accepted or not isinstance(err.case, Case):
                raise
            failed, case = err, err.case
        effects = self.effects.keys_for(case, 0)
        self.store.add(case, timing=self._timing(None, case), effects=effects)
        if failed is not None:
            raise failed
        return case

    def load(self, case_id: str) -> Case:
        """The stored case.

        Raises:
            CaseNotFound: no such case.
        """
        return self.store.load(case_id)

    def apply(self, case_id: str, command: Command) -> Case:
        """Apply *command* to the stored case *case_id*; return the committed case.

        A command the case already holds (same id, whatever its ``at``) is a
        no-op and writes nothing.

        Raises:
            StaleCase: other writers kept winning, *retries* times over.
            CaseNotFound: no such case.
            TransitionNotAllowed, CommandVetoed, PolicyMismatch,
                IdempotencyConflict: as :meth:`Workflow.apply`, judged on the
                latest stored case; nothing is written.
            HookFailed: an after-hook raised; the event *is* committed and
                ``.case`` is the committed case.
        """
        stale: StaleCase | None = None
        for _ in range(self.retries + 1):
            case = self.store.load(case_id)
            failed: HookFailed | None = None
            try:
                new_case = self.workflow.apply(case, command)
            except HookFailed as err:
                if not err.accepted or not isinstance(err.case, Case):
                    raise
                failed, new_case = err, err.case
            if new_case is case:
                return case
            try:
                self._save(case, new_case)
            except StaleCase as err:
                stale = err
                continue
            if failed is not None:
                raise failed
            return new_case
        assert stale is not None
        raise stale

    def _save(self, loaded: Case, case: Case) -> None:
        """Append what *case* adds to *loaded*, the stored case it grew from."""
        self.store.save(
            case,
            expected_version=loaded.version,
            timing=self._timing(loaded, case),
            effects=self.effects.keys_for(case, loaded.version),
        )

    def _timing(self, loaded: Case | None, case: Case) -> Timing:
        # Taken on from the walk kept with the loaded case: a command costs the same
        # however long the history it lands on.
        schedule = schedule_after(self.workflow._timekeeper, loaded, case)
        return Timing.of(schedule.attention_ts, schedule.next_ts, schedule.breach_ts)

    # -- timers ----------------------------------------------------------------

    def due(
        self,
        now: datetime | None = None,
        *,
        within: timedelta = timedelta(0),
        limit: int | None = None,
    ) -> list[DueCase]:
        """The stored cases needing attention at *now*, most urgent first, from the index.

        Listed, as :meth:`Workflow.due` lists them: a case with a deadline
        breached or past its first warning, or whose next deadline falls
        within *within* of *now*. No case is loaded.

        Raises:
            InvalidValue: a bad *within* or *limit*, or no time available.
        """
        instant = self._now(now, "now")
        if not isinstance(within, timedelta) or within < timedelta(0):
            raise InvalidValue(f"within: expected a timedelta >= 0, got {within!r}", field="within")
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise InvalidValue(f"limit: expected a whole number >= 1, got {limit!r}", field="limit")
        now_ts = instant.timestamp()
        return self.store.due(now_ts, now_ts + within.total_seconds(), limit)

    def tick(self, now: datetime | None = None, *, batch: int = 100) -> list[Case]:
        """Record every breach due by *now* in the stored cases, once; enqueue their effects.

        Several workers may tick at once: each claims its cases first (SQLite
        takes its write lock, PostgreSQL skips rows another worker locked),
        and a breach is one event at one version, so it is recorded once
        whoever gets there. In-process ``on_breach`` hooks fire as
        :meth:`Workflow.tick` fires them. Returns the cases that changed.

        Raises:
            InvalidValue: no time available, or a bad *batch*.
        """
        instant = self._now(now, "now")
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise InvalidValue(f"batch: expected a whole number >= 1, got {batch!r}")
        now_ts = instant.timestamp()
        lease = self.lease.total_seconds()
        changed: dict[str, Case] = {}
        seen: set[str] = set()
        while True:
            claimed = [
                case_id
                for case_id in self.store.claim_breaches(now_ts, lease, batch)
                if case_id not in seen
            ]
            if not claimed:
                return list(changed.values())
            for case_id in claimed:
                seen.add(case_id)
                ticked = self._tick_one(case_id, instant)
                if ticked is not None:
                    changed[case_id] = ticked

    def _tick_one(self, case_id: str, now: datetime) -> Case | None:
        for _ in range(self.retries + 1):
            case = self.store.load(case_id)
            failed: HookFailed | None = None
            try:
                ticked = self.workflow.tick(case, now)
            except HookFailed as err:  # tick's hooks run after the breaches are recorded
                failed, ticked = err, err.case if isinstance(err.case, Case) else case
            try:
                self._save(case, ticked)  # also when nothing changed: new timing
            except StaleCase:
                continue
            if failed is not None:
                log.error("on_breach hooks failed for %s; the breaches stay recorded", case_id)
            return None if ticked is case else ticked
        log.warning("tick: case %s kept changing under it; the next tick will see it", case_id)
        return None

    # -- effects ---------------------------------------------------------------

    def deliver(self, now: datetime | None = None, *, batch: int = 100) -> Delivery:
        """Run the durable effects waiting in the store's outbox whose time has come.

        Each runs at least once: a crash between the commit and the delivery
        leaves it in the outbox for the next ``deliver()``. One that raises
        is retried later (:class:`Backoff`) and never holds back the others.
        Effects not registered on this desk stay for a desk that has them.

        Raises:
            InvalidValue: a bad *now* or *batch*.
        """
        if now is None and self.clock is None:
            instant = SystemClock().now()
        else:
            instant = self._now(now, "now")
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise InvalidValue(f"batch: expected a whole number >= 1, got {batch!r}")
        now_ts = instant.timestamp()
        delivered: list[EffectKey] = []
        failed: list[tuple[EffectKey, str]] = []
        seen: set[EffectKey] = set()
        names = self.effects.names
        while True:
            claimed = [
                pending
                for pending in self.store.claim_effects(
                    names, now_ts, self.lease.total_seconds(), batch
                )
                if pending.key not in seen
            ]
            if not claimed:
                return Delivery(tuple(delivered), tuple(failed))
            cases: dict[tuple[str, int], Case] = {}
            for pending in claimed:
                key = pending.key
                seen.add(key)
                error = self._deliver_one(key, pending.attempts + 1, cases)
                if error is None:
                    self.store.effect_delivered(key)
                    delivered.append(key)
                else:
                    retry_at = now_ts + self.backoff.delay(pending.attempts + 1).total_seconds()
                    self.store.effect_failed(key, error, retry_at)
                    failed.append((key, error))

    def _deliver_one(
        self, key: EffectKey, attempt: int, cases: dict[tuple[str, int], Case]
    ) -> str | None:
        """Run one effect; what it raised, as text, or ``None`` if it returned."""
        effect = self.effects.get(key.effect)
        if effect is None:  # unregistered since the claim: leave it for later
            return f"no effect named {key.effect!r} on this desk"
        try:
            case = cases.get((key.case_id, key.version))
            if case is None:
                case = cases[(key.case_id, key.version)] = self.store.load(
                    key.case_id, version=key.version
                )
            effect(EffectContext(case, case.history[-1], key, attempt))
        except Exception as err:
            if not isinstance(err, RecoveryError):
                log.exception("effect %s failed (attempt %d); retried later", key, attempt)
            return f"{type(err).__name__}: {err}"
        return None

    def _now(self, now: datetime | None, name: str) -> datetime:
        if now is None:
            if self.clock is None:
                raise InvalidValue(
                    f"{name}: no time given and the desk has no clock; pass {name}= "
                    "or build the workflow or desk with a clock",
                    field=name,
                )
            now = self.clock.now()
        return aware(name, now).astimezone(UTC)
