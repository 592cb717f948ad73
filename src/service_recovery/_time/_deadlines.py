"""Deadlines: every clock a case runs, derived from its history and the policy.

Reading a history from the start, a case runs these clocks:

- the **first response**, from the complaint to the first answer by a person;
- an **update** clock while the plan is carried out, restarted by every
  update and ended by leaving ``resolving``;
- one **promise** per action of the accepted plan, due when the customer was told
  (or on the new date a :class:`Reschedule` agreed, under a ref of its own);
- a **follow-up** clock from resolution, re-armed after each unanswered
  attempt until the policy's attempts are used up;
- the **reopen window** while a closed case may still be reopened.

Service-level clocks (first response, update, follow-up) count the
policy's business time and stop while the case waits; promises and the
reopen window are dates on the wall clock; a withdrawn case runs no clock at
all. A deadline that would fall after the last moment a datetime can hold (a
huge reopen window, a case near year 9999) never falls due: it shows as due at
:data:`NEVER` and never warns or breaches. Everything here is computed from
the case and the policy: nothing is stored but a per-case memo of the next
deadline, which lets :meth:`Workflow.due` scan many cases cheaply.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, NamedTuple

import attrs

from .._errors import InvalidValue
from .._model._case import Case
from .._model._commands import (
    UPDATES,
    AcceptSolution,
    Close,
    Command,
    CompleteAction,
    DeclineSolution,
    FollowUp,
    ProposeSolution,
    Reschedule,
)
from .._model._kinds import DeadlineKind, DeadlineStatus
from .._model._stages import Stage
from .._model._values import FollowUpOutcome
from .._rulebook._calendar import BusinessCalendar
from .._rulebook._practice import (
    first_response_target_of,
    reopen_window_of,
    required_follow_ups,
    starts_over,
)
from ._pauses import _pauses
from ._promises import plan_progress

if TYPE_CHECKING:
    from .._rulebook._policy import RecoveryPolicy

ZERO = timedelta(0)
RESOLVING = Stage.RESOLVING
NEVER = datetime.max.replace(tzinfo=UTC)
"""When a deadline past the last moment a datetime can hold falls due: never."""


def _utc(moment: datetime) -> datetime:
    """*moment* in UTC; :data:`NEVER` when UTC would be past year 9999."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return NEVER


def _later(start: datetime, amount: timedelta) -> datetime:
    """*start* + *amount* on the wall clock, or :data:`NEVER` past the last datetime."""
    try:
        return start + amount
    except OverflowError:
        return NEVER


def _shown_in(moment: datetime, zone: tzinfo | None) -> datetime:
    """*moment* in *zone*, or as it is (UTC) where the zone's wall clock passes year 9999."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment


_KIND_ORDER = {kind: number for number, kind in enumerate(DeadlineKind)}


@attrs.frozen
class Deadline:
    """One clock of a case, as it stands at a given moment.

    Attributes:
        kind: what is due (first response, update, promise, follow-up, reopen window).
        ref: which one, stable across replays; a recorded breach names it.
        label: the deadline in words, e.g. ``"promise #0: Issue the refund"``.
        status: upcoming, warning, breached or met.
        due_at: when it is (or was) due. For a clock stopped by a wait, when
            it would fall if the case resumed at the moment asked.
        started_at: when the clock started.
        allowed: the time the clock allows: business time for service-level
            kinds when the policy has a calendar, wall time otherwise.
        met_at: when it was met; ``None`` while it runs.
        action: the promised action's index, for a promise.
        paused: the clock is stopped because the case waits.
        warnings: how many of the policy's warning fractions have passed.
        left: wall time from the moment asked until ``due_at`` (zero once due).
        overdue: wall time past ``due_at``: until now if breached, until
            ``met_at`` if met late, else zero.
    """

    kind: DeadlineKind
    ref: str
    label: str
    status: DeadlineStatus
    due_at: datetime
    started_at: datetime
    allowed: timedelta
    met_at: datetime | None = None
    action: int | None = None
    paused: bool = False
    warnings: int = 0
    left: timedelta = ZERO
    overdue: timedelta = ZERO

    @property
    def late(self) -> bool:
        """Breached, or met after it was due."""
        return self.overdue > ZERO

    def __str__(self) -> str:
        when = self.due_at.strftime("%a %d %b %H:%M %Z").strip()
        if self.status is DeadlineStatus.MET:
            state = f"met {'late by ' + _words(self.overdue) if self.late else 'on time'}"
        elif self.status is DeadlineStatus.BREACHED:
            state = f"breached, {_words(self.overdue)} overdue"
        else:
            state = f"{self.status.value}, {_words(self.left)} left"
            if self.paused:
                state += " (clock stopped while waiting)"
        return f"{self.label}: due {when}, {state}"


def _words(span: timedelta) -> str:
    """A duration as a person reads it, to the minute: ``"1 d 2 h"``, ``"45 min"``."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{count} {unit}" for count, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if count
    ]
    return " ".join(parts[:2]) or "0 min"


