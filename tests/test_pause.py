"""Waiting on the customer or a third party: service-level clocks stop, and it is on record."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from tests.timing_cases import (
    AGENT,
    DAY,
    HOUR,
    MINUTE,
    SUPERVISOR,
    T0,
    answer,
    closed_case,
    of_kind,
    only,
    open_case,
    resolving_case,
)

K = sr.DeadlineKind
S = sr.DeadlineStatus
WORKFLOW = sr.Workflow()


def wait(case: sr.Case, at: datetime, *, on_customer: bool = True) -> sr.Case:
    """Start waiting (on the customer, or on a courier) at *at*."""
    if on_customer:
        return WORKFLOW.apply(case, sr.AwaitCustomer(by=AGENT, at=at, reason="Photo of the tag"))
    return WORKFLOW.apply(case, sr.AwaitThirdParty(by=AGENT, at=at, reason="Courier trace"))


def resume(case: sr.Case, at: datetime) -> sr.Case:
    """Stop waiting at *at*."""
    return WORKFLOW.apply(case, sr.Resume(by=AGENT, at=at, note="Photo received"))


class TestCommands:
    @pytest.mark.parametrize("kind", [sr.AwaitCustomer, sr.AwaitThirdParty])
    def test_a_wait_needs_a_reason(self, kind: type[sr.AwaitCustomer]) -> None:
        """A wait without a reason is refused when built."""
        with pytest.raises(sr.InvalidValue, match="reason"):
            kind(by=AGENT, at=T0, reason="  ")

    def test_waits_say_on_whom(self) -> None:
        """Each wait command knows whom the case waits on."""
        assert (sr.WaitingOn.CUSTOMER, sr.WaitingOn.THIRD_PARTY) == (
            sr.AwaitCustomer.waiting_on,
            sr.AwaitThirdParty.waiting_on,
        )
        assert "a third party" == sr.WaitingOn.THIRD_PARTY.label


class TestGuards:
    def test_no_wait_before_the_first_answer(self) -> None:
        """The first-response clock is never paused: answer first."""
        case = open_case(WORKFLOW)
        reasons = WORKFLOW.explain(case, sr.AwaitCustomer(by=AGENT, at=T0, reason="Photo"))
        assert ["customer answered first"] == [reason.guard for reason in reasons]
        assert sr.AwaitCustomer not in WORKFLOW.allowed(case)

    def test_no_wait_within_a_wait(self) -> None:
        """A waiting case cannot start another wait."""
        case = wait(answer(WORKFLOW, open_case(WORKFLOW), T0), T0 + HOUR)
        with pytest.raises(sr.TransitionNotAllowed, match="already waiting on the customer"):
            wait(case, T0 + 2 * HOUR, on_customer=False)

    def test_nothing_to_resume(self) -> None:
        """Resume is refused when the case is not waiting."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0)
        with pytest.raises(sr.TransitionNotAllowed, match="not waiting on anyone"):
            resume(case, T0 + HOUR)
        assert sr.Resume not in WORKFLOW.allowed(case)

    def test_work_waits_for_the_resume(self) -> None:
        """While waiting, steps of the practice are refused with a reason to resume."""
        case = wait(answer(WORKFLOW, open_case(WORKFLOW), T0), T0 + HOUR)
        listen = sr.Listen(by=AGENT, at=T0 + 2 * HOUR)
        (reason,) = WORKFLOW.explain(case, listen)
        assert "not waiting" == reason.guard
        assert "waiting on the customer (Photo of the tag)" in str(reason)
        assert "resume it first" in str(reason)
        assert sr.Listen not in WORKFLOW.allowed(case)
        assert sr.Listen in WORKFLOW.allowed(resume(case, T0 + 2 * HOUR))

    def test_updates_and_escalations_go_on_while_waiting(self) -> None:
        """Telling the customer (an update, a new date), escalating and approving go on."""
        case = wait(resolving_case(WORKFLOW), T0 + HOUR, on_customer=False)
        case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=T0 + 2 * HOUR, message="Chasing"))
        case = WORKFLOW.apply(case, sr.Escalate(by=AGENT, at=T0 + 3 * HOUR, reason="Slow courier"))
        case = WORKFLOW.apply(case, sr.Approve(by=SUPERVISOR, at=T0 + 4 * HOUR))
        assert case.paused is not None
        expected = {sr.Escalate, sr.SendUpdate, sr.Reschedule, sr.Resume}
        assert expected == set(WORKFLOW.allowed(case))

    def test_a_closed_case_cannot_wait(self) -> None:
        """Waiting is for open cases only."""
        case = closed_case(WORKFLOW)
        with pytest.raises(sr.TransitionNotAllowed, match="not a step while the case is closed"):
            wait(case, T0 + HOUR)


