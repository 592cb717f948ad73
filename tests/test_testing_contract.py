"""The contract checks of the stateful base, on histories no real workflow would accept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import service_recovery as sr
from service_recovery._model._case import fold
from service_recovery.testing import CaseFactory
from service_recovery.testing._contract import breaches

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = sr.Actor("agent-1", sr.Role.AGENT)
MANAGER = sr.Actor("manager-1", sr.Role.MANAGER)
S = sr.Stage


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def history(*steps: tuple[sr.Command, sr.Stage]) -> list[sr.Event]:
    opening = sr.Open(
        by=sr.SYSTEM,
        at=T0,
        case_id="case-1",
        customer=sr.Customer("c-1"),
        channel=sr.Channel.EMAIL,
        severity=sr.Severity.MAJOR,
        summary="Wrong item",
    )
    return [sr.Event(opening, S.REPORTED)] + [sr.Event(command, stage) for command, stage in steps]


def found(workflow: sr.Workflow, events: list[sr.Event]) -> list[str]:
    """What the checks find in accepting the last of *events* (folded: nothing is checked).

    ``replay`` would refuse these histories: loading checks the contract too.
    """
    before, after = fold(events[:-1]), fold(events)
    return breaches(workflow.policy, before, after)


DIAGNOSED = CaseFactory(sr.Workflow(), sr.FixedClock(T0))(S.DIAGNOSED, severity=sr.Severity.MAJOR)
"""A real case heard out and diagnosed, every step at ``T0`` by ``AGENT``."""


def up_to_diagnosed() -> list[tuple[sr.Command, sr.Stage]]:
    """The accepted steps after opening that bring a case to diagnosed."""
    return [(event.command, event.stage) for event in DIAGNOSED.history[1:]]


def proposal(amount: int, by: sr.Actor = AGENT) -> sr.ProposeSolution:
    return sr.ProposeSolution(
        by=by,
        at=at(10),
        plan="Refund",
        actions=(sr.Action("Refund", due=at(60)),),
        compensation=sr.Compensation(sr.CompensationKind.REFUND, sr.Money(amount, "EUR")),
    )


def up_to_resolved() -> list[tuple[sr.Command, sr.Stage]]:
    return [
        *up_to_diagnosed(),
        (proposal(20), S.SOLUTION_PROPOSED),
        (sr.AcceptSolution(by=AGENT, at=at(11)), S.RESOLVING),
        (sr.CompleteAction(by=AGENT, at=at(12), index=0), S.RESOLVED),
    ]


class TestVenting:
    def test_proposal_before_venting_is_a_breach(self) -> None:
        """Reaching solution_proposed with no FinishVenting in the conversation is flagged."""
        shortcut = sr.Edge(sr.ProposeSolution, S.LISTENING, S.SOLUTION_PROPOSED)
        graph = sr.StageGraph((*sr.DEFAULT_GRAPH.edges, shortcut))
        workflow = sr.Workflow(sr.RecoveryPolicy(name="shortcut", graph=graph))
        events = history(
            (sr.Acknowledge(by=AGENT, at=at(1)), S.ACKNOWLEDGED),
            (sr.Listen(by=AGENT, at=at(2)), S.LISTENING),
            (proposal(20), S.SOLUTION_PROPOSED),
        )
        [breach] = found(workflow, events)
        assert "the customer never finished venting in this conversation" in breach

    def test_venting_of_an_earlier_conversation_does_not_count(self) -> None:
        """After an unsatisfied follow-up the customer must finish venting again."""
        shortcut = sr.Edge(sr.ProposeSolution, S.LISTENING, S.SOLUTION_PROPOSED)
        graph = sr.StageGraph((*sr.DEFAULT_GRAPH.edges, shortcut))
        workflow = sr.Workflow(sr.RecoveryPolicy(name="shortcut", graph=graph))
        unhappy = sr.FollowUp(by=AGENT, at=at(13), outcome=sr.FollowUpOutcome.UNSATISFIED)
        again = sr.ProposeSolution(
            by=AGENT, at=at(14), plan="Again", actions=(sr.Action("Again", due=at(90)),)
        )
        events = history(*up_to_resolved(), (unhappy, S.LISTENING), (again, S.SOLUTION_PROPOSED))
        assert 1 == len(found(workflow, events))


class TestFollowUp:
    def test_close_without_follow_up_is_a_breach(self) -> None:
        """Closing a resolved case nobody followed up is flagged."""
        events = history(*up_to_resolved(), (sr.Close(by=AGENT, at=at(20)), S.CLOSED))
        [breach] = found(sr.Workflow(), events)
        assert "no satisfied follow-up and 0 of 3 unanswered attempts" in breach

    def test_close_after_the_attempts_is_kept(self) -> None:
        """Closing after the policy's unanswered attempts is no breach."""
        silence = [
            (sr.FollowUp(by=AGENT, at=at(20 + n), outcome=sr.FollowUpOutcome.NO_ANSWER), S.RESOLVED)
            for n in range(3)
        ]
        events = history(*up_to_resolved(), *silence, (sr.Close(by=AGENT, at=at(30)), S.CLOSED))
        assert [] == found(sr.Workflow(), events)

    def test_too_few_attempts_is_a_breach(self) -> None:
        """Two unanswered calls are not enough under a policy asking for three."""
        silence = [
            (sr.FollowUp(by=AGENT, at=at(20 + n), outcome=sr.FollowUpOutcome.NO_ANSWER), S.RESOLVED)
            for n in range(2)
        ]
        events = history(*up_to_resolved(), *silence, (sr.Close(by=AGENT, at=at(30)), S.CLOSED))
        assert 1 == len(found(sr.Workflow(), events))


