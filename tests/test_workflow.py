"""The workflow: open, apply, allowed, explain and replay, through the whole default graph."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from tests.scenarios import (
    AGENT,
    APPLICABLE,
    CUSTOMER,
    MANAGER,
    SUPERVISOR,
    T0,
    commands_for,
    later,
    next_step,
    open_case,
    proposal,
    reachable_cases,
    walk_to,
)

S = sr.Stage
WORKFLOW = sr.Workflow()
"""One workflow shared by the tests that add no hooks: workflows hold no case."""


def follow_up(case: sr.Case, outcome: sr.FollowUpOutcome) -> sr.FollowUp:
    """A follow-up call a minute after the case's last event; a day, if the last went unanswered.

    A day is the default policy's follow-up interval between unanswered attempts.
    """
    at = case.last_at + timedelta(days=1) if case.follow_up_attempts else later(case)
    return sr.FollowUp(by=AGENT, at=at, outcome=outcome)


def attempt(case: sr.Case, command: sr.Command) -> sr.Case | sr.TransitionNotAllowed:
    """The new case, or the refusal, of applying *command* with the shared workflow."""
    try:
        return WORKFLOW.apply(case, command)
    except sr.TransitionNotAllowed as refused:
        return refused


def stages_of(case: sr.Case) -> list[sr.Stage]:
    """The stage after each event, oldest first."""
    return [event.stage for event in case.history]


class TestOpen:
    def test_open_records_the_complaint(self) -> None:
        """Opening gives a reported case whose first event is the Open command."""
        case = open_case(WORKFLOW)
        [opened] = case.history
        assert isinstance(opened.command, sr.Open)
        assert ("case-1", CUSTOMER, sr.Channel.SOCIAL, sr.Severity.MAJOR, sr.SYSTEM) == (
            case.id,
            case.customer,
            case.channel,
            case.severity,
            opened.by,
        )

    def test_open_without_id_makes_a_fresh_one(self) -> None:
        """Cases opened without an id get distinct ids."""
        ids = {
            WORKFLOW.open(
                customer=CUSTOMER,
                channel=sr.Channel.EMAIL,
                severity=sr.Severity.MINOR,
                summary="late",
                at=T0,
            ).id
            for _ in range(3)
        }
        assert 3 == len(ids)

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"at": T0.replace(tzinfo=None)}, "at: .* has no time zone"),
            ({"summary": " "}, "summary: must not be blank"),
            ({"channel": "twitter"}, "channel: expected a Channel or one of"),
            ({"customer": "c-1"}, "customer: expected Customer"),
            ({"id": ""}, "case_id: must not be blank"),
        ],
    )
    def test_open_checks_its_fields(self, changes: dict[str, object], problem: str) -> None:
        """A malformed complaint is refused before any case exists."""
        fields: dict[str, object] = {
            "customer": CUSTOMER,
            "channel": sr.Channel.SOCIAL,
            "severity": sr.Severity.MAJOR,
            "summary": "wrong jacket",
            "at": T0,
            **changes,
        }
        with pytest.raises(sr.InvalidValue, match=problem):
            WORKFLOW.open(**fields)  # type: ignore[arg-type]

    def test_workflow_needs_a_policy(self) -> None:
        """A workflow is built from a RecoveryPolicy, nothing else."""
        with pytest.raises(sr.InvalidValue, match="policy: expected a RecoveryPolicy, got str"):
            sr.Workflow("default")  # type: ignore[arg-type]

    def test_repr_names_the_policy(self) -> None:
        """A workflow shows which policy it runs."""
        assert "<Workflow policy='default'>" == repr(WORKFLOW)


class TestJourneys:
    def test_happy_path_reported_to_closed(self) -> None:
        """The default happy path visits every stage from reported to closed, in order."""
        case = walk_to(S.CLOSED, WORKFLOW)
        expected = [
            S.REPORTED,
            S.ACKNOWLEDGED,
            S.LISTENING,
            S.LISTENING,
            S.UNDERSTOOD,
            S.APOLOGIZED,
            S.DIAGNOSED,
            S.SOLUTION_PROPOSED,
            S.RESOLVING,
            S.RESOLVING,
            S.RESOLVED,
            S.FOLLOWED_UP,
            S.CLOSED,
        ]
        assert expected == stages_of(case)
        assert case.followed_up

    def test_decline_then_propose_again(self) -> None:
        """A declined plan goes back to 'diagnosed'; a new plan can then be accepted."""
        case = walk_to(S.SOLUTION_PROPOSED, WORKFLOW)
        case = WORKFLOW.apply(case, sr.DeclineSolution(by=AGENT, at=later(case), reason="slow"))
        assert (S.DIAGNOSED, None) == (case.stage, case.proposal)
        better = proposal(later(case), actions=1)
        case = WORKFLOW.apply(case, better)
        case = WORKFLOW.apply(case, sr.AcceptSolution(by=AGENT, at=later(case)))
        assert (S.RESOLVING, better, frozenset({0})) == (case.stage, case.plan, case.open_actions)

    def test_updates_while_resolving(self) -> None:
        """Updates keep the case in 'resolving'; only the last action resolves it."""
        case = walk_to(S.RESOLVING, WORKFLOW)
        case = WORKFLOW.apply(case, sr.SendUpdate(by=AGENT, at=later(case), message="shipped"))
        case = WORKFLOW.apply(case, sr.CompleteAction(by=AGENT, at=later(case), index=1))
        assert S.RESOLVING == case.stage
        case = WORKFLOW.apply(case, sr.CompleteAction(by=AGENT, at=later(case), index=0))
        assert S.RESOLVED == case.stage

    def test_unanswered_follow_ups_then_close(self) -> None:
        """Unanswered calls are counted at 'resolved'; after three the case may close."""
        case = walk_to(S.RESOLVED, WORKFLOW)
        for attempt in (1, 2, 3):
            case = WORKFLOW.apply(case, follow_up(case, sr.FollowUpOutcome.NO_ANSWER))
            assert (S.RESOLVED, attempt) == (case.stage, case.follow_up_attempts)
        case = WORKFLOW.apply(case, sr.Close(by=AGENT, at=later(case)))
        assert (S.CLOSED, False) == (case.stage, case.followed_up)

    def test_unsatisfied_follow_up_reopens_the_conversation(self) -> None:
        """An unhappy customer goes back to 'listening' and is heard from the start."""
        case = walk_to(S.RESOLVED, WORKFLOW)
        case = WORKFLOW.apply(case, follow_up(case, sr.FollowUpOutcome.UNSATISFIED))
        assert (S.LISTENING, False, None) == (case.stage, case.venting_finished, case.plan)
        assert S.CLOSED == walk_to(S.CLOSED, WORKFLOW, case).stage

    def test_reopen_within_the_window(self) -> None:
        """A closed case reopens to 'listening' within the window and can close again."""
        case = walk_to(S.CLOSED, WORKFLOW)
        reopen = sr.Reopen(by=AGENT, at=case.last_at + timedelta(days=29), reason="torn seam")
        case = WORKFLOW.apply(case, reopen)
        assert (S.LISTENING, None) == (case.stage, case.closed_at)
        assert S.CLOSED == walk_to(S.CLOSED, WORKFLOW, case).stage

    def test_escalate_then_approve(self) -> None:
        """An escalation stays at the stage; approval clears it and the case moves on."""
        case = walk_to(S.DIAGNOSED, WORKFLOW)
        ask = sr.Escalate(by=AGENT, at=later(case), reason="VIP", amount=sr.Money(120, "EUR"))
        case = WORKFLOW.apply(case, ask)
        assert (S.DIAGNOSED, True) == (case.stage, case.escalation_pending)
        case = WORKFLOW.apply(case, sr.Approve(by=SUPERVISOR, at=later(case), note="ok"))
        assert (S.DIAGNOSED, False) == (case.stage, case.escalation_pending)
        credit = sr.Compensation(sr.CompensationKind.CREDIT, sr.Money(120, "EUR"))
        case = WORKFLOW.apply(case, proposal(later(case), compensation=credit))
        assert S.SOLUTION_PROPOSED == case.stage

    def test_apply_leaves_the_given_case_alone(self) -> None:
        """Applying returns a new case; the one passed in is unchanged."""
        case = open_case(WORKFLOW)
        snapshot = attrs.asdict(case, recurse=False)
        new = WORKFLOW.apply(case, next_step(case))
        assert snapshot == attrs.asdict(case, recurse=False)
        assert (1, 2) == (case.version, new.version)


class TestRefusals:
    def test_refusal_raises_with_reasons_and_the_same_case(self) -> None:
        """A refused command raises TransitionNotAllowed carrying the reasons and the case."""
        case = walk_to(S.LISTENING, WORKFLOW)
        command = proposal(later(case))
        with pytest.raises(sr.TransitionNotAllowed) as caught:
            WORKFLOW.apply(case, command)
        assert (tuple(WORKFLOW.explain(case, command)), case, command) == (
            caught.value.reasons,
            caught.value.case,
            caught.value.command,
        )
        assert caught.value.case is case

    def test_not_a_step_lists_what_is_possible(self) -> None:
        """A command with no edge here says so and lists the steps possible now."""
        case = open_case(WORKFLOW)
        reason = WORKFLOW.explain(case, sr.Close(by=AGENT, at=later(case)))[-1]
        expected = ", ".join(kind.title for kind in WORKFLOW.allowed(case))
        assert "step available" == reason.guard
        assert (
            f"Close is not a step while the case is reported; possible now: {expected}"
            == reason.message
        )

    def test_closed_case_offers_only_reopen(self) -> None:
        """A closed case refuses work and points at reopening."""
        case = walk_to(S.CLOSED, WORKFLOW)
        reasons = WORKFLOW.explain(case, sr.Listen(by=AGENT, at=later(case)))
        assert "possible now: Reopen" in str(reasons[-1])

    def test_open_cannot_be_applied(self) -> None:
        """A second Open is refused: a case is opened once."""
        case = open_case(WORKFLOW)
        again = case.history[0].command
        assert ["A case is opened once, with Workflow.open"] == [
            str(reason) for reason in WORKFLOW.explain(case, attrs.evolve(again, at=later(case)))
        ]

    def test_commands_apply_in_time_order(self) -> None:
        """A command dated before the last event is refused; the same instant is fine."""
        case = walk_to(S.ACKNOWLEDGED, WORKFLOW)
        skew = WORKFLOW.policy.clock_skew  # how far before it a command is still accepted
        early = sr.Listen(by=AGENT, at=case.last_at - skew - timedelta(seconds=1))
        [reason] = WORKFLOW.explain(case, early)
        assert "in time order" == reason.guard
        assert (
            f"Listen is dated {early.at.isoformat()}, before the case's last event "
            f"({case.last_at.isoformat()}): commands apply in time order"
        ) == reason.message
        assert [] == WORKFLOW.explain(case, sr.Listen(by=AGENT, at=case.last_at))

    def test_guard_reasons_come_before_the_stage_reason(self) -> None:
        """When both a guard and the graph refuse, the actionable reason comes first."""
        case = walk_to(S.RESOLVING, WORKFLOW)
        case = WORKFLOW.apply(case, sr.Escalate(by=AGENT, at=later(case), reason="VIP"))
        reasons = WORKFLOW.explain(case, sr.AcceptSolution(by=AGENT, at=later(case)))
        assert "step available" == reasons[-1].guard
        assert "step available" not in [reason.guard for reason in reasons[:-1]]
        assert len(reasons) > 1

    def test_payload_leading_nowhere(self) -> None:
        """A payload no route matches is refused by name (a graph may route only some)."""
        graph = sr.StageGraph(
            [
                sr.Edge(
                    sr.FollowUp,
                    S.REPORTED,
                    S.CLOSED,
                    sr.outcome_is(sr.FollowUpOutcome.SATISFIED),
                ),
            ]
        )
        policy = sr.RecoveryPolicy(name="tiny", graph=graph, requirements=(), playbooks={})
        workflow = sr.Workflow(policy)
        case = open_case(workflow)
        call = follow_up(case, sr.FollowUpOutcome.NO_ANSWER)
        reasons = workflow.explain(case, call)
        assert (
            "Follow up with these details leads nowhere from 'reported' under the tiny policy"
        ) == str(reasons[-1])

    @pytest.mark.parametrize("bad_case", [None, "case-1", {"id": "case-1"}])
    def test_apply_needs_a_case(self, bad_case: object) -> None:
        """Anything but a Case is refused with InvalidValue naming what it got."""
        with pytest.raises(sr.InvalidValue, match="case: expected a Case, got"):
            WORKFLOW.apply(bad_case, sr.Listen(by=AGENT, at=T0))  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="case: expected a Case, got"):
            WORKFLOW.allowed(bad_case)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad_command", [None, "Listen", sr.Listen, int])
    def test_apply_needs_a_command(self, bad_command: object) -> None:
        """Anything but a command instance is refused by apply with InvalidValue."""
        case = open_case(WORKFLOW)
        with pytest.raises(sr.InvalidValue, match="command: expected a command") as refused:
            WORKFLOW.apply(case, bad_command)  # type: ignore[arg-type]
        assert "command" == refused.value.field

    @pytest.mark.parametrize("bad_command", [None, "Listen", int, T0])
    def test_explain_needs_a_command_or_a_command_type(self, bad_command: object) -> None:
        """explain refuses what is neither a command nor a command type, as errors.md says."""
        case = open_case(WORKFLOW)
        with pytest.raises(sr.InvalidValue, match="command: expected a command") as refused:
            WORKFLOW.explain(case, bad_command)  # type: ignore[arg-type]
        assert "command" == refused.value.field

    def test_explain_of_a_type_needs_a_case(self) -> None:
        """The type form checks its case like the command form."""
        with pytest.raises(sr.InvalidValue, match="case: expected a Case"):
            WORKFLOW.explain("case-1", sr.Close)  # type: ignore[arg-type]


class TestIdempotency:
    def test_redelivered_command_is_a_no_op(self) -> None:
        """Applying a command whose id the case holds returns the same case object."""
        case = open_case(WORKFLOW)
        ack = sr.Acknowledge(by=AGENT, at=later(case), id="msg-1")
        once = WORKFLOW.apply(case, ack)
        assert once is WORKFLOW.apply(once, ack)
        assert [] == WORKFLOW.explain(once, ack)

    def test_reused_id_for_another_command_is_a_conflict(self) -> None:
        """An id reused for a different command is a caller bug, reported as such."""
        case = open_case(WORKFLOW)
        case = WORKFLOW.apply(case, sr.Acknowledge(by=AGENT, at=later(case), id="msg-1"))
        clash = sr.Listen(by=AGENT, at=later(case), id="msg-1")
        with pytest.raises(sr.IdempotencyConflict, match="'msg-1' was already used"):
            WORKFLOW.apply(case, clash)


class TestAllowed:
    @pytest.mark.parametrize(
        ("stage", "expected"),
        [
            (S.REPORTED, [sr.Acknowledge, sr.Escalate]),
            (S.ACKNOWLEDGED, [sr.Listen, sr.Escalate]),
            (S.DIAGNOSED, [sr.ProposeSolution, sr.Escalate]),
            (S.SOLUTION_PROPOSED, [sr.DeclineSolution, sr.AcceptSolution, sr.Escalate]),
            (S.RESOLVED, [sr.FollowUp, sr.Escalate]),
            (S.FOLLOWED_UP, [sr.Close, sr.Escalate]),
            (S.CLOSED, [sr.Reopen]),
        ],
    )
    def test_designed_buttons(self, stage: sr.Stage, expected: list[type[sr.Command]]) -> None:
        """Each stage offers the designed commands, in graph order; Close waits for follow-up."""
        offered = WORKFLOW.allowed(walk_to(stage, WORKFLOW))
        designed = [kind for kind in offered if kind in sr.DEFAULT_GRAPH.commands_at(stage)]
        assert expected == [kind for kind in designed if kind in _DESIGNED_COMMANDS]

    def test_pending_escalation_changes_the_buttons(self) -> None:
        """With an escalation pending, Approve appears and Escalate and Propose go."""
        case = walk_to(S.DIAGNOSED, WORKFLOW)
        case = WORKFLOW.apply(case, sr.Escalate(by=AGENT, at=later(case), reason="VIP"))
        offered = WORKFLOW.allowed(case)
        assert sr.Approve in offered
        assert sr.Escalate not in offered
        assert sr.ProposeSolution not in offered

    @given(reachable_cases(WORKFLOW), st.data())
    def test_accepted_commands_were_offered(self, case: sr.Case, data: st.DataObject) -> None:
        """A command explain accepts is always among the allowed types."""
        command = data.draw(commands_for(case))
        if not WORKFLOW.explain(case, command):
            assert type(command) in WORKFLOW.allowed(case)


_DESIGNED_COMMANDS = frozenset(APPLICABLE)
"""The commands of the designed graph (the waits and optional steps come on top)."""


class TestExplainAgreesWithApply:
    @given(reachable_cases(WORKFLOW), st.data())
    def test_explain_is_empty_iff_apply_accepts(self, case: sr.Case, data: st.DataObject) -> None:
        """For any command, explain gives no reason exactly when apply accepts it."""
        command = data.draw(commands_for(case, earliest=case.last_at - timedelta(hours=1)))
        reasons = WORKFLOW.explain(case, command)
        outcome = attempt(case, command)
        if isinstance(outcome, sr.TransitionNotAllowed):
            assert tuple(reasons) == outcome.reasons
            assert reasons
        else:
            assert [] == reasons
            assert (case.history, case.version + 1) == (outcome.history[:-1], outcome.version)
            assert command == outcome.history[-1].command

    @given(reachable_cases(WORKFLOW), st.data())
    def test_refusals_change_nothing(self, case: sr.Case, data: st.DataObject) -> None:
        """A refused command leaves the case equal to a copy taken before."""
        before = WORKFLOW.replay(case.history)
        command = data.draw(commands_for(case, earliest=case.last_at - timedelta(hours=1)))
        outcome = attempt(case, command)
        if isinstance(outcome, sr.TransitionNotAllowed):
            assert outcome.case is case
        assert before == case

    @given(reachable_cases(WORKFLOW))
    def test_reached_stage_is_the_last_event_stage(self, case: sr.Case) -> None:
        """A case stands where its last event took it."""
        assert case.history[-1].stage == case.stage


class TestReplay:
    @given(reachable_cases(WORKFLOW))
    def test_replay_rebuilds_an_equal_case(self, case: sr.Case) -> None:
        """Replaying a case's history gives an equal case."""
        assert case == WORKFLOW.replay(case.history)
        assert case == WORKFLOW.replay(list(case.history))

    def test_replay_runs_no_guard(self) -> None:
        """Events are facts: a history the current guards would refuse still replays."""
        strict = sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=5))
        case = walk_to(S.RESOLVED, WORKFLOW)
        for _ in range(3):
            case = WORKFLOW.apply(case, follow_up(case, sr.FollowUpOutcome.NO_ANSWER))
        case = WORKFLOW.apply(case, sr.Close(by=AGENT, at=later(case)))
        assert case == strict.replay(case.history)

    def test_replay_refuses_steps_off_the_graph(self) -> None:
        """A history with a move the graph does not have is refused, naming the event."""
        case = walk_to(S.ACKNOWLEDGED, WORKFLOW)
        opened, ack = case.history
        forged = (opened, sr.Event(ack.command, S.CLOSED))
        with pytest.raises(sr.InvalidHistory) as caught:
            WORKFLOW.replay(forged)
        assert (
            "history[1]: Acknowledge does not lead from 'reported' to 'closed' "
            "under the default policy",
            "history[1]: Acknowledge breaks the contract (followed up): The customer has not "
            "been followed up: check back that the fix worked and they are happy (0 of 2 "
            "unanswered attempts so far; close only after they confirm, or after every attempt "
            "went unanswered)",
        ) == caught.value.problems

    def test_replay_refuses_a_wrong_start(self) -> None:
        """The first event must put the case at the graph's initial stage."""
        [opened] = open_case(WORKFLOW).history
        with pytest.raises(sr.InvalidHistory, match="a case opens at 'reported', not 'closed'"):
            WORKFLOW.replay([sr.Event(opened.command, S.CLOSED)])

    def test_replay_refuses_a_shapeless_history(self) -> None:
        """Problems of shape are listed before the graph is consulted."""
        with pytest.raises(sr.InvalidHistory) as caught:
            WORKFLOW.replay([])
        assert ("history: empty; a case's history starts with its Open event",) == (
            caught.value.problems
        )

    @pytest.mark.parametrize("history", [None, 5, open_case()])
    def test_replay_refuses_what_is_not_a_history(self, history: object) -> None:
        """Something that is not a collection of events is refused as an invalid history."""
        with pytest.raises(sr.InvalidHistory, match="history: expected a sequence of Event"):
            WORKFLOW.replay(history)  # type: ignore[arg-type]


