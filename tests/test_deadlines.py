"""Deadlines: the clocks a case runs, their due times and where they stand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._time._deadlines import Timekeeper
from tests.scenarios import walk_to
from tests.timing_cases import (
    AGENT,
    DAY,
    HOUR,
    MINUTE,
    T0,
    answer,
    closed_case,
    complete_all,
    follow_up,
    of_kind,
    only,
    open_case,
    resolving_case,
)

K = sr.DeadlineKind
S = sr.DeadlineStatus
BERLIN = ZoneInfo("Europe/Berlin")
WORKFLOW = sr.Workflow()


def office_policy(**levels: object) -> sr.RecoveryPolicy:
    """The default policy with Berlin office hours (Mon-Fri 09:00-17:00) and *levels*."""
    return sr.RecoveryPolicy(
        service_levels=sr.ServiceLevels(
            calendar=sr.BusinessCalendar(time_zone="Europe/Berlin"),
            **levels,  # type: ignore[arg-type]
        )
    )


class TestFirstResponse:
    @pytest.mark.parametrize(
        ("elapsed", "status", "warnings"),
        [
            (20 * MINUTE, S.UPCOMING, 0),
            (30 * MINUTE, S.WARNING, 1),
            (45 * MINUTE, S.WARNING, 2),
            (60 * MINUTE, S.WARNING, 2),
            (61 * MINUTE, S.BREACHED, 2),
        ],
    )
    def test_status_follows_the_clock(
        self, elapsed: timedelta, status: sr.DeadlineStatus, warnings: int
    ) -> None:
        """A social complaint warns at half and three quarters of its hour, breaches after it."""
        first = only(WORKFLOW.deadlines(open_case(WORKFLOW), now=T0 + elapsed), K.FIRST_RESPONSE)
        assert (status, warnings) == (first.status, first.warnings)
        assert T0 + HOUR == first.due_at

    def test_left_and_overdue(self) -> None:
        """Time left before the due time; time overdue after it."""
        case = open_case(WORKFLOW)
        running = only(WORKFLOW.deadlines(case, now=T0 + 20 * MINUTE), K.FIRST_RESPONSE)
        late = only(WORKFLOW.deadlines(case, now=T0 + 90 * MINUTE), K.FIRST_RESPONSE)
        assert (40 * MINUTE, timedelta(0)) == (running.left, running.overdue)
        assert (timedelta(0), 30 * MINUTE) == (late.left, late.overdue)
        assert late.late
        assert not running.late

    def test_met_on_time(self) -> None:
        """An answer within the hour meets it on time, for good."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0 + 20 * MINUTE)
        first = only(WORKFLOW.deadlines(case, now=T0 + 5 * DAY), K.FIRST_RESPONSE)
        assert (S.MET, T0 + 20 * MINUTE, timedelta(0)) == (
            first.status,
            first.met_at,
            first.overdue,
        )
        assert not first.late

    def test_met_late(self) -> None:
        """An answer after the hour meets it late, and says by how much."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0 + 90 * MINUTE)
        first = only(WORKFLOW.deadlines(case, now=T0 + 2 * HOUR), K.FIRST_RESPONSE)
        assert (S.MET, 30 * MINUTE) == (first.status, first.overdue)
        assert first.late

    def test_an_automatic_reply_is_not_an_answer(self) -> None:
        """An acknowledgement by the system does not stop the first-response clock."""
        case = WORKFLOW.apply(open_case(WORKFLOW), sr.Acknowledge(by=sr.SYSTEM, at=T0 + MINUTE))
        first = only(WORKFLOW.deadlines(case, now=T0 + 2 * HOUR), K.FIRST_RESPONSE)
        assert S.BREACHED == first.status
        case = WORKFLOW.apply(case, sr.Listen(by=AGENT, at=T0 + 3 * HOUR))
        first = only(WORKFLOW.deadlines(case, now=T0 + 3 * HOUR), K.FIRST_RESPONSE)
        assert (S.MET, T0 + 3 * HOUR) == (first.status, first.met_at)

    @pytest.mark.parametrize("channel", list(sr.Channel))
    def test_target_depends_on_the_channel(self, channel: sr.Channel) -> None:
        """The due time is the policy's target for the case's channel."""
        case = open_case(WORKFLOW, channel=channel)
        first = only(WORKFLOW.deadlines(case, now=T0), K.FIRST_RESPONSE)
        assert WORKFLOW.policy.service_levels.first_response_for(channel) == first.allowed
        assert T0 + first.allowed == first.due_at

    def test_counts_real_hours_across_a_clock_change(self) -> None:
        """An email at 00:30 on the night Berlin springs forward is due 24 real hours later."""
        opened = datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN)
        case = open_case(WORKFLOW, channel=sr.Channel.EMAIL, at=opened)
        first = only(WORKFLOW.deadlines(case, now=opened), K.FIRST_RESPONSE)
        assert 24 * HOUR == first.due_at.astimezone(UTC) - opened.astimezone(UTC)
        assert (30, 1, 30) == (first.due_at.day, first.due_at.hour, first.due_at.minute)
        assert BERLIN is first.due_at.tzinfo


class TestUpdateClock:
    def test_runs_while_the_plan_is_carried_out(self) -> None:
        """Accepting a plan starts an update clock of the policy's interval."""
        case = resolving_case(WORKFLOW)
        update = only(WORKFLOW.deadlines(case, now=T0), K.UPDATE)
        assert (S.UPCOMING, T0 + 2 * DAY, T0) == (update.status, update.due_at, update.started_at)

    def test_no_update_clock_before_a_plan(self) -> None:
        """While the customer is still being heard there is no update clock."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0)
        assert [] == of_kind(WORKFLOW.deadlines(case, now=T0 + 5 * DAY), K.UPDATE)

    def test_an_update_meets_it_and_starts_the_next(self) -> None:
        """Each update is met and the next one is due an interval later."""
        case = resolving_case(WORKFLOW)
        case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=T0 + DAY, message="Shipped"))
        met, running = of_kind(WORKFLOW.deadlines(case, now=T0 + DAY), K.UPDATE)
        assert (S.MET, T0 + DAY) == (met.status, met.met_at)
        assert (S.UPCOMING, T0 + 3 * DAY) == (running.status, running.due_at)
        assert met.ref != running.ref

    def test_a_late_update_is_met_late(self) -> None:
        """An update after the interval meets the clock late."""
        case = resolving_case(WORKFLOW)
        case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=T0 + 3 * DAY, message="Sorry"))
        met = of_kind(WORKFLOW.deadlines(case, now=T0 + 3 * DAY), K.UPDATE)[0]
        assert (S.MET, DAY) == (met.status, met.overdue)

    def test_resolution_ends_it(self) -> None:
        """Completing the plan meets the running update clock; no new one starts."""
        case = complete_all(WORKFLOW, resolving_case(WORKFLOW), T0 + DAY)
        updates = of_kind(WORKFLOW.deadlines(case, now=T0 + 9 * DAY), K.UPDATE)
        assert [(S.MET, T0 + DAY)] == [(update.status, update.met_at) for update in updates]


class TestPromiseDeadlines:
    def test_one_per_promised_action(self) -> None:
        """Each action of the accepted plan is a deadline at the date promised."""
        case = resolving_case(WORKFLOW, dues=(DAY, 3 * DAY))
        promises = of_kind(WORKFLOW.deadlines(case, now=T0), K.PROMISE)
        assert [(0, T0 + DAY), (1, T0 + 3 * DAY)] == [(p.action, p.due_at) for p in promises]
        assert "promise #1: Action 1" == promises[1].label

    def test_completed_on_time_and_late(self) -> None:
        """Completing an action meets its deadline, late if after the date."""
        case = resolving_case(WORKFLOW, dues=(DAY, 3 * DAY))
        case = WORKFLOW.apply(case, sr.CompleteAction(by=AGENT, at=T0 + HOUR, index=1))
        case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=T0 + 2 * DAY, message="Late"))
        case = WORKFLOW.apply(case, sr.CompleteAction(by=AGENT, at=T0 + 2 * DAY, index=0))
        first, second = of_kind(WORKFLOW.deadlines(case, now=T0 + 2 * DAY), K.PROMISE)
        assert (S.MET, DAY) == (first.status, first.overdue)
        assert (S.MET, timedelta(0)) == (second.status, second.overdue)

    def test_breached_when_the_date_passes(self) -> None:
        """An action still open after its date is a breached deadline."""
        case = resolving_case(WORKFLOW, dues=(DAY,))
        promise = only(WORKFLOW.deadlines(case, now=T0 + DAY + HOUR), K.PROMISE)
        assert (S.BREACHED, HOUR) == (promise.status, promise.overdue)

    def test_warns_at_fractions_of_the_time_given(self) -> None:
        """The warning fractions apply to the time from acceptance to the promised date."""
        case = resolving_case(WORKFLOW, dues=(4 * DAY,))
        promise = only(WORKFLOW.deadlines(case, now=T0 + 3 * DAY), K.PROMISE)
        assert (S.WARNING, 2, 4 * DAY) == (promise.status, promise.warnings, promise.allowed)

    def test_only_the_accepted_plan_counts(self) -> None:
        """A declined proposal promises nothing; the plan accepted after it does."""
        case = walk_to(sr.Stage.DIAGNOSED, WORKFLOW)  # answered, heard out and diagnosed at T0
        for command in (
            sr.ProposeSolution(
                by=AGENT, at=T0, plan="Voucher", actions=[sr.Action("Voucher", due=T0 + DAY)]
            ),
            sr.DeclineSolution(by=AGENT, at=T0, reason="Wants the jacket"),
            sr.ProposeSolution(
                by=AGENT, at=T0, plan="Jacket", actions=[sr.Action("Jacket", due=T0 + 2 * DAY)]
            ),
            sr.AcceptSolution(by=AGENT, at=T0),
        ):
            case = WORKFLOW.apply(case, command)
        (promise,) = of_kind(WORKFLOW.deadlines(case, now=T0), K.PROMISE)
        assert ("promise #0: Jacket", T0 + 2 * DAY) == (promise.label, promise.due_at)

    def test_a_plan_moved_past_no_longer_binds(self) -> None:
        """When a graph lets the conversation start over mid-plan, its open actions drop out."""
        restart = sr.Edge(
            sr.FollowUp,
            sr.Stage.RESOLVING,
            sr.Stage.LISTENING,
            sr.outcome_is(sr.FollowUpOutcome.UNSATISFIED),
        )
        graph = sr.StageGraph((*sr.DEFAULT_GRAPH.edges, restart))
        workflow = sr.Workflow(sr.RecoveryPolicy(graph=graph))
        case = resolving_case(workflow, dues=(DAY, 2 * DAY))
        case = workflow.apply(case, sr.CompleteAction(by=AGENT, at=T0 + HOUR, index=0))
        case = follow_up(workflow, case, T0 + 2 * HOUR, sr.FollowUpOutcome.UNSATISFIED)
        promises = of_kind(workflow.deadlines(case, now=T0 + 9 * DAY), K.PROMISE)
        assert [(0, S.MET)] == [(promise.action, promise.status) for promise in promises]

    def test_dates_ignore_the_business_calendar(self) -> None:
        """A promised date is a date: business hours do not move it."""
        workflow = sr.Workflow(office_policy())
        case = resolving_case(workflow, dues=(DAY,))
        promise = only(workflow.deadlines(case, now=T0), K.PROMISE)
        assert T0 + DAY == promise.due_at


class TestFollowUpClock:
    def test_starts_at_resolution(self) -> None:
        """Resolving the case starts the follow-up clock."""
        case = complete_all(WORKFLOW, resolving_case(WORKFLOW), T0 + DAY)
        follow = only(WORKFLOW.deadlines(case, now=T0 + DAY), K.FOLLOW_UP)
        assert (S.UPCOMING, T0 + 4 * DAY) == (follow.status, follow.due_at)
        assert "follow-up (attempt 1)" == follow.label

    def test_each_unanswered_attempt_arms_the_next(self) -> None:
        """No answer meets the attempt and starts the next, until the attempts are used up."""
        case = complete_all(WORKFLOW, resolving_case(WORKFLOW), T0)
        for attempt in range(1, 4):
            case = follow_up(WORKFLOW, case, T0 + attempt * DAY, sr.FollowUpOutcome.NO_ANSWER)
        follows = of_kind(WORKFLOW.deadlines(case, now=T0 + 3 * DAY), K.FOLLOW_UP)
        assert [S.MET] * 3 == [follow.status for follow in follows]
        assert [T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY] == [follow.met_at for follow in follows]
        assert ["follow-up (attempt 1)", "follow-up (attempt 2)", "follow-up (attempt 3)"] == [
            follow.label for follow in follows
        ]

    def test_a_satisfied_customer_meets_it(self) -> None:
        """A satisfied follow-up meets the clock and starts no other."""
        case = complete_all(WORKFLOW, resolving_case(WORKFLOW), T0)
        case = follow_up(WORKFLOW, case, T0 + DAY, sr.FollowUpOutcome.SATISFIED)
        follows = of_kind(WORKFLOW.deadlines(case, now=T0 + 9 * DAY), K.FOLLOW_UP)
        assert [(S.MET, T0 + DAY)] == [(follow.status, follow.met_at) for follow in follows]

    def test_an_unhappy_customer_starts_over(self) -> None:
        """After an unsatisfied follow-up nothing runs until a new plan; kept promises stay kept."""
        case = complete_all(WORKFLOW, resolving_case(WORKFLOW), T0)
        case = follow_up(WORKFLOW, case, T0 + DAY, sr.FollowUpOutcome.UNSATISFIED)
        deadlines = WORKFLOW.deadlines(case, now=T0 + 9 * DAY)
        assert all(deadline.status is S.MET for deadline in deadlines)
        assert 1 == len(of_kind(deadlines, K.PROMISE))


class TestReopenWindow:
    def test_listed_while_open(self) -> None:
        """A closed case shows when its reopen window ends, never as a breach."""
        case = closed_case(WORKFLOW)
        window = only(WORKFLOW.deadlines(case, now=T0 + 29 * DAY), K.REOPEN_WINDOW)
        assert (S.WARNING, T0 + 30 * DAY) == (window.status, window.due_at)
        assert not K.REOPEN_WINDOW.breachable

    def test_gone_once_passed(self) -> None:
        """After the window, nothing about it is listed."""
        case = closed_case(WORKFLOW)
        assert [] == of_kind(WORKFLOW.deadlines(case, now=T0 + 31 * DAY), K.REOPEN_WINDOW)


class TestBusinessHours:
    def test_first_response_counts_working_time(self) -> None:
        """Eight working hours from Friday 16:00 end on Monday at 16:00."""
        workflow = sr.Workflow(office_policy(first_response={sr.Channel.EMAIL: 8 * HOUR}))
        friday = datetime(2026, 3, 6, 16, 0, tzinfo=BERLIN)
        case = open_case(workflow, channel=sr.Channel.EMAIL, at=friday)
        first = only(workflow.deadlines(case, now=friday), K.FIRST_RESPONSE)
        assert datetime(2026, 3, 9, 16, 0, tzinfo=BERLIN) == first.due_at
        assert BERLIN is first.due_at.tzinfo

    def test_warnings_count_working_time(self) -> None:
        """Half of eight working hours from Friday 16:00 is Monday 12:00."""
        workflow = sr.Workflow(office_policy(first_response={sr.Channel.EMAIL: 8 * HOUR}))
        friday = datetime(2026, 3, 6, 16, 0, tzinfo=BERLIN)
        case = open_case(workflow, channel=sr.Channel.EMAIL, at=friday)
        noon = datetime(2026, 3, 9, 12, 0, tzinfo=BERLIN)
        before = only(workflow.deadlines(case, now=noon - MINUTE), K.FIRST_RESPONSE)
        at_noon = only(workflow.deadlines(case, now=noon), K.FIRST_RESPONSE)
        assert (S.UPCOMING, S.WARNING) == (before.status, at_noon.status)

    def test_update_interval_counts_working_time(self) -> None:
        """Two working days of updates from Friday 16:00 end on Tuesday 16:00."""
        workflow = sr.Workflow(office_policy(update_interval=16 * HOUR))
        friday = datetime(2026, 3, 6, 16, 0, tzinfo=BERLIN)
        case = resolving_case(workflow, at=friday, dues=(7 * DAY,))
        update = only(workflow.deadlines(case, now=friday), K.UPDATE)
        assert datetime(2026, 3, 10, 16, 0, tzinfo=BERLIN) == update.due_at

    def test_custom_warning_fractions(self) -> None:
        """A policy warning only at 90 % stays upcoming at 75 %."""
        workflow = sr.Workflow(
            sr.RecoveryPolicy(service_levels=sr.ServiceLevels(warning_fractions=(0.9,)))
        )
        case = open_case(workflow)
        at_75 = only(workflow.deadlines(case, now=T0 + 45 * MINUTE), K.FIRST_RESPONSE)
        at_90 = only(workflow.deadlines(case, now=T0 + 54 * MINUTE), K.FIRST_RESPONSE)
        assert (S.UPCOMING, S.WARNING) == (at_75.status, at_90.status)


class TestDeadlineValue:
    def test_reads_as_a_sentence(self) -> None:
        """str() gives the label, the due time and where it stands."""
        case = open_case(WORKFLOW)
        (first,) = WORKFLOW.deadlines(case, now=T0 + 90 * MINUTE)
        assert "first response: due Mon 02 Mar 10:00 UTC, breached, 30 min overdue" == str(first)
        (first,) = WORKFLOW.deadlines(case, now=T0 + 10 * MINUTE)
        assert "first response: due Mon 02 Mar 10:00 UTC, upcoming, 50 min left" == str(first)

    def test_met_reads_as_met(self) -> None:
        """A met deadline says whether it was on time."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0 + 26 * HOUR)
        (first,) = WORKFLOW.deadlines(case, now=T0 + 30 * HOUR)
        assert str(first).endswith("met late by 1 d 1 h")

    def test_deadlines_come_in_due_order(self) -> None:
        """The list is sorted by due time."""
        case = resolving_case(WORKFLOW, dues=(5 * DAY, DAY))
        dues = [deadline.due_at for deadline in WORKFLOW.deadlines(case, now=T0)]
        assert sorted(dues) == dues

    def test_a_closed_case_has_nothing_running(self) -> None:
        """Nothing of a closed case is the most urgent deadline."""
        timekeeper = Timekeeper(WORKFLOW.policy)
        assert timekeeper.most_urgent(closed_case(WORKFLOW), T0 + DAY) is None

    def test_not_a_case_is_refused(self) -> None:
        """Passing something other than a case raises InvalidValue."""
        with pytest.raises(sr.InvalidValue, match="expected a Case"):
            WORKFLOW.deadlines("case-1", now=T0)  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------------

