"""Commands: what an actor asks the workflow to do to a case.

Every command is a frozen value with ``by`` (the :class:`Actor`), ``at`` (an
aware datetime) and an optional ``id`` that makes re-delivery idempotent.
Fields are checked when the command is built, so a malformed command never
reaches a case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import attrs

from .._errors import InvalidValue
from ._kinds import DeadlineKind, WaitingOn
from ._values import (
    Action,
    Actor,
    Channel,
    Compensation,
    Customer,
    FollowUpOutcome,
    Money,
    Severity,
    WithdrawalReason,
    require_aware,
    require_text,
    require_type,
    to_channel,
    to_outcome,
    to_severity,
)


def _optional_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        require_text(instance, attribute, value)


def _optional(kind: type) -> Any:
    check = require_type(kind)

    def validate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check(instance, attribute, value)

    return validate


def _actions(value: object) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list | tuple) else value  # type: ignore[return-value]


def _each_action(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    require_type(tuple)(instance, attribute, value)
    assert isinstance(value, tuple)
    for position, action in enumerate(value):
        if not isinstance(action, Action):
            raise InvalidValue(
                f"actions[{position}]: expected Action, got {type(action).__name__} {action!r}",
                field="actions",
            )


def _predecessor(instance: Open, attribute: attrs.Attribute[Any], value: object) -> None:
    _optional_id(instance, attribute, value)
    if value is not None and value == instance.case_id:
        raise InvalidValue(
            f"previous_case: a case cannot succeed itself ({value!r} is this case's id)",
            field="previous_case",
        )


@attrs.frozen(kw_only=True, weakref_slot=False)  # one per event of every live case
class Command:
    """Base of every command. Not applied on its own.

    Attributes:
        by: who asks.
        at: when, timezone-aware. Commands apply in time order.
        id: optional idempotency key; a command whose id the case has already
            accepted is a no-op when re-delivered.
    """

    title: ClassVar[str] = "Command"

    by: Actor = attrs.field(validator=require_type(Actor))
    at: datetime = attrs.field(validator=require_aware)
    id: str | None = attrs.field(default=None, validator=_optional_id)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Open(Command):
    """Record a new complaint. Issued by :meth:`Workflow.open`; the first event of every case."""

    title: ClassVar[str] = "Open the case"

    case_id: str = attrs.field(validator=require_text)
    customer: Customer = attrs.field(validator=require_type(Customer))
    channel: Channel = attrs.field(converter=to_channel)
    severity: Severity = attrs.field(converter=to_severity)
    summary: str = attrs.field(validator=require_text)
    policy: str | None = attrs.field(default=None, validator=_optional_id)
    """The identity of the policy the case runs under (``Workflow.policy_identity``);
    ``None`` in a case recorded before identities were."""
    reference: str | None = attrs.field(default=None, validator=_optional_id)
    """The host's own reference for the complaint (its ticket id, say), carried as it is."""
    previous_case: str | None = attrs.field(default=None, validator=_predecessor)
    """The id of the case this one succeeds (one closed past its reopen window), if any."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Acknowledge(Command):
    """Answer the customer: we have your complaint and we are on it."""

    title: ClassVar[str] = "Acknowledge"

    message: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class Listen(Command):
    """Let the customer say everything, without interrupting; note what they say."""

    title: ClassVar[str] = "Listen"

    note: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class ReflectBack(Command):
    """Paraphrase what you heard; ``confirmed`` says whether the customer agreed."""

    title: ClassVar[str] = "Reflect back"

    summary: str = attrs.field(validator=require_text)
    confirmed: bool = attrs.field(validator=require_type(bool))


@attrs.frozen(kw_only=True, weakref_slot=False)
class FinishVenting(Command):
    """Mark that the customer has said everything (needs a confirmed summary)."""

    title: ClassVar[str] = "Finish venting"


@attrs.frozen(kw_only=True, weakref_slot=False)
class Apologize(Command):
    """Apologise sincerely and take ownership, without excuses or blame."""

    title: ClassVar[str] = "Apologize"

    message: str = attrs.field(validator=require_text)


@attrs.frozen(kw_only=True, weakref_slot=False)
class IdentifyCause(Command):
    """Record the root cause among all the things the customer mentioned."""

    title: ClassVar[str] = "Identify the cause"

    category: str = attrs.field(validator=require_text)
    detail: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class ProposeSolution(Command):
    """Propose a concrete plan: actions with due dates, and compensation if any."""

    title: ClassVar[str] = "Propose a solution"

    plan: str = attrs.field(validator=require_text)
    actions: tuple[Action, ...] = attrs.field(converter=_actions, validator=_each_action)
    compensation: Compensation | None = attrs.field(default=None, validator=_optional(Compensation))


@attrs.frozen(kw_only=True, weakref_slot=False)
class AcceptSolution(Command):
    """The customer agrees to the proposed plan; its actions become promises."""

    title: ClassVar[str] = "Accept the solution"


@attrs.frozen(kw_only=True, weakref_slot=False)
class DeclineSolution(Command):
    """The customer declines the plan; work out another one together."""

    title: ClassVar[str] = "Decline the solution"

    reason: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class Escalate(Command):
    """Ask for approval above the actor's authority, optionally for an amount."""

    title: ClassVar[str] = "Escalate"

    reason: str = attrs.field(validator=require_text)
    amount: Money | None = attrs.field(default=None, validator=_optional(Money))


