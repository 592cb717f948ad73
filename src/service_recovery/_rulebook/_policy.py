"""RecoveryPolicy: the rules of a workflow, as data plus narrow override points."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from datetime import timedelta
from os import PathLike
from types import MappingProxyType
from typing import Any, Self

import attrs

from .._errors import InvalidPolicy, InvalidValue
from .._model._case import Case
from .._model._commands import Command
from .._model._values import Actor, Compensation, CompensationKind, Money, Role, Severity
from ._defaults import DEFAULT_LADDER, DEFAULT_PLAYBOOKS, DEFAULT_REQUIREMENTS, FALLBACK_PLAYBOOK
from ._graph import DEFAULT_GRAPH, StageGraph
from ._guard_types import MIN_FOLLOW_UP_ATTEMPTS, Guard
from ._policy_file import dump_policy, load_policy, read_file, require_text
from ._practice import playbook_of
from ._required_steps import requirement_guards
from ._rules import CompensationRung, Playbook, Requirement, requirement_problems
from ._service_levels import ServiceLevels, check_service_levels

DEFAULT_AUTHORITY: Mapping[Role, Money] = MappingProxyType(
    {
        Role.AGENT: Money(50, "EUR"),
        Role.SUPERVISOR: Money(250, "EUR"),
        Role.MANAGER: Money(1000, "EUR"),
        Role.SYSTEM: Money(0, "EUR"),
    }
)
"""Goodwill an actor may grant alone. Front-line agents resolve most complaints
without asking anyone (an empowered front line is the single biggest lever on
recovery speed); larger gestures go up one level, then another. The system
itself grants nothing."""

MAX_CLOCK_SKEW = timedelta(hours=1)
"""The most :attr:`RecoveryPolicy.clock_skew` may be: beyond it, time order means little."""

RANKED_ROLES: tuple[Role, ...] = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER)
"""The people roles, from least to most authority."""


def _frozen_mapping(value: object) -> object:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else value


def _as_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen
class RecoveryPolicy:
    """The rules a :class:`Workflow` enforces, on top of the contract guards.

    Tune it with arguments (or :func:`attrs.evolve` on a preset), write it in a
    TOML file (:meth:`from_toml`), or subclass it and override the narrow
    methods below. No policy can switch off the contract guards: they run in
    the workflow, not here. Every problem with the rules is reported at once,
    when the policy is built.

    >>> import attrs
    >>> from datetime import timedelta
    >>> patient = RecoveryPolicy(follow_up_attempts=5)
    >>> patient.follow_up_attempts
    5
    >>> attrs.evolve(patient, reopen_window=timedelta(days=7)).reopen_window.days
    7
    >>> try:
    ...     RecoveryPolicy(follow_up_attempts=1, authority={Role.AGENT: "lots"})
    ... except InvalidPolicy as err:
    ...     print(err.problems[1])
    authority.agent: expected an amount like Money(50, "EUR"), got 'lots'

    Attributes:
        name: how the policy is called in diagrams, reports and refusals.
        description: what the policy is and where it comes from.
        graph: the stage graph (which command leads where).
        follow_up_attempts: unanswered follow-ups after which a case may close
            without the customer's word; at least 2.
        follow_up_interval: how long after an unanswered follow-up the next
            attempt may be made (a day by default): attempts in the same
            minute are one attempt, not several. ``timedelta(0)`` spaces nothing.
        reopen_window: how long after closing a customer may reopen the case.
        authority: the compensation each role may grant without approval.
        compensation: the compensation ladder: what fits each severity.
        playbooks: the procedure per root-cause category (``IdentifyCause.category``);
            ``"other"`` serves causes without one of their own.
        requirements: optional steps this policy makes required, and before
            which stage (playbooks may add more for their cause).
        service_levels: the time rules: first-response targets per channel,
            update interval, follow-up delay, warning fractions and an
            optional business calendar (see :class:`ServiceLevels`).
        clock_skew: how far a command may be dated before the case's last
            event and still be accepted (at most an hour). Two agents' clocks
            never agree exactly: when one loses a race to save, its command,
            judged again on the winner's case, is not refused for being a
            moment older. It is recorded at the last event's time, so the
            history stays in time order.
    """

    name: str = "default"
    graph: StageGraph = DEFAULT_GRAPH
    follow_up_attempts: int = 3
    follow_up_interval: timedelta = timedelta(days=1)
    reopen_window: timedelta = timedelta(days=30)
    authority: Mapping[Role, Money] = attrs.field(
        default=DEFAULT_AUTHORITY, converter=_frozen_mapping
    )
    compensation: Mapping[Severity, CompensationRung] = attrs.field(
        default=DEFAULT_LADDER, converter=_frozen_mapping
    )
    playbooks: Mapping[str, Playbook] = attrs.field(
        default=DEFAULT_PLAYBOOKS, converter=_frozen_mapping
    )
    requirements: tuple[Requirement, ...] = attrs.field(
        default=DEFAULT_REQUIREMENTS, converter=_as_tuple
    )
    service_levels: ServiceLevels = attrs.field(
        default=ServiceLevels(), validator=check_service_levels
    )
    description: str = ""
    clock_skew: timedelta = timedelta(seconds=5)

    def __attrs_post_init__(self) -> None:
        problems = policy_problems(self)
        if problems:
            raise InvalidPolicy(problems)

    # -- files ---------------------------------------------------------------

    @classmethod
    def from_toml(cls, text: str) -> Self:
        """Read a policy from TOML text (see docs/reference/policy-toml.md).

        Tables change only the keys they name, starting from ``extends`` (a
        preset's name, ``"default"`` when omitted); arrays replace. A file is
        data only: it names commands, stages and routes from fixed tables and
        never runs or imports anything. Read a file with :meth:`from_toml_file`.

        >>> policy = RecoveryPolicy.from_toml('''
        ... name = "acme"
        ... extends = "last"
        ... follow_up_attempts = 4
        ... [authority]
        ... agent = "75 EUR"
        ... ''')
        >>> policy.name, policy.follow_up_attempts, str(policy.authority[Role.AGENT])
        ('acme', 4, '75 EUR')

        Args:
            text: the TOML text.

        Returns:
            The policy, of the class this is called on.

        Raises:
            InvalidPolicy: listing every problem with its path
                (``authority.agent: expected an amount like "50 EUR", got "lots"``).
            InvalidValue: *text* is not a ``str``.
        """
        return load_policy(cls, require_text(text))

    @classmethod
    def from_toml_file(cls, path: str | PathLike[str]) -> Self:
        """Read a policy from the UTF-8 TOML file at *path*, as :meth:`from_toml` reads text.

        >>> import pathlib, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     file = pathlib.Path(folder, "acme.toml")
        ...     _ = file.write_text('name = "acme"', encoding="utf-8")
        ...     RecoveryPolicy.from_toml_file(file).name
        'acme'

        Args:
            path: the file, as a path object or a string.

        Returns:
            The policy, of the class this is called on.

        Raises:
            InvalidPolicy: the file cannot be read or is not UTF-8 text, or the
                policy in it has problems (each listed with its path).
            InvalidValue: *path* is not a ``str`` or path object.
        """
        return load_policy(cls, read_file(path), str(path))

    def to_toml(self) -> str:
        """Write the policy as a complete TOML file that :meth:`from_toml` reads back equal.

        >>> RecoveryPolicy.from_toml(RecoveryPolicy(name="acme").to_toml()).name
        'acme'

        Raises:
            InvalidValue: called on something that is not a policy
                (``RecoveryPolicy.to_toml(42)``).
        """
        if not isinstance(self, RecoveryPolicy):
            raise InvalidValue(
                f"policy: expected a RecoveryPolicy, got {type(self).__name__}", field="policy"
            )
        return dump_policy(self)

    # -- override points -----------------------------------------------------
    # Each answer is checked where the library uses it (``_practice``): a wrong kind of
    # value raises InvalidPolicy naming the method, before anything changes.

    def authority_for(self, actor: Actor) -> Money:
        """The compensation *actor* may grant alone. Override for per-person limits.

        Must return a :class:`Money`.
        """
        return self.authority[actor.role]

    def follow_up_attempts_for(self, case: Case) -> int:
        """Unanswered follow-ups needed before *case* may close without an answer.

        Must return an ``int`` (not a ``bool``); values under 2 are raised to 2
        by the workflow.
        """
        return self.follow_up_attempts

    def reopen_window_for(self, case: Case) -> timedelta:
        """How long after closing *case* may be reopened; must return a ``timedelta`` >= 0."""
        return self.reopen_window

    def first_response_target(self, case: Case) -> timedelta:
        """How soon *case* must get its first answer; override for, say, VIP customers.

        Must return a ``timedelta`` > 0. Defaults to the service levels' target
        for the case's channel.
        """
        return self.service_levels.first_response_for(case.channel)

    def playbook_for(self, case: Case) -> Playbook | None:
        """The playbook for *case*'s root cause; ``None`` while no cause is identified.

        Must return a :class:`Playbook` or ``None``.
        """
        if case.cause is None:
            return None
        return self.playbooks.get(case.cause.category) or self.playbooks.get(FALLBACK_PLAYBOOK)

    def requirements_for(self, case: Case) -> tuple[Requirement, ...]:
        """The required steps that apply to *case*: the policy's and its playbook's.

        Must return an iterable of :class:`Requirement` (a tuple, a list, a
        generator), not a bare string. Only the stages the policy's own
        requirements or playbooks name are guarded.
        """
        playbook = playbook_of(self, case)
        extra = playbook.requirements if playbook is not None else ()
        return tuple(r for r in (*self.requirements, *extra) if r.applies_to(case.severity))

    def suggested_compensation(self, case: Case) -> Compensation | None:
        """What the ladder offers *case* for the trouble; ``None`` when an apology is all.

        Must return a :class:`Compensation` or ``None``.

        >>> from service_recovery import presets
        >>> str(presets.DEFAULT.compensation[Severity.MAJOR].up_to)
        '100 EUR'
        """
        rung = self.compensation[case.severity]
        kind = rung.kinds[0]
        if kind is CompensationKind.APOLOGY_ONLY:
            return None
        return Compensation(kind, rung.up_to)

    def guards(self) -> Iterable[Guard]:
        """Extra guards of this policy, run after the contract guards.

        By default, one guard per stage that required steps protect. When
        overriding, ``yield from super().guards()`` to keep them. Must return
        an iterable of :class:`Guard`; it is read once, when a workflow is built,
        so a wrong answer is refused by ``Workflow(policy)``.
        """
        return tuple(requirement_guards(self))

    def extra_reasons(self, case: Case, command: Command) -> Iterable[str]:
        """More reasons to refuse *command* on *case*; override to add business rules.

        Must return an iterable of non-blank strings (yield them, or return a
        tuple or list); a bare string or ``None`` is refused, not read as
        reasons. Asked on every command: returning ``()`` costs least.

        >>> class NoRefundsOnSunday(RecoveryPolicy):
        ...     def extra_reasons(self, case, command):
        ...         if command.at.weekday() == 6:
        ...             yield "Refunds wait for Monday"
        """
        return ()


# -- checking a policy -----------------------------------------------------------


def policy_problems(policy: RecoveryPolicy) -> list[str]:
    """Every problem with *policy*'s rules, each starting with its path."""
    problems: list[str] = []
    if not isinstance(policy.name, str) or not policy.name.strip():
        problems.append(f"name: expected a non-blank string, got {policy.name!r}")
    if not isinstance(policy.description, str):
        problems.append(f"description: expected a string, got {policy.description!r}")
    graph_ok = isinstance(policy.graph, StageGraph)
    if not graph_ok:
        problems.append(f"graph: expected a StageGraph, got {type(policy.graph).__name__}")
    attempts = policy.follow_up_attempts
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 2:
        problems.append(
            f"follow_up_attempts: expected a whole number >= {MIN_FOLLOW_UP_ATTEMPTS} "
            f"(one unanswered call is never enough), got {attempts!r}"
        )
    interval = policy.follow_up_interval
    if not isinstance(interval, timedelta) or interval < timedelta(0):
        problems.append(f"follow_up_interval: expected a timedelta >= 0, got {interval!r}")
    window = policy.reopen_window
    if not isinstance(window, timedelta) or window < timedelta(0):
        problems.append(f"reopen_window: expected a timedelta >= 0, got {window!r}")
    skew = policy.clock_skew
    if not isinstance(skew, timedelta) or not timedelta(0) <= skew <= MAX_CLOCK_SKEW:
        problems.append(
            f"clock_skew: expected a timedelta from 0 to {MAX_CLOCK_SKEW}, got {skew!r}"
        )
    problems += _ranked(
        "authority",
        value=policy.authority,
        key_type=Role,
        value_type=Money,
        order=RANKED_ROLES,
        example='Money(50, "EUR")',
    )
    problems += _ranked(
        "compensation",
        value=policy.compensation,
        key_type=Severity,
        value_type=CompensationRung,
        order=tuple(Severity),
        example="CompensationRung",
    )
    problems += _system_authority(policy.authority)
    problems += _playbook_problems(policy.playbooks)
    requirements = policy.requirements
    if not isinstance(requirements, tuple):
        problems.append(f"requirements: expected a list of Requirement, got {requirements!r}")
    else:
        problems += [
            f"requirements[{n}]: expected a Requirement, got {item!r}"
            for n, item in enumerate(requirements)
            if not isinstance(item, Requirement)
        ]
    if graph_ok:  # what the graph can never satisfy is worth knowing alongside the rest
        problems += requirement_problems(policy)
    return problems


def _system_authority(authority: object) -> list[str]:
    """The system grants least: no more than an agent, in the same currency."""
    if not isinstance(authority, Mapping):
        return []
    system, agent = authority.get(Role.SYSTEM), authority.get(Role.AGENT)
    if not isinstance(system, Money) or not isinstance(agent, Money):
        return []  # reported as missing or mistyped already
    if system.currency != agent.currency:
        return [
            f"authority.system: {system} is in another currency than agent's {agent}; "
            "use one currency"
        ]
    if system.amount > agent.amount:
        return [
            f"authority.system: {system} is more than agent's {agent}; the system never "
            "grants more than an agent"
        ]
    return []


def _ranked(
    where: str,
    *,
    value: object,
    key_type: type[enum.Enum],
    value_type: type,
    order: tuple[Any, ...],
    example: str,
) -> list[str]:
    """Check a mapping covering every *key_type*, whose amounts never fall along *order*."""
    if not isinstance(value, Mapping):
        return [f"{where}: expected a mapping of {key_type.__name__} to {value_type.__name__}"]
    problems = []
    for key, item in value.items():
        name = key.value if isinstance(key, key_type) else repr(key)
        if not isinstance(key, key_type):
            problems.append(f"{where}: {name} is not a {key_type.__name__}")
        elif not isinstance(item, value_type):
            problems.append(f"{where}.{name}: expected an amount like {example}, got {item!r}")
    problems += [f"{where}.{key.value}: missing" for key in key_type if key not in value]
    if problems:
        return problems
    amounts = [(key, _amount(value[key])) for key in order]
    for (lower, low), (higher, high) in itertools.pairwise(amounts):
        if low.currency != high.currency:
            problems.append(
                f"{where}.{higher.value}: {high} is in another currency than "
                f"{lower.value}'s {low}; use one currency"
            )
        elif high.amount < low.amount:
            problems.append(
                f"{where}.{higher.value}: {high} is less than {lower.value}'s {low}; "
                "it must not fall as you go up"
            )
    return problems


def _amount(value: object) -> Money:
    return value.up_to if isinstance(value, CompensationRung) else value  # type: ignore[return-value]


def _playbook_problems(playbooks: object) -> list[str]:
    if not isinstance(playbooks, Mapping):
        return [f"playbooks: expected a mapping of cause category to Playbook, got {playbooks!r}"]
    problems = []
    for name, playbook in playbooks.items():
        if not isinstance(name, str) or not name.strip():
            problems.append(f"playbooks: {name!r} is not a cause category (a non-blank string)")
        elif not isinstance(playbook, Playbook):
            problems.append(f"playbooks.{name}: expected a Playbook, got {playbook!r}")
    return problems