openings = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.timezones()
)
elapsed = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))


class TestProperties:
    @given(openings, st.sampled_from(list(sr.Channel)), elapsed)
    def test_status_agrees_with_the_due_time(
        self, opened: datetime, channel: sr.Channel, wait: timedelta
    ) -> None:
        """Breached exactly when past due; otherwise left is the time to the due time."""
        case = open_case(WORKFLOW, channel=channel, at=opened)
        now = opened.astimezone(UTC) + wait
        first = only(WORKFLOW.deadlines(case, now=now), K.FIRST_RESPONSE)
        assert first.allowed == first.due_at.astimezone(UTC) - opened.astimezone(UTC)
        if now > first.due_at:
            assert (S.BREACHED, now - first.due_at) == (first.status, first.overdue)
        else:
            assert first.status in (S.UPCOMING, S.WARNING)
            assert first.due_at - now == first.left

    @given(openings, st.timedeltas(min_value=MINUTE, max_value=timedelta(days=3)))
    def test_with_a_calendar_the_target_is_working_time(
        self, opened: datetime, target: timedelta
    ) -> None:
        """With a calendar, exactly the target's working time lies between opening and due."""
        calendar = sr.BusinessCalendar(time_zone="America/New_York", holidays=["2026-07-03"])
        workflow = sr.Workflow(
            sr.RecoveryPolicy(
                service_levels=sr.ServiceLevels(
                    calendar=calendar, first_response={sr.Channel.EMAIL: target}
                )
            )
        )
        case = open_case(workflow, channel=sr.Channel.EMAIL, at=opened)
        first = only(workflow.deadlines(case, now=opened), K.FIRST_RESPONSE)
        assert target == calendar.between(opened, first.due_at)
        assert calendar.is_working(first.due_at - timedelta(microseconds=1))

    @given(
        st.lists(st.sampled_from(["update", "complete", "wait"]), min_size=0, max_size=6),
        st.lists(st.timedeltas(timedelta(0), timedelta(days=2)), min_size=6, max_size=6),
    )
    def test_replay_gives_the_same_deadlines(self, moves: list[str], gaps: list[timedelta]) -> None:
        """A replayed or reloaded case has exactly the deadlines of the original."""
        case = resolving_case(WORKFLOW, dues=(DAY, 2 * DAY, 3 * DAY))
        at = T0
        for move, gap in zip(moves, gaps, strict=False):
            at += gap
            if move == "update" and case.stage is sr.Stage.RESOLVING:
                case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=at, message="News"))
            elif move == "wait" and case.paused is None:
                case = WORKFLOW.apply(case, sr.AwaitThirdParty(by=AGENT, at=at, reason="Courier"))
            elif move == "wait":
                case = WORKFLOW.apply(case, sr.Resume(by=AGENT, at=at))
            elif case.open_actions and case.paused is None and not sr.broken_promises(case, at):
                index = min(case.open_actions)
                case = WORKFLOW.apply(case, sr.CompleteAction(by=AGENT, at=at, index=index))
        now = at + DAY
        expected = WORKFLOW.deadlines(case, now=now)
        assert expected == WORKFLOW.deadlines(WORKFLOW.replay(case.history), now=now)
        assert expected == WORKFLOW.deadlines(sr.from_dict(sr.to_dict(case)), now=now)


