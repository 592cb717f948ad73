"""Prove what a workflow guarantees by exploring every state a case can reach.

A state is a case's stage together with the facts its guards read (venting
finished? follow-up done? an escalation pending? ...). Commands are tried with
a small finite set of payloads per command type, chosen so every guard's
answer can differ (a follow-up of each outcome, a summary confirmed or not,
compensation within or above authority, approval by someone qualified or
not). The exploration is breadth first, so a counterexample is the shortest
command path that breaks a property.

The facts are read from the case's own fields, generically: a new fact, a new
command or a new guard is explored with no change here, and a command whose
payload matters needs at most one entry in :data:`PAYLOADS`.
"""

from __future__ import annotations

import enum
import itertools
import operator
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from .._errors import InvalidValue, RecoveryError
from .._model._case import Case, Facts, changes_of, fold, grow
from .._model._commands import (
    AcceptSolution,
    Approve,
    Command,
    CompleteAction,
    Escalate,
    FollowUp,
    IdentifyCause,
    Open,
    ProposeSolution,
    Reopen,
    Reschedule,
    Withdraw,
)
from .._model._events import Event
from .._model._stages import Stage
from .._model._values import (
    Action,
    Actor,
    Channel,
    Compensation,
    CompensationKind,
    Customer,
    FollowUpOutcome,
    Money,
    Role,
    Severity,
    WithdrawalReason,
)
from .._rulebook._defaults import FALLBACK_PLAYBOOK
from .._rulebook._guard_types import MIN_FOLLOW_UP_ATTEMPTS
from .._rulebook._policy import RecoveryPolicy
from .._rulebook._practice import authority_of, reopen_window_of, required_follow_ups
from .._rulebook._structure import field_types, init_fields
from ._judge import Judge, Judged, judge_of

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TICK = timedelta(minutes=1)
AGENT = Actor("agent-1", Role.AGENT)
PEER = Actor("agent-2", Role.AGENT)
SUPERVISOR = Actor("supervisor-1", Role.SUPERVISOR)
MANAGER = Actor("manager-1", Role.MANAGER)


@attrs.frozen
class Property:
    """Something that must hold in every reachable state of a case.

    >>> from service_recovery import Stage
    >>> cause_known = Property(
    ...     "closed only with a known cause",
    ...     lambda case: case.stage is not Stage.CLOSED or case.cause is not None)
    """

    name: str
    holds: Callable[[Case], bool] = attrs.field(eq=False)


@attrs.frozen
class Move:
    """One accepted command on the way to a counterexample."""

    label: str
    command: Command
    stage: Stage

    def __str__(self) -> str:
        return f"{self.label} -> {self.stage.value}"


@attrs.frozen
class Counterexample:
    """The shortest command path from opening a case to a state that breaks *property*.

    Attributes:
        property: the name of the broken property.
        severity: the severity the case was opened with.
        moves: the accepted commands, in order.
        case: the case they lead to.
    """

    property: str
    severity: Severity
    moves: tuple[Move, ...]
    case: Case = attrs.field(eq=False, repr=False)

    def __str__(self) -> str:
        steps = [f"  {n}. {move}" for n, move in enumerate(self.moves, 1)]
        steps = steps or ["  (no command: the case as it opens)"]
        return "\n".join(
            [f"{self.property}: broken after opening a {self.severity.value} case and", *steps]
        )


@attrs.frozen
class PropertyResult:
    """Whether one property held, with its counterexample when it did not."""

    name: str
    counterexample: Counterexample | None = None

    @property
    def holds(self) -> bool:
        """True when no reachable state breaks the property."""
        return self.counterexample is None


@attrs.frozen
class VerificationReport:
    """What :func:`verify` found.

    Attributes:
        policy: the name of the workflow's policy.
        states: how many distinct states were reached.
        transitions: how many accepted moves link them.
        results: one result per property, the built-in ones first.
        exhaustive: false when the exploration stopped at ``max_states``.
    """

    policy: str
    states: int
    transitions: int
    results: tuple[PropertyResult, ...]
    exhaustive: bool = True

    @property
    def ok(self) -> bool:
        """Every property holds, over the whole reachable graph."""
        return self.exhaustive and all(result.holds for result in self.results)

    @property
    def counterexample(self) -> Counterexample | None:
        """The first broken property's counterexample, if any."""
        return next((r.counterexample for r in self.results if r.counterexample), None)

    def __str__(self) -> str:
        scope = "every reachable state" if self.exhaustive else "stopped early: not exhaustive"
        lines = [f"{self.policy}: {self.states} states, {self.transitions} transitions ({scope})"]
        for result in self.results:
            lines.append(f"  {'ok    ' if result.holds else 'BROKEN'} {result.name}")
            if result.counterexample is not None:
                lines += ["    " + line for line in str(result.counterexample).splitlines()[1:]]
        return "\n".join(lines)


