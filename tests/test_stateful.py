"""The default workflow against a small reference model, over random command sequences.

The model below is written from the stage graph and the guards as documented, without
calling the library's guards or fold: it keeps its own facts and decides on its own
whether each command must be accepted and where it leads. Hypothesis drives both with
the same commands (mostly ones plausible for the current stage, some entirely random)
and every step compares them, then checks the contract guards against the history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

import service_recovery as sr

S = sr.Stage
Outcome = sr.FollowUpOutcome
CREDIT = sr.CompensationKind.CREDIT

# The default policy as documented; TestModelAssumptions checks the library agrees.
AUTHORITY_EUR = {
    sr.Role.AGENT: Decimal(50),
    sr.Role.SUPERVISOR: Decimal(250),
    sr.Role.MANAGER: Decimal(1000),
    sr.Role.SYSTEM: Decimal(0),
}
FOLLOW_UP_ATTEMPTS = 3
FOLLOW_UP_INTERVAL = timedelta(days=1)
"""How long after an unanswered follow-up the next attempt may be made."""
REOPEN_WINDOW = timedelta(days=30)
CLOCK_SKEW = timedelta(seconds=5)
"""How far a command may be dated before the last event and still be accepted."""
# A prevention note before closing: every critical case, and the serious ones whose cause
# has a playbook that asks for it.
PREVENTION_ALWAYS = {sr.Severity.CRITICAL}
PREVENTION_FOR_CAUSE = {"damaged_or_defective", "software_bug"}
SERIOUS = {sr.Severity.MAJOR, sr.Severity.CRITICAL}


def authority(actor: sr.Actor) -> sr.Money:
    return sr.Money(AUTHORITY_EUR[actor.role], "EUR")


def values(case: sr.Case) -> tuple[Any, ...]:
    """Everything that makes up *case* (what ``==`` compares), to see it never changes."""
    return tuple(getattr(case, field.name) for field in attrs.fields(sr.Case) if field.eq)


def covers(limit: sr.Money | None, amount: sr.Money) -> bool:
    return limit is not None and limit.currency == amount.currency and amount <= limit


def someone_could_approve(escalation: sr.Escalate) -> bool:
    """Some role could approve *escalation*: cover its amount without being junior to whoever
    asked, or, with no amount, outrank them."""
    theirs = AUTHORITY_EUR[escalation.by.role]
    ranks = [limit for role, limit in AUTHORITY_EUR.items() if role is not sr.Role.SYSTEM]
    if escalation.amount is not None:
        amount = escalation.amount
        return any(covers(sr.Money(mine, "EUR"), amount) and mine >= theirs for mine in ranks)
    return any(mine > theirs for mine in ranks)


# -- the reference model -----------------------------------------------------------


@attrs.define
class Model:
    """What the default workflow should make of the commands it was given."""

    stage: sr.Stage
    last_at: datetime
    severity: sr.Severity
    accepted: int = 1
    summary_confirmed: bool = False
    heard_since_summary: bool = False
    """The customer said more (a Listen) after confirming the summary."""
    venting_finished: bool = False
    proposal: sr.ProposeSolution | None = None
    open_actions: set[int] = attrs.Factory(set)
    escalation: sr.Escalate | None = None
    approved: sr.Money | None = None
    plan: sr.ProposeSolution | None = None
    last_update: datetime | None = None
    unanswered: int = 0
    last_follow_up: datetime | None = None
    satisfied: bool = False
    closed_at: datetime | None = None
    answered: bool = False
    waiting: bool = False
    cause: str | None = None
    prevention: bool = False
    thanked: bool = False
    solution_accepted: bool = False
    """A solution was accepted at some point: from then on the case is never withdrawn."""
    silent_customer: bool = False
    """Not a fact of the case: the customer of this session never answers a follow-up."""
    ids: dict[str, sr.Command] = attrs.Factory(dict)

    def destination(self, command: sr.Command) -> sr.Stage | None:
        """Where *command* leads if it must be accepted; None if it must be refused."""
        if command.at < self.last_at - CLOCK_SKEW:
            return None
        stage = self.stage
        if stage is S.WITHDRAWN:
            return None  # terminal: nothing follows
        if stage is S.CLOSED and isinstance(command, OPEN_STAGES_ONLY):
            return None
        if self.waiting and isinstance(command, STOPPED_BY_WAITING):
            return None
        match command:
            case sr.Acknowledge():
                return S.ACKNOWLEDGED if stage is S.REPORTED else None
            case sr.Listen():
                return S.LISTENING if stage in (S.ACKNOWLEDGED, S.LISTENING) else None
            case sr.ReflectBack():
                return S.LISTENING if stage is S.LISTENING else None
            case sr.FinishVenting():
                current = self.summary_confirmed and not self.heard_since_summary
                return S.UNDERSTOOD if stage is S.LISTENING and current else None
            case sr.Apologize():
                return S.APOLOGIZED if stage is S.UNDERSTOOD else None
            case sr.IdentifyCause():
                return S.DIAGNOSED if stage is S.APOLOGIZED else None
            case sr.ProposeSolution():
                return S.SOLUTION_PROPOSED if self._may_propose(command) else None
            case sr.DeclineSolution():
                return S.DIAGNOSED if stage is S.SOLUTION_PROPOSED else None
            case sr.AcceptSolution():
                ready = stage is S.SOLUTION_PROPOSED and self.escalation is None
                on_time = self.proposal is None or all(
                    action.due >= command.at for action in self.proposal.actions
                )
                return S.RESOLVING if ready and on_time else None
            case sr.SendUpdate():
                return S.RESOLVING if stage is S.RESOLVING else None
            case sr.Reschedule():
                open_promise = stage is S.RESOLVING and command.index in self.open_actions
                return S.RESOLVING if open_promise and command.due > command.at else None
            case sr.Withdraw():
                before_any_plan = stage in WITHDRAWABLE and not self.solution_accepted
                itself = command.duplicate_of == CASE_ID
                return S.WITHDRAWN if before_any_plan and not itself else None
            case sr.CompleteAction():
                if stage is not S.RESOLVING or command.index not in self.open_actions:
                    return None
                if not self.broken_promises_owned(command.at):
                    return None
                return S.RESOLVED if self.open_actions == {command.index} else S.RESOLVING
            case sr.FollowUp():
                if stage is not S.RESOLVED:
                    return None
                if command.outcome is Outcome.NO_ANSWER and not self._spaced(command.at):
                    return None
                return {
                    Outcome.SATISFIED: S.FOLLOWED_UP,
                    Outcome.UNSATISFIED: S.LISTENING,
                    Outcome.NO_ANSWER: S.RESOLVED,
                }[command.outcome]
            case sr.Close():
                heard_back = stage is S.FOLLOWED_UP or (
                    stage is S.RESOLVED and self.unanswered >= FOLLOW_UP_ATTEMPTS
                )
                learnt = self.prevention or not self.needs_prevention()
                return S.CLOSED if heard_back and learnt and self.escalation is None else None
            case sr.Thank() | sr.RecordPrevention():
                return stage if stage in (S.RESOLVED, S.FOLLOWED_UP) else None
            case sr.Reopen():
                in_window = (
                    self.closed_at is not None and command.at - self.closed_at <= REOPEN_WINDOW
                )
                return S.LISTENING if stage is S.CLOSED and in_window else None
            case sr.Escalate():
                return stage if self.escalation is None and someone_could_approve(command) else None
            case sr.Approve():
                return stage if self._may_approve(command.by) else None
            case sr.AwaitCustomer() | sr.AwaitThirdParty():
                return stage if self.answered and not self.waiting else None
            case sr.Resume():
                return stage if self.waiting else None
        return None  # Open, or anything else: never a step on an open case

    def _may_propose(self, command: sr.ProposeSolution) -> bool:
        if self.stage is not S.DIAGNOSED or not self.venting_finished:
            return False
        if self.escalation is not None or not command.actions:
            return False
        if any(action.due < command.at for action in command.actions):
            return False
        if command.compensation is None:
            return True
        amount = command.compensation.amount
        return covers(authority(command.by), amount) or covers(self.approved, amount)

    def _spaced(self, at: datetime) -> bool:
        """An unanswered attempt comes the policy's interval after the last one, if any."""
        last = self.last_follow_up
        return not self.unanswered or last is None or at - last >= FOLLOW_UP_INTERVAL

    def needs_prevention(self) -> bool:
        """Whether the policy asks for a prevention note before this case closes."""
        serious_cause = self.cause in PREVENTION_FOR_CAUSE and self.severity in SERIOUS
        return self.severity in PREVENTION_ALWAYS or serious_cause

    def broken_promises_owned(self, at: datetime) -> bool:
        """Every promised action now past due was owned: an update went out after its date."""
        assert self.plan is not None
        for index in self.open_actions:
            due = self.plan.actions[index].due
            if at > due and (self.last_update is None or self.last_update <= due):
                return False
        return True

    def _may_approve(self, approver: sr.Actor) -> bool:
        """Someone else approves: covering the amount asked for (and not junior to whoever
        asked), or, with no amount, outranking them."""
        escalation = self.escalation
        if escalation is None or approver.id == escalation.by.id:
            return False
        mine, theirs = AUTHORITY_EUR[approver.role], AUTHORITY_EUR[escalation.by.role]
        if escalation.amount is not None:
            if not covers(authority(approver), escalation.amount):
                return False
            if mine >= theirs:
                return True
        return approver.role is not sr.Role.SYSTEM and mine > theirs

    def record(self, command: sr.Command, destination: sr.Stage) -> None:
        """Take in an accepted command."""
        self.accepted += 1
        self.stage = destination
        self.last_at = command.at
        self._remember(command)
        if isinstance(command, RESPONDING) and command.by.role is not sr.Role.SYSTEM:
            self.answered = True
        match command:
            case sr.ReflectBack():
                self.summary_confirmed, self.heard_since_summary = command.confirmed, False
            case sr.FinishVenting():
                self.venting_finished = True
            case sr.IdentifyCause():
                # A prevention note answers one cause: a newly found cause needs its own.
                self.cause, self.prevention = command.category, False
            case sr.RecordPrevention():
                self.prevention = True
            case sr.Thank():
                self.thanked = True
            case sr.ProposeSolution():
                self.proposal = command
            case sr.DeclineSolution():
                self.proposal = None
            case sr.AcceptSolution():
                self._accept()
            case sr.SendUpdate():
                self.last_update = command.at
            case sr.Reschedule():
                self._reschedule(command)
            case sr.AwaitCustomer() | sr.AwaitThirdParty():
                self.waiting = True
            case sr.Resume():
                self.waiting = False
            case sr.CompleteAction():
                self.open_actions.discard(command.index)
            case sr.Escalate():
                self.escalation = command
            case sr.Approve():
                assert self.escalation is not None
                if self.escalation.amount is not None:
                    self.approved = self.escalation.amount
                self.escalation = None
            case sr.FollowUp() if command.outcome is Outcome.SATISFIED:
                self.satisfied = True
            case sr.FollowUp() if command.outcome is Outcome.NO_ANSWER:
                self.unanswered += 1
            case sr.FollowUp() | sr.Reopen():
                self._start_over()
            case sr.Close():
                self.closed_at = command.at

    def _accept(self) -> None:
        """The proposal becomes the plan: its actions are promises, and no withdrawal follows."""
        assert self.proposal is not None
        self.open_actions = set(range(len(self.proposal.actions)))
        self.plan, self.proposal, self.last_update = self.proposal, None, None
        self.solution_accepted = True

    def _reschedule(self, command: sr.Reschedule) -> None:
        """The promise runs to its new date; the customer is told, which owns a broken one."""
        assert self.plan is not None
        actions = list(self.plan.actions)
        actions[command.index] = sr.Action(actions[command.index].description, command.due)
        self.plan = attrs.evolve(self.plan, actions=tuple(actions))
        self.last_update = command.at

    def _remember(self, command: sr.Command) -> None:
        """Keep what later commands are judged by: the id, the last follow-up, more heard."""
        if command.id is not None:
            self.ids[command.id] = command
        if isinstance(command, sr.Listen):
            self.heard_since_summary = True
        if isinstance(command, sr.FollowUp):
            self.last_follow_up = command.at

    def _start_over(self) -> None:
        """An unhappy or returning customer is heard again from the beginning."""
        self.summary_confirmed = self.venting_finished = self.satisfied = self.thanked = False
        self.heard_since_summary = False
        self.proposal = self.plan = self.escalation = self.approved = self.closed_at = None
        self.open_actions = set()
        self.unanswered = 0