class Timer(NamedTuple):
    """A timer as the history sets it, before asking what time it is (instants in UTC)."""

    kind: DeadlineKind
    ref: str
    label: str
    action: int | None
    started_at: datetime
    allowed: timedelta
    met_at: datetime | None
    due: datetime | None
    """``None`` while a wait stops the clock before it runs out."""
    warns: tuple[datetime | None, ...]
    used: timedelta
    """For a stopped timer, the time it had used when the wait began."""
    stopped_at: datetime | None
    zone: tzinfo | None

    def breached_by(self, now: datetime) -> bool:
        """Whether the clock is (or was, if met late) breached at the UTC instant *now*."""
        if self.due is None or not self.kind.breachable:
            return False
        if self.met_at is not None:
            return _utc(self.met_at) > self.due
        return now > self.due


class _Meter:
    """Counts a service-level clock's time: wall time, or a calendar's working time."""

    __slots__ = ("calendar",)

    def __init__(self, calendar: BusinessCalendar | None) -> None:
        self.calendar = calendar

    def add(self, start: datetime, amount: timedelta) -> datetime:
        if start is NEVER:
            return NEVER
        if self.calendar is None:
            return _later(start, amount)
        reached = self.calendar.reach(start, amount)
        return NEVER if reached is None else reached

    def between(self, start: datetime, end: datetime) -> timedelta:
        if self.calendar is None:
            return end - start
        return self.calendar.between(start, end)


Waits = Sequence[tuple[datetime, datetime | None]]


def _reach(
    meter: _Meter, start: datetime, amount: timedelta, waits: Waits
) -> tuple[datetime | None, timedelta, datetime | None]:
    """When *amount* of clock time has run from *start*, skipping *waits*.

    Returns the instant, or ``None`` with the time used and the moment a
    still-open wait stopped the clock first.
    """
    cursor, left = start, amount
    for begin, end in waits:
        if end is not None and end <= cursor:
            continue
        if begin > cursor:
            available = meter.between(cursor, begin)
            if left <= available:
                return meter.add(cursor, left), ZERO, None
            left -= available
        if end is None:
            return None, amount - left, max(begin, cursor)
        cursor = end
    return meter.add(cursor, left), ZERO, None


def reader_setup(policy: RecoveryPolicy) -> dict[str, object]:
    """What a :class:`_Reader` takes from the policy alone, by attribute name."""
    levels = policy.service_levels
    return {
        "policy": policy,
        "meter": _Meter(levels.calendar),
        "fractions": levels.warning_fractions,
        "zone": levels.calendar.zone if levels.calendar is not None else None,
        "awaiting": policy.graph.awaiting_follow_up,
    }