# -- payloads: a small finite set per command type ------------------------------------


@attrs.frozen
class Scene:
    """What payload builders know: the case, the next moment, the policy's amounts."""

    case: Case
    at: datetime
    policy: RecoveryPolicy
    categories: tuple[str, ...]

    @property
    def within(self) -> Money:
        """The most an agent may grant alone."""
        return authority_of(self.policy, AGENT)

    @property
    def above(self) -> Money:
        """Just above the agent's authority."""
        limit = self.within
        return Money(limit.amount + 1, limit.currency)


Variants = Iterable[tuple[str, Command]]
PayloadBuilder = Callable[[Scene, Any], Variants]
"""Builds the variants of a command type (the second argument: the type, or a subclass)."""


def _proposals(scene: Scene, kind: type[ProposeSolution]) -> Variants:
    at = scene.at
    # Due far beyond any explored path: deadlines are time, not stage x facts (see verify).
    due = at + timedelta(days=3650)
    two = (Action("Put it right", due=due), Action("Confirm", due=due))
    one = two[:1]
    for label, actions, amount in (
        ("without compensation", one, None),
        ("with compensation within authority", two, scene.within),
        ("with compensation above authority", one, scene.above),
    ):
        compensation = None if amount is None else Compensation(CompensationKind.CREDIT, amount)
        yield (
            f"{kind.__name__}({label})",
            kind(by=AGENT, at=at, plan="plan", actions=actions, compensation=compensation),
        )


def _escalations(scene: Scene, kind: type[Escalate]) -> Variants:
    yield f"{kind.__name__}(for advice)", kind(by=AGENT, at=scene.at, reason="advice")
    yield (
        f"{kind.__name__}(for compensation above authority)",
        kind(by=AGENT, at=scene.at, reason="goodwill", amount=scene.above),
    )


def _approvals(scene: Scene, kind: type[Approve]) -> Variants:
    for label, actor in (
        ("by a supervisor", SUPERVISOR),
        ("by a manager", MANAGER),
        ("by a fellow agent", PEER),
        ("by the agent who escalated", AGENT),
    ):
        yield f"{kind.__name__}({label})", kind(by=actor, at=scene.at)


def _completions(scene: Scene, kind: type[CompleteAction]) -> Variants:
    plan = scene.case.plan
    for index in range(len(plan.actions)) if plan is not None else (0,):
        yield f"{kind.__name__}(#{index})", kind(by=AGENT, at=scene.at, index=index)


def _reschedules(scene: Scene, kind: type[Reschedule]) -> Variants:
    plan = scene.case.plan
    # Further off than any explored path, as the proposals' dates are.
    due = scene.at + timedelta(days=7300)
    for index in range(len(plan.actions)) if plan is not None else (0,):
        yield (
            f"{kind.__name__}(#{index})",
            kind(by=AGENT, at=scene.at, index=index, due=due, reason="a new date"),
        )


def _withdrawals(scene: Scene, kind: type[Withdraw]) -> Variants:
    for reason in WithdrawalReason:
        other = "another case" if reason.needs_other_case else None
        yield (
            f"{kind.__name__}({reason.value})",
            kind(by=AGENT, at=scene.at, reason=reason, duplicate_of=other),
        )


def _causes(scene: Scene, kind: type[IdentifyCause]) -> Variants:
    for category in scene.categories:
        yield f"{kind.__name__}({category})", kind(by=AGENT, at=scene.at, category=category)


def _reopens(scene: Scene, kind: type[Reopen]) -> Variants:
    closed = scene.case.closed_at or scene.at
    window = reopen_window_of(scene.policy, scene.case)
    within = max(closed + window, scene.at) if window >= TICK else scene.at
    yield f"{kind.__name__}(within the window)", kind(by=AGENT, at=within, reason="again")
    yield (
        f"{kind.__name__}(after the window)",
        kind(by=AGENT, at=closed + window + timedelta(days=1), reason="again"),
    )


