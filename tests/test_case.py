"""The case value and the fold that derives it from its events."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given

import service_recovery as sr
from service_recovery._model._case import advance, check_history, fold
from tests.scenarios import (
    AGENT,
    SUPERVISOR,
    T0,
    later,
    open_case,
    proposal,
    reachable_cases,
    walk_through,
    walk_to,
)

S = sr.Stage
DAYS_60 = timedelta(days=60)


def event(command: sr.Command, stage: sr.Stage = S.LISTENING) -> sr.Event:
    """An event for *command*; the fold trusts the stage it is given."""
    return sr.Event(command, stage)


class TestCaseValue:
    def test_fresh_case(self) -> None:
        """An opened case holds what was reported, at version 1 with no facts yet."""
        case = open_case()
        assert ("case-1", S.REPORTED, 1, T0, T0) == (
            case.id,
            case.stage,
            case.version,
            case.opened_at,
            case.last_at,
        )
        assert (None, False, False, None, frozenset()) == (
            case.acknowledged_at,
            case.venting_finished,
            case.followed_up,
            case.plan,
            case.open_actions,
        )

    def test_repr_is_short(self) -> None:
        """The repr names id, stage, version, severity and channel, not the whole history."""
        assert "<Case 'case-1' reported v1 major via social>" == repr(open_case())

    def test_case_is_frozen(self) -> None:
        """Nobody can move a case by assigning its stage."""
        case = open_case()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            case.stage = S.CLOSED  # type: ignore[misc]

    def test_case_has_no_spare_attributes(self) -> None:
        """A slotted case cannot grow attributes (nothing can be injected onto it)."""
        case = open_case()
        with pytest.raises((AttributeError, TypeError)):
            object.__setattr__(case, "trigger", print)

    @given(reachable_cases())
    def test_version_counts_events(self, case: sr.Case) -> None:
        """The version is the number of events; the last time is the last event's."""
        assert len(case.history) == case.version
        assert case.history[-1].at == case.last_at

    @given(reachable_cases())
    def test_cases_are_hashable_values(self, case: sr.Case) -> None:
        """Equal cases hash alike, so hosts can keep them in sets and caches."""
        assert hash(fold(case.history)) == hash(case)


