"""Schedules kept up to date one event at a time, for a writer that appends events.

A case's schedule (when it first needs attention, is next due, is first
breached) comes from a walk over its whole history (:mod:`._deadlines`). A
writer such as the Desk works the schedule out on every command it stores,
so walking the whole history each time would make every command cost more as
the case grows. :func:`schedule_after` keeps the walk: the schedule of a case
grown by one event is the kept walk of the case before it, taken one event
further, then finished. It always equals the schedule worked out from scratch
(a property test says so on random histories and policies); where it could
not be sure of that, it walks from scratch.

Why taking in one event at a time gives the same clocks: a clock the walk
meets at some event is worked out from the waits that began before that
event's time, and commands apply in time order, so those waits are all in
the history walked so far. The clocks still running are worked out afresh,
from the whole case, every time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._model._case import Case
from .._model._commands import AwaitCustomer, AwaitThirdParty, Command, Resume
from .._model._stages import Stage
from .._rulebook._practice import required_follow_ups
from ._deadlines import Late, Schedule, Timekeeper, _Reader, _utc, late_met, moments

if TYPE_CHECKING:
    from datetime import datetime


_STATE = (
    "needed",
    "waits",
    "proposal",
    "plan",
    "plan_ref",
    "plan_at",
    "done",
    "moved",
    "update",
    "follow",
    "unanswered",
    "closed_ref",
)
"""What a walk has seen, by the :class:`_Reader` attribute that holds it (``needed`` first)."""


class Progress:
    """The walk of one case's history so far, under one timekeeper, ready to take in more.

    Kept on the case's memo, so it keeps only what the walk has seen (a few
    hundred bytes), not the reader that walked.

    Attributes:
        version: how many events were walked.
        state: the walk's state, the values of the reader's attributes in :data:`_STATE`.
        late: the clocks the walk met after they were due (a breach until a tick records it).
        waiting: a wait is still open at the end of the walk.
    """

    __slots__ = ("late", "state", "version", "waiting")

    def __init__(
        self, version: int, state: tuple[object, ...], late: tuple[Late, ...], waiting: bool
    ) -> None:
        self.version = version
        self.state = state
        self.late = late
        self.waiting = waiting


def schedule_after(timekeeper: Timekeeper, before: Case | None, after: Case) -> Schedule:
    """The schedule of *after*, worked out from the kept walk of *before* where there is one.

    *after* is *before* with events appended (as a command or a tick makes
    it); *before* is ``None`` for a new case. The schedule is memoised on
    *after* with its walk, so the case grown from *after* next is taken in
    one event at a time again. The result equals ``timekeeper.schedule(after)``.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> workflow, ana = sr.Workflow(), sr.Actor("ana", sr.Role.AGENT)
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> opened = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
    ...     severity=sr.Severity.MINOR, summary="Late parcel", at=t0)
    >>> schedule_after(workflow._timekeeper, None, opened).next_ts == (
    ...     workflow.deadlines(opened, now=t0)[0].due_at.timestamp())
    True
    >>> answered = workflow.apply(opened, sr.Acknowledge(by=ana, at=t0))
    >>> schedule_after(workflow._timekeeper, opened, answered).next_ts  # no clock runs
    inf
    """
    memo = after._schedule
    if memo is not None and memo.token is timekeeper.token and memo.progress is not None:
        return memo  # type: ignore[no-any-return]
    progress = _kept(timekeeper, before, after)
    if progress is None:
        progress = _walk(after, _Reader(timekeeper.policy, after), 1, None)
    else:
        progress = _walk(after, _resumed(timekeeper, progress), progress.version, progress)
    if after.stage is Stage.WITHDRAWN:  # owed nothing more: no clock runs on, as read() says
        attention, upcoming, breach = moments([], after.breaches)
    else:
        finisher = _resumed(timekeeper, progress)
        finisher.case = after
        finisher._finish()
        attention, upcoming, breach = moments(finisher.timers, after.breaches, progress.late)
    schedule = Schedule(timekeeper.token, attention, upcoming, breach, progress)
    object.__setattr__(after, "_schedule", schedule)
    return schedule


def _kept(timekeeper: Timekeeper, before: Case | None, after: Case) -> Progress | None:
    """The walk kept on *before*, if it can be taken on to *after* and give the same clocks."""
    if before is None:
        return None
    memo = before._schedule
    if memo is None or memo.token is not timekeeper.token:
        return None
    progress = memo.progress
    if not isinstance(progress, Progress) or progress.version != before.version:
        return None
    walked = before.history.commands
    if after.history.commands[: len(walked)] != walked:  # not grown from *before*
        return None
    # The walk read the follow-ups needed from the case it started on; a policy whose
    # answer changes as the case grows is walked from scratch, as the full walk reads it.
    if required_follow_ups(timekeeper.policy, after) != progress.state[0]:
        return None
    return progress


def _walk(case: Case, reader: _Reader, start: int, kept: Progress | None) -> Progress:
    """Walk *case*'s events from position *start* on with *reader*; the progress made."""
    history = case.history
    commands, stages = history.commands, history.stages
    late = list(kept.late) if kept is not None else []
    waiting = kept.waiting if kept is not None else False
    waits = reader.waits if kept is not None else []
    reader.waits = waits
    reader.case = case  # a rescheduled promise's clock starts at its Reschedule, read off it
    previous = stages[start - 1]
    for position in range(start, len(commands)):
        command, stage = commands[position], stages[position]
        reader.timers = []
        reader.step(position, command, previous, stage)
        late.extend(late_met(reader.timers))
        waits, waiting = _waits_after(waits, waiting, command)
        reader.waits = waits
        previous = stage
    held = reader.__dict__
    return Progress(len(commands), tuple(held[name] for name in _STATE), tuple(late), waiting)


def _waits_after(
    waits: list[tuple[datetime, datetime | None]], waiting: bool, command: Command
) -> tuple[list[tuple[datetime, datetime | None]], bool]:
    """The waits once *command* is taken in, as ``_pauses`` reads them (a new list if changed)."""
    if isinstance(command, AwaitCustomer | AwaitThirdParty):
        if not waiting:  # a wait inside a wait changes nothing: the clocks are stopped
            return [*waits, (_utc(command.at), None)], True
    elif isinstance(command, Resume) and waiting:
        begin, _ = waits[-1]
        return [*waits[:-1], (begin, _utc(command.at))], False
    return waits, waiting


def _resumed(timekeeper: Timekeeper, progress: Progress) -> _Reader:
    """A reader standing where *progress* stopped, whose state a walk may change freely."""
    reader = object.__new__(_Reader)
    held = reader.__dict__
    held.update(timekeeper.reader_setup)
    held.update(zip(_STATE, progress.state, strict=True))
    reader.done = dict(reader.done)  # a walk adds to them: never to the kept ones
    reader.moved = dict(reader.moved)
    reader.timers = []
    return reader