class TestAuthority:
    def test_above_authority_without_approval_is_a_breach(self) -> None:
        """An agent granting 500 EUR with no approval is flagged."""
        events = history(*up_to_diagnosed(), (proposal(500), S.SOLUTION_PROPOSED))
        [breach] = found(sr.Workflow(), events)
        assert "granted 500 EUR, above the authority of agent-1 (50 EUR)" in breach

    def test_within_authority_is_kept(self) -> None:
        """An agent granting 20 EUR needs nobody."""
        events = history(*up_to_diagnosed(), (proposal(20), S.SOLUTION_PROPOSED))
        assert [] == found(sr.Workflow(), events)

    def test_covering_approval_by_someone_else_is_kept(self) -> None:
        """500 EUR escalated and approved by a manager may be granted by the agent."""
        escalate = sr.Escalate(by=AGENT, at=at(7), reason="Big", amount=sr.Money(500, "EUR"))
        approve = sr.Approve(by=MANAGER, at=at(8))
        events = history(
            *up_to_diagnosed(),
            (escalate, S.DIAGNOSED),
            (approve, S.DIAGNOSED),
            (proposal(500), S.SOLUTION_PROPOSED),
        )
        assert [] == found(sr.Workflow(), events)

    def test_self_approval_is_a_breach(self) -> None:
        """An approval by the person who escalated does not count."""
        boss = sr.Actor("manager-2", sr.Role.MANAGER)
        escalate = sr.Escalate(by=boss, at=at(7), reason="Big", amount=sr.Money(500, "EUR"))
        events = history(
            *up_to_diagnosed(),
            (escalate, S.DIAGNOSED),
            (sr.Approve(by=boss, at=at(8)), S.DIAGNOSED),
            (proposal(500), S.SOLUTION_PROPOSED),
        )
        assert 1 == len(found(sr.Workflow(), events))

    def test_approval_too_small_is_a_breach(self) -> None:
        """An approval of 100 EUR does not cover a 500 EUR gesture."""
        escalate = sr.Escalate(by=AGENT, at=at(7), reason="Some", amount=sr.Money(100, "EUR"))
        events = history(
            *up_to_diagnosed(),
            (escalate, S.DIAGNOSED),
            (sr.Approve(by=MANAGER, at=at(8)), S.DIAGNOSED),
            (proposal(500), S.SOLUTION_PROPOSED),
        )
        assert 1 == len(found(sr.Workflow(), events))
