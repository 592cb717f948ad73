"""The small values every command and case is made of."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs

from .._errors import InvalidValue


class Role(enum.Enum):
    """What an actor is allowed to do; each role carries an authority limit."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    SYSTEM = "system"


class Channel(enum.Enum):
    """Where the complaint came in; first-response targets depend on it."""

    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"
    IN_PERSON = "in_person"
    WEB_FORM = "web_form"


class Severity(enum.Enum):
    """How bad the experience was; compensation scales with it."""

    MINOR = "minor"
    MODERATE = "moderate"
    MAJOR = "major"
    CRITICAL = "critical"


class FollowUpOutcome(enum.Enum):
    """What came of checking back with the customer after resolution."""

    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    NO_ANSWER = "no_answer"


class WithdrawalReason(enum.StrEnum):
    """Why a complaint ends withdrawn instead of being recovered (see :class:`Withdraw`).

    Each member is the text it stands for, so ``Withdraw(reason="spam")`` and
    ``Withdraw(reason=WithdrawalReason.SPAM)`` are the same command.

    >>> WithdrawalReason("duplicate") is WithdrawalReason.DUPLICATE
    True
    >>> WithdrawalReason.DUPLICATE.needs_other_case, WithdrawalReason.SPAM.needs_other_case
    (True, False)
    """

    DUPLICATE = "duplicate"
    """The same complaint is already a case: ``duplicate_of`` names it."""
    MERGED = "merged"
    """The complaint was merged into another case: ``duplicate_of`` names it."""
    SPAM = "spam"
    """Not a complaint at all."""
    CUSTOMER_WITHDREW = "customer_withdrew"
    """The customer took the complaint back before any solution was agreed."""

    @property
    def needs_other_case(self) -> bool:
        """Whether the withdrawal names the case that carries the complaint on."""
        return self in (WithdrawalReason.DUPLICATE, WithdrawalReason.MERGED)


class CompensationKind(enum.Enum):
    """The kinds of compensation, roughly in rising order of generosity."""

    APOLOGY_ONLY = "apology_only"
    DISCOUNT = "discount"
    CREDIT = "credit"
    REFUND = "refund"
    UPGRADE = "upgrade"
    COMPLIMENTARY_SERVICE = "complimentary_service"


E = TypeVar("E", bound=enum.Enum)


def enum_member(kind: type[E], field: str, value: object) -> E:
    """The member of *kind* that *value* is or names by its value (``"credit"``).

    The value is the form people write and snapshots store; a member's name
    (``"CREDIT"``) or anything else is refused.

    Raises:
        InvalidValue: *value* is neither a member of *kind* nor one's value,
            listing every valid value.
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        for member in kind:
            if member.value == value:
                return member
    choices = ", ".join(repr(member.value) for member in kind)
    raise InvalidValue(
        f"{field}: expected a {kind.__name__} or one of {choices}, got {value!r}", field=field
    )


def to_role(value: Role | str) -> Role:
    """Attrs converter: a :class:`Role`, or its value (``"agent"``)."""
    return enum_member(Role, "role", value)


def to_channel(value: Channel | str) -> Channel:
    """Attrs converter: a :class:`Channel`, or its value (``"email"``)."""
    return enum_member(Channel, "channel", value)


def to_severity(value: Severity | str) -> Severity:
    """Attrs converter: a :class:`Severity`, or its value (``"major"``)."""
    return enum_member(Severity, "severity", value)


def to_outcome(value: FollowUpOutcome | str) -> FollowUpOutcome:
    """Attrs converter: a :class:`FollowUpOutcome`, or its value (``"no_answer"``)."""
    return enum_member(FollowUpOutcome, "outcome", value)


def to_compensation_kind(value: CompensationKind | str) -> CompensationKind:
    """Attrs converter: a :class:`CompensationKind`, or its value (``"credit"``)."""
    return enum_member(CompensationKind, "kind", value)


def _words(member: enum.Enum) -> str:
    return str(member.value).replace("_", " ")


def instant(moment: datetime) -> datetime:
    """*moment* in UTC, so comparing and subtracting go by the instant.

    Python compares two datetimes that share a ``tzinfo`` by wall time: across
    the night clocks go back, the second 01:10 would look earlier than the
    first 01:30. Converting to UTC first gives the true order and duration.
    """
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def require_aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Attrs validator: *value* must be a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise InvalidValue(
            f"{attribute.name}: expected a timezone-aware datetime, got {value!r}",
            field=attribute.name,
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(
            f"{attribute.name}: {value.isoformat()} has no time zone; pass an aware datetime "
            "(e.g. datetime(..., tzinfo=timezone.utc)) so nothing is guessed",
            field=attribute.name,
        )
    if value.year in (1, 9999):  # only there can the instant fall off the calendar
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise InvalidValue(
                f"{attribute.name}: {value.isoformat()} has no instant in the calendar "
                "(in UTC it falls before year 1 or after year 9999)",
                field=attribute.name,
            ) from None


def require_type(*types: type) -> Any:
    """Attrs validator factory: the value must be an instance of one of *types*."""
    names = " or ".join(t.__name__ for t in types)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise InvalidValue(
                f"{attribute.name}: expected {names}, got {type(value).__name__} {value!r}",
                field=attribute.name,
            )

    return check


def require_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Attrs validator: a non-blank string."""
    require_type(str)(instance, attribute, value)
    if not str(value).strip():
        raise InvalidValue(f"{attribute.name}: must not be blank", field=attribute.name)


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidValue(
            f"amount: expected a Decimal, int or numeric string, got {value!r} "
            "(floats are refused: they cannot hold cents exactly)",
            field="amount",
        )
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidValue(f"amount: {value!r} is not a number", field="amount") from None


