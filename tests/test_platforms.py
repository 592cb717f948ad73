"""Help-desk status mappings: what a ticket shows for a case, and what its changes imply."""

from __future__ import annotations

import pickle
from datetime import timedelta

import attrs
import pytest
from hypothesis import given

import service_recovery as sr
from service_recovery.integrations.platforms import (
    DJANGO_HELPDESK,
    FRESHDESK,
    PLATFORMS,
    SALESFORCE,
    SERVICENOW,
    ZENDESK,
    StatusChangeRefused,
    StatusMap,
)
from tests.scenarios import AGENT, SUPERVISOR, later, make_case, reachable_cases

WORKFLOW = sr.Workflow()
MAPS = list(PLATFORMS.values())


def _apply(case: sr.Case, command: sr.Command | None) -> sr.Case:
    assert command is not None
    return WORKFLOW.apply(case, command)


def _waiting(case: sr.Case, kind: type[sr.AwaitCustomer | sr.AwaitThirdParty]) -> sr.Case:
    return WORKFLOW.apply(case, kind(by=AGENT, at=later(case), reason="Photo of the parcel"))


class TestStatusOfACase:
    @pytest.mark.parametrize(
        ("stage", "expected"),
        [
            (sr.Stage.REPORTED, "new"),
            (sr.Stage.ACKNOWLEDGED, "open"),
            (sr.Stage.LISTENING, "open"),
            (sr.Stage.SOLUTION_PROPOSED, "open"),
            (sr.Stage.RESOLVING, "open"),
            (sr.Stage.RESOLVED, "solved"),
            (sr.Stage.FOLLOWED_UP, "solved"),
            (sr.Stage.CLOSED, "closed"),
        ],
    )
    def test_zendesk_by_stage(self, stage: sr.Stage, expected: str) -> None:
        """Zendesk shows new, open, solved (resolved or followed up) and closed by stage."""
        assert ZENDESK.status(make_case(stage)) == expected

    def test_zendesk_waits_are_pending_and_hold(self) -> None:
        """Waiting on the customer is pending; on a third party, on hold."""
        case = make_case(sr.Stage.DIAGNOSED)
        assert (
            ZENDESK.status(_waiting(case, sr.AwaitCustomer)),
            ZENDESK.status(_waiting(case, sr.AwaitThirdParty)),
        ) == ("pending", "hold")

    def test_servicenow_holds_carry_their_reason(self) -> None:
        """ServiceNow shows a wait as On Hold, with Awaiting Caller or Awaiting Vendor."""
        case = make_case(sr.Stage.DIAGNOSED)
        on_customer, on_vendor = (
            _waiting(case, sr.AwaitCustomer),
            _waiting(case, sr.AwaitThirdParty),
        )
        assert [
            (SERVICENOW.status(c), SERVICENOW.hold_reason(c))
            for c in (case, on_customer, on_vendor)
        ] == [("In Progress", None), ("On Hold", "Awaiting Caller"), ("On Hold", "Awaiting Vendor")]

    def test_salesforce_escalated_stopped_and_closed(self) -> None:
        """Salesforce: Escalated while an escalation waits; a wait stops the milestones."""
        case = make_case(sr.Stage.DIAGNOSED)
        escalated = WORKFLOW.apply(
            case, sr.Escalate(by=AGENT, at=later(case), reason="Needs a manager's word")
        )
        waiting = _waiting(case, sr.AwaitCustomer)
        closed = make_case(sr.Stage.CLOSED)
        assert (
            SALESFORCE.status(case),
            SALESFORCE.status(escalated),
            (SALESFORCE.status(waiting), SALESFORCE.is_stopped(waiting)),
            (SALESFORCE.status(closed), SALESFORCE.is_closed(closed), SALESFORCE.is_closed(case)),
        ) == ("Working", "Escalated", ("Working", True), ("Closed", True, False))

    def test_django_helpdesk_tells_a_reopened_ticket_apart(self) -> None:
        """django-helpdesk shows Reopened after a reopen, until the case is resolved again."""
        closed = make_case(sr.Stage.CLOSED)
        reopened = WORKFLOW.apply(
            closed, sr.Reopen(by=AGENT, at=later(closed), reason="Still the wrong size")
        )
        assert (DJANGO_HELPDESK.status(closed), DJANGO_HELPDESK.status(reopened)) == (
            "Closed",
            "Reopened",
        )

    @given(reachable_cases())
    def test_every_case_shows_one_of_the_platforms_statuses(self, case: sr.Case) -> None:
        """Whatever the case, each platform shows a status of its own list."""
        for mapping in MAPS:
            assert (mapping.platform, mapping.status(case) in mapping.statuses) == (
                mapping.platform,
                True,
            )

    @given(reachable_cases())
    def test_the_status_a_case_shows_implies_nothing(self, case: sr.Case) -> None:
        """Setting the status a ticket already shows is no command."""
        for mapping in MAPS:
            found = mapping.command_for(
                WORKFLOW,
                case,
                mapping.status(case),
                by=AGENT,
                at=later(case),
                hold_reason=mapping.hold_reason(case),
            )
            assert (mapping.platform, found) == (mapping.platform, None)


