"""Business calendars: working hours per weekday, holidays, a time zone.

With a calendar, a service-level target such as "answer within 4 hours"
counts working time only: a complaint sent on Friday at 16:30 to a desk open
09:00-17:00 is due on Monday at 12:30. All arithmetic happens on real
instants (UTC), so a day with a daylight-saving change has exactly the
working time its wall clock shows, and nothing is counted twice or lost.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from .._errors import InvalidPolicy, InvalidValue

_DAY = timedelta(days=1)
_MIDNIGHT = time(0)
_LAST = datetime.max.replace(tzinfo=UTC)
"""The last instant a datetime can hold; working time ends there."""


class Weekday(enum.Enum):
    """A day of the week, as working hours are given for it.

    >>> from datetime import date
    >>> Weekday.of(date(2026, 3, 2))
    <Weekday.MONDAY: 'monday'>
    """

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """0 for Monday to 6 for Sunday, like :meth:`datetime.date.weekday`."""
        return _WEEK.index(self)

    @classmethod
    def of(cls, day: date) -> Weekday:
        """The weekday *day* falls on."""
        return _WEEK[day.weekday()]


_WEEK: tuple[Weekday, ...] = tuple(Weekday)

Span = tuple[time, time]
"""Working hours on one day: start and end wall-clock times; an end of 00:00 means midnight."""

Interval = tuple[tuple[datetime, datetime], ...]
"""Working intervals of one day, as pairs of UTC instants."""

_REMEMBERED_DAYS = 20_000
"""How many days' intervals a calendar keeps (about 55 years) before starting afresh."""

OFFICE_HOURS: Mapping[Weekday, tuple[Span, ...]] = MappingProxyType(
    {day: ((time(9), time(17)),) for day in _WEEK[:5]}
)
"""Monday to Friday, 09:00-17:00: the default when a calendar names no hours."""

_CLOCK_TEXT = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*")


def _clock(value: object, where: str, problems: list[str]) -> time | None:
    if isinstance(value, time):
        if value.tzinfo is not None:
            problems.append(f"{where}: working hours are wall-clock times without a zone")
            return None
        return value
    match = _CLOCK_TEXT.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if (hour, minute, second) == (24, 0, 0):
            return _MIDNIGHT
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
        problems.append(f"{where}: {_out_of_range(hour, minute, second, value)}")
        return None
    problems.append(f'{where}: expected a time like "09:00" or datetime.time, got {value!r}')
    return None


def _out_of_range(hour: int, minute: int, second: int, text: object) -> str:
    """Which part of a clock time that reads like one is out of range."""
    if minute > 59:
        return f"minute {minute} is past 59 in {text!r}"
    if second > 59:
        return f"second {second} is past 59 in {text!r}"
    if hour > 24:
        return f"hour {hour} is past 24:00 in {text!r}"
    return f"{str(text).strip()} is past 24:00 (the day ends at 24:00)"


def _spans(value: object, where: str, problems: list[str]) -> tuple[Span, ...]:
    """Read one day's hours: "09:00-17:00", "09:00-12:00, 13:00-17:00", pairs, or ()."""
    if isinstance(value, str):
        pieces: list[Any] = [piece.split("-") for piece in value.split(",") if piece.strip()]
    elif isinstance(value, list | tuple):
        pieces = list(value)
        if len(pieces) == 2 and not any(isinstance(piece, list | tuple) for piece in pieces):
            pieces = [pieces]  # a single (start, end) pair
    else:
        problems.append(
            f'{where}: expected hours like "09:00-17:00" or ((time, time), ...), got {value!r}'
        )
        return ()
    spans: list[Span] = []
    for number, piece in enumerate(pieces):
        if not isinstance(piece, list | tuple) or len(piece) != 2:
            problems.append(f"{where}[{number}]: expected a (start, end) pair, got {piece!r}")
            continue
        start = _clock(piece[0], f"{where}[{number}].start", problems)
        end = _clock(piece[1], f"{where}[{number}].end", problems)
        if start is None or end is None:
            continue
        if end != _MIDNIGHT and end <= start:
            problems.append(
                f"{where}[{number}]: ends at {end} before it starts at {start} "
                "(end at 00:00 for midnight; split a night shift over two days)"
            )
            continue
        spans.append((start, end))
    spans.sort()
    merged: list[Span] = []
    for start, end in spans:
        if merged and (merged[-1][1] == _MIDNIGHT or start < merged[-1][1]):
            problems.append(f"{where}: working hours overlap around {start}")
        elif merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)  # touching spans are one stretch
        else:
            merged.append((start, end))
    return tuple(merged)