def _follow_ups(scene: Scene, kind: type[FollowUp]) -> Variants:
    """A follow-up of each outcome; an unanswered one no sooner than the policy allows again.

    Attempts are spaced by the policy's ``follow_up_interval``: one dated a tick
    after the last would be refused, and the close after every attempt went
    unanswered would never be explored.
    """
    case = scene.case
    retry = scene.at
    if case.follow_up_attempts:
        last = next(c.at for c in reversed(case.history.commands) if isinstance(c, FollowUp))
        retry = max(retry, last + scene.policy.follow_up_interval)
    for label, built in _generic_follow_up(kind)(scene, kind):
        unanswered = isinstance(built, FollowUp) and built.outcome is FollowUpOutcome.NO_ANSWER
        yield label, attrs.evolve(built, at=retry) if unanswered else built


def _generic_follow_up(kind: type[FollowUp]) -> PayloadBuilder:
    found = _GENERIC_FOLLOW_UPS.get(kind)
    if found is None:
        found = _GENERIC_FOLLOW_UPS[kind] = _generic(kind)
    return found


_GENERIC_FOLLOW_UPS: dict[type[Command], PayloadBuilder] = {}
"""The field-type builder of each follow-up type, worked out once: scenes are many."""


_READ_ONLY_THE_TIME = frozenset({_proposals, _escalations, _approvals, _causes, _withdrawals})
"""The builders whose commands depend on the scene's moment alone, not on its case."""

PAYLOADS: dict[type[Command], PayloadBuilder] = {
    ProposeSolution: _proposals,
    Escalate: _escalations,
    Approve: _approvals,
    CompleteAction: _completions,
    Reschedule: _reschedules,
    Withdraw: _withdrawals,
    IdentifyCause: _causes,
    Reopen: _reopens,
    FollowUp: _follow_ups,
}
"""Payload builders for the commands whose details change what guards say; a
subclass is built by its base's entry unless it adds a field that must be given.
Every other command is tried with each value of its enum and bool fields (a
follow-up of each outcome, a summary confirmed or not) and plain text elsewhere."""


def _generic(kind: type[Command]) -> PayloadBuilder:
    """Build *kind* from its field types: every enum member and bool, one of the rest.

    Labels name the fields that vary, except text left at its default.
    """
    hints = field_types(kind)
    choices: list[tuple[str, tuple[Any, ...]]] = []
    quiet: dict[str, Any] = {}
    for field in init_fields(kind):
        if field.name in ("by", "at", "id"):
            continue
        options = _options(hints[field.name], field)
        if options is None:
            return lambda scene, built: ()
        choices.append((field.name, options))
        if hints[field.name] is str and field.default is not attrs.NOTHING:
            quiet[field.name] = field.default

    def build(scene: Scene, built: type[Command]) -> Variants:
        for combination in itertools.product(*(options for _, options in choices)):
            values = {
                name: scene.at if value is _AT else value
                for (name, _), value in zip(choices, combination, strict=True)
            }
            shown = ", ".join(
                f"{name}={_shown(value)}"
                for (name, options), value in zip(choices, combination, strict=True)
                if len(options) > 1 and not (name in quiet and quiet[name] == value)
            )
            try:
                command = kind(by=AGENT, at=scene.at, **values)  # type: ignore[arg-type]
            except RecoveryError:
                continue
            yield f"{kind.__name__}({shown})" if shown else kind.__name__, command

    return build


_AT = object()


def _options(kind: Any, field: attrs.Attribute[Any]) -> tuple[Any, ...] | None:
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return tuple(kind)
    if kind is bool:
        return (True, False)
    if field.default is not attrs.NOTHING:
        # Text may matter to a rule (a close note, say): try it left out and written.
        if kind is str and field.default != "noted":
            return (field.default, "noted")
        return (field.default,)
    simple: dict[Any, Any] = {str: "noted", int: 0, Decimal: Decimal(0), datetime: _AT}
    return (simple[kind],) if kind in simple else None


def _shown(value: object) -> str:
    return str(value.value) if isinstance(value, enum.Enum) else repr(value)


# -- the abstraction of a case ----------------------------------------------------------

_SET = "set"