class TestStatusChanges:
    def test_an_automatic_close_before_the_follow_up_is_refused(self) -> None:
        """Zendesk closing a solved ticket on its own is reported, never applied."""
        case = make_case(sr.Stage.RESOLVED)
        with pytest.raises(StatusChangeRefused) as refused:
            ZENDESK.command_for(WORKFLOW, case, "closed", by=sr.SYSTEM, at=later(case, 60 * 96))
        assert isinstance(refused.value.command, sr.Close)
        assert "followed up" in [reason.guard for reason in refused.value.reasons]
        assert "Zendesk status 'closed' cannot be applied" in str(refused.value)

    def test_a_close_after_the_follow_up_is_a_close(self) -> None:
        """Once the customer confirmed, closing the ticket closes the case."""
        case = make_case(sr.Stage.FOLLOWED_UP)
        closed = _apply(
            case, ZENDESK.command_for(WORKFLOW, case, "closed", by=AGENT, at=later(case))
        )
        assert (closed.stage, ZENDESK.status(closed)) == (sr.Stage.CLOSED, "closed")

    def test_pending_waits_and_open_resumes(self) -> None:
        """Pending puts the case on hold for the customer; open again resumes it."""
        case = make_case(sr.Stage.DIAGNOSED)
        waiting = _apply(
            case,
            ZENDESK.command_for(
                WORKFLOW, case, "pending", by=AGENT, at=later(case), reason="Photo"
            ),
        )
        resumed = _apply(
            waiting, ZENDESK.command_for(WORKFLOW, waiting, "open", by=AGENT, at=later(waiting))
        )
        assert (waiting.paused is not None, waiting.paused.reason if waiting.paused else None) == (
            True,
            "Photo",
        )
        assert (ZENDESK.status(waiting), ZENDESK.status(resumed)) == ("pending", "open")

    def test_one_hold_status_needs_its_reason(self) -> None:
        """ServiceNow's On Hold says whom the case waits on only with its hold reason."""
        case = make_case(sr.Stage.DIAGNOSED)
        with pytest.raises(sr.InvalidValue, match="Awaiting Caller"):
            SERVICENOW.command_for(WORKFLOW, case, "On Hold", by=AGENT, at=later(case))
        found = SERVICENOW.command_for(
            WORKFLOW, case, "On Hold", by=AGENT, at=later(case), hold_reason="Awaiting Vendor"
        )
        assert isinstance(found, sr.AwaitThirdParty)

    def test_solved_completes_the_last_open_action(self) -> None:
        """Solved on a case with one action left completes it; the case is resolved."""
        case = make_case(sr.Stage.RESOLVING, actions=1)
        assert len(case.open_actions) == 1
        solved = _apply(
            case, ZENDESK.command_for(WORKFLOW, case, "solved", by=AGENT, at=later(case))
        )
        assert (solved.stage, ZENDESK.status(solved)) == (sr.Stage.RESOLVED, "solved")

    def test_solved_with_actions_left_or_nothing_agreed_is_refused(self) -> None:
        """Solved is refused while two actions are open, or before any plan was agreed."""
        two_open = make_case(sr.Stage.RESOLVING, actions=2)
        early = make_case(sr.Stage.LISTENING)
        messages = []
        for case in (two_open, early):
            with pytest.raises(StatusChangeRefused) as refused:
                ZENDESK.command_for(WORKFLOW, case, "solved", by=AGENT, at=later(case))
            messages.append(refused.value.reasons[0].message)
        assert "#0, #1 are still open" in messages[0]
        assert "no solution was agreed" in messages[1]

    def test_open_on_a_closed_case_reopens_it(self) -> None:
        """A closed ticket set open again reopens the case, within the reopen window."""
        case = make_case(sr.Stage.CLOSED)
        reopened = _apply(
            case,
            DJANGO_HELPDESK.command_for(
                WORKFLOW, case, "Reopened", by=AGENT, at=later(case), reason="Wrong size again"
            ),
        )
        assert (reopened.stage, DJANGO_HELPDESK.status(reopened)) == (
            sr.Stage.LISTENING,
            "Reopened",
        )

    def test_escalated_in_salesforce_escalates(self) -> None:
        """Setting Escalated raises an escalation for approval."""
        case = make_case(sr.Stage.DIAGNOSED)
        escalated = _apply(
            case,
            SALESFORCE.command_for(
                WORKFLOW, case, "Escalated", by=AGENT, at=later(case), reason="VIP customer"
            ),
        )
        assert escalated.escalation is not None
        assert escalated.escalation.reason == "VIP customer"

    def test_an_unknown_status_names_the_valid_ones(self) -> None:
        """A status the platform does not have is an InvalidValue listing the ones it has."""
        case = make_case(sr.Stage.DIAGNOSED)
        with pytest.raises(sr.InvalidValue, match="'new', 'open', 'pending'") as error:
            ZENDESK.command_for(WORKFLOW, case, "archived", by=AGENT, at=later(case))
        assert error.value.field == "status"

    def test_a_refused_change_leaves_the_case_as_it_was(self) -> None:
        """Nothing is applied by a mapping: the case a refusal was about is unchanged."""
        case = make_case(sr.Stage.RESOLVED)
        before = sr.to_dict(case)
        with pytest.raises(StatusChangeRefused):
            FRESHDESK.command_for(WORKFLOW, case, "Closed", by=sr.SYSTEM, at=later(case))
        assert sr.to_dict(case) == before


