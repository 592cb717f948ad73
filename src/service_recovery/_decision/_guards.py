"""Guards: small named predicates that say why a command must be refused.

A guard returns ``None`` when it has nothing against the command, or a
sentence an agent can act on. The *contract* guards below run under every
policy, preset and subclass: they are the product's promise, and no policy
can switch them off (a policy can only add reasons of its own).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .._model._case import Case
from .._model._commands import (
    AcceptSolution,
    Acknowledge,
    Apologize,
    Approve,
    AwaitCustomer,
    AwaitThirdParty,
    Close,
    Command,
    CompleteAction,
    DeclineSolution,
    Escalate,
    FinishVenting,
    FollowUp,
    IdentifyCause,
    Listen,
    ProposeSolution,
    RecordBreach,
    ReflectBack,
    Reopen,
    Reschedule,
    Resume,
    Withdraw,
)
from .._model._stages import Stage
from .._model._values import Actor, FollowUpOutcome, Money, Role, instant
from .._rulebook._guard_types import Guard
from .._rulebook._practice import (
    authority_of,
    covers,
    describe_duration,
    reopen_window_of,
    required_follow_ups,
)
from .._time._pauses import check_answered, check_can_wait, check_not_waiting, check_waiting
from .._time._promises import check_broken_promises_owned

if TYPE_CHECKING:
    from .._rulebook._policy import RecoveryPolicy


def _venting_finished(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if case.venting_finished:
        return None
    return (
        "The customer has not finished venting: reflect back what you heard and have them "
        "confirm it, then finish venting before proposing anything"
    )


def _summary_confirmed(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if case.summary_confirmed:
        return None
    return (
        "Nobody has checked what the customer said: reflect back what you heard and have "
        "them confirm it before moving on"
    )


def _followed_up(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if case.followed_up:
        return None
    needed = required_follow_ups(policy, case)
    if case.follow_up_attempts >= needed:
        return None
    return (
        "The customer has not been followed up: check back that the fix worked and they are "
        f"happy ({case.follow_up_attempts} of {needed} unanswered attempts so far; close "
        "only after they confirm, or after every attempt went unanswered)"
    )


def _no_pending_escalation(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if case.escalation is None:
        return None
    return (
        f"An escalation is waiting for approval ({case.escalation.reason}): "
        "a supervisor or manager must approve it first"
    )


def _within_authority(policy: RecoveryPolicy, case: Case, command: ProposeSolution) -> str | None:
    if command.compensation is None:
        return None
    amount = command.compensation.amount
    limit = authority_of(policy, command.by)
    if covers(limit, amount):
        return None
    if covers(case.approved_amount, amount):
        return None
    role = command.by.role.value
    if limit.currency != amount.currency:
        return (
            f"Compensation of {amount} is in another currency than the {role}'s authority "
            f"({limit}): escalate it for approval"
        )
    return (
        f"Compensation of {amount} is above the {role}'s authority of {limit}: escalate "
        "with the amount and get it approved by a role whose authority covers it"
    )


def _has_actions(policy: RecoveryPolicy, case: Case, command: ProposeSolution) -> str | None:
    if not command.actions:
        return (
            "The plan has no concrete action: agree at least one action with a due date "
            '(for example "refund issued within 5 days")'
        )
    late = [
        f"#{index} is due {action.due.isoformat()}"
        for index, action in enumerate(command.actions)
        if instant(action.due) < instant(command.at)
    ]
    if late:
        return "Promised actions cannot be due in the past: " + ", ".join(late)
    return None


def _proposal_on_table(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if case.proposal is not None:
        return None
    return "No solution is on the table: propose one first"


def _open_promise(case: Case, index: int, verb: str, kept: str) -> str | None:
    """Why promised action *index* of *case*'s plan cannot be *verb*-ed (``None``: it can)."""
    count = len(case.plan.actions) if case.plan is not None else 0
    if count == 0:
        return f"There is no accepted plan with promised actions to {verb}"
    if not 0 <= index < count:
        return (
            f"There is no promised action #{index}: the plan has {count} "
            f"action(s), numbered 0 to {count - 1}"
        )
    if index not in case.open_actions:
        return f"Promised action #{index} is already {kept}"
    return None


def _action_open(policy: RecoveryPolicy, case: Case, command: CompleteAction) -> str | None:
    return _open_promise(case, command.index, "complete", "completed")


def _promise_to_reschedule(policy: RecoveryPolicy, case: Case, command: Reschedule) -> str | None:
    return _open_promise(case, command.index, "reschedule", "done: a kept promise keeps its date")


def _new_date_ahead(policy: RecoveryPolicy, case: Case, command: Reschedule) -> str | None:
    if instant(command.due) > instant(command.at):
        return None
    return (
        f"The new date {command.due.isoformat()} is not after the reschedule "
        f"({command.at.isoformat()}): agree a date still ahead"
    )