@attrs.frozen(kw_only=True, weakref_slot=False)
class Approve(Command):
    """Approve the pending escalation (by someone else whose authority covers it)."""

    title: ClassVar[str] = "Approve"

    note: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class CompleteAction(Command):
    """Mark the promised action at ``index`` of the accepted plan as done."""

    title: ClassVar[str] = "Complete an action"

    index: int = attrs.field(validator=require_type(int))


@attrs.frozen(kw_only=True, weakref_slot=False)
class SendUpdate(Command):
    """Tell the customer where things stand while the plan is carried out."""

    title: ClassVar[str] = "Send an update"

    message: str = attrs.field(validator=require_text)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Reschedule(Command):
    """Agree a new date for a promised action that is still open, or already broken.

    ``reason`` is what the customer is told (why the date moves), so a
    reschedule is an update to the customer as well. The promise then runs
    to the new date; a breach already recorded for the old one stays on record.

    >>> from datetime import datetime, timezone
    >>> from service_recovery import Actor, Role
    >>> Reschedule(by=Actor("ana", Role.AGENT), at=datetime(2026, 3, 6, tzinfo=timezone.utc),
    ...     index=0, due=datetime(2026, 3, 9, tzinfo=timezone.utc),
    ...     reason="The courier lost the parcel; a new one ships Monday").index
    0
    """

    title: ClassVar[str] = "Reschedule a promise"

    index: int = attrs.field(validator=require_type(int))
    due: datetime = attrs.field(validator=require_aware)
    reason: str = attrs.field(validator=require_text)


@attrs.frozen(kw_only=True, weakref_slot=False)
class FollowUp(Command):
    """Check back after resolution: was it what they wanted, are they happy now."""

    title: ClassVar[str] = "Follow up"

    outcome: FollowUpOutcome = attrs.field(converter=to_outcome)
    note: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class Thank(Command):
    """Thank the customer for raising it: a complaint is a chance to put things right."""

    title: ClassVar[str] = "Thank the customer"

    message: str = attrs.field(validator=require_text)


@attrs.frozen(kw_only=True, weakref_slot=False)
class RecordPrevention(Command):
    """Record what will change so the cause does not recur (the learning step)."""

    title: ClassVar[str] = "Record prevention"

    note: str = attrs.field(validator=require_text)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Close(Command):
    """Close the case (after a follow-up)."""

    title: ClassVar[str] = "Close"

    note: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class Reopen(Command):
    """Reopen a closed case within the policy's reopen window."""

    title: ClassVar[str] = "Reopen"

    reason: str = attrs.field(validator=require_text)


def _withdrawal_reason(value: str) -> str:
    """*value* as a :class:`WithdrawalReason`: the member, or the member its text names."""
    if isinstance(value, WithdrawalReason) or not isinstance(value, str):
        return value  # a wrong type is reported by the validator, with its name
    try:
        return WithdrawalReason(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in WithdrawalReason)
        raise InvalidValue(
            f"reason: expected one of {choices}, got {value!r}", field="reason"
        ) from None


def _other_case(instance: Withdraw, attribute: attrs.Attribute[Any], value: object) -> None:
    _optional_id(instance, attribute, value)
    reason = instance.reason
    if not isinstance(reason, WithdrawalReason):
        return
    if reason.needs_other_case and value is None:
        raise InvalidValue(
            f"duplicate_of: a case withdrawn as {reason.value} names the case that carries "
            "the complaint on (duplicate_of=<its id>)",
            field="duplicate_of",
        )
    if not reason.needs_other_case and value is not None:
        raise InvalidValue(
            f"duplicate_of: only a duplicate or merged case names another case, "
            f"not one withdrawn as {reason.value}",
            field="duplicate_of",
        )