class TestCustomerReplies:
    def test_a_reply_to_a_wait_on_the_customer_resumes(self) -> None:
        """The customer answering a pending ticket resumes the case."""
        waiting = _waiting(make_case(sr.Stage.DIAGNOSED), sr.AwaitCustomer)
        found = ZENDESK.customer_replied(WORKFLOW, waiting, by=AGENT, at=later(waiting))
        assert isinstance(found, sr.Resume)

    def test_a_reply_to_a_closed_case_reopens_it_within_the_window(self) -> None:
        """Within the reopen window a reply reopens; after it, the refusal says what to do."""
        closed = make_case(sr.Stage.CLOSED)
        found = ZENDESK.customer_replied(WORKFLOW, closed, by=AGENT, at=later(closed))
        assert isinstance(found, sr.Reopen)
        too_late = closed.last_at + timedelta(days=400)
        with pytest.raises(StatusChangeRefused, match="open a new case"):
            ZENDESK.customer_replied(WORKFLOW, closed, by=AGENT, at=too_late)

    def test_a_reply_during_the_conversation_implies_nothing(self) -> None:
        """While the case is worked on, a reply is the conversation going on."""
        case = make_case(sr.Stage.LISTENING)
        assert ZENDESK.customer_replied(WORKFLOW, case, by=AGENT, at=later(case)) is None


