"""Promises: each action of an accepted plan is kept on time, kept late, or broken."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from tests.timing_cases import AGENT, DAY, HOUR, T0, answer, open_case, resolving_case

P = sr.PromiseStatus
WORKFLOW = sr.Workflow()


def complete(case: sr.Case, index: int, at: timedelta) -> sr.Case:
    """Complete action *index* at T0 + *at*."""
    return WORKFLOW.apply(case, sr.CompleteAction(by=AGENT, at=T0 + at, index=index))


def update(case: sr.Case, at: timedelta) -> sr.Case:
    """Tell the customer where things stand at T0 + *at*."""
    return WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=T0 + at, message="Sorry, late"))


class TestStatus:
    def test_open_until_due(self) -> None:
        """A promise not yet due and not done is open."""
        case = resolving_case(WORKFLOW, dues=(DAY,))
        (promise,) = sr.promises(case, now=T0 + DAY)
        assert (P.OPEN, 0, T0, T0 + DAY, None) == (
            promise.status,
            promise.index,
            promise.promised_at,
            promise.due,
            promise.done_at,
        )

    def test_kept_on_time(self) -> None:
        """Done by its date: kept."""
        case = complete(resolving_case(WORKFLOW, dues=(DAY, 2 * DAY)), 0, DAY)
        kept, _ = sr.promises(case, now=T0 + 9 * DAY)
        assert (P.KEPT, T0 + DAY) == (kept.status, kept.done_at)

    def test_broken_when_the_date_passes(self) -> None:
        """Past its date and not done: broken, with advice on what to do."""
        case = resolving_case(WORKFLOW, dues=(DAY,))
        (promise,) = sr.promises(case, now=T0 + DAY + HOUR)
        assert P.BROKEN == promise.status
        assert promise.advice is not None
        assert "tell the customer, and agree a new date" in promise.advice
        assert (promise,) == sr.broken_promises(case, now=T0 + DAY + HOUR)

    def test_kept_late(self) -> None:
        """Done after its date: kept late, and no longer broken."""
        case = update(resolving_case(WORKFLOW, dues=(DAY, 5 * DAY)), 2 * DAY)
        case = complete(case, 0, 2 * DAY)
        late, _ = sr.promises(case, now=T0 + 3 * DAY)
        assert P.KEPT_LATE == late.status
        assert late.advice is None
        assert () == sr.broken_promises(case, now=T0 + 3 * DAY)

    def test_no_plan_no_promises(self) -> None:
        """Before a plan is accepted there is nothing promised."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0)
        assert () == sr.promises(case, now=T0 + 9 * DAY)

    def test_reads_as_a_line(self) -> None:
        """str() names the action and its status."""
        case = resolving_case(WORKFLOW, dues=(DAY,))
        (promise,) = sr.promises(case, now=T0 + 2 * DAY)
        assert "#0 Action 0: broken" == str(promise)


class TestResolution:
    def test_not_resolved_while_a_promise_is_open(self) -> None:
        """Completing some of the actions keeps the case resolving."""
        case = complete(resolving_case(WORKFLOW, dues=(DAY, 2 * DAY)), 1, HOUR)
        assert sr.Stage.RESOLVING == case.stage
        case = complete(case, 0, 2 * HOUR)
        assert sr.Stage.RESOLVED == case.stage


class TestBrokenPromiseGuard:
    def test_carrying_on_silently_is_refused(self) -> None:
        """With a broken promise nobody told the customer about, completing actions is refused."""
        case = resolving_case(WORKFLOW, dues=(DAY, 5 * DAY))
        command = sr.CompleteAction(by=AGENT, at=T0 + 2 * DAY, index=0)
        (reason,) = WORKFLOW.explain(case, command)
        assert "broken promises owned" == reason.guard
        assert "#0 (Action 0) was due" in str(reason)
        assert "agree a new date" in str(reason)
        with pytest.raises(sr.TransitionNotAllowed) as refused:
            WORKFLOW.apply(case, command)
        assert case is refused.value.case

    def test_an_update_after_the_date_owns_it(self) -> None:
        """Once an update went out after the promise broke, the plan goes on."""
        case = update(resolving_case(WORKFLOW, dues=(DAY,)), DAY + HOUR)
        assert sr.Stage.RESOLVED == complete(case, 0, 2 * DAY).stage

    def test_an_update_before_the_date_does_not(self) -> None:
        """An update sent before the promise broke does not tell the customer it did."""
        case = update(resolving_case(WORKFLOW, dues=(DAY,)), HOUR)
        command = sr.CompleteAction(by=AGENT, at=T0 + 2 * DAY, index=0)
        assert ["broken promises owned"] == [r.guard for r in WORKFLOW.explain(case, command)]

    def test_a_promise_broken_before_the_last_event_turns_the_button_off(self) -> None:
        """Once a promise broke before the case's last event, no completion can get through."""
        case = resolving_case(WORKFLOW, dues=(DAY, 5 * DAY))
        case = WORKFLOW.tick(case, now=T0 + 2 * DAY)  # records the breach: the last event
        assert sr.CompleteAction not in WORKFLOW.allowed(case)
        [reason] = WORKFLOW.explain(case, sr.CompleteAction)
        assert "broken promises owned" == reason.guard
        case = update(case, 2 * DAY + HOUR)
        assert sr.CompleteAction in WORKFLOW.allowed(case)

    def test_on_time_work_is_never_held_up(self) -> None:
        """Completing on time needs nothing more."""
        case = resolving_case(WORKFLOW, dues=(DAY,))
        assert [] == WORKFLOW.explain(case, sr.CompleteAction(by=AGENT, at=T0 + DAY, index=0))


class TestRepeatedHour:
    def test_judged_on_real_time(self) -> None:
        """In Berlin's repeated hour, 02:30 the second time is after a promise due 02:45."""
        berlin = ZoneInfo("Europe/Berlin")
        accepted = datetime(2026, 10, 25, 1, 0, tzinfo=berlin)
        due = datetime(2026, 10, 25, 2, 45, tzinfo=berlin)
        case = resolving_case(WORKFLOW, at=accepted, dues=(due - accepted,))
        later = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin)
        command = sr.CompleteAction(by=AGENT, at=later, index=0)
        assert ["broken promises owned"] == [r.guard for r in WORKFLOW.explain(case, command)]


class TestNoPlan:
    def test_nothing_to_own_without_a_plan(self) -> None:
        """Without an accepted plan the guard has nothing to say (another one refuses)."""
        case = answer(WORKFLOW, open_case(WORKFLOW), T0)
        command = sr.CompleteAction(by=AGENT, at=T0 + DAY, index=0)
        guards = [reason.guard for reason in WORKFLOW.explain(case, command)]
        assert "broken promises owned" not in guards
        assert "action open" in guards


class TestProperties:
    @given(
        st.timedeltas(timedelta(hours=1), timedelta(days=10)),
        st.timedeltas(timedelta(0), timedelta(days=12)),
        st.timedeltas(timedelta(0), timedelta(days=12)),
    )
    def test_status_follows_the_dates(
        self, due: timedelta, done: timedelta, asked: timedelta
    ) -> None:
        """The status is fixed by when the action was due, done and asked about."""
        case = update(resolving_case(WORKFLOW, dues=(due, 30 * DAY)), done)
        case = complete(case, 0, done)
        first, second = sr.promises(case, now=T0 + done + asked)
        assert (P.KEPT if done <= due else P.KEPT_LATE) == first.status
        assert P.OPEN == second.status