def _no_solution_accepted(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if not case.solution_accepted:
        return None
    return (
        "A solution was accepted for this case: it is recovered, followed up and closed, "
        "never withdrawn"
    )


def _another_case(policy: RecoveryPolicy, case: Case, command: Withdraw) -> str | None:
    if command.duplicate_of != case.id:
        return None
    return f"A case cannot duplicate itself: duplicate_of names this case ({case.id!r})"


def _can_escalate(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if case.escalation is None:
        return None
    return "An escalation is already pending: wait for its approval"


def _approvable(policy: RecoveryPolicy, case: Case, command: Escalate) -> str | None:
    """Refuse an escalation no role could approve: it would block the case for good."""
    theirs = authority_of(policy, command.by)
    limits = [authority_of(policy, anyone) for anyone in _ANYONE_OF_EACH_ROLE]
    if command.amount is not None:
        amount = command.amount
        if any(covers(mine, amount) and not _less(mine, theirs) for mine in limits):
            return None
        return (
            f"No role's authority covers {amount}, so nobody could approve this escalation: "
            "ask for an amount within someone's authority"
        )
    if any(_more(mine, theirs) for mine in limits):
        return None
    return (
        f"No role has more authority than a {command.by.role.value}, so nobody could approve "
        "this escalation: decide within your own authority"
    )


_ANYONE_OF_EACH_ROLE = tuple(
    Actor(f"any {role.value}", role) for role in Role if role is not Role.SYSTEM
)
"""Who could approve, role by role: built once, as every escalation is checked against them."""


def _escalation_pending(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    if case.escalation is not None:
        return None
    return "There is nothing to approve: no escalation is pending"


def _approver_qualified(policy: RecoveryPolicy, case: Case, command: Approve) -> str | None:
    escalation = case.escalation
    if escalation is None:
        return None
    if command.by.id == escalation.by.id:
        return "Nobody can approve their own escalation: ask a supervisor or manager"
    if command.by.role is Role.SYSTEM:  # whatever its limit: approval is a person's judgement
        return (
            "The system never approves an escalation: a supervisor or manager whose "
            "authority covers it must approve"
        )
    mine = authority_of(policy, command.by)
    theirs = authority_of(policy, escalation.by)
    if escalation.amount is not None:
        if not covers(mine, escalation.amount):
            return (
                f"The {command.by.role.value}'s authority ({mine}) does not cover the "
                f"{escalation.amount} asked for: a higher role must approve"
            )
        if not _less(mine, theirs):
            return None
    if not _more(mine, theirs):
        return (
            f"A {command.by.role.value} cannot approve an escalation raised by a "
            f"{escalation.by.role.value}: it needs a role with more authority"
        )
    return None


def _less(mine: Money, theirs: Money) -> bool:
    """*mine* is a lower limit than *theirs*: the same currency, and less."""
    return mine.currency == theirs.currency and mine.amount < theirs.amount


def _more(mine: Money, theirs: Money) -> bool:
    """*mine* outranks *theirs*: more of the same currency, or another currency altogether."""
    return mine.currency != theirs.currency or mine.amount > theirs.amount


def _within_reopen_window(policy: RecoveryPolicy, case: Case, command: Reopen) -> str | None:
    if case.closed_at is None:
        return "The case is not closed"
    window = reopen_window_of(policy, case)
    if instant(command.at) - instant(case.closed_at) <= window:
        return None
    return (
        f"The reopen window of {describe_duration(window)} after closing has passed: "
        f"open a new case that succeeds this one, with "
        f"Workflow.open(..., previous_case={case.id!r})"
    )


def _recorded_by_tick(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    return (
        "Breaches are recorded by Workflow.tick from the case's deadlines and the policy; "
        "they cannot be applied by hand"
    )


# -- the shortcuts: rules that keep each step honest -------------------------------


def _follow_ups_spaced(policy: RecoveryPolicy, case: Case, command: FollowUp) -> str | None:
    """Refuse an unanswered attempt too soon after the last: three in a minute are one."""
    if command.outcome is not FollowUpOutcome.NO_ANSWER or not case.follow_up_attempts:
        return None
    interval = policy.follow_up_interval
    last = _last_follow_up(case)
    if last is None or instant(command.at) - instant(last) >= interval:
        return None
    return (
        f"The last follow-up attempt went unanswered at {last.isoformat()}: try again after "
        f"{describe_duration(interval)}, so each attempt gives the customer a real chance "
        "to answer"
    )


def _last_follow_up(case: Case) -> datetime | None:
    # Attempts are counted since the last resolution: the latest follow-up is the last one.
    for earlier in reversed(case.history.commands):
        if isinstance(earlier, FollowUp):
            return earlier.at
    return None


def _summary_current(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
    """Refuse to finish venting on a summary the customer has added to since confirming it."""
    if not case.summary_confirmed:
        return None  # the contract guard "summary confirmed" says what to do
    for earlier in reversed(case.history.commands):
        if isinstance(earlier, ReflectBack):
            return None  # the latest reflect-back came after anything heard
        if isinstance(earlier, Listen):
            return (
                "The customer said more after confirming your summary: reflect back what "
                "you heard now and have them confirm it before finishing venting"
            )
    return None


def _plan_on_time(policy: RecoveryPolicy, case: Case, command: AcceptSolution | None) -> str | None:
    """Refuse to accept a plan whose promise would be broken the moment it is made.

    Without a command (for ``allowed``) the plan is judged at the earliest time
    a command may be dated: an action due before then is late for any command.
    """
    proposal = case.proposal
    if proposal is None:
        return None
    now = instant(case.last_at - policy.clock_skew if command is None else command.at)
    late = [
        f"#{index} ({action.description}) was due {action.due.isoformat()}"
        for index, action in enumerate(proposal.actions)
        if instant(action.due) < now
    ]
    if not late:
        return None
    return (
        "The plan on the table is already late: " + "; ".join(late) + ". Decline it and "
        "propose again with dates the customer can count on"
    )


SHORTCUT_GUARDS: tuple[Guard, ...] = (
    Guard("follow-ups spaced", _follow_ups_spaced, commands=(FollowUp,)),
    Guard("plan on time", _plan_on_time, commands=(AcceptSolution,), needs_command=False),
    Guard(
        "summary current",
        _summary_current,
        commands=(FinishVenting,),
        needs_command=False,
    ),
)
"""Step guards that close the shortcuts a hurried agent would take; under every policy,
with the policy's own settings (docs/reference/guards.md)."""


WHILE_RUNNING: tuple[type[Command], ...] = (
    Acknowledge,
    Listen,
    ReflectBack,
    FinishVenting,
    Apologize,
    IdentifyCause,
    ProposeSolution,
    AcceptSolution,
    DeclineSolution,
    CompleteAction,
    FollowUp,
    Close,
    Reopen,
)
"""Steps a waiting case refuses until it resumes; escalations and updates go on while it waits."""

CONTRACT_GUARDS: tuple[Guard, ...] = (
    Guard(
        "venting finished",
        _venting_finished,
        commands=(ProposeSolution,),
        entering=(Stage.SOLUTION_PROPOSED,),
        needs_command=False,
    ),
    Guard("summary confirmed", _summary_confirmed, commands=(FinishVenting,), needs_command=False),
    Guard(
        "followed up",
        _followed_up,
        commands=(Close,),
        entering=(Stage.CLOSED,),
        needs_command=False,
    ),
    Guard("within authority", _within_authority, commands=(ProposeSolution,)),
    Guard(
        "no solution accepted",
        _no_solution_accepted,
        commands=(Withdraw,),
        entering=(Stage.WITHDRAWN,),
        needs_command=False,
    ),
)
"""The guards every workflow runs, whatever its policy."""

STEP_GUARDS: tuple[Guard, ...] = (
    Guard(
        "no pending escalation",
        _no_pending_escalation,
        commands=(ProposeSolution, AcceptSolution, Close),
        needs_command=False,
    ),
    Guard("concrete plan", _has_actions, commands=(ProposeSolution,)),
    Guard(
        "proposal on the table", _proposal_on_table, commands=(AcceptSolution,), needs_command=False
    ),
    Guard("action open", _action_open, commands=(CompleteAction,)),
    Guard("promise open", _promise_to_reschedule, commands=(Reschedule,)),
    Guard("new date ahead", _new_date_ahead, commands=(Reschedule,)),
    Guard("another case", _another_case, commands=(Withdraw,)),
    Guard("one escalation at a time", _can_escalate, commands=(Escalate,), needs_command=False),
    Guard("approvable", _approvable, commands=(Escalate,)),
    Guard("escalation pending", _escalation_pending, commands=(Approve,), needs_command=False),
    Guard("approver qualified", _approver_qualified, commands=(Approve,)),
    Guard("within reopen window", _within_reopen_window, commands=(Reopen,)),
    Guard("not waiting", check_not_waiting, commands=WHILE_RUNNING, needs_command=False),
    Guard(
        "one wait at a time",
        check_can_wait,
        commands=(AwaitCustomer, AwaitThirdParty),
        needs_command=False,
    ),
    Guard(
        "customer answered first",
        check_answered,
        commands=(AwaitCustomer, AwaitThirdParty),
        needs_command=False,
    ),
    Guard("waiting", check_waiting, commands=(Resume,), needs_command=False),
    Guard(
        "broken promises owned",
        check_broken_promises_owned,
        commands=(CompleteAction,),
        needs_command=False,
    ),
    Guard("recorded by tick", _recorded_by_tick, commands=(RecordBreach,), needs_command=False),
    *SHORTCUT_GUARDS,
)
"""Guards that keep each step's data meaningful; also run under every policy."""
