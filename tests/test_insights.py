"""Insights: each figure against a hand-counted expectation, and the rules every report keeps."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery import insights
from service_recovery.stores import SQLiteStore
from tests.scenarios import (
    AGENT,
    CUSTOMER,
    T0,
    make_case,
    proposal,
    reachable_cases,
    walk_to,
)

WORKFLOW = sr.Workflow()
AS_OF = T0 + timedelta(days=30)


def _answered_after(minutes: int | None, channel: sr.Channel, number: int) -> sr.Case:
    """A case opened at T0 on *channel*, acknowledged *minutes* later (never, for None)."""
    case = WORKFLOW.open(
        customer=CUSTOMER,
        channel=channel,
        severity=sr.Severity.MINOR,
        summary="Late parcel",
        at=T0,
        id=f"first-{number}",
    )
    if minutes is None:
        return case
    return WORKFLOW.apply(case, sr.Acknowledge(by=AGENT, at=T0 + timedelta(minutes=minutes)))


def _closed_after_no_answers() -> sr.Case:
    """A case closed after every follow-up attempt went unanswered, a day apart."""
    case = make_case(sr.Stage.RESOLVED, id="silent")
    for day in (1, 2, 3):  # a major case closes after three unanswered attempts
        case = WORKFLOW.apply(
            case,
            sr.FollowUp(
                by=AGENT, at=T0 + timedelta(days=day), outcome=sr.FollowUpOutcome.NO_ANSWER
            ),
        )
    return WORKFLOW.apply(case, sr.Close(by=AGENT, at=T0 + timedelta(days=4)))


def _reopened() -> sr.Case:
    closed = make_case(sr.Stage.CLOSED, id="reopened")
    return WORKFLOW.apply(
        closed, sr.Reopen(by=AGENT, at=T0 + timedelta(hours=1), reason="Still wrong")
    )


class TestFirstResponse:
    def test_times_and_targets_per_channel(self) -> None:
        """Email (target a day): 10, 30 and 50 minutes; social (an hour): one overdue, one new."""
        cases = [
            _answered_after(10, sr.Channel.EMAIL, 1),
            _answered_after(30, sr.Channel.EMAIL, 2),
            _answered_after(50, sr.Channel.EMAIL, 3),
            _answered_after(None, sr.Channel.SOCIAL, 4),
            _answered_after(90, sr.Channel.SOCIAL, 5),
        ]
        found = insights.report(cases, as_of=T0 + timedelta(hours=2))
        email, social = (
            found.first_response[sr.Channel.EMAIL],
            found.first_response[sr.Channel.SOCIAL],
        )
        assert (email.cases, email.answered, email.due, email.met, email.met_share) == (
            3,
            3,
            3,
            3,
            1.0,
        )
        assert (email.median, email.p90) == (timedelta(minutes=30), timedelta(minutes=50))
        # One answered 90 minutes in (late), one never answered and now overdue.
        assert (social.cases, social.answered, social.due, social.met, social.met_share) == (
            2,
            1,
            2,
            0,
            0.0,
        )

    def test_a_first_answer_not_yet_due_is_not_counted_as_missed(self) -> None:
        """An unanswered case still within its target is neither met nor missed."""
        found = insights.report(
            [_answered_after(None, sr.Channel.EMAIL, 1)], as_of=T0 + timedelta(hours=1)
        )
        email = found.first_response[sr.Channel.EMAIL]
        assert (email.cases, email.due, email.met, email.median) == (1, 0, 0, None)


class TestOutcomes:
    def test_recovered_silent_and_reopened(self) -> None:
        """Of two closed cases one was satisfied; of three ever closed, one reopened."""
        found = insights.report(
            [make_case(sr.Stage.CLOSED), _closed_after_no_answers(), _reopened()], as_of=AS_OF
        )
        assert found.recovery_rate == 0.5
        assert found.reopen_rate == pytest.approx(1 / 3)
        assert (found.practice.followed_up, found.practice.thanked) == (1.0, 0.0)

    def test_promises_kept_broken_and_open(self) -> None:
        """A closed case kept both its promises; a case left resolving broke both."""
        resolving = make_case(sr.Stage.RESOLVING, id="resolving", actions=2)
        found = insights.report([make_case(sr.Stage.CLOSED), resolving], as_of=AS_OF)
        assert found.promises == insights.Promises(kept=2, kept_late=0, broken=2, open=0)
        assert found.promises.kept_share == 0.5
        early = insights.report([resolving], as_of=T0 + timedelta(days=1))
        assert early.promises == insights.Promises(kept=0, kept_late=0, broken=0, open=2)

    def test_causes_most_frequent_first(self) -> None:
        """Causes are counted per case and listed by count, then by name."""
        cases = [
            make_case(sr.Stage.DIAGNOSED, id="a", cause="software_bug"),
            make_case(sr.Stage.DIAGNOSED, id="b", cause="wrong_item"),
            make_case(sr.Stage.DIAGNOSED, id="c", cause="software_bug"),
            make_case(sr.Stage.APOLOGIZED, id="d"),
        ]
        found = insights.report(cases, as_of=AS_OF)
        assert found.causes == (("software_bug", 2), ("wrong_item", 1))

    def test_compensation_by_kind_severity_and_currency(self) -> None:
        """Accepted plans' compensation is summed by kind, severity and currency."""
        case = walk_to(sr.Stage.DIAGNOSED)
        offer = sr.Compensation(sr.CompensationKind.REFUND, sr.Money(Decimal("30"), "EUR"))
        case = WORKFLOW.apply(case, proposal(case.last_at, actions=1, compensation=offer))
        case = WORKFLOW.apply(case, sr.AcceptSolution(by=AGENT, at=case.last_at))
        found = insights.report([case, case], as_of=AS_OF)
        assert dict(found.compensation) == {("refund", sr.Severity.MAJOR, "EUR"): Decimal("60")}