_CURRENCY = re.compile(r"[A-Z]{3}")
_MONEY_TEXT = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s+([A-Z]{3})\s*")


def _check_amount(instance: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if not value.is_finite() or value < 0:
        raise InvalidValue(f"amount: must be a finite amount >= 0, got {value}", field="amount")


def _check_currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise InvalidValue(
            f"currency: expected an ISO 4217 code like 'EUR', got {value!r}", field="currency"
        )


@attrs.frozen(order=False)
class Money:
    """An exact amount in a currency.

    >>> Money("49.90", "EUR")
    Money(amount=Decimal('49.90'), currency='EUR')
    >>> Money.parse("50 EUR") <= Money(50, "EUR")
    True
    """

    amount: Decimal = attrs.field(converter=_to_decimal, validator=_check_amount)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Read an amount written like ``"50 EUR"`` or ``"12.50 GBP"``.

        Raises:
            InvalidValue: the text is not an amount followed by a currency code.
        """
        match = _MONEY_TEXT.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidValue(f'expected an amount like "50 EUR", got {text!r}')
        return cls(match.group(1), match.group(2))

    def _comparable(self, other: Money) -> Decimal:
        if other.currency != self.currency:
            raise InvalidValue(f"cannot compare {self} with {other}: different currencies")
        return other.amount

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount <= self._comparable(other)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount < self._comparable(other)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@attrs.frozen
class Actor:
    """Someone (or something) acting on a case.

    >>> Actor("ana", Role.AGENT)
    Actor(id='ana', role=<Role.AGENT: 'agent'>)
    >>> print(Actor("ana", "agent"))
    ana (agent)
    """

    id: str = attrs.field(validator=require_text)
    role: Role = attrs.field(converter=to_role)

    def __str__(self) -> str:
        return f"{self.id} ({self.role.value})"


@attrs.frozen
class Customer:
    """The person who complained.

    >>> print(Customer("c-1", "Dana"), Customer("c-2"), sep="; ")
    Dana (c-1); c-2
    """

    id: str = attrs.field(validator=require_text)
    name: str = attrs.field(default="", validator=require_type(str))

    def __str__(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@attrs.frozen
class Action:
    """One concrete thing promised to the customer, with its due date.

    >>> from datetime import datetime, timezone
    >>> Action("Ship the right jacket", due=datetime(2026, 3, 5, tzinfo=timezone.utc)).description
    'Ship the right jacket'
    """

    description: str = attrs.field(validator=require_text)
    due: datetime = attrs.field(validator=require_aware)

    def __str__(self) -> str:
        return f"{self.description}, due {self.due.isoformat()}"


@attrs.frozen
class Compensation:
    """What the customer gets for the trouble, on top of putting it right.

    The kind is a :class:`CompensationKind` or its value, as people write it:

    >>> print(Compensation("refund", Money(45, "EUR")))
    refund of 45 EUR
    >>> print(Compensation(CompensationKind.APOLOGY_ONLY, Money(0, "EUR")))
    apology only
    """

    kind: CompensationKind = attrs.field(converter=to_compensation_kind)
    amount: Money = attrs.field(validator=require_type(Money))

    def __str__(self) -> str:
        if self.amount.amount == 0:
            return _words(self.kind)
        return f"{_words(self.kind)} of {self.amount}"


SYSTEM = Actor("system", Role.SYSTEM)
"""The actor used when the library itself, not a person, records something."""