def _abstract(value: object, cap: int) -> Any:
    """What guards can tell apart: times are only there or not, counters stop at *cap*.

    An enum member stands as its type and value, equal exactly when the members
    are, because hashing a member runs Python code and keys are hashed often.
    """
    if isinstance(value, enum.Enum):
        return (type(value), value._value_)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return min(value, cap)
    if isinstance(value, datetime):
        return _SET
    if isinstance(value, tuple):
        return tuple(_abstract(item, cap) for item in value)
    if isinstance(value, frozenset):
        return frozenset(_abstract(item, cap) for item in value)
    if isinstance(value, Mapping):
        return tuple(sorted((repr(k), _abstract(v, cap)) for k, v in value.items()))
    names = _compared_fields(type(value))
    if names is not None:
        return (type(value).__name__, *(_abstract(getattr(value, name), cap) for name in names))
    return value


_COMPARED: dict[type, tuple[str, ...] | None] = {}


def _compared_fields(kind: type) -> tuple[str, ...] | None:
    """The fields of an attrs value that guards may read: all but when and the id."""
    try:
        return _COMPARED[kind]
    except KeyError:
        names = (
            tuple(f.name for f in init_fields(kind) if f.name not in ("at", "id"))
            if attrs.has(kind)
            else None
        )
        _COMPARED[kind] = names
        return names


_CASE_FIELDS = tuple(field.name for field in init_fields(Case) if field.name != "history")
_read_facts = operator.attrgetter(*_CASE_FIELDS)


class _Abstraction:
    """The abstract key of a case, remembering the abstraction of each fact value.

    Successive cases share most fact values (the same plan, the same cause, the
    same flags), so each value is abstracted once and a key is a lookup per
    field by the value's identity; the memo keeps each value alive so its id
    stays its own.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.abstracted: dict[int, Any] = {}
        self.kept: list[object] = []

    def key(self, case: Case) -> tuple[Any, ...]:
        values = _read_facts(case)
        try:
            return tuple(map(self.abstracted.__getitem__, map(id, values)))
        except KeyError:
            for value in values:
                self._of(value)
            return tuple(map(self.abstracted.__getitem__, map(id, values)))

    def key_after(self, key: tuple[Any, ...], changes: Facts) -> tuple[Any, ...]:
        """The key of the case whose key is *key* once *changes* are folded in.

        Equal to :meth:`key` of the case :func:`grow` builds, without building it:
        most moves lead to a state already known, whose case is never needed.
        """
        following = list(key)
        abstracted = self.abstracted
        for name, value in changes.items():
            found = abstracted.get(id(value), _UNSEEN)
            following[_FACT_POSITION[name]] = self._of(value) if found is _UNSEEN else found
        return tuple(following)

    def _of(self, value: object) -> Any:
        """The abstraction of *value*, remembered by its identity."""
        found = self.abstracted.get(id(value), _UNSEEN)
        if found is _UNSEEN:
            found = self.abstracted[id(value)] = _abstract(value, self.cap)
            self.kept.append(value)
        return found


_UNSEEN = object()
_FACT_POSITION = {name: position for position, name in enumerate(_CASE_FIELDS)}


# -- the exploration --------------------------------------------------------------------


def _builtin_properties(policy: RecoveryPolicy) -> tuple[Property, ...]:
    def followed_up(case: Case) -> bool:
        needed = required_follow_ups(policy, case)
        return (
            case.stage is not Stage.CLOSED or case.followed_up or case.follow_up_attempts >= needed
        )

    return (
        Property(
            "no solution proposed before venting is finished",
            lambda case: case.stage is not Stage.SOLUTION_PROPOSED or case.venting_finished,
        ),
        Property("never closed without a follow-up", followed_up),
        Property(
            "withdrawn never after an accepted solution",
            lambda case: case.stage is not Stage.WITHDRAWN or not _accepted_before(case),
        ),
    )


def _accepted_before(case: Case) -> bool:
    """Whether *case*'s history accepted a solution (read from the events, not the facts)."""
    return any(map(isinstance, case.history.commands, itertools.repeat(AcceptSolution)))


NO_STUCK_CASE = "closed is reachable from every reachable state but withdrawn (no stuck case)"


