"""Clocks: the library reads time only from commands, ``now=`` or a clock it is given."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._time._clock import after
from tests.timing_cases import HOUR, MINUTE, T0, open_case

BERLIN = ZoneInfo("Europe/Berlin")
SOURCE = Path(sr.__file__).parent


class TestFixedClock:
    def test_shows_the_time_it_was_given(self) -> None:
        """A fixed clock tells the time it was built with until moved."""
        clock = sr.FixedClock(T0)
        assert T0 == clock.now()
        assert T0 == clock.now()

    def test_is_a_clock(self) -> None:
        """FixedClock satisfies the Clock protocol."""
        assert isinstance(sr.FixedClock(T0), sr.Clock)

    @given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
    def test_advance_moves_by_elapsed_time(self, step: timedelta) -> None:
        """Advancing moves the clock by exactly *step* of real time and returns the new time."""
        clock = sr.FixedClock(T0)
        moved = clock.advance(step)
        assert moved == clock.now()
        assert step == clock.now() - T0

    def test_advance_across_daylight_saving_counts_real_hours(self) -> None:
        """One hour after 01:30 on the night clocks spring forward is 03:30 in Berlin."""
        clock = sr.FixedClock(datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN))
        clock.advance(HOUR)
        assert (3, 30) == (clock.now().hour, clock.now().minute)
        assert BERLIN is clock.now().tzinfo

    def test_set_goes_anywhere(self) -> None:
        """set() moves the clock to any aware time, earlier ones included."""
        clock = sr.FixedClock(T0)
        earlier = T0 - HOUR
        assert earlier == clock.set(earlier)
        assert earlier == clock.now()

    def test_advance_backwards_is_refused(self) -> None:
        """A negative step is refused with a clear error and the clock stays put."""
        clock = sr.FixedClock(T0)
        with pytest.raises(sr.InvalidValue, match="set"):
            clock.advance(-MINUTE)
        assert T0 == clock.now()

    def test_a_clock_holds_a_datetime(self) -> None:
        """Anything but a datetime is refused when the clock is built."""
        with pytest.raises(sr.InvalidValue, match="expected a timezone-aware datetime"):
            sr.FixedClock("09:00")  # type: ignore[arg-type]

    def test_naive_times_are_refused(self) -> None:
        """A clock never holds a naive time: building or setting one is refused."""
        with pytest.raises(sr.InvalidValue, match="no time zone"):
            sr.FixedClock(datetime(2026, 3, 2, 9))
        clock = sr.FixedClock(T0)
        with pytest.raises(sr.InvalidValue, match="no time zone"):
            clock.set(datetime(2026, 3, 2, 9))
        assert T0 == clock.now()


class TestAfter:
    def test_compares_real_instants_in_the_repeated_hour(self) -> None:
        """02:30 the second time round comes after 02:45 the first time, in Berlin."""
        first_time = datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN)
        second_time = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)
        assert after(second_time, first_time)
        assert not after(first_time, second_time)

    def test_compares_across_zones(self) -> None:
        """Moments in different zones compare by the instant they name."""
        assert after(T0, datetime(2026, 3, 2, 9, 59, tzinfo=BERLIN))
        assert not after(T0, T0)


class TestSystemClock:
    def test_tells_aware_utc_time(self) -> None:
        """The system clock returns an aware UTC datetime."""
        now = sr.SystemClock().now()
        assert UTC is now.tzinfo

    def test_is_a_clock(self) -> None:
        """SystemClock satisfies the Clock protocol."""
        assert isinstance(sr.SystemClock(), sr.Clock)
        assert "SystemClock()" == repr(sr.SystemClock())


class TestWorkflowClock:
    def test_deadlines_read_the_workflow_clock(self) -> None:
        """Without now=, deadlines ask the clock the workflow was built with."""
        clock = sr.FixedClock(T0 + 10 * MINUTE)
        workflow = sr.Workflow(clock=clock)
        case = open_case(workflow)
        (first,) = workflow.deadlines(case)
        assert sr.DeadlineStatus.UPCOMING == first.status
        clock.advance(2 * HOUR)
        (first,) = workflow.deadlines(case)
        assert sr.DeadlineStatus.BREACHED == first.status

    def test_explicit_now_wins_over_the_clock(self) -> None:
        """now= is used as given even when the workflow has a clock."""
        workflow = sr.Workflow(clock=sr.FixedClock(T0 + 2 * HOUR))
        case = open_case(workflow)
        (first,) = workflow.deadlines(case, now=T0)
        assert sr.DeadlineStatus.UPCOMING == first.status

    def test_tick_and_due_read_the_clock(self) -> None:
        """tick and due take their time from the clock too."""
        workflow = sr.Workflow(clock=sr.FixedClock(T0 + 2 * HOUR))
        case = open_case(workflow)
        assert ["case-1"] == [item.case.id for item in workflow.due([case])]
        assert frozenset({"first_response"}) == workflow.tick(case).breaches

    def test_no_time_at_all_is_refused(self) -> None:
        """Without now= and without a clock, the time verbs say what to pass."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        for call in (
            lambda: workflow.deadlines(case),
            lambda: workflow.tick(case),
            lambda: workflow.due([case]),
        ):
            with pytest.raises(sr.InvalidValue, match="now=") as refused:
                call()
            assert "now" == refused.value.field

    def test_naive_now_is_refused(self) -> None:
        """A naive now= is refused, never guessed."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        with pytest.raises(sr.InvalidValue, match="no time zone"):
            workflow.deadlines(case, now=datetime(2026, 3, 2, 9))

    def test_a_clock_telling_naive_time_is_refused(self) -> None:
        """A host clock that returns a naive datetime is reported as such."""

        class NaiveClock:
            def now(self) -> datetime:
                return datetime(2026, 3, 2, 9)

        workflow = sr.Workflow(clock=NaiveClock())
        case = open_case(workflow)
        with pytest.raises(sr.InvalidValue, match="must return an aware datetime"):
            workflow.deadlines(case)

    def test_something_without_now_is_not_a_clock(self) -> None:
        """Building a workflow with a non-clock fails at once, naming the parameter."""
        with pytest.raises(sr.InvalidValue, match="clock") as refused:
            sr.Workflow(clock="12:00")  # type: ignore[arg-type]
        assert "clock" == refused.value.field

    @pytest.mark.parametrize("impostor", [datetime, datetime(2026, 1, 1, tzinfo=UTC)])
    def test_a_datetime_is_not_a_clock(self, impostor: object) -> None:
        """``datetime`` has a now() that reads the wall clock: refused, with the fix named."""
        with pytest.raises(sr.InvalidValue, match="FixedClock") as refused:
            sr.Workflow(clock=impostor)  # type: ignore[arg-type]
        assert "clock" == refused.value.field

    def test_the_clock_is_kept(self) -> None:
        """The workflow exposes the clock it was given (None by default)."""
        clock = sr.FixedClock(T0)
        assert clock is sr.Workflow(clock=clock).clock
        assert sr.Workflow().clock is None


class TestNoWallClock:
    WALL_CLOCK = re.compile(
        r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(|time\.monotonic\("
    )

    def test_only_the_system_clock_reads_the_wall_clock(self) -> None:
        """No library module reads the wall clock but SystemClock, which hosts choose."""
        readers = sorted(
            str(path.relative_to(SOURCE))
            for path in SOURCE.rglob("*.py")
            if self.WALL_CLOCK.search(path.read_text(encoding="utf-8"))
            and path.name not in ("_clock.py",)
        )
        assert [] == readers
        clock_source = (SOURCE / "_time" / "_clock.py").read_text(encoding="utf-8")
        assert 1 == len(self.WALL_CLOCK.findall(clock_source))
