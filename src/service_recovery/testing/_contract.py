"""The contract guards, read off the history: what no accepted command may ever show.

These checks look only at events and the policy's own numbers, never at the
facts a case caches, so a fact bent by a hook cannot hide a bypassed guard.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._model._case import Case
from .._model._commands import (
    AcceptSolution,
    Approve,
    Close,
    Command,
    Escalate,
    FinishVenting,
    FollowUp,
    ProposeSolution,
    Withdraw,
)
from .._model._events import Event
from .._model._stages import Stage
from .._model._values import FollowUpOutcome, Money
from .._rulebook._policy import RecoveryPolicy
from .._rulebook._practice import authority_of, required_follow_ups
from .._rulebook._practice import covers as _covers
from .._rulebook._practice import starts_over as _starts_over


def starts_over(command: Command) -> bool:
    """Whether *command* starts the conversation over (the customer is heard afresh)."""
    return _starts_over(command)


def conversation(history: Sequence[Event]) -> Sequence[Event]:
    """The events since the conversation last started over (all of them if it never did)."""
    for position in range(len(history) - 1, -1, -1):
        if starts_over(history[position].command):
            return history[position:]
    return history


def covers(limit: Money | None, amount: Money) -> bool:
    """Whether *limit* is in the same currency and at least *amount*."""
    return _covers(limit, amount)


def breaches(policy: RecoveryPolicy, before: Case, after: Case) -> list[str]:
    """The contract guards that accepting ``after.history[-1]`` on *before* bypassed."""
    event = after.history[-1]
    command = event.command
    entered = event.stage if event.stage is not before.stage else None
    talk = conversation(before.history)
    found: list[str] = []
    proposing = isinstance(command, ProposeSolution) or entered is Stage.SOLUTION_PROPOSED
    if proposing and not any(isinstance(e.command, FinishVenting) for e in talk):
        found.append(
            f"{event.kind} at {event.at.isoformat()} reached {event.stage.value} although "
            "the customer never finished venting in this conversation"
        )
    if isinstance(command, Close) or entered is Stage.CLOSED:
        needed = required_follow_ups(policy, before)
        outcomes = [e.command.outcome for e in talk if isinstance(e.command, FollowUp)]
        unanswered = outcomes.count(FollowUpOutcome.NO_ANSWER)
        if FollowUpOutcome.SATISFIED not in outcomes and unanswered < needed:
            found.append(
                f"{event.kind} at {event.at.isoformat()} closed the case with no satisfied "
                f"follow-up and {unanswered} of {needed} unanswered attempts"
            )
    withdrawing = isinstance(command, Withdraw) or entered is Stage.WITHDRAWN
    if withdrawing and any(isinstance(e.command, AcceptSolution) for e in before.history):
        found.append(
            f"{event.kind} at {event.at.isoformat()} withdrew the case although the "
            "customer had accepted a solution"
        )
    if isinstance(command, ProposeSolution) and command.compensation is not None:
        amount = command.compensation.amount
        limit = authority_of(policy, command.by)
        if not covers(limit, amount) and not _approved(policy, talk, amount):
            found.append(
                f"{event.kind} at {event.at.isoformat()} granted {amount}, above the authority "
                f"of {command.by.id} ({limit}), with no approval "
                "covering it by someone else"
            )
    return found


def _approved(policy: RecoveryPolicy, talk: Sequence[Event], amount: Money) -> bool:
    pending: Escalate | None = None
    for event in talk:
        command = event.command
        if isinstance(command, Escalate):
            pending = command
        elif isinstance(command, Approve) and pending is not None:
            if (
                pending.amount is not None
                and covers(pending.amount, amount)
                and covers(authority_of(policy, command.by), amount)
                and command.by.id != pending.by.id
            ):
                return True
            pending = None
    return False
