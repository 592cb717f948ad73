"""The rule values a policy is made of: required steps, remedies, playbooks, the ladder.

They are plain frozen values, so a policy can be written in a file, compared,
evolved and shown; the behaviour they imply (a guard per required step, the
suggestions an agent sees) is derived from them by the policy and the workflow.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import InvalidPolicy
from .._model._case import Case
from .._model._commands import Apologize, Command, IdentifyCause, RecordPrevention, Thank
from .._model._stages import Stage
from .._model._values import CompensationKind, Money, Severity

if TYPE_CHECKING:
    from ._policy import RecoveryPolicy


class Step(enum.Enum):
    """An optional step of the practice that a policy can make required.

    >>> Step.THANK.command.__name__
    'Thank'
    """

    APOLOGIZE = "apologize"
    IDENTIFY_CAUSE = "identify_cause"
    THANK = "thank"
    RECORD_PREVENTION = "record_prevention"

    @property
    def command(self) -> type[Command]:
        """The command that performs the step."""
        return _STEP_COMMANDS[self]

    def done(self, case: Case) -> bool:
        """Whether *case* has taken the step (in its current conversation, for those reset)."""
        return _STEP_DONE[self](case)

    @property
    def why(self) -> str:
        """What the step asks of the agent, as a refusal says it."""
        return _STEP_WHY[self]


_STEP_COMMANDS: dict[Step, type[Command]] = {
    Step.APOLOGIZE: Apologize,
    Step.IDENTIFY_CAUSE: IdentifyCause,
    Step.THANK: Thank,
    Step.RECORD_PREVENTION: RecordPrevention,
}
_STEP_DONE: dict[Step, Callable[[Case], bool]] = {
    Step.APOLOGIZE: lambda case: case.apologized,
    Step.IDENTIFY_CAUSE: lambda case: case.cause is not None,
    Step.THANK: lambda case: case.thanked,
    Step.RECORD_PREVENTION: lambda case: case.prevention_note is not None,
}
_STEP_WHY: dict[Step, str] = {
    Step.APOLOGIZE: "apologise and take ownership",
    Step.IDENTIFY_CAUSE: "identify the root cause",
    Step.THANK: "thank the customer for raising it",
    Step.RECORD_PREVENTION: "record what will change so it does not happen again",
}

ALL_SEVERITIES: tuple[Severity, ...] = tuple(Severity)


def _expect(kind: type | tuple[type, ...], *, each: bool = False, blank: bool = True) -> Any:
    """Attrs validator: the value (or each item of it) is a *kind*; else InvalidPolicy."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = " or ".join(k.__name__ for k in kinds)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        items = value if each and isinstance(value, tuple) else (value,)
        if each and not isinstance(value, tuple):
            raise InvalidPolicy([f"{attribute.name}: expected a list, got {value!r}"])
        for position, item in enumerate(items):
            where = f"{attribute.name}[{position}]" if each else attribute.name
            if not isinstance(item, kinds) or isinstance(item, bool):
                raise InvalidPolicy([f"{where}: expected {names}, got {item!r}"])
            if not blank and isinstance(item, str) and not item.strip():
                raise InvalidPolicy([f"{where}: must not be blank"])

    return check