CASE_ID = "case-1"
WITHDRAWABLE = (
    S.REPORTED,
    S.ACKNOWLEDGED,
    S.LISTENING,
    S.UNDERSTOOD,
    S.APOLOGIZED,
    S.DIAGNOSED,
    S.SOLUTION_PROPOSED,
)
"""Where the default graph lets a case be withdrawn: every stage before a plan is accepted."""
OPEN_STAGES_ONLY = (sr.Escalate, sr.Approve, sr.AwaitCustomer, sr.AwaitThirdParty, sr.Resume)
STOPPED_BY_WAITING = (
    sr.Acknowledge,
    sr.Listen,
    sr.ReflectBack,
    sr.FinishVenting,
    sr.Apologize,
    sr.IdentifyCause,
    sr.ProposeSolution,
    sr.AcceptSolution,
    sr.DeclineSolution,
    sr.CompleteAction,
    sr.FollowUp,
    sr.Close,
    sr.Reopen,
)
"""A waiting case goes on escalating and sending updates, and nothing else, until it resumes."""
RESPONDING = (
    sr.Acknowledge,
    sr.Listen,
    sr.ReflectBack,
    sr.Apologize,
    sr.ProposeSolution,
    sr.SendUpdate,
    sr.Reschedule,
    sr.FollowUp,
)
"""What answers the customer, when a person does it; a case may wait only once answered."""