class _Reader:
    """Reads one case's clocks under one policy, in one pass over its history."""

    policy: RecoveryPolicy
    meter: _Meter
    fractions: tuple[float, ...]
    zone: tzinfo | None
    awaiting: frozenset[Stage]

    def __init__(self, policy: RecoveryPolicy, case: Case) -> None:
        self.__dict__.update(reader_setup(policy))
        self.case = case
        self.needed = required_follow_ups(policy, case)
        self.waits: list[tuple[datetime, datetime | None]] = [
            (_utc(pause.started_at), None if pause.ended_at is None else _utc(pause.ended_at))
            for pause in _pauses(case.history.commands)
        ]
        self.timers: list[Timer] = []
        # What the walk has seen so far.
        self.proposal: ProposeSolution | None = None
        self.plan: ProposeSolution | None = None
        self.plan_ref, self.plan_at = 0, case.opened_at
        self.done: dict[int, datetime] = {}
        self.moved: dict[int, int] = {}
        self.update: tuple[int, datetime] | None = None
        self.follow: tuple[int, datetime] | None = None
        self.unanswered = 0
        self.closed_ref = 0

    def read(self) -> list[Timer]:
        """Walk the history, then add the clocks still running; sorted by due time."""
        if self.case.stage is Stage.WITHDRAWN:
            return []  # a withdrawn complaint is owed nothing more: no clock runs on
        history = self.case.history
        commands, stages = history.commands, history.stages
        previous = stages[0]
        for position in range(1, len(commands)):
            stage = stages[position]
            self.step(position, commands[position], previous, stage)
            previous = stage
        self._finish()
        self.timers.sort(key=_timer_order)
        return self.timers

    def step(self, position: int, command: Command, previous: Stage, stage: Stage) -> None:
        """Take in the event at *position*: *command*, which moved the case *previous* -> *stage*.

        A clock it meets is added to the timers; those still running are
        added by :meth:`_finish`, once the walk is over.
        """
        self._end_stage_clocks(command, stage)
        self._take_in(position, command)
        self._start_stage_clocks(position, command, previous, stage)

    def _end_stage_clocks(self, command: Command, stage: Stage) -> None:
        """An update meets the update clock, a follow-up the follow-up clock; so does leaving."""
        if self.update is not None and (isinstance(command, UPDATES) or stage is not RESOLVING):
            self._update(self.update, command.at)
            self.update = None
        if self.follow is not None and (
            isinstance(command, FollowUp) or stage not in self.awaiting
        ):
            self._follow_up(self.follow, command.at)
            self.follow = None

    def _take_in(self, position: int, command: Command) -> None:
        """Follow the plan: proposed, declined, accepted, actions done, dropped on a restart."""
        if isinstance(command, ProposeSolution):
            self.proposal = command
        elif isinstance(command, DeclineSolution):
            self.proposal = None
        elif isinstance(command, AcceptSolution):
            self._promises(current=False)
            self.plan, self.proposal = self.proposal, None
            self.plan_ref, self.plan_at, self.done, self.moved = position, command.at, {}, {}
        elif isinstance(command, Reschedule):
            self._rescheduled(position, command)
        elif isinstance(command, CompleteAction):
            self.done.setdefault(command.index, command.at)
        elif isinstance(command, Close):
            self.closed_ref = position
        if starts_over(command):
            self._promises(current=False)
            self.plan = self.proposal = None

    def _rescheduled(self, position: int, command: Reschedule) -> None:
        """The promise runs to its new date, under a new ref: a breach of the old one stays."""
        plan, index = self.plan, command.index
        if plan is None or not 0 <= index < len(plan.actions):
            return
        actions = list(plan.actions)
        actions[index] = attrs.evolve(actions[index], due=command.due)
        self.plan = attrs.evolve(plan, actions=tuple(actions))
        self.moved[index] = position

    def _start_stage_clocks(
        self, position: int, command: Command, previous: Stage, stage: Stage
    ) -> None:
        awaiting = self.awaiting
        if stage in awaiting and previous not in awaiting:
            self.unanswered = 0
        elif isinstance(command, FollowUp) and command.outcome is FollowUpOutcome.NO_ANSWER:
            self.unanswered += 1
        if stage is RESOLVING and self.update is None:
            self.update = (position, command.at)
        if stage in awaiting and self.follow is None and self.unanswered < self.needed:
            self.follow = (position, command.at)

    def _finish(self) -> None:
        policy, case = self.policy, self.case
        self._service_timer(
            DeadlineKind.FIRST_RESPONSE,
            ref="first_response",
            label="first response",
            started=case.opened_at,
            allowed=first_response_target_of(policy, case),
            met=case.acknowledged_at,
        )
        if self.update is not None:
            self._update(self.update, None)
        if self.follow is not None:
            self._follow_up(self.follow, None)
        self._current_promises()
        if case.stage is Stage.CLOSED and case.closed_at is not None:
            closed_at = case.closed_at
            window = reopen_window_of(policy, case)
            self._dated_timer(
                DeadlineKind.REOPEN_WINDOW,
                ref=f"reopen_window@{self.closed_ref}",
                label="end of the reopen window",
                started=closed_at,
                due_at=_shown_in(_later(_utc(closed_at), window), closed_at.tzinfo),
                met=None,
            )

    def _update(self, anchor: tuple[int, datetime], met: datetime | None) -> None:
        position, started = anchor
        self._service_timer(
            DeadlineKind.UPDATE,
            ref=f"update@{position}",
            label="update to the customer",
            started=started,
            allowed=self.policy.service_levels.update_interval,
            met=met,
        )

    def _follow_up(self, anchor: tuple[int, datetime], met: datetime | None) -> None:
        position, started = anchor
        self._service_timer(
            DeadlineKind.FOLLOW_UP,
            ref=f"follow_up@{position}",
            label=f"follow-up (attempt {self.unanswered + 1})",
            started=started,
            allowed=self.policy.service_levels.follow_up_delay,
            met=met,
        )

    def _current_promises(self) -> None:
        """The promises of the plan that binds now, as the case's facts say."""
        progress = plan_progress(self.case)
        if progress is None:
            return
        self.plan, self.plan_ref = progress.plan, progress.accepted
        self.plan_at, self.done = progress.promised_at, progress.done
        self.moved = progress.moved
        self._promises(current=True)

    def _promises(self, *, current: bool) -> None:
        if self.plan is None:
            return
        for index, action in enumerate(self.plan.actions):
            met = self.done.get(index)
            if met is None and not current:
                continue  # a plan the conversation moved past no longer binds
            moved = self.moved.get(index)
            # A new date was agreed when the promise was rescheduled: its clock runs from then.
            started = self.plan_at if moved is None else self.case.history.commands[moved].at
            self._dated_timer(
                DeadlineKind.PROMISE,
                ref=f"promise@{self.plan_ref}#{index}" + ("" if moved is None else f"/{moved}"),
                label=f"promise #{index}: {action.description}",
                started=started,
                due_at=action.due,
                met=met,
                action=index,
            )

    def _service_timer(
        self,
        kind: DeadlineKind,
        *,
        ref: str,
        label: str,
        started: datetime,
        allowed: timedelta,
        met: datetime | None,
    ) -> None:
        start = _utc(started)
        waits: Waits = self.waits
        if met is not None:  # a wait still open when the clock was met ends there for it
            until = _utc(met)
            waits = [
                (b, e if e is not None and e <= until else until) for b, e in waits if b < until
            ]
        due, used, stopped = _reach(self.meter, start, allowed, waits)
        warns: tuple[datetime | None, ...] = ()
        if met is None:
            warns = tuple(
                _reach(self.meter, start, allowed * fraction, waits)[0]
                for fraction in self.fractions
            )
        zone = self.zone or started.tzinfo
        self.timers.append(
            Timer(kind, ref, label, None, started, allowed, met, due, warns, used, stopped, zone)
        )

    def _dated_timer(
        self,
        kind: DeadlineKind,
        *,
        ref: str,
        label: str,
        started: datetime,
        due_at: datetime,
        met: datetime | None,
        action: int | None = None,
    ) -> None:
        start, due = _utc(started), _utc(due_at)
        allowed = max(due - start, ZERO)
        warns = tuple(start + allowed * fraction for fraction in self.fractions)
        zone = due_at.tzinfo
        self.timers.append(
            Timer(kind, ref, label, action, started, allowed, met, due, warns, ZERO, None, zone)
        )