class TestFilters:
    def test_each_filter_keeps_what_it_names(self) -> None:
        """Channel, severity, cause, agent and the opening period each narrow the cases."""
        email = _answered_after(10, sr.Channel.EMAIL, 1)
        social = make_case(sr.Stage.DIAGNOSED, id="s", cause="software_bug")
        later = make_case(sr.Stage.REPORTED, id="l", at=T0 + timedelta(days=2))
        cases = [email, social, later]
        counts = {
            "channel": insights.report(cases, as_of=AS_OF, channel=sr.Channel.EMAIL).cases,
            "severity": insights.report(cases, as_of=AS_OF, severity=sr.Severity.MINOR).cases,
            "cause": insights.report(cases, as_of=AS_OF, cause="software_bug").cases,
            "agent": insights.report(cases, as_of=AS_OF, agent=AGENT.id).cases,
            "since": insights.report(cases, as_of=AS_OF, since=T0 + timedelta(days=1)).cases,
            "until": insights.report(cases, as_of=AS_OF, until=T0 + timedelta(days=1)).cases,
        }
        assert counts == {
            "channel": 1,
            "severity": 1,
            "cause": 1,
            "agent": 1,  # only the email case was answered by ana
            "since": 1,
            "until": 2,
        }

    @given(st.lists(reachable_cases(), max_size=6))
    def test_the_channels_parts_sum_to_the_whole(self, cases: list[sr.Case]) -> None:
        """Reports per channel add up to the report of every case."""
        whole = insights.report(cases, as_of=AS_OF)
        parts = [insights.report(cases, as_of=AS_OF, channel=channel) for channel in sr.Channel]
        assert sum(part.cases for part in parts) == whole.cases
        assert sum(sum(count for _, count in part.causes) for part in parts) == sum(
            count for _, count in whole.causes
        )


class TestEveryReport:
    @given(st.lists(reachable_cases(), max_size=6))
    def test_rates_are_shares_and_counts_add_up(self, cases: list[sr.Case]) -> None:
        """Every rate is in [0, 1]; first answers met never exceed those due, nor the cases."""
        found = insights.report(cases, as_of=AS_OF)
        practice = found.practice
        rates = [
            found.recovery_rate,
            found.reopen_rate,
            found.escalated_share,
            found.promises.kept_share,
            practice.vented_first,
            practice.summary_confirmed,
            practice.apologized,
            practice.thanked,
            practice.followed_up,
            *(first.met_share for first in found.first_response.values()),
        ]
        assert all(0.0 <= rate <= 1.0 for rate in rates)
        assert found.cases == len(cases)
        for first in found.first_response.values():
            assert first.met <= first.due <= first.cases
            assert first.answered <= first.cases

    @given(st.lists(reachable_cases(), max_size=6))
    def test_the_practice_the_guards_enforce_is_always_followed(self, cases: list[sr.Case]) -> None:
        """Under the default workflow nobody proposes before venting or closes unfollowed."""
        found = insights.report(cases, as_of=AS_OF)
        proposed = any(
            isinstance(c, sr.ProposeSolution) for case in cases for c in case.history.commands
        )
        closed = any(case.stage is sr.Stage.CLOSED for case in cases)
        assert found.practice.vented_first == (1.0 if proposed else 0.0)
        assert found.practice.followed_up == (1.0 if closed else 0.0)


class TestSources:
    def test_a_store_reports_as_its_cases_do(self, tmp_path: Path) -> None:
        """Reading every case of a store gives the report of those cases."""
        cases = [make_case(sr.Stage.CLOSED, id="one"), _closed_after_no_answers(), _reopened()]
        with SQLiteStore(tmp_path / "cases.sqlite") as store:
            for case in cases:
                store.add(case)
            assert insights.report(store, as_of=AS_OF) == insights.report(cases, as_of=AS_OF)

    def test_bad_arguments_name_the_problem(self) -> None:
        """A naive time, an item that is no case, or no cases at all: InvalidValue."""
        naive = AS_OF.replace(tzinfo=None)
        with pytest.raises(sr.InvalidValue, match="as_of"):
            insights.report([], as_of=naive)
        with pytest.raises(sr.InvalidValue, match="expected a Case, got str"):
            insights.report(["case-1"], as_of=AS_OF)  # type: ignore[list-item]
        with pytest.raises(sr.InvalidValue, match="expected cases or a store"):
            insights.report(42, as_of=AS_OF)  # type: ignore[arg-type]

    def test_an_empty_report_has_no_rates_to_divide(self) -> None:
        """No cases: every share is 0.0 and no median exists."""
        found = insights.report([], as_of=AS_OF)
        assert (found.cases, found.recovery_rate, found.median_time_to_resolution) == (0, 0.0, None)