# -- the contract, read off a history ----------------------------------------------


def conversations(history: Sequence[sr.Event]) -> Iterator[list[sr.Event]]:
    """Split a history where the conversation starts over (reopen, unsatisfied follow-up)."""
    current: list[sr.Event] = []
    for event in history:
        command = event.command
        restarts = isinstance(command, sr.Reopen) or (
            isinstance(command, sr.FollowUp) and command.outcome is Outcome.UNSATISFIED
        )
        if restarts:
            yield current
            current = []
        current.append(event)
    yield current


def contract_breaches(history: Sequence[sr.Event]) -> list[str]:
    """Every place where *history* shows a contract guard was bypassed."""
    breaches = []
    for events in conversations(history):
        vented = satisfied = False
        accepted = any(isinstance(event.command, sr.AcceptSolution) for event in history)
        unanswered = 0
        pending: sr.Escalate | None = None
        approvals: list[tuple[sr.Escalate, sr.Approve]] = []
        previous_stage = None
        for event in events:
            command = event.command
            entered = event.stage if event.stage is not previous_stage else None
            previous_stage = event.stage
            if entered is S.SOLUTION_PROPOSED and not vented:
                breaches.append(f"{event.kind} at {event.at} proposed before venting finished")
            if entered is S.CLOSED and not satisfied and unanswered < FOLLOW_UP_ATTEMPTS:
                breaches.append(f"{event.kind} at {event.at} closed without a follow-up")
            if entered is S.WITHDRAWN and accepted:
                breaches.append(f"{event.kind} at {event.at} withdrew after an accepted solution")
            match command:
                case sr.FinishVenting():
                    vented = True
                case sr.FollowUp() if command.outcome is Outcome.SATISFIED:
                    satisfied = True
                case sr.FollowUp() if command.outcome is Outcome.NO_ANSWER:
                    unanswered += 1
                case sr.Escalate():
                    pending = command
                case sr.Approve() if pending is not None:
                    approvals.append((pending, command))
                    pending = None
                case sr.ProposeSolution() if command.compensation is not None:
                    amount = command.compensation.amount
                    if not covers(authority(command.by), amount) and not any(
                        escalation.amount is not None
                        and covers(escalation.amount, amount)
                        and covers(authority(approval.by), amount)
                        and approval.by.id != escalation.by.id
                        for escalation, approval in approvals
                    ):
                        breaches.append(f"{amount} granted by {command.by} without approval")
    return breaches


