"""Schedules taken on one event at a time equal the schedules worked out from scratch."""

from __future__ import annotations

import sys
from datetime import timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._time._deadlines import Schedule, Timekeeper
from service_recovery._time._schedules import schedule_after
from service_recovery.testing import aware_datetimes, plausible_commands, policies

from .scenarios import walk_to

OFFICE = sr.ServiceLevels(
    calendar=sr.BusinessCalendar(time_zone="Europe/Berlin"), warning_fractions=(0.5, 0.8)
)


class ShiftingAttempts(sr.RecoveryPolicy):
    """Asks for one more follow-up after each unanswered one: an answer that changes."""

    def follow_up_attempts_for(self, case: sr.Case) -> int:
        return 2 + case.follow_up_attempts


def moments(schedule: Schedule) -> tuple[float, float, float]:
    return schedule.attention_ts, schedule.next_ts, schedule.breach_ts


def from_scratch(policy: sr.RecoveryPolicy, case: sr.Case) -> tuple[float, float, float]:
    """The schedule of *case* walked over its whole history, by a timekeeper of its own."""
    return moments(Timekeeper(policy)._compute(case))


@st.composite
def lives(draw: st.DrawFn) -> tuple[sr.Workflow, list[sr.Case]]:
    """A workflow and one case as it grows: commands, waits, ticks that record breaches."""
    base = draw(st.sampled_from([sr.RecoveryPolicy(), ShiftingAttempts()]))
    policy = draw(policies(base))
    if draw(st.booleans()):
        policy = attrs.evolve(policy, service_levels=OFFICE)
    workflow = sr.Workflow(policy)
    case = workflow.open(
        customer=sr.Customer("c-1"),
        channel=draw(st.sampled_from(sr.Channel)),
        severity=draw(st.sampled_from(sr.Severity)),
        summary="Parcel lost",
        at=draw(aware_datetimes()),
    )
    grown = [case]
    for _ in range(draw(st.integers(0, 24))):
        if draw(st.integers(0, 3)) == 0:  # a worker ticks, now and then well after
            hours = draw(st.integers(0, 24 * 10))
            case = workflow.tick(case, case.last_at + timedelta(hours=hours))
        else:
            command = draw(plausible_commands(workflow, case))
            if draw(st.integers(0, 3)) == 0:  # late: a clock may be met after it was due
                late = timedelta(hours=draw(st.integers(1, 24 * 10)))
                command = attrs.evolve(command, at=command.at + late)
            try:
                case = workflow.apply(case, command)
            except sr.RecoveryError:
                continue
        if case is not grown[-1]:
            grown.append(case)
    return workflow, grown