class TestFollowUpClockOnReorderedModels:
    """HEARD and LATTE identify the cause after resolving: the follow-up is still owed."""

    @pytest.mark.parametrize("preset", [sr.presets.HEARD, sr.presets.LATTE], ids=lambda p: p.name)
    def test_diagnosing_does_not_meet_the_follow_up(self, preset: sr.RecoveryPolicy) -> None:
        from tests.scenarios import walk

        workflow = sr.Workflow(preset)
        case = walk(workflow, until=sr.Stage.RESOLVED)
        diagnosed_at = case.last_at + MINUTE
        if sr.Thank in workflow.allowed(case):  # LATTE thanks before it explains
            case = workflow.apply(case, sr.Thank(by=AGENT, at=diagnosed_at, message="Thanks"))
        case = workflow.apply(
            case, sr.IdentifyCause(by=AGENT, at=diagnosed_at, category="wrong_item")
        )
        month_later = diagnosed_at + 30 * DAY
        follow = only(workflow.deadlines(case, now=month_later), K.FOLLOW_UP)
        assert follow.status is sr.DeadlineStatus.BREACHED
        assert [due.case.id for due in workflow.due([case], now=month_later)] == [case.id]
        ticked = workflow.tick(case, now=month_later)
        assert [b for b in ticked.breaches if b.startswith("follow_up")]
        case = workflow.apply(
            case,
            sr.FollowUp(by=AGENT, at=month_later, outcome=sr.FollowUpOutcome.SATISFIED),
        )
        follow = only(workflow.deadlines(case, now=month_later), K.FOLLOW_UP)
        assert follow.met_at == month_later

    def test_unanswered_attempts_re_arm_in_the_stage_that_waits(self) -> None:
        from tests.scenarios import walk

        workflow = sr.Workflow(sr.presets.HEARD)
        case = walk(workflow, until=sr.Stage.RESOLVED)
        at = case.last_at + MINUTE
        case = workflow.apply(case, sr.IdentifyCause(by=AGENT, at=at, category="wrong_item"))
        case = follow_up(workflow, case, at + DAY, sr.FollowUpOutcome.NO_ANSWER)
        clocks = of_kind(workflow.deadlines(case, now=at + DAY), K.FOLLOW_UP)
        assert [clock.met_at for clock in clocks] == [at + DAY, None]
        assert clocks[1].label == "follow-up (attempt 2)"


