"""Clocks: where "now" comes from when a caller does not say.

The library never reads the wall clock on its own. Time reaches it in two
ways: every command carries its ``at``, and the time-based verbs
(:meth:`Workflow.deadlines`, :meth:`Workflow.tick`, :meth:`Workflow.due`)
take ``now=`` or ask the clock the workflow was built with. A clock is any
object with a ``now()`` method returning an aware datetime (:class:`Clock`).
Tests use :class:`FixedClock`; a host that wants real time passes
:class:`SystemClock` explicitly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

import attrs

from .._errors import InvalidValue


@runtime_checkable
class Clock(Protocol):
    """Anything that tells the time: one method, ``now()``, returning an aware datetime.

    >>> from datetime import datetime, timezone
    >>> class OfficeClock:
    ...     def now(self) -> datetime:
    ...         return datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> isinstance(OfficeClock(), Clock)
    True
    """

    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...


def aware(name: str, value: object) -> datetime:
    """Return *value* if it is a timezone-aware datetime; else raise InvalidValue naming *name*."""
    if not isinstance(value, datetime):
        raise InvalidValue(f"{name}: expected a timezone-aware datetime, got {value!r}", field=name)
    if value.utcoffset() is None:
        raise InvalidValue(
            f"{name}: {value.isoformat()} has no time zone; pass an aware datetime "
            "(e.g. datetime(..., tzinfo=timezone.utc)) so nothing is guessed",
            field=name,
        )
    return value


def _aware(instance: object, attribute: attrs.Attribute[datetime], value: object) -> None:
    aware("now", value)


@attrs.define
class FixedClock:
    """A clock that stands still until it is told to move: the clock for tests.

    >>> from datetime import datetime, timedelta, timezone
    >>> clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    >>> clock.advance(timedelta(minutes=90)).isoformat()
    '2026-03-02T10:30:00+00:00'
    >>> clock.now() == datetime(2026, 3, 2, 10, 30, tzinfo=timezone.utc)
    True

    Raises:
        InvalidValue: a naive datetime, or an attempt to advance backwards.
    """

    _now: datetime = attrs.field(validator=_aware)

    def now(self) -> datetime:
        """The time the clock shows."""
        return self._now

    def set(self, when: datetime) -> datetime:
        """Show *when* from now on (earlier or later than before); return it."""
        self._now = aware("when", when)
        return when

    def advance(self, by: timedelta) -> datetime:
        """Move forward by *by* (exact elapsed time) and return the new time."""
        if not isinstance(by, timedelta) or by < timedelta(0):
            raise InvalidValue(
                f"by: a clock advances by a timedelta >= 0, got {by!r}; use set() to go back",
                field="by",
            )
        moved = (self._now.astimezone(UTC) + by).astimezone(self._now.tzinfo)
        self._now = moved
        return moved


class SystemClock:
    """The real time, in UTC. Only used when a host passes it explicitly.

    >>> from datetime import timezone
    >>> SystemClock().now().tzinfo is timezone.utc
    True
    """

    __slots__ = ()

    def now(self) -> datetime:
        """The current moment, read from the operating system."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


def after(first: datetime, second: datetime) -> bool:
    """Whether the instant *first* comes after *second* (aware datetimes), exactly and fast.

    Python compares two datetimes sharing a ``tzinfo`` by their wall-clock
    reading, which is wrong in the hour a zone repeats; this compares real
    instants, converting only in that case.
    """
    zone = first.tzinfo
    if zone is not second.tzinfo or isinstance(zone, timezone):
        return first > second
    return first.astimezone(UTC) > second.astimezone(UTC)


def check_clock(clock: object) -> Clock | None:
    """Return *clock* if it can serve as a clock (or is ``None``), else raise InvalidValue."""
    if isinstance(clock, datetime) or (isinstance(clock, type) and issubclass(clock, datetime)):
        raise InvalidValue(
            f"clock: {clock!r} is a datetime, not a clock (its now method reads the wall "
            "clock, unzoned); pass sr.FixedClock(<an aware datetime>) or sr.SystemClock()",
            field="clock",
        )
    if clock is None or isinstance(clock, Clock):
        return clock
    raise InvalidValue(
        f"clock: expected an object with a now() method (sr.FixedClock, sr.SystemClock), "
        f"got {type(clock).__name__} {clock!r}",
        field="clock",
    )


def resolve_now(now: datetime | None, clock: Clock | None) -> datetime:
    """The moment a time-based verb works with: *now* if given, else the clock's time.

    Raises:
        InvalidValue: neither is available, or the time is not an aware datetime.
    """
    if now is None:
        if clock is None:
            raise InvalidValue(
                "now: pass now=<an aware datetime>, or build the workflow with a clock "
                "(sr.Workflow(policy, clock=sr.SystemClock())); the library never reads "
                "the wall clock on its own",
                field="now",
            )
        told = clock.now()
        if not isinstance(told, datetime) or told.utcoffset() is None:
            raise InvalidValue(
                f"now: the clock {clock!r} returned {told!r}; a clock must return an aware "
                "datetime",
                field="now",
            )
        return told
    return aware("now", now)