def _timer_order(timer: Timer) -> tuple[datetime, int]:
    due = timer.due if timer.due is not None else timer.stopped_at
    assert due is not None
    return due, _KIND_ORDER[timer.kind]


def _deadline_order(deadline: Deadline) -> tuple[datetime, int]:
    return _utc(deadline.due_at), _KIND_ORDER[deadline.kind]


def read_timers(policy: RecoveryPolicy, case: Case) -> list[Timer]:
    """Every timer *case* has run under *policy*, in order of due time."""
    return _Reader(policy, case).read()


def at_moment(timer: Timer, now: datetime, meter_calendar: BusinessCalendar | None) -> Deadline:
    """What *timer* looks like at the UTC instant *now*."""
    kind = timer.kind
    paused = False
    left = overdue = ZERO
    warnings = 0
    due = timer.due
    if timer.met_at is not None:
        assert due is not None
        status = DeadlineStatus.MET
        overdue = max(_utc(timer.met_at) - due, ZERO)
    elif due is None:
        assert timer.stopped_at is not None
        paused = True
        resume = max(now, timer.stopped_at)
        due = _Meter(meter_calendar).add(resume, timer.allowed - timer.used)
        warnings = sum(1 for warn in timer.warns if warn is not None and warn <= now)
        status = DeadlineStatus.WARNING if warnings else DeadlineStatus.UPCOMING
        left = due - now
    elif now > due:
        status = DeadlineStatus.BREACHED
        overdue = now - due
        warnings = len(timer.warns)
    else:
        warnings = sum(1 for warn in timer.warns if warn is not None and warn <= now)
        status = DeadlineStatus.WARNING if warnings else DeadlineStatus.UPCOMING
        left = due - now
    return Deadline(
        kind=kind,
        ref=timer.ref,
        label=timer.label,
        status=status,
        due_at=_shown_in(due, timer.zone),
        started_at=timer.started_at,
        allowed=timer.allowed,
        met_at=timer.met_at,
        action=timer.action,
        paused=paused,
        warnings=warnings,
        left=left,
        overdue=overdue,
    )