# -- generating commands -----------------------------------------------------------

ZONES = (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)))
ACTORS = (
    *(
        sr.Actor(f"{role.value}-{number}", role)
        for role in (sr.Role.AGENT, sr.Role.SUPERVISOR, sr.Role.MANAGER)
        for number in (1, 2)
    ),
    sr.SYSTEM,
)
# Front-line agents escalate, managers (or supervisors) approve, so the plausible moves take
# the case forward; the random ones try every other actor, approvable or not.
ESCALATORS = tuple(actor for actor in ACTORS if actor.role is sr.Role.AGENT)
APPROVERS = tuple(
    actor for actor in reversed(ACTORS) if actor.role in (sr.Role.MANAGER, sr.Role.SUPERVISOR)
)
# Around every authority limit, so "just within" and "just above" both come up.
AMOUNTS = ("0", "20", "50", "50.01", "120", "250", "250.01", "800", "1000", "1000.01", "5000")
CURRENCIES = ("EUR", "EUR", "EUR", "USD")

actors = st.sampled_from(ACTORS)
# Causes with a playbook asking for more, with one of their own, and with none at all.
CAUSES = ("software_bug", "damaged_or_defective", "wrong_item", "a cause of its own")
BY_KIND = {sr.Approve: st.sampled_from(APPROVERS), sr.Escalate: st.sampled_from(ESCALATORS)}
texts = st.sampled_from(("Wrong jacket", "Late again", "Refund please", "x"))
money = st.builds(sr.Money, st.sampled_from(AMOUNTS), st.sampled_from(CURRENCIES))
approvable = st.builds(sr.Money, st.sampled_from(AMOUNTS[:-2]), st.just("EUR"))
"""What a manager can approve."""
compensations = (
    st.none() | st.none() | st.builds(sr.Compensation, st.sampled_from(sr.CompensationKind), money)
)
small_steps = st.sampled_from((0, 60, 30 * 60, 2 * 3600, 86400, 3 * 86400)).map(
    lambda seconds: timedelta(seconds=seconds)
)
# Around the edges that matter: just before the last event, and the reopen window's end.
edge_steps = st.sampled_from(
    (-86400, -1, REOPEN_WINDOW.total_seconds(), REOPEN_WINDOW.total_seconds() + 1, 45 * 86400)
).map(lambda seconds: timedelta(seconds=seconds))
any_steps = (
    edge_steps | small_steps | st.integers(-86400, 40 * 86400).map(lambda s: timedelta(seconds=s))
)
reopen_steps = small_steps | edge_steps
retry_steps = st.sampled_from((1, 1, 1, 1, 0.5, 1.5)).map(lambda days: FOLLOW_UP_INTERVAL * days)
"""When an agent calls an unanswered customer again: after the interval, sometimes sooner."""