class TestPolicyHooksIn:
    def test_extra_reasons_refuse(self) -> None:
        """A policy's own reasons are added after the guards' and refuse the command."""

        class NoSundays(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                if command.at.weekday() == 6:
                    yield "Nothing is promised on a Sunday"

        workflow = sr.Workflow(NoSundays())
        case = walk_to(S.DIAGNOSED, workflow)
        sunday = T0 + timedelta(days=6)
        assert [sr.Reason("policy", "Nothing is promised on a Sunday")] == workflow.explain(
            case, proposal(sunday)
        )
        assert [] == workflow.explain(case, proposal(sunday + timedelta(days=1)))

    def test_policy_guards_run(self) -> None:
        """A policy's extra guards run after the contract and step guards."""

        def managers_close(policy: sr.RecoveryPolicy, case: sr.Case, command: object) -> str | None:
            by = getattr(command, "by", None)
            return None if by == MANAGER else "Only a manager closes a case"

        class ManagersClose(sr.RecoveryPolicy):
            def guards(self) -> Iterable[sr.Guard]:
                return (sr.Guard("manager closes", managers_close, commands=(sr.Close,)),)

        workflow = sr.Workflow(ManagersClose())
        case = walk_to(S.FOLLOWED_UP, workflow)
        assert ["manager closes"] == [
            r.guard for r in workflow.explain(case, sr.Close(by=AGENT, at=later(case)))
        ]
        assert S.CLOSED == workflow.apply(case, sr.Close(by=MANAGER, at=later(case))).stage


PRESETS = list(sr.presets.PRESETS.values())
CANDIDATE_DELAYS = (timedelta(minutes=1), timedelta(days=1, minutes=1), timedelta(days=8))
"""How long after the case's last event a witness command is tried: now, or after a wait."""


def witnesses(case: sr.Case, kind: type[sr.Command]) -> Iterable[sr.Command]:
    """Commands of *kind* someone could sensibly issue on *case*, each actor and delay in turn."""
    open_actions = sorted(case.open_actions) or [0]
    for delay in CANDIDATE_DELAYS:
        at = case.last_at + delay
        options: dict[type[sr.Command], list[dict[str, Any]]] = {
            sr.Acknowledge: [{"message": "We are on it"}],
            sr.Listen: [{"note": "the parcel never came"}],
            sr.ReflectBack: [{"summary": "It never came", "confirmed": True}],
            sr.Apologize: [{"message": "I am sorry the parcel did not come"}],
            sr.IdentifyCause: [{"category": "delivery_delay"}],
            sr.ProposeSolution: [
                {"plan": "Resend it", "actions": (sr.Action("Resend", due=at + timedelta(days=2)),)}
            ],
            sr.DeclineSolution: [{"reason": "not enough"}],
            sr.Escalate: [{"reason": "needs a manager"}],
            sr.CompleteAction: [{"index": index} for index in open_actions],
            sr.SendUpdate: [{"message": "it left the warehouse"}],
            sr.FollowUp: [{"outcome": outcome} for outcome in sr.FollowUpOutcome],
            sr.Thank: [{"message": "Thank you for telling us"}],
            sr.RecordPrevention: [{"note": "Check the courier"}],
            sr.Reopen: [{"reason": "it broke again"}],
            sr.AwaitCustomer: [{"reason": "a photo of the label"}],
            sr.AwaitThirdParty: [{"reason": "the courier's answer"}],
            sr.Reschedule: [
                {"index": index, "due": at + timedelta(days=3), "reason": "Ships Monday"}
                for index in open_actions
            ],
            sr.Withdraw: [{"reason": "spam"}, {"reason": "duplicate", "duplicate_of": "case-0"}],
        }
        for fields in options.get(kind, [{}]):
            for by in (AGENT, SUPERVISOR, MANAGER, sr.SYSTEM):
                yield kind(by=by, at=at, **fields)


class TestAllowedOffersOnlyWhatCanBeTaken:
    @pytest.mark.parametrize("policy", PRESETS, ids=lambda policy: policy.name)
    @given(data=st.data())
    def test_every_offered_type_has_a_command_apply_accepts(
        self, policy: sr.RecoveryPolicy, data: st.DataObject
    ) -> None:
        """Each type allowed offers has some command of that type apply accepts, on every preset."""
        workflow = sr.Workflow(policy)
        case = data.draw(sr.testing.cases(workflow, max_steps=25))
        for kind in workflow.allowed(case):
            accepted = any(not workflow.explain(case, c) for c in witnesses(case, kind))
            assert accepted, f"{kind.title} offered at {case.stage.value} but never accepted"

    @pytest.mark.parametrize("policy", PRESETS, ids=lambda policy: policy.name)
    def test_no_wait_before_the_customer_was_answered(self, policy: sr.RecoveryPolicy) -> None:
        """A fresh case offers no wait: the first-response clock never stops."""
        offered = sr.Workflow(policy).allowed(open_case(sr.Workflow(policy)))
        assert not {sr.AwaitCustomer, sr.AwaitThirdParty} & set(offered)