class TestMappingsAreData:
    def test_a_field_changed_changes_what_is_shown(self) -> None:
        """A desk with its own names evolves a shipped mapping."""
        ours = attrs.evolve(ZENDESK, active="in progress")
        assert ours.status(make_case(sr.Stage.DIAGNOSED)) == "in progress"

    def test_codes_and_aliases(self) -> None:
        """API numbers are read through aliases: Waiting on Customer is Pending (3)."""
        assert (FRESHDESK.code("Waiting on Customer"), SERVICENOW.code("Closed")) == (3, 7)
        assert ZENDESK.code("open") is None

    def test_an_alias_of_no_status_is_refused(self) -> None:
        """A mapping whose alias points nowhere is an InvalidValue when it is built."""
        with pytest.raises(sr.InvalidValue, match="'Parked' is no status"):
            attrs.evolve(FRESHDESK, aliases={"On Ice": "Parked"})

    def test_a_blank_status_name_is_refused(self) -> None:
        """Every status name is a non-empty text."""
        with pytest.raises(sr.InvalidValue, match="active"):
            StatusMap(platform="Desk", new="new", active=" ", by_stage={}, waiting={})

    def test_a_refusal_pickles_with_its_reasons(self) -> None:
        """A refusal crosses to another process with what it carries."""
        case = make_case(sr.Stage.RESOLVED)
        with pytest.raises(StatusChangeRefused) as refused:
            ZENDESK.command_for(WORKFLOW, case, "closed", by=SUPERVISOR, at=later(case))
        copy = pickle.loads(pickle.dumps(refused.value))
        assert (copy.platform, copy.status, copy.reasons) == (
            "Zendesk",
            "closed",
            refused.value.reasons,
        )


class TestWithdrawn:
    def _withdrawn(self, reason: str, other: str | None = None) -> sr.Case:
        case = make_case(sr.Stage.LISTENING)
        return WORKFLOW.apply(
            case, sr.Withdraw(by=AGENT, at=later(case), reason=reason, duplicate_of=other)
        )

    def test_a_withdrawn_case_shows_closed_canceled_or_duplicate(self) -> None:
        """Closed where the platform has nothing else; Canceled; Duplicate for a duplicate."""
        duplicate, spam = self._withdrawn("duplicate", "case-0"), self._withdrawn("spam")
        assert [
            (m.platform, m.status(duplicate), m.status(spam), m.is_closed(spam))
            for m in (ZENDESK, SALESFORCE, SERVICENOW, DJANGO_HELPDESK)
        ] == [
            ("Zendesk", "closed", "closed", True),
            ("Salesforce", "Closed", "Closed", True),
            ("ServiceNow", "Canceled", "Canceled", True),
            ("django-helpdesk", "Duplicate", "Closed", True),
        ]

    def test_canceled_withdraws_for_the_reason_given(self) -> None:
        """ServiceNow's Canceled means the customer withdrew, unless told another reason."""
        case = make_case(sr.Stage.LISTENING)
        plain = SERVICENOW.command_for(WORKFLOW, case, "Canceled", by=AGENT, at=later(case))
        spam = SERVICENOW.command_for(
            WORKFLOW, case, "Canceled", by=AGENT, at=later(case), withdrawal="spam"
        )
        assert isinstance(plain, sr.Withdraw)
        assert isinstance(spam, sr.Withdraw)
        assert (plain.reason, spam.reason) == (
            sr.WithdrawalReason.CUSTOMER_WITHDREW,
            sr.WithdrawalReason.SPAM,
        )

    def test_duplicate_needs_the_other_case(self) -> None:
        """django-helpdesk's Duplicate withdraws as a duplicate of the case it names."""
        case = make_case(sr.Stage.LISTENING)
        with pytest.raises(sr.InvalidValue, match="duplicate_of"):
            DJANGO_HELPDESK.command_for(WORKFLOW, case, "Duplicate", by=AGENT, at=later(case))
        with pytest.raises(sr.InvalidValue, match="not 'spam'"):
            DJANGO_HELPDESK.command_for(
                WORKFLOW, case, "Duplicate", by=AGENT, at=later(case), withdrawal="spam"
            )
        withdrawn = _apply(
            case,
            DJANGO_HELPDESK.command_for(
                WORKFLOW, case, "Duplicate", by=AGENT, at=later(case), duplicate_of="case-0"
            ),
        )
        assert (withdrawn.stage, DJANGO_HELPDESK.status(withdrawn)) == (
            sr.Stage.WITHDRAWN,
            "Duplicate",
        )

    def test_no_withdrawal_once_a_solution_was_accepted(self) -> None:
        """Canceling a ticket whose solution the customer accepted is refused."""
        case = make_case(sr.Stage.RESOLVING)
        with pytest.raises(StatusChangeRefused) as refused:
            SERVICENOW.command_for(WORKFLOW, case, "Canceled", by=AGENT, at=later(case))
        assert "no solution accepted" in [reason.guard for reason in refused.value.reasons]