# What an agent would plausibly try at each stage (repeats weigh the likelier moves).
# What an agent would plausibly try at each stage: the move forward first (generation
# favours early entries), repeats weigh the likelier moves, and the shortcuts the guards
# exist for (closing before the follow-up, say) come up now and then.
PLAUSIBLE: dict[sr.Stage, tuple[type[sr.Command], ...]] = {
    S.REPORTED: (sr.Acknowledge,),
    S.ACKNOWLEDGED: (sr.Listen,),
    S.LISTENING: (sr.ReflectBack, sr.ReflectBack, sr.FinishVenting, sr.Listen),
    S.UNDERSTOOD: (sr.Apologize,),
    S.APOLOGIZED: (sr.IdentifyCause,),
    S.DIAGNOSED: (sr.ProposeSolution, sr.ProposeSolution, sr.Escalate),
    S.SOLUTION_PROPOSED: (sr.AcceptSolution, sr.AcceptSolution, sr.DeclineSolution),
    S.RESOLVING: (sr.CompleteAction, sr.CompleteAction, sr.SendUpdate, sr.Reschedule),
    S.RESOLVED: (sr.FollowUp, sr.FollowUp, sr.Thank, sr.RecordPrevention, sr.Close),
    S.FOLLOWED_UP: (sr.Thank, sr.Close, sr.RecordPrevention),
    S.CLOSED: (sr.Reopen,),
    S.WITHDRAWN: (sr.Reopen, sr.Listen),  # refused: a withdrawn case is over
}
# How often each kind of move is made: mostly sensible work, with random noise.
MOVES = ("plausible",) * 7 + ("random", "random", "redeliver", "reuse id")
ALL_KINDS: tuple[type[sr.Command], ...] = (
    sr.Open,
    sr.Acknowledge,
    sr.Listen,
    sr.ReflectBack,
    sr.FinishVenting,
    sr.Apologize,
    sr.IdentifyCause,
    sr.ProposeSolution,
    sr.AcceptSolution,
    sr.DeclineSolution,
    sr.Escalate,
    sr.Approve,
    sr.CompleteAction,
    sr.SendUpdate,
    sr.FollowUp,
    sr.Close,
    sr.Reopen,
    sr.Thank,
    sr.RecordPrevention,
    sr.AwaitCustomer,
    sr.AwaitThirdParty,
    sr.Resume,
    sr.Reschedule,
    sr.Withdraw,
)


@st.composite
def payloads(
    draw: st.DrawFn, kind: type[sr.Command], at: datetime, model: Model | None
) -> dict[str, Any]:
    """The fields of a *kind* command dated *at*.

    Given the *model*, mostly fields its guards will like (an open action's index, a
    compensation that was approved); without it, anything well-formed.
    """
    later = st.integers(1, 10 * 86400).map(lambda seconds: at + timedelta(seconds=seconds))
    if kind is sr.Open:
        return {
            "case_id": "again",
            "customer": sr.Customer("c-2"),
            "channel": sr.Channel.EMAIL,
            "severity": sr.Severity.MINOR,
            "summary": draw(texts),
        }
    if kind is sr.ReflectBack:
        return {"summary": draw(texts), "confirmed": draw(st.sampled_from((True, True, False)))}
    if kind in (sr.Apologize, sr.SendUpdate):
        return {"message": draw(texts)}
    if kind is sr.IdentifyCause:
        return {"category": draw(st.sampled_from(CAUSES))}
    if kind is sr.Thank:
        return {"message": draw(texts)}
    if kind is sr.RecordPrevention:
        return {"note": draw(texts)}
    if kind is sr.ProposeSolution:
        # Now and then a plan with no action, or one due in the past: both are refused.
        count = draw(st.sampled_from((1, 1, 1, 2, 2, 3, 0)))
        late = draw(st.sampled_from((False,) * 7 + (True,)))
        dues = [at - timedelta(hours=1) if late else draw(later) for _ in range(count)]
        approved = model.approved if model is not None else None
        granted = st.none() if approved is None else st.just(sr.Compensation(CREDIT, approved))
        return {
            "plan": draw(texts),
            "actions": tuple(sr.Action(f"step {n}", due=due) for n, due in enumerate(dues)),
            "compensation": draw(granted | granted | compensations),
        }
    if kind is sr.CompleteAction:
        open_actions = sorted(model.open_actions) if model is not None else []
        known = st.sampled_from(open_actions) if open_actions else st.nothing()
        return {"index": draw(known | known | st.integers(-1, 4))}
    if kind is sr.FollowUp:
        # Some customers never pick up: then the policy's attempts run out.
        if model is not None and model.silent_customer:
            return {"outcome": Outcome.NO_ANSWER}
        return {"outcome": draw(st.sampled_from(Outcome))}
    if kind is sr.Escalate:
        amounts = st.none() | (approvable if model is not None else money)
        return {"reason": draw(texts), "amount": draw(amounts)}
    if kind in (sr.Reopen, sr.AwaitCustomer, sr.AwaitThirdParty):
        return {"reason": draw(texts)}
    if kind is sr.Reschedule:
        open_actions = sorted(model.open_actions) if model is not None else []
        known = st.sampled_from(open_actions) if open_actions else st.nothing()
        # Now and then a new date that is not ahead: refused.
        due = draw(later | later | st.just(at) | st.just(at - timedelta(hours=1)))
        return {
            "index": draw(known | known | st.integers(-1, 4)),
            "due": due,
            "reason": draw(texts),
        }
    if kind is sr.Withdraw:
        reason = draw(st.sampled_from(sr.WithdrawalReason))
        # Now and then a duplicate of the case itself: refused.
        other = draw(st.sampled_from(("case-0", "case-0", CASE_ID)))
        return {"reason": reason, "duplicate_of": other if reason.needs_other_case else None}
    return {}