class TestFold:
    @given(reachable_cases())
    def test_fold_of_history_is_the_case(self, case: sr.Case) -> None:
        """Folding a case's own history rebuilds the case: the facts are only a cache."""
        assert case == fold(case.history)

    @given(reachable_cases())
    def test_advance_is_one_more_fold_step(self, case: sr.Case) -> None:
        """Advancing by an event equals folding the longer history."""
        extra = event(sr.SendUpdate(by=AGENT, at=later(case), message="on its way"), case.stage)
        assert fold((*case.history, extra)) == advance(case, extra)

    def test_advance_leaves_the_old_case_alone(self) -> None:
        """Advancing returns a new case and keeps the old one as it was."""
        case = open_case()
        new = advance(case, event(sr.Acknowledge(by=AGENT, at=later(case)), S.ACKNOWLEDGED))
        assert (S.REPORTED, 1) == (case.stage, case.version)
        assert (S.ACKNOWLEDGED, 2) == (new.stage, new.version)

    def test_first_acknowledgement_counts(self) -> None:
        """The first answer sets ``acknowledged_at``; later ones do not move it."""
        case = open_case()
        first = later(case)
        case = advance(case, event(sr.Acknowledge(by=AGENT, at=first), S.ACKNOWLEDGED))
        case = advance(case, event(sr.Acknowledge(by=AGENT, at=first + timedelta(hours=1))))
        assert first == case.acknowledged_at

    def test_latest_reflection_counts(self) -> None:
        """A summary the customer rejects after confirming one undoes the confirmation."""
        case = walk_to(S.LISTENING)
        yes = sr.ReflectBack(by=AGENT, at=later(case), summary="s", confirmed=True)
        case = advance(case, event(yes))
        assert case.summary_confirmed
        no = sr.ReflectBack(by=AGENT, at=later(case), summary="s", confirmed=False)
        assert not advance(case, event(no)).summary_confirmed

    def test_acceptance_turns_the_proposal_into_promises(self) -> None:
        """Accepting moves the proposal to the plan and opens each of its actions."""
        case = walk_to(S.SOLUTION_PROPOSED)
        offered = case.proposal
        case = advance(case, event(sr.AcceptSolution(by=AGENT, at=later(case)), S.RESOLVING))
        assert (None, offered, frozenset({0, 1})) == (case.proposal, case.plan, case.open_actions)

    def test_acceptance_without_proposal_promises_nothing(self) -> None:
        """Folding an acceptance with nothing on the table leaves no plan and no actions."""
        case = walk_to(S.DIAGNOSED)
        case = advance(case, event(sr.AcceptSolution(by=AGENT, at=later(case)), S.RESOLVING))
        assert (None, frozenset()) == (case.plan, case.open_actions)

    def test_decline_clears_the_proposal(self) -> None:
        """A declined plan is off the table."""
        case = walk_to(S.SOLUTION_PROPOSED)
        case = advance(case, event(sr.DeclineSolution(by=AGENT, at=later(case)), S.DIAGNOSED))
        assert case.proposal is None

    def test_completion_closes_one_action(self) -> None:
        """Completing an action removes just that one from the open actions."""
        case = walk_to(S.RESOLVING)
        case = advance(case, event(sr.CompleteAction(by=AGENT, at=later(case), index=1)))
        assert frozenset({0}) == case.open_actions

    def test_approval_clears_escalation_and_records_amount(self) -> None:
        """An approved escalation for an amount clears that amount."""
        case = open_case()
        amount = sr.Money(200, "EUR")
        ask = sr.Escalate(by=AGENT, at=later(case), reason="goodwill", amount=amount)
        case = advance(case, event(ask, S.REPORTED))
        assert case.escalation_pending
        case = advance(case, event(sr.Approve(by=SUPERVISOR, at=later(case)), S.REPORTED))
        assert (False, amount) == (case.escalation_pending, case.approved_amount)

    def test_approval_without_amount_clears_no_amount(self) -> None:
        """Approving an escalation that named no amount clears no compensation."""
        case = open_case()
        case = advance(case, event(sr.Escalate(by=AGENT, at=later(case), reason="rude")))
        case = advance(case, event(sr.Approve(by=SUPERVISOR, at=later(case))))
        assert (None, None) == (case.escalation, case.approved_amount)

    @pytest.mark.parametrize(
        ("outcome", "attempts", "followed_up"),
        [
            (sr.FollowUpOutcome.NO_ANSWER, 1, False),
            (sr.FollowUpOutcome.SATISFIED, 0, True),
            (sr.FollowUpOutcome.UNSATISFIED, 0, False),
        ],
    )
    def test_follow_up_outcomes(
        self, outcome: sr.FollowUpOutcome, attempts: int, followed_up: bool
    ) -> None:
        """Unanswered calls are counted; a satisfied customer counts as followed up."""
        case = walk_to(S.RESOLVED)
        case = advance(case, event(sr.FollowUp(by=AGENT, at=later(case), outcome=outcome)))
        assert (attempts, followed_up) == (case.follow_up_attempts, case.followed_up)

    @pytest.mark.parametrize(
        "restart",
        [
            sr.FollowUp(
                by=AGENT, at=T0 + timedelta(days=60), outcome=sr.FollowUpOutcome.UNSATISFIED
            ),
            sr.Reopen(by=AGENT, at=T0 + timedelta(days=60), reason="it broke again"),
        ],
    )
    def test_unhappy_customer_is_heard_again(self, restart: sr.Command) -> None:
        """An unsatisfied follow-up or a reopen starts the conversation over; the cause stays."""
        case = walk_to(S.CLOSED)
        cause = case.cause
        case = advance(case, event(restart))
        fresh = open_case()
        for name in (
            "summary_confirmed",
            "venting_finished",
            "apologized",
            "proposal",
            "plan",
            "open_actions",
            "escalation",
            "approved_amount",
            "follow_up_attempts",
            "followed_up",
            "closed_at",
        ):
            assert getattr(fresh, name) == getattr(case, name), name
        assert cause == case.cause

    def test_close_records_when(self) -> None:
        """Closing records the time, which the reopen window counts from."""
        case = walk_to(S.CLOSED)
        assert case.last_at == case.closed_at

    def test_subclassed_command_folds_like_its_base(self) -> None:
        """A host's subclass of a command changes the facts as its base command does."""

        @attrs.frozen(kw_only=True)
        class CloseWithSurvey(sr.Close):
            survey: str = "sent"

        case = walk_to(S.FOLLOWED_UP)
        case = advance(case, event(CloseWithSurvey(by=AGENT, at=later(case)), S.CLOSED))
        assert case.last_at == case.closed_at

    def test_commands_without_facts_only_move_the_stage(self) -> None:
        """Listening and updates are recorded in the history but change no fact."""
        case = walk_to(S.ACKNOWLEDGED)
        new = advance(case, event(sr.Listen(by=AGENT, at=later(case), note="n")))
        assert attrs.evolve(case, stage=S.LISTENING, history=new.history) == new


class TestCheckHistory:
    def test_valid_history_has_no_problem(self) -> None:
        """A case's own history passes."""
        assert [] == check_history(walk_to(S.CLOSED).history)

    def test_empty_history(self) -> None:
        """A history needs at least its Open event."""
        assert ["history: empty; a case's history starts with its Open event"] == check_history([])

    def test_every_problem_is_listed_with_its_position(self) -> None:
        """Each bad event is named by its index; the check goes on after a problem."""
        case = walk_through(sr.Workflow(), S.ACKNOWLEDGED)  # acknowledged a minute after opening
        opened, acknowledged = case.history
        early = event(sr.Listen(by=AGENT, at=T0 - timedelta(days=1)))
        problems = check_history(
            [acknowledged, "not an event", sr.Event("x", S.REPORTED), opened, early]  # type: ignore[arg-type]
        )
        assert [
            "history[0]: a history starts with Open, not Acknowledge",
            "history[1]: expected an Event, got str",
            "history[2]: an Event holds a Command and a Stage",
            "history[3]: Open can only be the first event",
            f"history[3]: at {opened.at.isoformat()} is before the previous event "
            f"({acknowledged.at.isoformat()})",
            f"history[4]: at {early.at.isoformat()} is before the previous event "
            f"({opened.at.isoformat()})",
        ] == problems

    def test_same_time_is_in_order(self) -> None:
        """Two events at the same instant are in order."""
        case = open_case()
        same = event(sr.Acknowledge(by=AGENT, at=case.last_at), S.ACKNOWLEDGED)
        assert [] == check_history([*case.history, same])

    def test_event_reads_its_command(self) -> None:
        """An event exposes its command's kind, actor and time."""
        command = proposal(T0)
        recorded = sr.Event(command, S.SOLUTION_PROPOSED)
        assert ("ProposeSolution", AGENT, T0) == (recorded.kind, recorded.by, recorded.at)