def require_case(case: object) -> Case:
    """Return *case* if it is a Case; else raise InvalidValue."""
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a Case, got {type(case).__name__}", field="case")
    return case


class Schedule:
    """A case's memo under one workflow: whose it is, and three moments as timestamps.

    A slotted value (about 150 bytes a case with its floats): :func:`due`
    reads its fields by name in its hot loop, as fast as by position.
    """

    __slots__ = ("attention_ts", "breach_ts", "next_ts", "progress", "token")

    def __init__(
        self,
        token: object,
        attention_ts: float,
        next_ts: float,
        breach_ts: float,
        progress: object = None,
    ) -> None:
        self.token = token
        """Whose memo it is: the :class:`Timekeeper` token of one workflow."""
        self.attention_ts = attention_ts
        """When the first running clock reaches its first warning (or is due)."""
        self.next_ts = next_ts
        """When the running clock due first is due (infinity if none runs)."""
        self.breach_ts = breach_ts
        """When the first breach not yet recorded happens (in the past if it has)."""
        self.progress = progress
        """The walk of the history that gave these moments, kept by
        :func:`~._schedules.schedule_after` so the next event is taken in alone."""

    def __repr__(self) -> str:
        return (
            f"Schedule(attention_ts={self.attention_ts}, next_ts={self.next_ts}, "
            f"breach_ts={self.breach_ts})"
        )