class TestScheduleAfter:
    @given(lives())
    def test_event_by_event_equals_from_scratch(
        self, life: tuple[sr.Workflow, list[sr.Case]]
    ) -> None:
        """Each case's schedule, taken on from the one before, is the one its history gives."""
        workflow, grown = life
        previous = None
        for case in grown:
            kept = schedule_after(workflow._timekeeper, previous, case)
            assert from_scratch(workflow.policy, case) == moments(kept)
            previous = case

    @given(lives(), st.data())
    def test_several_events_at_once_equal_from_scratch(
        self, life: tuple[sr.Workflow, list[sr.Case]], data: st.DataObject
    ) -> None:
        """A case grown by several events (a tick recording many breaches) is taken on too."""
        workflow, grown = life
        first = data.draw(st.sampled_from(grown))
        last = grown[-1]
        schedule_after(workflow._timekeeper, None, first)
        kept = schedule_after(workflow._timekeeper, first, last)
        assert from_scratch(workflow.policy, last) == moments(kept)

    def test_rescheduled_promises_are_taken_on(self) -> None:
        """A promise broken, given a new date, then another: each step as from scratch."""
        workflow = sr.Workflow()
        case = walk_to(sr.Stage.RESOLVING, workflow)
        assert case.plan is not None
        steps: list[sr.Case] = [case]
        steps.append(workflow.tick(case, now=case.plan.actions[0].due + timedelta(days=1)))
        for index, days in ((0, 3), (1, 2), (0, 5)):
            last = steps[-1]
            at = last.last_at + timedelta(minutes=1)
            steps.append(
                workflow.apply(
                    last,
                    sr.Reschedule(
                        by=sr.SYSTEM,
                        at=at,
                        index=index,
                        due=at + timedelta(days=days),
                        reason="A new date, agreed",
                    ),
                )
            )
        previous = None
        for step in steps:
            kept = schedule_after(workflow._timekeeper, previous, step)
            assert from_scratch(workflow.policy, step) == moments(kept)
            previous = step

    def test_a_withdrawn_case_runs_no_clock(self) -> None:
        """Withdrawn, a case's schedule is empty, taken on or from scratch."""
        workflow = sr.Workflow()
        case = walk_to(sr.Stage.REPORTED, workflow)  # its first-response clock runs
        assert schedule_after(workflow._timekeeper, None, case).next_ts != float("inf")
        withdrawn = workflow.apply(
            case,
            sr.Withdraw(by=sr.SYSTEM, at=case.last_at, reason="spam"),
        )
        kept = schedule_after(workflow._timekeeper, case, withdrawn)
        assert from_scratch(workflow.policy, withdrawn) == moments(kept)
        assert kept.next_ts == float("inf")

    def test_the_walk_is_kept_and_taken_on_not_redone(self) -> None:
        """The case grown next starts from the kept walk: it walks only its new event."""
        workflow = sr.Workflow()
        resolving = walk_to(sr.Stage.RESOLVING, workflow)
        first = schedule_after(workflow._timekeeper, None, resolving)
        updated = workflow.apply(
            resolving,
            sr.SendUpdate(
                by=sr.SYSTEM, at=resolving.last_at + timedelta(hours=1), message="On its way"
            ),
        )
        kept = schedule_after(workflow._timekeeper, resolving, updated)
        assert first.progress is not None
        assert kept.progress is not None
        assert (resolving.version, updated.version) == (
            first.progress.version,  # type: ignore[attr-defined]
            kept.progress.version,  # type: ignore[attr-defined]
        )
        assert updated._schedule is kept
        assert workflow._timekeeper.schedule(updated) is kept

    def test_a_case_not_grown_from_the_one_before_is_walked_from_scratch(self) -> None:
        """Handed an unrelated case as *before*, the result is still the case's own schedule."""
        workflow = sr.Workflow()
        stranger = walk_to(sr.Stage.CLOSED, workflow)
        schedule_after(workflow._timekeeper, None, stranger)
        case = walk_to(sr.Stage.RESOLVING, workflow)
        assert from_scratch(workflow.policy, case) == moments(
            schedule_after(workflow._timekeeper, stranger, case)
        )

    def test_another_workflows_walk_is_not_taken_on(self) -> None:
        """A walk kept under one policy is never taken on under another."""
        quick = sr.Workflow(
            sr.RecoveryPolicy(service_levels=sr.ServiceLevels(update_interval=timedelta(hours=1)))
        )
        slow = sr.Workflow()
        resolving = walk_to(sr.Stage.RESOLVING, slow)
        schedule_after(slow._timekeeper, None, resolving)
        updated = slow.apply(
            resolving,
            sr.SendUpdate(by=sr.SYSTEM, at=resolving.last_at, message="On its way"),
        )
        assert from_scratch(quick.policy, updated) == moments(
            schedule_after(quick._timekeeper, resolving, updated)
        )

    def test_a_case_met_late_stays_breached_until_a_tick_records_it(self) -> None:
        """An update sent after it was due is a breach in the kept walk, gone once recorded."""
        workflow = sr.Workflow()
        resolving = walk_to(sr.Stage.RESOLVING, workflow)
        schedule_after(workflow._timekeeper, None, resolving)
        late = workflow.apply(
            resolving,
            sr.SendUpdate(by=sr.SYSTEM, at=resolving.last_at + timedelta(days=5), message="Sorry"),
        )
        kept = schedule_after(workflow._timekeeper, resolving, late)
        assert kept.breach_ts < late.last_at.timestamp()
        assert from_scratch(workflow.policy, late) == moments(kept)
        ticked = workflow.tick(late, late.last_at)
        assert from_scratch(workflow.policy, ticked) == moments(
            schedule_after(workflow._timekeeper, late, ticked)
        )

    def test_follow_ups_needed_that_change_as_the_case_grows(self) -> None:
        """A policy whose follow-ups needed change with the case is walked as from scratch."""
        workflow = sr.Workflow(ShiftingAttempts())
        case = walk_to(sr.Stage.RESOLVED, workflow)
        schedule_after(workflow._timekeeper, None, case)
        for _ in range(4):
            unanswered = sr.FollowUp(
                by=sr.SYSTEM,
                at=case.last_at + timedelta(days=4),
                outcome=sr.FollowUpOutcome.NO_ANSWER,
            )
            grown = workflow.apply(case, unanswered)
            kept = schedule_after(workflow._timekeeper, case, grown)
            assert from_scratch(workflow.policy, grown) == moments(kept)
            case = grown

    def test_a_kept_walk_does_not_hold_its_case(self) -> None:
        """The walk kept on a case's memo holds no reference to the case: no cycle to collect."""
        workflow = sr.Workflow()
        case = walk_to(sr.Stage.RESOLVING, workflow)
        held = sys.getrefcount(case)
        schedule_after(workflow._timekeeper, None, case)
        assert held == sys.getrefcount(case)