# -- the state machine -------------------------------------------------------------


class DefaultWorkflowMachine(RuleBasedStateMachine):
    """Random sessions on one case of the default workflow, checked against the model."""

    seen: ClassVar[Counter[str]] = Counter()
    """Which moves were exercised; TestCoverage reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.workflow = sr.Workflow()
        self.case: sr.Case
        self.model: Model
        self.next_id = 0

    @initialize(
        start=st.datetimes(
            min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(None)
        ),
        zone=st.sampled_from(ZONES),
        channel=st.sampled_from(sr.Channel),
        severity=st.sampled_from(sr.Severity),
        silent=st.sampled_from((False, False, True)),
    )
    def open_case(
        self,
        start: datetime,
        zone: timezone,
        channel: sr.Channel,
        severity: sr.Severity,
        silent: bool,
    ) -> None:
        at = start.replace(tzinfo=zone)
        self.case = self.workflow.open(
            customer=sr.Customer("c-1", "Dana"),
            channel=channel,
            severity=severity,
            summary="Received the wrong item",
            at=at,
            id=CASE_ID,
        )
        self.model = Model(stage=S.REPORTED, last_at=at, severity=severity, silent_customer=silent)

    # -- the one rule ----------------------------------------------------------------

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        """Someone does something to the case: usually something sensible for its stage."""
        move = data.draw(st.sampled_from(MOVES), label="move")
        if move == "plausible":
            self._plausible_command(data)
        elif move == "random":
            self._random_command(data)
        elif self.model.ids and move == "redeliver":
            self._redeliver(data)
        elif self.model.ids:
            self._reuse_id(data)

    def _plausible_command(self, data: st.DataObject) -> None:
        """A command an agent would try at this stage, by anyone, usually in time order."""
        kind = data.draw(st.sampled_from(self._plausible_kinds(data)), label="kind")
        by = data.draw(BY_KIND.get(kind, actors), label="by")
        step = reopen_steps if kind is sr.Reopen else small_steps
        if kind is sr.FollowUp and self.model.unanswered:
            step = retry_steps  # mostly called again the next day, now and then too soon
        at = self.model.last_at + data.draw(step, label="after")
        fields = data.draw(payloads(kind, at, self.model), label="fields")
        self._check(kind(by=by, at=at, id=self._maybe_id(data), **fields))

    def _random_command(self, data: st.DataObject) -> None:
        """Any command at all, by anyone, at any time around the last event."""
        kind = data.draw(st.sampled_from(ALL_KINDS), label="kind")
        at = self.model.last_at + data.draw(any_steps, label="after")
        fields = data.draw(payloads(kind, at, None), label="fields")
        self._check(kind(by=data.draw(actors, label="by"), at=at, **fields))

    def _redeliver(self, data: st.DataObject) -> None:
        """A command re-delivered with its id is a no-op: the very same case comes back."""
        command = data.draw(st.sampled_from(sorted(self.model.ids.items())), label="id")[1]
        before = self.case
        assert [] == self.workflow.explain(before, command)
        assert before is self.workflow.apply(before, command)
        self.seen["redelivered"] += 1

    def _reuse_id(self, data: st.DataObject) -> None:
        """An id reused for a different command is refused as a conflict; nothing changes."""
        used = data.draw(st.sampled_from(sorted(self.model.ids)), label="id")
        other = sr.SendUpdate(by=ACTORS[0], at=self.model.last_at, id=used, message="other")
        before = self.case
        snapshot = values(before)
        with pytest.raises(sr.IdempotencyConflict, match=used):
            self.workflow.explain(before, other)
        with pytest.raises(sr.IdempotencyConflict, match=used):
            self.workflow.apply(before, other)
        assert snapshot == values(before)
        self.seen["id conflict"] += 1

    # -- invariants ----------------------------------------------------------------

    @invariant()
    def agrees_with_model(self) -> None:
        """Stage and facts are the ones the model worked out."""
        case, model = self.case, self.model
        assert model.stage == case.stage
        assert model.accepted == case.version
        assert model.summary_confirmed == case.summary_confirmed
        assert model.venting_finished == case.venting_finished
        assert model.open_actions == case.open_actions
        assert (model.escalation is not None) == case.escalation_pending
        assert model.unanswered == case.follow_up_attempts
        assert model.satisfied == case.followed_up
        assert model.closed_at == case.closed_at
        assert model.last_at == case.last_at
        assert model.waiting == (case.paused is not None)
        assert model.prevention == (case.prevention_note is not None)
        assert model.thanked == case.thanked
        assert model.solution_accepted == case.solution_accepted
        promised = None if model.plan is None else [a.due for a in model.plan.actions]
        assert promised == (None if case.plan is None else [a.due for a in case.plan.actions])

    @invariant()
    def keeps_the_contract(self) -> None:
        """No history ever shows a contract guard bypassed."""
        assert [] == contract_breaches(self.case.history)

    @invariant()
    def version_counts_events(self) -> None:
        """``version`` is the number of events."""
        assert len(self.case.history) == self.case.version

    @invariant()
    def round_trips(self) -> None:
        """The snapshot and the replayed history both give back an equal case."""
        assert self.case == sr.from_dict(sr.to_dict(self.case))
        assert self.case == self.workflow.replay(self.case.history)

    # -- helpers -------------------------------------------------------------------

    def _plausible_kinds(self, data: st.DataObject) -> tuple[type[sr.Command], ...]:
        """The stage's own work, unblocking first; one time in eight a detour instead."""
        model = self.model
        kinds = PLAUSIBLE[model.stage]
        if model.summary_confirmed and model.stage is S.LISTENING:
            kinds = (sr.FinishVenting, *kinds)
        if model.unanswered and model.stage is S.RESOLVED:
            # Keep calling until they answer, and close once the policy's attempts are spent.
            kinds = (sr.Close if model.unanswered >= FOLLOW_UP_ATTEMPTS else sr.FollowUp,) * 3
            kinds += PLAUSIBLE[S.RESOLVED]
        # Nobody thanks twice or writes the same note again.
        done: dict[type[sr.Command], bool] = {
            sr.Thank: model.thanked,
            sr.RecordPrevention: model.prevention,
        }
        kinds = tuple(kind for kind in kinds if not done.get(kind, False))
        if model.stage is S.RESOLVING and not model.broken_promises_owned(model.last_at):
            kinds = (sr.SendUpdate, sr.Reschedule, *kinds)
        if model.stage in (S.CLOSED, S.WITHDRAWN):
            return kinds
        # A wait or a pending escalation is what someone would see to first (and a waiting
        # case does nothing else: random commands try the rest).
        if model.waiting:
            kinds = (sr.Resume,)
        if model.escalation is not None:
            kinds = (sr.Approve, *kinds)
        # Before the customer had an answer a wait is refused: a near miss worth trying.
        waits = () if model.waiting else (sr.AwaitCustomer, sr.AwaitThirdParty)
        detours = (*((sr.Escalate,) if model.escalation is None else ()), *waits)
        # Withdrawing ends the session, so it is the rarest detour (and refused once a
        # solution was accepted: a near miss after a reopen).
        if data.draw(st.sampled_from((False,) * 5 + (True,)), label="withdraw"):
            detours = (*detours, sr.Withdraw)
        if detours and data.draw(st.sampled_from((False,) * 7 + (True,)), label="detour"):
            return detours
        return kinds

    def _maybe_id(self, data: st.DataObject) -> str | None:
        if not data.draw(st.sampled_from((False,) * 9 + (True,)), label="with id"):
            return None
        self.next_id += 1
        return f"cmd-{self.next_id}"

    def _check(self, command: sr.Command) -> None:
        """Apply *command* to the case and to the model; they must agree in every way."""
        before = self.case
        snapshot = values(before)
        destination = self.model.destination(command)
        reasons = self.workflow.explain(before, command)
        if destination is None:
            with pytest.raises(sr.TransitionNotAllowed) as refused:
                self.workflow.apply(before, command)
            assert reasons, "explain gave no reason for a refused command"
            assert tuple(reasons) == refused.value.reasons
            assert refused.value.case is before
            assert snapshot == values(before)
            self.seen[f"refused {type(command).__name__} at {before.stage.value}"] += 1
            return
        after = self.workflow.apply(before, command)
        assert [] == reasons
        assert type(command) in self.workflow.allowed(before)
        assert snapshot == values(before)
        assert before.history == after.history[:-1]
        # Within the clock skew a command dated before the last event is recorded at its time.
        recorded = (
            command if command.at >= before.last_at else attrs.evolve(command, at=before.last_at)
        )
        assert sr.Event(recorded, destination) == after.history[-1]
        self.case = after
        self.model.record(recorded, destination)
        self.seen[f"{before.stage.value} --{type(command).__name__}--> {after.stage.value}"] += 1
        if isinstance(command, sr.ProposeSolution) and isinstance(
            before.history[-1].command, sr.DeclineSolution
        ):
            self.seen["re-proposed after a decline"] += 1
        compensation = getattr(command, "compensation", None)
        if compensation is not None and not covers(authority(command.by), compensation.amount):
            self.seen["compensation above authority, approved"] += 1