class TestRecord:
    def test_the_case_knows_it_waits(self) -> None:
        """The case holds the wait and since when; Resume clears it."""
        case = wait(answer(WORKFLOW, open_case(WORKFLOW), T0), T0 + HOUR)
        assert isinstance(case.paused, sr.AwaitCustomer)
        assert T0 + HOUR == case.paused_since
        case = resume(case, T0 + 2 * HOUR)
        assert (None, None) == (case.paused, case.paused_since)

    def test_pauses_are_in_the_history(self) -> None:
        """Every wait, ended or not, can be read back from the history."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0)
        case = resume(wait(case, T0 + HOUR), T0 + 2 * HOUR)
        case = wait(case, T0 + 3 * HOUR, on_customer=False)
        assert (
            sr.Pause(sr.WaitingOn.CUSTOMER, "Photo of the tag", T0 + HOUR, T0 + 2 * HOUR),
            sr.Pause(sr.WaitingOn.THIRD_PARTY, "Courier trace", T0 + 3 * HOUR),
        ) == sr.pauses(case)

    def test_a_wait_inside_a_wait_changes_nothing(self) -> None:
        """A history holding two waits in a row (replayed, not applied) counts one pause."""
        case = wait(answer(WORKFLOW, open_case(WORKFLOW), T0), T0 + HOUR)
        extra = sr.Event(
            sr.AwaitThirdParty(by=AGENT, at=T0 + 2 * HOUR, reason="Courier"), case.stage
        )
        case = WORKFLOW.replay((*case.history, extra))
        (pause,) = sr.pauses(case)
        assert (sr.WaitingOn.CUSTOMER, T0 + HOUR, None) == (
            pause.waiting_on,
            pause.started_at,
            pause.ended_at,
        )

    def test_waits_survive_snapshots_and_replay(self) -> None:
        """Snapshots and replay rebuild the waits exactly."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0)
        case = wait(resume(wait(case, T0 + HOUR), T0 + 2 * HOUR), T0 + 3 * HOUR)
        assert case == sr.from_dict(sr.to_dict(case))
        assert case == WORKFLOW.replay(case.history)
        assert sr.pauses(case) == sr.pauses(sr.from_dict(sr.to_dict(case)))


