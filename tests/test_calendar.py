"""Business calendars: working time in a zone, across weekends, holidays and clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._rulebook import _calendar

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)
ALWAYS = dict.fromkeys(sr.Weekday, "00:00-24:00")
"""Open every hour of every day: working time is real elapsed time."""


def office(zone: str = "Europe/Berlin", **changes: object) -> sr.BusinessCalendar:
    """Monday-Friday 09:00-17:00 in *zone*, with *changes*."""
    return sr.BusinessCalendar(time_zone=zone, **changes)


class TestWeekday:
    def test_of_a_date(self) -> None:
        """Weekday.of names the day a date falls on."""
        assert sr.Weekday.SUNDAY == sr.Weekday.of(date(2026, 3, 29))

    def test_numbers_match_the_standard_library(self) -> None:
        """Monday is 0 and Sunday 6, as date.weekday() counts."""
        assert list(range(7)) == [day.number for day in sr.Weekday]


class TestBuilding:
    def test_defaults_are_office_hours_in_utc(self) -> None:
        """Without arguments: Monday-Friday 09:00-17:00, UTC, no holidays."""
        calendar = sr.BusinessCalendar()
        assert "UTC" == calendar.time_zone
        assert ((time(9), time(17)),) == calendar.hours[sr.Weekday.MONDAY]
        assert sr.Weekday.SATURDAY not in calendar.hours
        assert () == calendar.holidays

    def test_hours_read_from_text(self) -> None:
        """Hours given as text become pairs of times; weekdays may be named in text."""
        calendar = office(hours={"monday": "08:00-12:30, 13:30-17:00", "SATURDAY": "10:00-14:00"})
        assert ((time(8), time(12, 30)), (time(13, 30), time(17))) == calendar.hours[
            sr.Weekday.MONDAY
        ]
        assert ((time(10), time(14)),) == calendar.hours[sr.Weekday.SATURDAY]

    def test_hours_read_from_pairs(self) -> None:
        """A (start, end) pair, a tuple of pairs and TOML-like lists all work."""
        calendar = office(
            hours={
                sr.Weekday.MONDAY: (time(9), time(17)),
                sr.Weekday.TUESDAY: ((time(9), time(12)), (time(13), time(17))),
                sr.Weekday.WEDNESDAY: [["09:00", "17:00"]],
            }
        )
        assert ((time(9), time(17)),) == calendar.hours[sr.Weekday.MONDAY]
        assert 2 == len(calendar.hours[sr.Weekday.TUESDAY])
        assert ((time(9), time(17)),) == calendar.hours[sr.Weekday.WEDNESDAY]

    def test_midnight_ends_a_day(self) -> None:
        """An end of 24:00 (or 00:00) is midnight: the rest of the day counts."""
        calendar = office(zone="UTC", hours={"monday": "18:00-24:00"})
        monday = datetime(2026, 3, 2, 18, tzinfo=UTC)
        assert 6 * HOUR == calendar.between(monday, monday + 6 * HOUR)

    def test_touching_spans_are_one_stretch(self) -> None:
        """09:00-12:00 and 12:00-17:00 read as one stretch of working time."""
        calendar = office(hours={"monday": "09:00-12:00, 12:00-17:00"})
        assert ((time(9), time(17)),) == calendar.hours[sr.Weekday.MONDAY]

    def test_zone_given_as_zoneinfo(self) -> None:
        """A ZoneInfo is accepted and kept by its name."""
        assert "Europe/Berlin" == sr.BusinessCalendar(time_zone=BERLIN).time_zone

    def test_holidays_are_sorted_dates(self) -> None:
        """Holidays given as dates or ISO text become sorted, unique dates."""
        calendar = office(holidays=["2026-12-26", date(2026, 12, 25), date(2026, 12, 25)])
        assert (date(2026, 12, 25), date(2026, 12, 26)) == calendar.holidays

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"time_zone": "Europe/Berln"}, "unknown time zone 'Europe/Berln'"),
            ({"time_zone": 1}, "expected an IANA zone name"),
            ({"hours": {"funday": "09:00-17:00"}}, "'funday' is not a weekday"),
            ({"hours": {"monday": "17:00-09:00"}}, "ends at 09:00:00 before it starts"),
            ({"hours": {"monday": "09:00-13:00, 12:00-17:00"}}, "overlap"),
            ({"hours": {"monday": "9am-5pm"}}, "expected a time like"),
            ({"hours": {"monday": "09:00-24:30"}}, "24:30 is past 24:00"),
            ({"hours": {"monday": 9}}, "expected hours like"),
            ({"hours": {"monday": [("09:00", "12:00", "17:00")]}}, "expected a (start, end) pair"),
            ({"hours": {"monday": (time(9, tzinfo=UTC), time(17))}}, "without a zone"),
            ({"hours": {}}, "no working hours on any day"),
            ({"hours": "weekdays"}, "expected a mapping"),
            ({"holidays": [datetime(2026, 12, 25, tzinfo=UTC)]}, "expected a date"),
            ({"holidays": ["Christmas"]}, "expected a date"),
            ({"holidays": "2026-12-25"}, "expected a list of dates"),
        ],
    )
    def test_bad_calendars_are_refused(self, changes: dict[str, object], problem: str) -> None:
        """Each malformed part is refused with InvalidPolicy naming it."""
        with pytest.raises(sr.InvalidPolicy) as refused:
            sr.BusinessCalendar(**changes)
        assert any(problem in line for line in refused.value.problems), refused.value.problems

    def test_every_problem_with_the_hours_at_once(self) -> None:
        """Several bad days are all reported in one error."""
        with pytest.raises(sr.InvalidPolicy) as refused:
            office(hours={"monday": "17:00-09:00", "tuesday": "late", "someday": "09:00-17:00"})
        assert 3 == len(refused.value.problems)


class TestArithmetic:
    def test_friday_afternoon_to_monday(self) -> None:
        """Two working hours from Friday 16:30 end on Monday at 10:30."""
        calendar = office()
        friday = datetime(2026, 3, 6, 16, 30, tzinfo=BERLIN)
        assert datetime(2026, 3, 9, 10, 30, tzinfo=BERLIN) == calendar.add(friday, 2 * HOUR)

    def test_before_opening_counts_from_opening(self) -> None:
        """A complaint at 06:00 starts counting at 09:00."""
        calendar = office()
        early = datetime(2026, 3, 2, 6, 0, tzinfo=BERLIN)
        assert datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN) == calendar.add(early, HOUR)

    def test_holidays_are_skipped(self) -> None:
        """Christmas Day and Boxing Day hold no working time."""
        calendar = office(holidays=[date(2026, 12, 24), date(2026, 12, 25)])
        wednesday = datetime(2026, 12, 23, 16, 0, tzinfo=BERLIN)
        assert datetime(2026, 12, 28, 10, 0, tzinfo=BERLIN) == calendar.add(wednesday, 2 * HOUR)

    def test_results_are_in_the_calendar_zone(self) -> None:
        """Times given in any zone come back in the calendar's zone."""
        calendar = office(zone="America/New_York")
        start = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York
        result = calendar.add(start, HOUR)
        assert NEW_YORK is result.tzinfo
        assert datetime(2026, 3, 2, 15, 0, tzinfo=UTC) == result

    def test_adding_nothing_is_the_start(self) -> None:
        """Zero working time after a moment is that moment, even outside working hours."""
        calendar = office()
        sunday = datetime(2026, 3, 8, 12, 0, tzinfo=BERLIN)
        assert sunday == calendar.add(sunday, timedelta(0))

    def test_between_runs_backwards_too(self) -> None:
        """between(b, a) is minus between(a, b)."""
        calendar = office()
        start = datetime(2026, 3, 2, 10, tzinfo=BERLIN)
        end = datetime(2026, 3, 3, 10, tzinfo=BERLIN)
        assert 8 * HOUR == calendar.between(start, end)
        assert -8 * HOUR == calendar.between(end, start)

    def test_is_working(self) -> None:
        """A span includes its opening moment and excludes its closing one."""
        calendar = office()
        assert calendar.is_working(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))
        assert not calendar.is_working(datetime(2026, 3, 2, 17, 0, tzinfo=BERLIN))
        assert not calendar.is_working(datetime(2026, 3, 7, 12, 0, tzinfo=BERLIN))

    def test_bad_arguments_are_refused(self) -> None:
        """Naive times and negative amounts raise InvalidValue."""
        calendar = office()
        with pytest.raises(sr.InvalidValue, match="timezone-aware"):
            calendar.add(datetime(2026, 3, 2, 9), HOUR)
        with pytest.raises(sr.InvalidValue, match=">= 0"):
            calendar.add(datetime(2026, 3, 2, 9, tzinfo=UTC), -HOUR)
        with pytest.raises(sr.InvalidValue, match="timezone-aware"):
            calendar.between(datetime(2026, 3, 2, 9, tzinfo=UTC), "tomorrow")  # type: ignore[arg-type]