def _ts(moment: datetime | None) -> float:
    """A UTC instant as a timestamp; infinity for one that never comes."""
    return math.inf if moment is None or moment is NEVER else moment.timestamp()


def _running(timer: Timer) -> bool:
    """Counts towards what is due: breachable, not met, and not stopped by a wait."""
    return timer.kind.breachable and timer.met_at is None and timer.due is not None


class Timekeeper:
    """The time rules of one workflow: deadlines of a case, and the per-case memo."""

    __slots__ = ("calendar", "policy", "reader_setup", "token")

    def __init__(self, policy: RecoveryPolicy) -> None:
        self.policy = policy
        self.calendar = policy.service_levels.calendar
        self.token = object()
        self.reader_setup = reader_setup(policy)
        """What every walk of a history under this policy starts from (see :class:`_Reader`)."""

    def deadlines(self, case: Case, now: datetime) -> tuple[Deadline, ...]:
        """Every deadline of *case* at *now*, in order of due time."""
        instant = _utc(now)
        found = [
            at_moment(timer, instant, self.calendar)
            for timer in read_timers(self.policy, case)
            if timer.kind is not DeadlineKind.REOPEN_WINDOW
            or (timer.due is not None and instant <= timer.due)
        ]
        found.sort(key=_deadline_order)  # a stopped clock falls due where it would resume
        return tuple(found)

    def most_urgent(self, case: Case, now: datetime) -> Deadline | None:
        """The running deadline of *case* due first, at the UTC instant *now*."""
        running = [timer for timer in read_timers(self.policy, case) if _running(timer)]
        if not running:
            return None
        first = min(running, key=_timer_order)
        return at_moment(first, now, self.calendar)

    def schedule(self, case: Case) -> Schedule:
        """The memo of *case* under this workflow, computed once per case value."""
        memo = case._schedule
        if memo is not None and memo.token is self.token:
            return memo  # type: ignore[no-any-return]
        memo = self._compute(case)
        object.__setattr__(case, "_schedule", memo)
        return memo

    def _compute(self, case: Case) -> Schedule:
        return Schedule(self.token, *moments(read_timers(self.policy, case), case.breaches))


Late = tuple[str, float]
"""A clock met after it was due: its ref and its due time as a timestamp."""


def late_met(timers: Iterable[Timer]) -> list[Late]:
    """The breachable clocks among *timers* that were met after they were due."""
    return [
        (timer.ref, timer.due.timestamp())
        for timer in timers
        if timer.met_at is not None
        and timer.kind.breachable
        and timer.due is not None
        and timer.due is not NEVER
        and _utc(timer.met_at) > timer.due
    ]


def moments(
    timers: Iterable[Timer], breaches: frozenset[str], late: Iterable[Late] = ()
) -> tuple[float, float, float]:
    """When a case first needs attention, is next due, and is first breached, as timestamps.

    *timers* are the case's clocks, *breaches* the refs whose breach is
    recorded, *late* clocks met late that are not among *timers*. Infinity
    means never.
    """
    attention = upcoming = breach = math.inf
    for ref, due_ts in late:
        if ref not in breaches:
            breach = min(breach, due_ts)  # met late, and no tick saw it
    for timer in timers:
        if not timer.kind.breachable or timer.due is None or timer.due is NEVER:
            continue
        due_ts = timer.due.timestamp()
        recorded = timer.ref in breaches
        if timer.met_at is not None:
            if not recorded and _utc(timer.met_at) > timer.due:
                breach = min(breach, due_ts)  # met late, and no tick saw it
            continue
        if not recorded:
            breach = min(breach, due_ts)
        upcoming = min(upcoming, due_ts)
        first_warn = timer.warns[0] if timer.warns and timer.warns[0] is not None else timer.due
        attention = min(attention, _ts(first_warn), due_ts)
    return attention, upcoming, breach