TestDefaultWorkflow = DefaultWorkflowMachine.TestCase


class TestModelAssumptions:
    def test_default_policy_is_the_one_modelled(self) -> None:
        """The model's constants are the default policy's."""
        policy = sr.RecoveryPolicy()
        assert {role: sr.Money(limit, "EUR") for role, limit in AUTHORITY_EUR.items()} == dict(
            policy.authority
        )
        assert FOLLOW_UP_ATTEMPTS == policy.follow_up_attempts
        assert FOLLOW_UP_INTERVAL == policy.follow_up_interval
        assert REOPEN_WINDOW == policy.reopen_window
        assert CLOCK_SKEW == policy.clock_skew
        note = sr.Step.RECORD_PREVENTION
        before_close = {(note, sr.Stage.CLOSED, severity) for severity in PREVENTION_ALWAYS}
        assert before_close == {
            (r.step, r.before, severity) for r in policy.requirements for severity in r.severities
        }
        by_cause = {
            cause: {(r.step, r.before, frozenset(r.severities)) for r in playbook.requirements}
            for cause, playbook in policy.playbooks.items()
        }
        expected = {
            cause: {(note, sr.Stage.CLOSED, frozenset(SERIOUS))}
            if cause in PREVENTION_FOR_CAUSE
            else set()
            for cause in policy.playbooks
        }
        assert expected == by_cause

    def test_breaches_are_detected(self) -> None:
        """The history check flags a proposal made before venting finished."""
        at = datetime(2026, 1, 1, tzinfo=UTC)
        opened = sr.Workflow().open(
            customer=sr.Customer("c"),
            channel=sr.Channel.CHAT,
            severity=sr.Severity.MINOR,
            summary="x",
            at=at,
        )
        shortcut = sr.ProposeSolution(
            by=ACTORS[0], at=at, plan="p", actions=(sr.Action("a", due=at),)
        )
        history = (*opened.history, sr.Event(shortcut, S.SOLUTION_PROPOSED))
        assert 1 == len(contract_breaches(history))