class TestRememberedDays:
    def test_forgetting_changes_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A calendar that keeps only a few days' intervals gives the same answers."""
        start = datetime(2026, 3, 6, 16, 30, tzinfo=BERLIN)
        expected = office().add(start, 100 * HOUR)
        monkeypatch.setattr(_calendar, "_REMEMBERED_DAYS", 3)
        assert expected == office().add(start, 100 * HOUR)


class TestDaylightSaving:
    @pytest.mark.parametrize(
        ("zone", "day", "length"),
        [
            (BERLIN, date(2026, 3, 29), 23),  # spring forward
            (BERLIN, date(2026, 10, 25), 25),  # fall back
            (NEW_YORK, date(2026, 3, 8), 23),
            (NEW_YORK, date(2026, 11, 1), 25),
            (SYDNEY, date(2026, 10, 4), 23),  # southern spring
            (SYDNEY, date(2026, 4, 5), 25),
            (BERLIN, date(2026, 3, 30), 24),
        ],
    )
    def test_a_whole_day_has_its_real_length(self, zone: ZoneInfo, day: date, length: int) -> None:
        """Open round the clock, a day of a clock change holds 23 or 25 working hours."""
        calendar = sr.BusinessCalendar(time_zone=zone.key, hours=ALWAYS)
        start = datetime.combine(day, time(0), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        assert length * HOUR == calendar.between(start, end)

    def test_hours_starting_in_the_skipped_hour(self) -> None:
        """Hours from 02:30 on the night 02:00 becomes 03:00 start when the clock lands."""
        calendar = sr.BusinessCalendar(time_zone="Europe/Berlin", hours={"sunday": "02:30-05:00"})
        day = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
        assert 2 * HOUR == calendar.between(day, day + 24 * HOUR)
        assert datetime(2026, 3, 29, 1, 0, tzinfo=UTC) == calendar.add(day, timedelta(0, 1)) - (
            timedelta(0, 1)
        )

    def test_hours_across_the_repeated_hour(self) -> None:
        """01:00-04:00 on the night 03:00 becomes 02:00 again holds four real hours."""
        calendar = sr.BusinessCalendar(time_zone="Europe/Berlin", hours={"sunday": "01:00-04:00"})
        day = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
        assert 4 * HOUR == calendar.between(day, day + 30 * HOUR)

    def test_hours_ending_in_the_repeated_hour(self) -> None:
        """Hours until 02:30 on the night 02:00-03:00 repeats end at the second 02:30."""
        calendar = sr.BusinessCalendar(time_zone="Europe/Berlin", hours={"sunday": "01:00-02:30"})
        day = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
        assert timedelta(hours=2, minutes=30) == calendar.between(day, day + 30 * HOUR)

    def test_office_hours_on_a_change_day_keep_eight_hours(self) -> None:
        """New York offices open on the Sunday clocks change still work eight hours."""
        calendar = sr.BusinessCalendar(
            time_zone="America/New_York", hours={"sunday": "09:00-17:00"}
        )
        morning = datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK)
        assert morning + 8 * HOUR == calendar.add(morning, 8 * HOUR)