class TestExtremes:
    """Huge accepted durations and dates near year 9999 never raise a bare OverflowError.

    A deadline that would fall past the last representable moment never falls
    due: it shows as due at ``datetime.max`` (UTC), never warns and never breaches.
    """

    def test_huge_reopen_window_never_ends(self) -> None:
        workflow = sr.Workflow(sr.RecoveryPolicy(reopen_window=timedelta.max))
        case = closed_case(workflow)
        window = only(workflow.deadlines(case, now=T0 + DAY), K.REOPEN_WINDOW)
        assert window.due_at == datetime.max.replace(tzinfo=UTC)
        assert window.status is sr.DeadlineStatus.UPCOMING

    def test_huge_update_interval_never_falls_due(self) -> None:
        levels = sr.ServiceLevels(update_interval=timedelta.max)
        workflow = sr.Workflow(sr.RecoveryPolicy(service_levels=levels))
        case = resolving_case(workflow)
        update = only(workflow.deadlines(case, now=T0 + DAY), K.UPDATE)
        assert update.due_at == datetime.max.replace(tzinfo=UTC)
        assert update.warnings == 0
        assert workflow.tick(case, now=T0 + DAY) is case

    def test_one_extreme_case_does_not_break_a_due_scan(self) -> None:
        near_the_end = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
        workflow = sr.Workflow()
        late = open_case(workflow, at=near_the_end, id="late")
        ordinary = open_case(workflow, id="ordinary")
        found = workflow.due([late, ordinary], now=T0 + DAY)
        assert [due.case.id for due in found] == ["ordinary"]

    @given(
        opened=st.datetimes(min_value=datetime(9999, 1, 1), max_value=datetime(9999, 12, 28)),
        zone=st.sampled_from(["UTC", "Asia/Tokyo", "America/Los_Angeles"]),
        window=st.timedeltas(min_value=timedelta(0)),
        interval=st.timedeltas(min_value=timedelta(microseconds=1)),
        calendar=st.booleans(),
    )
    def test_no_bare_error_at_the_extremes(
        self,
        opened: datetime,
        zone: str,
        window: timedelta,
        interval: timedelta,
        calendar: bool,
    ) -> None:
        levels = sr.ServiceLevels(
            update_interval=interval,
            follow_up_delay=interval,
            calendar=sr.BusinessCalendar(time_zone=zone) if calendar else None,
        )
        workflow = sr.Workflow(sr.RecoveryPolicy(reopen_window=window, service_levels=levels))
        at = opened.replace(tzinfo=ZoneInfo(zone))
        case = closed_case(workflow, at=at)
        for now in (at, datetime.max.replace(tzinfo=UTC)):
            deadlines = workflow.deadlines(case, now=now)
            assert [d.kind for d in deadlines].count(K.FIRST_RESPONSE) == 1
            assert len(workflow.due([case], now=now)) <= 1
            assert workflow.tick(case, now=now).stage is sr.Stage.CLOSED


class TestOverrideResults:
    def test_first_response_target_returning_none(self) -> None:
        """A first-response override answering None is named, not a TypeError in the clocks."""

        class Vague(sr.RecoveryPolicy):
            def first_response_target(self, case: sr.Case) -> timedelta:
                return None  # type: ignore[return-value]

        workflow = sr.Workflow(Vague())
        case = open_case(workflow)
        with pytest.raises(sr.InvalidPolicy, match=r"Vague\.first_response_target.*None"):
            workflow.deadlines(case, now=T0)