class TestCoverage:
    def test_every_stage_and_every_path_is_exercised(self) -> None:
        """The rules reach every stage and take the paths that matter, guards included."""
        DefaultWorkflowMachine.seen.clear()
        run_state_machine_as_test(
            DefaultWorkflowMachine,
            settings=settings(
                max_examples=200,  # the clock skew lets more early commands through: explore more
                stateful_step_count=50,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            ),
        )
        seen = DefaultWorkflowMachine.seen
        entered = {move.rsplit("--> ", 1)[1] for move in seen if "--> " in move}
        assert set() == {stage.value for stage in sr.Stage} - entered
        paths = (
            "closed --Reopen--> listening",
            "resolved --Close--> closed",  # every follow-up attempt unanswered
            "followed_up --Close--> closed",
            "resolved --FollowUp--> listening",
            "solution_proposed --DeclineSolution--> diagnosed",
            "re-proposed after a decline",
            "compensation above authority, approved",
            "redelivered",
            "id conflict",
            "resolving --Reschedule--> resolving",
            "--Withdraw--> withdrawn",
            "refused Withdraw at",
            *(f"--{kind.__name__}-->" for kind in OPEN_STAGES_ONLY),
        )
        taken = {path: sum(n for move, n in seen.items() if path in move) for path in paths}
        assert [] == [path for path, count in taken.items() if not count]