def _hours(value: object) -> Mapping[Weekday, tuple[Span, ...]]:
    if not isinstance(value, Mapping):
        raise InvalidPolicy(
            [f"calendar.hours: expected a mapping of weekday to hours, got {value!r}"]
        )
    problems: list[str] = []
    week: dict[Weekday, tuple[Span, ...]] = {}
    for key, spans in value.items():
        try:
            day = key if isinstance(key, Weekday) else Weekday(str(key).lower())
        except ValueError:
            names = ", ".join(day.value for day in _WEEK)
            problems.append(f"calendar.hours: {key!r} is not a weekday ({names})")
            continue
        week[day] = _spans(spans, f"calendar.hours.{day.value}", problems)
    if not problems and not any(week.values()):
        problems.append("calendar.hours: no working hours on any day; deadlines could never fall")
    if problems:
        raise InvalidPolicy(problems)
    return MappingProxyType({day: week[day] for day in _WEEK if week.get(day)})


def _holidays(value: object) -> tuple[date, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidPolicy([f"calendar.holidays: expected a list of dates, got {value!r}"])
    problems: list[str] = []
    days: set[date] = set()
    for number, item in enumerate(value):
        day = _date(item)
        if day is not None:
            days.add(day)
        else:
            problems.append(
                f"calendar.holidays[{number}]: expected a date like 2026-12-25, got {item!r}"
            )
    if problems:
        raise InvalidPolicy(problems)
    return tuple(sorted(days))


def _date(value: object) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return None


def _zone_key(value: object) -> object:
    return value.key if isinstance(value, ZoneInfo) else value


def _check_zone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidPolicy([f"calendar.time_zone: expected an IANA zone name, got {value!r}"])
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidPolicy(
            [
                f"calendar.time_zone: unknown time zone {value!r} "
                "(use an IANA name like 'Europe/Berlin' or 'America/New_York')"
            ]
        ) from None


@attrs.frozen
class BusinessCalendar:
    """When the team works: hours per weekday and holidays, in one time zone.

    Times are wall-clock times in ``time_zone``; holidays are dates there.
    Hours may be given as ``"09:00-17:00"`` or ``"09:00-12:30, 13:30-17:00"``
    as well as ``(time, time)`` pairs; an end of ``00:00`` (or ``"24:00"``)
    is midnight. Weekdays left out are closed.

    >>> from datetime import date, datetime, timedelta
    >>> berlin = BusinessCalendar(
    ...     time_zone="Europe/Berlin",
    ...     hours={"monday": "09:00-17:00", "friday": "09:00-17:00"},
    ...     holidays=[date(2026, 4, 6)],
    ... )
    >>> friday = datetime(2026, 4, 3, 16, 30, tzinfo=berlin.zone)
    >>> print(berlin.add(friday, timedelta(hours=2)))      # Easter Monday is a holiday
    2026-04-10 10:30:00+02:00
    >>> berlin.between(friday, berlin.add(friday, timedelta(hours=2)))
    datetime.timedelta(seconds=7200)

    Attributes:
        time_zone: an IANA zone name such as ``"Europe/Berlin"``.
        hours: the working hours of each weekday; Monday-Friday 09:00-17:00 by default.
        holidays: dates with no working hours, whatever the weekday.

    Raises:
        InvalidPolicy: an unknown zone, malformed or overlapping hours, a week
            without any working hours, a holiday that is not a date.
    """

    time_zone: str = attrs.field(default="UTC", converter=_zone_key, validator=_check_zone)
    hours: Mapping[Weekday, tuple[Span, ...]] = attrs.field(default=OFFICE_HOURS, converter=_hours)
    holidays: tuple[date, ...] = attrs.field(default=(), converter=_holidays)
    _closed: frozenset[date] = attrs.field(init=False, eq=False, repr=False)
    _week: tuple[tuple[Span, ...], ...] = attrs.field(init=False, eq=False, repr=False)
    # Each day's working intervals as instants, worked out once: deadlines ask for the
    # same few weeks again and again. A cache, not a fact: never compared or shown.
    _days: dict[date, Interval] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_closed", frozenset(self.holidays))
        object.__setattr__(self, "_week", tuple(self.hours.get(day, ()) for day in _WEEK))
        object.__setattr__(self, "_days", {})

    @property
    def zone(self) -> ZoneInfo:
        """The time zone, as a :class:`zoneinfo.ZoneInfo`."""
        return ZoneInfo(self.time_zone)

    def is_working(self, at: datetime) -> bool:
        """Whether *at* falls within working hours (a span includes its start, not its end)."""
        instant = _utc(at, "at")
        for start, _end in self._intervals(instant):
            return start == instant
        return False  # past the last working day a datetime can hold

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest moment by which *amount* of working time has passed since *start*.

        ``add(start, 0)`` is *start*; any positive amount ends inside working
        hours (or exactly as a span closes). Returned in the calendar's zone.

        Raises:
            InvalidValue: *start* is naive, *amount* is negative, or the
                working time runs past the last date a datetime can hold.
        """
        instant = _utc(start, "start")
        reached = self.reach(instant, _duration(amount))
        if reached is None:
            raise InvalidValue(
                f"amount: {amount} of working time from {start.isoformat()} runs past "
                "the last date a datetime can hold",
                field="amount",
            )
        try:
            return reached.astimezone(self.zone)
        except OverflowError:  # the zone's wall clock at that instant is past year 9999
            return reached

    def reach(self, start: datetime, amount: timedelta) -> datetime | None:
        """Like :meth:`add` for a UTC *start*, in UTC; ``None`` past the last representable day.

        Working time is never more than wall time, so an *amount* longer than
        what is left of the calendar is known to run past its end at once.

        >>> from datetime import UTC, datetime, timedelta
        >>> office = BusinessCalendar()
        >>> print(office.reach(datetime(2026, 3, 6, 16, tzinfo=UTC), timedelta(hours=2)))
        2026-03-09 10:00:00+00:00
        >>> office.reach(datetime(9999, 12, 30, tzinfo=UTC), timedelta(days=5)) is None
        True
        """
        if not amount:
            return start
        if amount > _LAST - start:
            return None
        remaining = amount
        for begin, end in self._intervals(start):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        return None  # the days ran out before the working time did

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from *start* to *end* (negative if *end* comes first)."""
        since, until = _utc(start, "start"), _utc(end, "end")
        if until < since:
            return -self.between(end, start)
        total = timedelta(0)
        for begin, finish in self._intervals(since):
            if begin >= until:
                break
            total += min(finish, until) - begin
        return total

    def _intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals ending after *start* (UTC), clipped to begin no earlier."""
        try:
            day = start.astimezone(self.zone).date() - _DAY
            days = self._days
            while True:
                intervals = days.get(day)
                if intervals is None:
                    if len(days) >= _REMEMBERED_DAYS:
                        days.clear()
                    intervals = days[day] = self._day(day)
                for begin, end in intervals:
                    if end > start:
                        yield max(begin, start), end
                day += _DAY
        except OverflowError:
            return  # the last day a datetime can hold: no working time after it

    def _day(self, day: date) -> Interval:
        """The working intervals of *day*, as UTC instants.

        Each local day owns the real time from its first midnight to the
        next, so intervals never overlap however the zone shifts its clocks.
        """
        if day in self._closed:
            return ()
        spans = self._week[day.weekday()]
        if not spans:
            return ()
        zone = self.zone
        floor = _instant(day, _MIDNIGHT, zone, latest=False)
        day_end = _instant(day + _DAY, _MIDNIGHT, zone, latest=False)
        found: list[tuple[datetime, datetime]] = []
        for opening, closing in spans:
            begin = max(_instant(day, opening, zone, latest=False), floor)
            if closing == _MIDNIGHT:
                end = day_end
            else:
                end = min(_instant(day, closing, zone, latest=True), day_end)
            if end > begin:
                found.append((begin, end))
                floor = end
        return tuple(found)


def _utc(value: object, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidValue(f"{name}: expected a timezone-aware datetime, got {value!r}", field=name)
    return value.astimezone(UTC)


def _duration(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidValue(f"amount: expected a timedelta >= 0, got {value!r}", field="amount")
    return value


def _instant(day: date, clock: time, zone: ZoneInfo, *, latest: bool) -> datetime:
    """The real instant (UTC) the wall clock shows *clock* on *day* in *zone*.

    A wall time shown twice (clocks go back) gives its first or, with
    *latest*, its second occurrence; a wall time that never shows (clocks
    jump forward) gives the moment the jump lands.
    """
    wall = datetime.combine(day, clock, tzinfo=zone)
    first = wall.astimezone(UTC)
    second = wall.replace(fold=1).astimezone(UTC)
    if first == second:
        return first
    if first < second:
        return second if latest else first
    return _landing(second, first, zone)


def _landing(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] with the offset *after* has: where a jump lands."""
    base = before.replace(microsecond=0)
    target = after.astimezone(zone).utcoffset()
    low, high = 0, int((after - base).total_seconds()) + 1
    while high - low > 1:
        middle = (low + high) // 2
        if (base + timedelta(seconds=middle)).astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return base + timedelta(seconds=high)
