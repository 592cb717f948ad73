"""The rules of the practice that guards, clocks, guidance and checks all need, each once.

Every layer that asks "how many follow-ups does this case need?", "does this
limit cover that amount?", "did the conversation start over?" or "has a
person answered yet?" asks here, so the guard, the deadline, the coaching
and the contract checks can never disagree. The two rules the fold itself
applies (:func:`answers_customer`, :func:`starts_over`) live with the fold,
in the model, and are named here with the others.

Policy override methods are called through the functions below, one each,
which check what they return: a subclass answering ``"3"`` for a number of
follow-ups is reported as an :class:`InvalidPolicy` naming the method, the
value (shortened) and what was expected, not a ``TypeError`` deep in a guard.
The check happens where the answer is used, before anything changes, so a
command refused this way leaves the case as it was. An exception the override
raises itself is the host's own and passes through unchanged.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from .._errors import InvalidPolicy
from .._model._case import ANSWERING, Case, answers_customer, starts_over
from .._model._commands import Command
from .._model._values import Actor, Compensation, Money
from ._guard_types import MIN_FOLLOW_UP_ATTEMPTS, Guard
from ._rules import Playbook, Requirement

if TYPE_CHECKING:
    from ._policy import RecoveryPolicy

_T = TypeVar("_T")

__all__ = [
    "ANSWERING",
    "MIN_FOLLOW_UP_ATTEMPTS",
    "answers_customer",
    "authority_of",
    "covers",
    "describe_duration",
    "extra_reasons_of",
    "first_response_target_of",
    "guards_of",
    "playbook_of",
    "reopen_window_of",
    "required_follow_ups",
    "requirements_of",
    "starts_over",
    "suggested_compensation_of",
]

_SHOWN = 80
"""How much of a bad returned value a message quotes."""


_REPR = reprlib.Repr()
"""Quotes a value without first writing out all of a huge string or collection."""
_REPR.maxstring = _REPR.maxother = _SHOWN


def _shown(value: object) -> str:
    shown = _REPR.repr(value)  # a repr() that fails is shown as <Type instance at ...>
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "..."


def _returned(
    policy: RecoveryPolicy, method: str, value: object, expected: str, *, note: str = ""
) -> InvalidPolicy:
    return InvalidPolicy(
        [
            f"{type(policy).__name__}.{method}: expected {expected}, "
            f"but it returned {_shown(value)}{note}"
        ]
    )


def _each(
    policy: RecoveryPolicy, method: str, returned: object, kind: type[_T], expected: str
) -> tuple[_T, ...]:
    """*returned* as a tuple, if it is an iterable of *kind* (a tuple is the fast path)."""
    if type(returned) is not tuple:
        if isinstance(returned, str | bytes):
            note = " (a bare string is not an iterable of them: put it in a list or yield it)"
            raise _returned(policy, method, returned, expected, note=note)
        if not isinstance(returned, Iterable):
            raise _returned(policy, method, returned, expected)
        returned = tuple(returned)
    for position, item in enumerate(returned):
        if not isinstance(item, kind):
            raise _item(policy, method, expected, position, item)
    return returned


def _item(
    policy: RecoveryPolicy, method: str, expected: str, position: int, item: object
) -> InvalidPolicy:
    return InvalidPolicy(
        [
            f"{type(policy).__name__}.{method}: expected {expected}, "
            f"but item {position} of what it returned is {_shown(item)}"
        ]
    )


def required_follow_ups(policy: RecoveryPolicy, case: Case) -> int:
    """How many unanswered follow-ups let *case* close without the customer's word.

    The policy's :meth:`~RecoveryPolicy.follow_up_attempts_for`, never less
    than :data:`MIN_FOLLOW_UP_ATTEMPTS`: one unanswered call is never enough.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> case = sr.Workflow().open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
    ...     severity=sr.Severity.MINOR, summary="Late",
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> class Hasty(sr.RecoveryPolicy):
    ...     def follow_up_attempts_for(self, case):
    ...         return 1
    >>> required_follow_ups(Hasty(), case)
    2

    Raises:
        InvalidPolicy: the override returned something other than a whole number.
    """
    attempts = policy.follow_up_attempts_for(case)
    if isinstance(attempts, bool) or not isinstance(attempts, int):
        raise _returned(policy, "follow_up_attempts_for", attempts, "a whole number")
    return max(attempts, MIN_FOLLOW_UP_ATTEMPTS)


def authority_of(policy: RecoveryPolicy, actor: Actor) -> Money:
    """The compensation *actor* may grant alone, from :meth:`~RecoveryPolicy.authority_for`.

    Raises:
        InvalidPolicy: the override returned something other than a :class:`Money`.
    """
    limit = policy.authority_for(actor)
    if not isinstance(limit, Money):
        raise _returned(policy, "authority_for", limit, 'an amount like Money(50, "EUR")')
    return limit


def reopen_window_of(policy: RecoveryPolicy, case: Case) -> timedelta:
    """How long after closing *case* may be reopened (the policy's ``reopen_window_for``).

    Raises:
        InvalidPolicy: the override returned something other than a timedelta >= 0.
    """
    window = policy.reopen_window_for(case)
    if not isinstance(window, timedelta) or window < timedelta(0):
        raise _returned(policy, "reopen_window_for", window, "a timedelta >= 0")
    return window


def first_response_target_of(policy: RecoveryPolicy, case: Case) -> timedelta:
    """How soon *case* must get its first answer (the policy's ``first_response_target``).

    Raises:
        InvalidPolicy: the override returned something other than a timedelta > 0.
    """
    target = policy.first_response_target(case)
    if not isinstance(target, timedelta) or target <= timedelta(0):
        raise _returned(policy, "first_response_target", target, "a timedelta > 0")
    return target


def _optional(policy: RecoveryPolicy, method: str, value: object, kind: type[_T]) -> _T | None:
    """*value*, what *method* returned, if it is a *kind* or ``None``; else InvalidPolicy."""
    if value is not None and not isinstance(value, kind):
        raise _returned(policy, method, value, f"a {kind.__name__} or None")
    return value


def playbook_of(policy: RecoveryPolicy, case: Case) -> Playbook | None:
    """The playbook for *case*'s cause (the policy's ``playbook_for``), or ``None``.

    Raises:
        InvalidPolicy: the override returned something other than a Playbook or None.
    """
    return _optional(policy, "playbook_for", policy.playbook_for(case), Playbook)


def requirements_of(policy: RecoveryPolicy, case: Case) -> tuple[Requirement, ...]:
    """The required steps that apply to *case* (the policy's ``requirements_for``).

    The override may answer any iterable of :class:`Requirement` (a tuple, a
    list, a generator); it is read once, into a tuple.

    Raises:
        InvalidPolicy: the override returned a bare string, something that is
            not iterable, or an item that is not a Requirement.
    """
    return _each(
        policy,
        "requirements_for",
        policy.requirements_for(case),
        Requirement,
        "an iterable of Requirement",
    )


def suggested_compensation_of(policy: RecoveryPolicy, case: Case) -> Compensation | None:
    """What the ladder offers *case* (the policy's ``suggested_compensation``), or ``None``.

    Raises:
        InvalidPolicy: the override returned something other than a Compensation or None.
    """
    return _optional(
        policy, "suggested_compensation", policy.suggested_compensation(case), Compensation
    )


def guards_of(policy: RecoveryPolicy) -> tuple[Guard, ...]:
    """The policy's own guards (its ``guards()``), read once when a workflow is built.

    Raises:
        InvalidPolicy: ``guards()`` returned a bare string, something that is
            not iterable, or an item that is not a Guard.
    """
    return _each(policy, "guards", policy.guards(), Guard, "an iterable of Guard")


_REASONS = "an iterable of reasons (non-blank strings)"


def extra_reasons_of(policy: RecoveryPolicy, case: Case, command: Command) -> tuple[str, ...]:
    """The policy's own reasons to refuse *command* on *case* (its ``extra_reasons``).

    Asked on every command, so the usual answer, an empty tuple, costs one test.

    Raises:
        InvalidPolicy: the override returned a bare string (it is not read one
            reason per character), something that is not iterable, or an item
            that is not a non-blank string.
    """
    reasons = policy.extra_reasons(case, command)
    if type(reasons) is tuple and not reasons:
        return ()
    found = _each(policy, "extra_reasons", reasons, str, _REASONS)
    for position, reason in enumerate(found):
        if not reason.strip():
            raise _item(policy, "extra_reasons", _REASONS, position, reason)
    return found


def covers(limit: Money | None, amount: Money) -> bool:
    """Whether *limit* covers *amount*: the same currency, and not less.

    >>> covers(Money(50, "EUR"), Money(20, "EUR")), covers(Money(50, "EUR"), Money(20, "USD"))
    (True, False)
    """
    return limit is not None and limit.currency == amount.currency and amount.amount <= limit.amount


_UNITS: tuple[tuple[str, int], ...] = (
    ("day", 86_400),
    ("hour", 3_600),
    ("minute", 60),
    ("second", 1),
)


def describe_duration(span: timedelta) -> str:
    """A duration in words, its two largest units: ``"12 hours"``, ``"1 day 6 hours"``.

    >>> describe_duration(timedelta(hours=12)), describe_duration(timedelta(days=30))
    ('12 hours', '30 days')
    >>> describe_duration(timedelta(days=1, hours=6, minutes=5)), describe_duration(timedelta(0))
    ('1 day 6 hours', '0 seconds')
    """
    left = span.days * 86_400 + span.seconds
    parts: list[str] = []
    for unit, seconds in _UNITS:
        count, left = divmod(left, seconds)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    if not parts:
        return "less than a second" if span.microseconds else "0 seconds"
    return " ".join(parts[:2])
