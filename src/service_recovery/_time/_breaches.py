"""Tick: record each new breach in the history, once.

A breach is a fact derived from the case's times and the policy. Recording
it as an event (a :class:`RecordBreach` by the ``SYSTEM`` actor) makes it
part of the history: a replay rebuilds it, a snapshot carries it, and the
case remembers which deadlines it has recorded so a second tick adds nothing.
This module only computes and records; the workflow hands what it recorded
to the hook dispatcher, so hooks run only on the tick that records a breach
and replay runs no hook at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from .._model._case import Case, advance
from .._model._commands import RecordBreach
from .._model._events import Event
from .._model._values import SYSTEM
from ._deadlines import Timekeeper, read_timers


class Recorded(NamedTuple):
    """One recorded breach: the case before and after it, its command and event."""

    before: Case
    after: Case
    command: RecordBreach
    event: Event


def record_breaches(timekeeper: Timekeeper, case: Case, now: datetime) -> list[Recorded]:
    """Append a :class:`RecordBreach` to *case* for every breach not yet recorded at *now*.

    The events are dated *now*, or the case's last event if *now* is earlier
    (a history never goes back in time); breaches are judged at that moment.
    Returns one :class:`Recorded` per new breach, oldest due first; the last
    one's ``after`` is the case with all of them.
    """
    last = case.last_at
    at = now if now.astimezone(UTC) >= last.astimezone(UTC) else last
    instant = at.astimezone(UTC)
    if timekeeper.schedule(case).breach_ts > instant.timestamp():
        return []
    fresh = [
        timer
        for timer in read_timers(timekeeper.policy, case)
        if timer.ref not in case.breaches and timer.breached_by(instant)
    ]
    recorded: list[Recorded] = []
    for timer in sorted(fresh, key=lambda timer: (timer.due, timer.ref)):
        assert timer.due is not None
        command = RecordBreach(
            by=SYSTEM,
            at=at,
            kind=timer.kind,
            ref=timer.ref,
            due_at=timer.due.astimezone(timer.zone),
        )
        event = Event(command, case.stage)
        after = advance(case, event)
        recorded.append(Recorded(case, after, command, event))
        case = after
    return recorded