class TestClocksStop:
    def test_the_update_clock_stops_and_resumes(self) -> None:
        """A day of waiting in the middle of an update interval pushes it a day later."""
        case = resolving_case(WORKFLOW, dues=(9 * DAY,))
        case = resume(wait(case, T0 + DAY, on_customer=False), T0 + 2 * DAY)
        update = only(WORKFLOW.deadlines(case, now=T0 + 2 * DAY), K.UPDATE)
        assert (T0 + 3 * DAY, False) == (update.due_at, update.paused)

    def test_a_stopped_clock_shows_as_paused(self) -> None:
        """While waiting, the clock is paused and would fall due its remaining time after now."""
        case = wait(resolving_case(WORKFLOW, dues=(9 * DAY,)), T0 + 12 * HOUR, on_customer=False)
        update = only(WORKFLOW.deadlines(case, now=T0 + 5 * DAY), K.UPDATE)
        assert (S.UPCOMING, True, T0 + 5 * DAY + 36 * HOUR, 36 * HOUR) == (
            update.status,
            update.paused,
            update.due_at,
            update.left,
        )
        assert "clock stopped while waiting" in str(update)

    def test_a_stopped_clock_keeps_its_warnings(self) -> None:
        """Warnings passed before the wait still count while it lasts."""
        case = wait(resolving_case(WORKFLOW, dues=(9 * DAY,)), T0 + 40 * HOUR)
        update = only(WORKFLOW.deadlines(case, now=T0 + 9 * DAY), K.UPDATE)
        assert (S.WARNING, 2, True) == (update.status, update.warnings, update.paused)

    def test_a_clock_already_breached_stays_breached(self) -> None:
        """Waiting does not undo a breach that happened before it."""
        case = resolving_case(WORKFLOW, dues=(9 * DAY,))
        case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=T0 + 3 * DAY, message="Late"))
        case = wait(case, T0 + 6 * DAY)
        update = of_kind(WORKFLOW.deadlines(case, now=T0 + 7 * DAY), K.UPDATE)[-1]
        assert (S.BREACHED, DAY + DAY, False) == (update.status, update.overdue, update.paused)

    def test_promised_dates_do_not_move(self) -> None:
        """A wait does not move a date promised to the customer."""
        case = wait(resolving_case(WORKFLOW, dues=(2 * DAY,)), T0 + HOUR)
        promise = only(WORKFLOW.deadlines(case, now=T0 + 3 * DAY), K.PROMISE)
        assert (S.BREACHED, T0 + 2 * DAY) == (promise.status, promise.due_at)

    def test_an_update_while_waiting_meets_the_clock(self) -> None:
        """An update sent during a wait meets the update clock; the next one starts stopped."""
        case = wait(resolving_case(WORKFLOW, dues=(9 * DAY,)), T0 + HOUR, on_customer=False)
        case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=T0 + DAY, message="Chasing"))
        met, running = of_kind(WORKFLOW.deadlines(case, now=T0 + 4 * DAY), K.UPDATE)
        assert (S.MET, timedelta(0)) == (met.status, met.overdue)
        assert (True, T0 + 6 * DAY) == (running.paused, running.due_at)

    def test_waits_count_only_working_time_with_a_calendar(self) -> None:
        """With office hours, a wait over a weekend holds back only the working time it covered."""
        calendar = sr.BusinessCalendar(time_zone="UTC")
        workflow = sr.Workflow(
            sr.RecoveryPolicy(
                service_levels=sr.ServiceLevels(calendar=calendar, update_interval=8 * HOUR)
            )
        )
        friday = datetime(2026, 3, 6, 13, 0, tzinfo=T0.tzinfo)  # 4 working hours used by then
        case = resolving_case(workflow, at=friday - 4 * HOUR, dues=(9 * DAY,))
        case = workflow.apply(case, sr.AwaitCustomer(by=AGENT, at=friday, reason="Receipt"))
        monday = datetime(2026, 3, 9, 11, 0, tzinfo=T0.tzinfo)
        case = workflow.apply(case, sr.Resume(by=AGENT, at=monday))
        update = only(workflow.deadlines(case, now=monday), K.UPDATE)
        assert monday + 4 * HOUR == update.due_at


class TestProperties:
    @given(
        st.timedeltas(timedelta(0), 2 * DAY - MINUTE),
        st.timedeltas(MINUTE, timedelta(days=5)),
    )
    def test_a_wait_pushes_the_due_time_by_its_length(
        self, before: timedelta, length: timedelta
    ) -> None:
        """Without a calendar, a wait begun before the due time delays it by its length."""
        case = resolving_case(WORKFLOW, dues=(30 * DAY,))
        unpaused = only(WORKFLOW.deadlines(case, now=T0), K.UPDATE).due_at
        case = resume(wait(case, T0 + before), T0 + before + length)
        update = of_kind(WORKFLOW.deadlines(case, now=T0 + before + length), K.UPDATE)[0]
        assert unpaused + length == update.due_at


class TestFirstAnswer:
    """``acknowledged_at`` is when a person first answered; an auto-reply is not that."""

    def auto_replied(self) -> tuple[sr.Workflow, sr.Case]:
        workflow = sr.Workflow()
        case = open_case(workflow)
        return workflow, workflow.apply(case, sr.Acknowledge(by=sr.SYSTEM, at=T0 + MINUTE))

    def test_auto_reply_is_recorded_but_not_the_first_answer(self) -> None:
        workflow, case = self.auto_replied()
        first = only(workflow.deadlines(case, now=T0 + 2 * MINUTE), sr.DeadlineKind.FIRST_RESPONSE)
        assert case.stage is sr.Stage.ACKNOWLEDGED
        assert case.acknowledged_at is None
        assert first.status is not sr.DeadlineStatus.MET
        assert workflow.explain(case, sr.AwaitCustomer(by=AGENT, at=T0 + 2 * MINUTE, reason="x"))

    def test_a_person_answering_meets_every_reading(self) -> None:
        workflow, case = self.auto_replied()
        case = workflow.apply(case, sr.Listen(by=AGENT, at=T0 + 5 * MINUTE))
        first = only(workflow.deadlines(case, now=T0 + HOUR), sr.DeadlineKind.FIRST_RESPONSE)
        assert case.acknowledged_at == T0 + 5 * MINUTE
        assert first.met_at == case.acknowledged_at
        assert sr.pauses(case) == ()
        assert not workflow.explain(case, sr.AwaitCustomer(by=AGENT, at=T0 + HOUR, reason="x"))