def verify(
    workflow: Judged,
    properties: Iterable[Property | Callable[[Case], bool]] = (),
    *,
    severities: Iterable[Severity] = tuple(Severity),
    channels: Iterable[Channel] = (Channel.EMAIL,),
    max_states: int = 250_000,
) -> VerificationReport:
    """Explore every state a case can reach under *workflow* and check properties in each.

    Proves that a solution is never proposed before venting is finished, that
    a case is never closed without a follow-up, that a case is never withdrawn
    after a solution was accepted, and that ``closed`` stays reachable from
    every reachable state but the terminal ``withdrawn`` (withdrawing is no
    way out of a stuck case), plus each of *properties*. Each
    move is decided by the workflow's :attr:`~Workflow.judge`, the very
    procedure :meth:`Workflow.apply` asks, so guards and policy rules run
    exactly as ``apply`` runs them; host hooks do not run (they are side
    effects, not rules).

    >>> import service_recovery as sr
    >>> report = sr.verify(sr.Workflow(sr.presets.LAST))
    >>> report.ok, report.counterexample
    (True, None)

    Args:
        workflow: the workflow to check.
        properties: more invariants, as :class:`Property` or plain callables
            ``case -> bool`` (named by their ``__name__``).
        severities: the severities cases are opened with.
        channels: the channels cases come in through.
        max_states: stop (and say the result is not exhaustive) past this many.

    Returns:
        A :class:`VerificationReport`; ``report.counterexample`` is the
        shortest command path that breaks the first broken property.

    Raises:
        InvalidValue: *workflow* is not a workflow, or a property is not one.
    """
    judge = judge_of(workflow)
    builtin = _builtin_properties(judge.policy)
    checks = (*builtin, *(_as_property(p) for p in properties))
    explorer = _Explorer(judge, max_states)
    explorer.run([(severity, channel) for severity in severities for channel in channels], checks)
    results = [PropertyResult(check.name, explorer.broken.get(check.name)) for check in checks]
    results.insert(len(builtin), PropertyResult(NO_STUCK_CASE, explorer.stuck()))
    return VerificationReport(
        judge.policy.name,
        len(explorer.cases),
        explorer.transitions,
        tuple(results),
        explorer.exhaustive,
    )


def _as_property(value: object) -> Property:
    if isinstance(value, Property):
        return value
    if callable(value):
        return Property(getattr(value, "__name__", repr(value)), value)
    raise InvalidValue(f"properties: expected a Property or a callable, got {value!r}")