@attrs.frozen(kw_only=True, weakref_slot=False)
class Withdraw(Command):
    """End a complaint that is not to be recovered, at the terminal stage ``withdrawn``.

    ``reason`` is one of :class:`WithdrawalReason`'s values (the member or its
    text): ``"duplicate"`` and ``"merged"`` name the other case in
    ``duplicate_of``; ``"spam"`` and ``"customer_withdrew"`` name none. Refused
    once a solution was accepted: from then on the case is recovered, followed
    up and closed. A withdrawn case is not closed, and no deadline runs for it.

    >>> from datetime import datetime, timezone
    >>> from service_recovery import Actor, Role
    >>> Withdraw(by=Actor("ana", Role.AGENT), at=datetime(2026, 3, 2, tzinfo=timezone.utc),
    ...     reason="duplicate", duplicate_of="case-17").reason
    <WithdrawalReason.DUPLICATE: 'duplicate'>
    """

    title: ClassVar[str] = "Withdraw the complaint"

    reason: str = attrs.field(
        converter=_withdrawal_reason, validator=require_type(WithdrawalReason)
    )
    duplicate_of: str | None = attrs.field(default=None, validator=_other_case)
    note: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class AwaitCustomer(Command):
    """Wait on the customer (a photo, a receipt, a time to call): service-level clocks stop.

    >>> from datetime import datetime, timezone
    >>> from service_recovery import Actor, Role
    >>> AwaitCustomer(
    ...     by=Actor("ana", Role.AGENT), at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
    ...     reason="Photo of the damaged parcel").waiting_on.label
    'the customer'
    """

    title: ClassVar[str] = "Wait on the customer"
    waiting_on: ClassVar[WaitingOn] = WaitingOn.CUSTOMER

    reason: str = attrs.field(validator=require_text)


@attrs.frozen(kw_only=True, weakref_slot=False)
class AwaitThirdParty(Command):
    """Wait on someone else (a courier, a supplier, a bank): service-level clocks stop."""

    title: ClassVar[str] = "Wait on a third party"
    waiting_on: ClassVar[WaitingOn] = WaitingOn.THIRD_PARTY

    reason: str = attrs.field(validator=require_text)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Resume(Command):
    """Stop waiting: the service-level clocks run again from here."""

    title: ClassVar[str] = "Resume"

    note: str = attrs.field(default="", validator=require_type(str))


@attrs.frozen(kw_only=True, weakref_slot=False)
class RecordBreach(Command):
    """A deadline was missed. Recorded by :meth:`Workflow.tick` only, once per deadline.

    :meth:`Workflow.apply` refuses it: a breach is derived from the case's
    times and the policy, never claimed by hand.

    Attributes:
        kind: what was missed.
        ref: which deadline, stable across replays (:attr:`Deadline.ref`).
        due_at: when it was due.
    """

    title: ClassVar[str] = "Record a breach"

    kind: DeadlineKind = attrs.field(validator=require_type(DeadlineKind))
    ref: str = attrs.field(validator=require_text)
    due_at: datetime = attrs.field(validator=require_aware)


COMMAND_TYPES: tuple[type[Command], ...] = (
    Open,
    Acknowledge,
    Listen,
    ReflectBack,
    FinishVenting,
    Apologize,
    IdentifyCause,
    ProposeSolution,
    AcceptSolution,
    DeclineSolution,
    Escalate,
    Approve,
    CompleteAction,
    SendUpdate,
    Reschedule,
    FollowUp,
    Thank,
    RecordPrevention,
    Close,
    Reopen,
    Withdraw,
    AwaitCustomer,
    AwaitThirdParty,
    Resume,
    RecordBreach,
)
"""Every command type, in the order a case usually meets them (waits and breaches last)."""


UPDATES: tuple[type[Command], ...] = (SendUpdate, Reschedule)
"""Commands that tell the customer where things stand while the plan is carried out:
each meets the update clock, and owns a broken promise."""


def same_command(earlier: Command, later: Command) -> bool:
    """Whether *later* says what *earlier* said, whenever it was sent.

    A re-sent command (a retried web request, say) is rebuilt with a new
    ``at``: it is the same command if everything else is equal.

    >>> from datetime import datetime, timedelta, timezone
    >>> from service_recovery import Actor, Role
    >>> now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> sent = Listen(by=Actor("ana", Role.AGENT), at=now, id="r-1", note="Late again")
    >>> same_command(sent, attrs.evolve(sent, at=now + timedelta(seconds=3)))
    True
    >>> same_command(sent, attrs.evolve(sent, note="Something else"))
    False
    """
    if earlier == later:
        return True
    return type(earlier) is type(later) and earlier == attrs.evolve(later, at=earlier.at)


COMMANDS_BY_NAME: dict[str, type[Command]] = {kind.__name__: kind for kind in COMMAND_TYPES}