def _not_negative(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidPolicy([f"{attribute.name}: expected a duration >= 0, got {value!r}"])


def _severities(value: object) -> object:
    if isinstance(value, list | tuple | frozenset | set):
        return tuple(sorted(value, key=_severity_rank))
    return value


def _severity_rank(value: object) -> int:
    return ALL_SEVERITIES.index(value) if isinstance(value, Severity) else -1


@attrs.frozen
class Requirement:
    """A step that must be done before a case may enter a stage.

    >>> from service_recovery import Severity, Stage
    >>> note = Requirement(Step.RECORD_PREVENTION, Stage.CLOSED, (Severity.CRITICAL,))
    >>> note.applies_to(Severity.MAJOR), note.applies_to(Severity.CRITICAL)
    (False, True)

    Attributes:
        step: what must be done.
        before: the stage the case may not enter until it is.
        severities: the cases it applies to (every severity by default).
    """

    step: Step = attrs.field(validator=_expect(Step))
    before: Stage = attrs.field(validator=_expect(Stage))
    severities: tuple[Severity, ...] = attrs.field(
        default=ALL_SEVERITIES, converter=_severities, validator=_expect(Severity, each=True)
    )

    def applies_to(self, severity: Severity) -> bool:
        """Whether a case of *severity* must take the step."""
        return severity in self.severities

    def __str__(self) -> str:
        which = (
            ""
            if self.severities == ALL_SEVERITIES
            else " for " + "/".join(s.value for s in self.severities) + " cases"
        )
        return f"{self.step.value} before {self.before.value}{which}"


def _as_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen
class Remedy:
    """One thing a playbook suggests doing to put a kind of failure right.

    >>> from datetime import timedelta
    >>> Remedy("Refund the delivery charge", timedelta(days=5), Severity.MODERATE).offered_for(
    ...     Severity.MINOR)
    False

    Attributes:
        action: what to do, in words the customer can be told.
        due_in: how long it usually takes: the action's due date in a plan.
        from_severity: the least severe case it is offered for.
    """

    action: str = attrs.field(validator=_expect(str, blank=False))
    due_in: timedelta = attrs.field(validator=_not_negative)
    from_severity: Severity = attrs.field(default=Severity.MINOR, validator=_expect(Severity))

    def offered_for(self, severity: Severity) -> bool:
        """Whether the remedy fits a case of *severity*."""
        return _severity_rank(severity) >= _severity_rank(self.from_severity)


@attrs.frozen
class Playbook:
    """The procedure for one kind of bad experience (one root-cause category).

    >>> from datetime import timedelta
    >>> book = Playbook(remedies=[Remedy("Replace the item", timedelta(days=3))])
    >>> book.remedies[0].action
    'Replace the item'

    Attributes:
        remedies: what usually puts it right, offered by severity.
        requirements: steps this kind of failure adds before a stage.
        advice: a sentence for the agent on handling it.
    """

    remedies: tuple[Remedy, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_expect(Remedy, each=True)
    )
    requirements: tuple[Requirement, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_expect(Requirement, each=True)
    )
    advice: str = attrs.field(default="", validator=_expect(str))


@attrs.frozen
class CompensationRung:
    """What a case of one severity is usually offered for the trouble.

    >>> rung = CompensationRung([CompensationKind.CREDIT], Money(20, "EUR"))
    >>> rung.kinds, str(rung.up_to)
    ((<CompensationKind.CREDIT: 'credit'>,), '20 EUR')

    Attributes:
        kinds: the fitting kinds of compensation, the first one preferred.
        up_to: the most it is usually worth; above it is over-compensating.
    """

    kinds: tuple[CompensationKind, ...] = attrs.field(
        converter=_as_tuple, validator=_expect(CompensationKind, each=True)
    )
    up_to: Money = attrs.field(validator=_expect(Money))

    def __attrs_post_init__(self) -> None:
        if not self.kinds:
            raise InvalidPolicy(["kinds: name at least one kind of compensation"])


def requirement_problems(policy: RecoveryPolicy) -> list[str]:
    """Requirements the policy's graph can never satisfy, each with its path.

    Only well-formed requirements (and playbooks) are judged: the others are
    reported by the policy's own checks, alongside these.
    """
    problems: list[str] = []
    commands = {edge.command for edge in policy.graph.all_edges()}
    stages = set(policy.graph.stages)
    sources: list[tuple[str, object]] = [("requirements", policy.requirements)]
    playbooks = policy.playbooks
    if IdentifyCause in commands and isinstance(playbooks, Mapping):
        # without a diagnosis no playbook ever applies
        sources += [
            (f"playbooks.{name}.requirements", playbook.requirements)
            for name, playbook in playbooks.items()
            if isinstance(playbook, Playbook)
        ]
    for where, requirements in sources:
        if not isinstance(requirements, tuple):
            continue
        for position, requirement in enumerate(requirements):
            if not isinstance(requirement, Requirement):
                continue
            path = f"{where}[{position}]"
            if requirement.step.command not in commands:
                command = requirement.step.command.__name__
                problems.append(
                    f"{path}: step '{requirement.step.value}' needs {command}, "
                    "which the stage graph never offers"
                )
            if requirement.before not in stages:
                problems.append(
                    f"{path}: before '{requirement.before.value}', a stage the graph never uses"
                )
            if not requirement.severities:
                problems.append(f"{path}: severities is empty, so it never applies")
    return problems
