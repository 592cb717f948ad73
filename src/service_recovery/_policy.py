"""RecoveryPolicy: the rules of a workflow, as data plus narrow override points."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import attrs

from ._case import Case
from ._commands import Command
from ._errors import InvalidPolicy
from ._graph import DEFAULT_GRAPH, StageGraph
from ._guards import MIN_FOLLOW_UP_ATTEMPTS, Guard
from ._values import Actor, Money, Role

DEFAULT_AUTHORITY: Mapping[Role, Money] = MappingProxyType(
    {
        Role.AGENT: Money(50, "EUR"),
        Role.SUPERVISOR: Money(250, "EUR"),
        Role.MANAGER: Money(1000, "EUR"),
        Role.SYSTEM: Money(0, "EUR"),
    }
)
"""Goodwill an actor may grant alone. Front-line agents resolve most complaints
without asking anyone; larger gestures go up one level, then another."""


def _frozen_authority(value: Mapping[Role, Money]) -> Mapping[Role, Money]:
    return MappingProxyType(dict(value))


def _check_attempts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_FOLLOW_UP_ATTEMPTS:
        raise InvalidPolicy(
            [
                f"follow_up_attempts: expected a whole number >= {MIN_FOLLOW_UP_ATTEMPTS} "
                f"(one unanswered call is never enough), got {value!r}"
            ]
        )


def _check_window(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidPolicy([f"reopen_window: expected a timedelta >= 0, got {value!r}"])


def _check_authority(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    problems = [
        f"authority.{getattr(role, 'value', role)}: expected a Money for a Role, got {limit!r}"
        for role, limit in dict(value).items()  # type: ignore[call-overload]
        if not isinstance(role, Role) or not isinstance(limit, Money)
    ]
    problems += [
        f"authority.{role.value}: missing"
        for role in Role
        if role not in value  # type: ignore[operator]
    ]
    if problems:
        raise InvalidPolicy(problems)


def _check_graph(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, StageGraph):
        raise InvalidPolicy([f"graph: expected a StageGraph, got {type(value).__name__}"])


@attrs.frozen
class RecoveryPolicy:
    """The rules a :class:`Workflow` enforces, on top of the contract guards.

    Tune it with arguments (or :func:`attrs.evolve` on a preset), or subclass
    it and override the narrow methods below. No policy can switch off the
    contract guards: they run in the workflow, not here.

    >>> import attrs
    >>> patient = RecoveryPolicy(follow_up_attempts=5)
    >>> patient.follow_up_attempts
    5
    >>> attrs.evolve(patient, reopen_window=timedelta(days=7)).reopen_window.days
    7

    Attributes:
        name: how the policy is called in diagrams and reports.
        graph: the stage graph (which command leads where).
        follow_up_attempts: unanswered follow-ups after which a case may close
            without the customer's word; at least 2.
        reopen_window: how long after closing a customer may reopen the case.
        authority: the compensation each role may grant without approval.
    """

    name: str = "default"
    graph: StageGraph = attrs.field(default=DEFAULT_GRAPH, validator=_check_graph)
    follow_up_attempts: int = attrs.field(default=3, validator=_check_attempts)
    reopen_window: timedelta = attrs.field(default=timedelta(days=30), validator=_check_window)
    authority: Mapping[Role, Money] = attrs.field(
        default=DEFAULT_AUTHORITY, converter=_frozen_authority, validator=_check_authority
    )

    def authority_for(self, actor: Actor) -> Money:
        """The compensation *actor* may grant alone. Override for per-person limits."""
        return self.authority[actor.role]

    def follow_up_attempts_for(self, case: Case) -> int:
        """Unanswered follow-ups needed before *case* may close without an answer.

        Values under 2 are raised to 2 by the workflow.
        """
        return self.follow_up_attempts

    def reopen_window_for(self, case: Case) -> timedelta:
        """How long after closing *case* may be reopened."""
        return self.reopen_window

    def guards(self) -> Iterable[Guard]:
        """Extra guards of this policy, run after the contract guards."""
        return ()

    def extra_reasons(self, case: Case, command: Command) -> Iterable[str]:
        """More reasons to refuse *command* on *case*; override to add business rules.

        >>> class NoRefundsOnSunday(RecoveryPolicy):
        ...     def extra_reasons(self, case, command):
        ...         if command.at.weekday() == 6:
        ...             yield "Refunds wait for Monday"
        """
        return ()