# -- properties ------------------------------------------------------------------------

ZONES = st.sampled_from(
    [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Australia/Lord_Howe",  # a half-hour change
        "America/Santiago",  # changes at midnight
        "Europe/Dublin",  # "negative" summer time
        "Asia/Kolkata",
        "Pacific/Apia",  # skipped a whole day in 2011
        "UTC",
    ]
) | st.timezones().map(lambda zone: zone.key)
quarter_hours = st.integers(0, 24 * 4).map(lambda n: n * 15)


@st.composite
def day_hours(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Up to two spans of working hours on quarter hours, possibly touching midnight."""
    marks = sorted(draw(st.sets(quarter_hours, max_size=4)))
    if len(marks) % 2:
        marks = marks[:-1]
    return [(_clock_text(marks[n]), _clock_text(marks[n + 1])) for n in range(0, len(marks), 2)]


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def calendars(draw: st.DrawFn) -> sr.BusinessCalendar:
    """Any valid calendar: random hours per weekday, random holidays, a random zone."""
    hours = {day: draw(day_hours()) for day in sr.Weekday}
    if not any(hours.values()):
        hours[sr.Weekday.MONDAY] = [("09:00", "17:00")]
    holidays = draw(st.lists(st.dates(date(2010, 1, 1), date(2031, 12, 31)), max_size=8))
    return sr.BusinessCalendar(time_zone=draw(ZONES), hours=hours, holidays=holidays)


instants = st.datetimes(
    min_value=datetime(2010, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.timezones()
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=6))


class TestProperties:
    @given(calendars(), instants, amounts)
    def test_measuring_what_was_added_gives_it_back(
        self, calendar: sr.BusinessCalendar, start: datetime, amount: timedelta
    ) -> None:
        """between(start, add(start, d)) is exactly d."""
        assert amount == calendar.between(start, calendar.add(start, amount))

    @given(calendars(), instants, amounts, amounts)
    def test_adding_more_never_ends_earlier(
        self, calendar: sr.BusinessCalendar, start: datetime, first: timedelta, second: timedelta
    ) -> None:
        """add is monotonic in the amount."""
        low, high = sorted((first, second))
        assert calendar.add(start, low) <= calendar.add(start, high)

    @given(calendars(), instants, st.timedeltas(timedelta(0), timedelta(days=3)), amounts)
    def test_starting_later_never_ends_earlier(
        self, calendar: sr.BusinessCalendar, start: datetime, delay: timedelta, amount: timedelta
    ) -> None:
        """add is monotonic in the start (later in real time, not on the wall clock)."""
        later = start.astimezone(UTC) + delay
        assert calendar.add(start, amount) <= calendar.add(later, amount)

    @given(calendars(), instants, amounts.filter(bool))
    def test_never_lands_outside_working_hours(
        self, calendar: sr.BusinessCalendar, start: datetime, amount: timedelta
    ) -> None:
        """A positive amount always ends inside working time (or as a span closes)."""
        end = calendar.add(start, amount)
        assert end > start
        assert calendar.is_working(end - MICROSECOND)

    @given(calendars(), instants, st.lists(amounts, min_size=2, max_size=2))
    def test_working_time_adds_up(
        self, calendar: sr.BusinessCalendar, start: datetime, steps: list[timedelta]
    ) -> None:
        """between(a, c) == between(a, b) + between(b, c), and never exceeds the real time."""
        middle = start.astimezone(UTC) + steps[0]
        end = middle + steps[1]
        whole = calendar.between(start, end)
        assert whole == calendar.between(start, middle) + calendar.between(middle, end)
        assert timedelta(0) <= whole <= end - start.astimezone(UTC)

    @given(calendars(), st.dates(date(2010, 1, 1), date(2030, 12, 31)))
    def test_a_holiday_holds_no_working_time(
        self, calendar: sr.BusinessCalendar, day: date
    ) -> None:
        """Whatever its weekday's hours, a holiday adds nothing; the next day is untouched."""
        closed = sr.BusinessCalendar(
            time_zone=calendar.time_zone, hours=calendar.hours, holidays=[*calendar.holidays, day]
        )
        zone = closed.zone
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        after = next_midnight + timedelta(days=2)
        assert timedelta(0) == closed.between(midnight, next_midnight)
        assert calendar.between(next_midnight, after) == closed.between(next_midnight, after)

    @given(ZONES, st.dates(date(2010, 1, 1), date(2030, 12, 31)))
    def test_a_working_day_lasts_what_the_zone_says(self, key: str, day: date) -> None:
        """A day's working time is the real time between its opening and closing moments."""
        zone = ZoneInfo(key)
        opening = datetime.combine(day, time(9), tzinfo=zone)
        closing = datetime.combine(day, time(17), tzinfo=zone)
        for moment in (opening, closing):  # skip the rare zone that shifts its clock then
            assume(moment == moment.astimezone(UTC).astimezone(zone))
            assume(moment.utcoffset() == moment.replace(fold=1).utcoffset())
        calendar = sr.BusinessCalendar(time_zone=key, hours={day.strftime("%A"): "09:00-17:00"})
        real = closing.astimezone(UTC) - opening.astimezone(UTC)
        assert real == calendar.between(opening - 12 * HOUR, closing + 12 * HOUR)


class TestClockProblemsNamed:
    @pytest.mark.parametrize(
        ("hours", "problem"),
        [
            ("25:00-26:00", "calendar.hours.monday[0].start: hour 25 is past 24:00 in '25:00'"),
            ("09:75-17:00", "calendar.hours.monday[0].start: minute 75 is past 59 in '09:75'"),
            (
                "09:00-24:30",
                "calendar.hours.monday[0].end: 24:30 is past 24:00 (the day ends at 24:00)",
            ),
        ],
    )
    def test_out_of_range_times(self, hours: str, problem: str) -> None:
        """A clock time out of range says which part is wrong, not 'expected a time'."""
        with pytest.raises(sr.InvalidPolicy) as caught:
            sr.BusinessCalendar(hours={"monday": hours})
        assert problem in caught.value.problems