class _Explorer:
    """Breadth-first search over abstract states, keeping one concrete case per state."""

    def __init__(self, judge: Judge, max_states: int) -> None:
        self.judge = judge
        self.max_states = max_states
        policy = judge.policy
        self.abstraction = _Abstraction(max(policy.follow_up_attempts, MIN_FOLLOW_UP_ATTEMPTS) + 1)
        self.categories = _categories(policy.playbooks)
        self.builders: dict[type[Command], tuple[PayloadBuilder, bool]] = {}
        self.made: dict[tuple[type[Command], datetime], tuple[tuple[str, Command], ...]] = {}
        self.queue: deque[int] = deque()
        self.checks: tuple[Property, ...] = ()
        self.cases: list[Case] = []
        self.keys: list[tuple[Any, ...]] = []
        self.index: dict[tuple[Any, ...], int] = {}
        self.parent: list[tuple[int, Move] | None] = []
        self.origin: list[Severity] = []
        self.successors: list[list[int]] = []
        self.transitions = 0
        self.exhaustive = True
        self.broken: dict[str, Counterexample] = {}

    def run(self, openings: list[tuple[Severity, Channel]], checks: tuple[Property, ...]) -> None:
        self.checks = checks
        queue = self.queue
        opened_cases = [self._open(severity, channel) for severity, channel in openings]
        # Counters are told apart up to one past the most follow-ups any case needs.
        needed = max(
            (required_follow_ups(self.judge.policy, case) for case in opened_cases),
            default=0,
        )
        self.abstraction = _Abstraction(max(needed, MIN_FOLLOW_UP_ATTEMPTS) + 1)
        key_of, key_after = self.abstraction.key, self.abstraction.key_after
        destination = self.judge.destination
        for case in opened_cases:
            key = key_of(case)
            if key not in self.index:
                self._add(case, key, None, case.severity)
        while queue:
            number = queue.popleft()
            case, key = self.cases[number], self.keys[number]
            successors = self.successors[number]
            for label, command in self._commands(case):
                dest = destination(case, command)
                if dest is None:
                    continue
                self.transitions += 1
                changes = changes_of(case, command, dest)
                following_key = key_after(key, changes)
                target = self.index.get(following_key)
                if target is None:
                    if len(self.cases) >= self.max_states:
                        self.exhaustive = False
                        continue
                    following = grow(case, changes, command, dest)
                    move = Move(label, command, dest)
                    target = self._add(
                        following, following_key, (number, move), self.origin[number]
                    )
                successors.append(target)

    def _open(self, severity: Severity, channel: Channel) -> Case:
        opened = Open(
            by=AGENT,
            at=START,
            case_id="verify",
            customer=Customer("customer"),
            channel=channel,
            severity=severity,
            summary="a complaint",
        )
        return fold((Event(opened, self.judge.engine.graph.initial),))

    def _add(
        self,
        case: Case,
        key: tuple[Any, ...],
        parent: tuple[int, Move] | None,
        severity: Severity,
    ) -> int:
        number = len(self.cases)
        self.index[key] = number
        self.cases.append(case)
        self.keys.append(key)
        self.parent.append(parent)
        self.origin.append(severity)
        self.successors.append([])
        self.queue.append(number)
        for check in self.checks:
            if check.name not in self.broken and not check.holds(case):
                self.broken[check.name] = self._counterexample(check.name, number)
        return number

    def _commands(self, case: Case) -> Iterator[tuple[str, Command]]:
        scene = Scene(case, case.last_at + TICK, self.judge.policy, self.categories)
        # allowed() runs the guards that need no command: any type it leaves out
        # would be refused whatever its payload, so its variants need no trying.
        for kind in self.judge.allowed(case):
            known = self.builders.get(kind)
            if known is None:
                known = self.builders[kind] = _builder_of(kind)
            builder, timed = known
            if not timed:
                yield from builder(scene, kind)
                continue
            # Cases at the same moment get the very same commands: built once, and
            # each abstracted once by the state keys.
            variants = self.made.get((kind, scene.at))
            if variants is None:
                variants = self.made[kind, scene.at] = tuple(builder(scene, kind))
            yield from variants

    def _counterexample(self, name: str, number: int) -> Counterexample:
        moves: list[Move] = []
        step = self.parent[number]
        while step is not None:
            previous, move = step
            moves.append(move)
            step = self.parent[previous]
        return Counterexample(name, self.origin[number], tuple(reversed(moves)), self.cases[number])

    def stuck(self) -> Counterexample | None:
        """The shortest path to a state, not withdrawn, from which ``closed`` cannot be reached."""
        if not self.exhaustive:
            return None
        predecessors: list[list[int]] = [[] for _ in self.cases]
        for source, targets in enumerate(self.successors):
            for target in targets:
                predecessors[target].append(source)
        can_close = [case.stage is Stage.CLOSED for case in self.cases]
        todo = deque(number for number, ok in enumerate(can_close) if ok)
        while todo:
            for source in predecessors[todo.popleft()]:
                if not can_close[source]:
                    can_close[source] = True
                    todo.append(source)
        # A withdrawn case has ended where it is; withdrawing is no way out for any other.
        first = next(
            (n for n, ok in enumerate(can_close) if not ok and not self.cases[n].stage.terminal),
            None,
        )
        return None if first is None else self._counterexample(NO_STUCK_CASE, first)


def _builder_of(kind: type[Command]) -> tuple[PayloadBuilder, bool]:
    """How to build *kind*'s variants, and whether they depend on the moment alone.

    A subclass is built like the nearest base with a payload entry, unless it
    needs a field that base does not have; then it is built by its field types.
    """
    base = next((base for base in kind.__mro__ if base in PAYLOADS), None)
    if base is None or _required(kind) - _required(base):
        return _generic(kind), True
    builder = PAYLOADS[base]
    return builder, builder in _READ_ONLY_THE_TIME


def _required(kind: type) -> set[str]:
    """The fields *kind* cannot be built without."""
    return {field.name for field in init_fields(kind) if field.default is attrs.NOTHING}


def _categories(playbooks: Mapping[str, Any]) -> tuple[str, ...]:
    """One cause category per distinct set of playbook requirements (what guards read).

    Plus one category with no playbook of its own, unless a fallback playbook serves it.
    """
    seen: dict[Any, str] = {}
    for name, playbook in playbooks.items():
        seen.setdefault(playbook.requirements, name)
    unknown = "an unlisted cause"
    fallback = () if FALLBACK_PLAYBOOK in playbooks else (unknown,)
    return (*seen.values(), *fallback)
