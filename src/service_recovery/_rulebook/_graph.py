"""The stage graph: which command moves a case from which stage to which.

A graph is data (a tuple of :class:`Edge`) checked when it is built: every
problem (unreachable stages, dead ends, no way to ``closed``) is collected
into one :class:`InvalidPolicy`, so a broken definition fails at start-up,
never when a case happens to hit it.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from .._errors import InvalidPolicy, InvalidValue
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
    RecordPrevention,
    ReflectBack,
    Reopen,
    Reschedule,
    Resume,
    SendUpdate,
    Thank,
    Withdraw,
)
from .._model._stages import Stage
from .._model._values import FollowUpOutcome


def _require_callable(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise InvalidValue(
            f"{attribute.name}: expected a callable (case, command) -> bool, got {value!r}",
            field=attribute.name,
        )


@attrs.frozen
class Route:
    """A named condition choosing between edges of the same command and source.

    Routes are not guards: they never refuse, they pick the destination
    (a satisfied follow-up goes one way, an unsatisfied one another).

    ``fields_only=True`` says the test reads nothing of the case but its fields
    (no method, no property, no ``isinstance``): loading a history then asks the
    route on the facts folded so far, without building a case for the event.

    >>> import service_recovery as sr
    >>> big = sr.Route("a big plan", lambda case, command: len(command.actions) > 3,
    ...     fields_only=True)
    >>> big.fields_only
    True
    """

    name: str
    test: Callable[[Case, Command], bool] = attrs.field(eq=False, validator=_require_callable)
    fields_only: bool = attrs.field(default=False, kw_only=True, eq=False)

    def __call__(self, case: Case, command: Command) -> bool:
        return self.test(case, command)


def outcome_is(outcome: FollowUpOutcome) -> Route:
    """Route a :class:`FollowUp` by its outcome."""

    def test(case: Case, command: Command) -> bool:
        return getattr(command, "outcome", None) is outcome

    return Route(f"outcome is {outcome.value}", test, fields_only=True)


def _completes_last_action(case: Case, command: Command) -> bool:
    return case.open_actions == {getattr(command, "index", None)}


LAST_OPEN_ACTION = Route("the last open action", _completes_last_action, fields_only=True)
ACTIONS_REMAIN = Route(
    "actions remain",
    lambda case, command: not _completes_last_action(case, command),
    fields_only=True,
)


@attrs.frozen
class Edge:
    """``command`` moves a case from ``source`` to ``dest`` (when ``route`` says so)."""

    command: type[Command]
    source: Stage
    dest: Stage
    route: Route | None = None


EVERY_OPEN_STAGE: tuple[type[Command], ...] = (
    Escalate,
    Approve,
    AwaitCustomer,
    AwaitThirdParty,
    Resume,
)
"""Commands every stage but ``closed`` and ``withdrawn`` accepts, staying where it is."""

EVERY_STAGE: tuple[type[Command], ...] = (RecordBreach,)
"""Commands every stage, ``closed`` included, accepts, staying where it is: a breach
noticed late is still recorded. ``withdrawn`` accepts nothing: no deadline runs there."""


def _edge_tuple(edges: Iterable[Edge]) -> tuple[Edge, ...]:
    if isinstance(edges, Edge) or not isinstance(edges, Iterable):
        raise InvalidPolicy([f"edges: expected a collection of Edge, got {type(edges).__name__}"])
    return tuple(edges)


@attrs.frozen
class StageGraph:
    """A checked set of edges, with the table the workflow looks moves up in.

    Escalate and Approve are added to every open stage as self-loops, so
    escalation works wherever the case stands; so are the waits
    (AwaitCustomer, AwaitThirdParty, Resume). RecordBreach loops on every
    stage, closed included. Withdraw leads to the terminal ``withdrawn`` from
    every stage a case reaches before a solution is accepted
    (:attr:`withdrawable`), so every graph can end a duplicate or spam
    complaint; ``withdrawn`` accepts nothing at all.

    Raises:
        InvalidPolicy: listing every problem with the graph at once.
    """

    edges: tuple[Edge, ...] = attrs.field(converter=_edge_tuple)
    initial: Stage = Stage.REPORTED
    # Derived from the edges once: the deadlines ask for every case they read.
    _awaiting: frozenset[Stage] = attrs.field(init=False, eq=False, repr=False)
    _withdrawable: frozenset[Stage] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = list(graph_problems(self.edges, self.initial))
        if problems:
            raise InvalidPolicy(problems)
        object.__setattr__(self, "_awaiting", _awaiting_follow_up(self.edges))
        object.__setattr__(self, "_withdrawable", _before_acceptance(self.edges, self.initial))

    @property
    def withdrawable(self) -> frozenset[Stage]:
        """The stages a case may be withdrawn from: those it reaches before accepting a solution.

        A guard refuses all the same once a solution was accepted earlier (a
        reopened case back at ``listening``, say).

        >>> from service_recovery import presets
        >>> Stage.RESOLVING in presets.DEFAULT.graph.withdrawable
        False
        >>> sorted(stage.value for stage in presets.HEARD.graph.withdrawable)
        ['apologized', 'listening', 'reported', 'solution_proposed', 'understood']
        """
        return self._withdrawable

    @property
    def awaiting_follow_up(self) -> frozenset[Stage]:
        """The stages where a resolved case waits to be followed up.

        ``resolved``, and every stage the case reaches from there by steps
        other than following up, closing or reopening, while a follow-up is
        still ahead: HEARD and LATTE identify the cause after resolving, and
        the follow-up is owed all the same.

        >>> from service_recovery import presets
        >>> sorted(stage.value for stage in presets.HEARD.graph.awaiting_follow_up)
        ['diagnosed', 'resolved']
        """
        return self._awaiting

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The stages this graph uses, in :class:`Stage` order."""
        used = {self.initial, Stage.WITHDRAWN}
        used |= {e.source for e in self.edges} | {e.dest for e in self.edges}
        return tuple(stage for stage in Stage if stage in used)

    def all_edges(self) -> Iterator[Edge]:
        """The edges as declared, then the self-loops of every (open) stage and the withdrawals."""
        yield from self.edges
        declared = {(edge.command, edge.source) for edge in self.edges}
        for stage in self.stages:
            if stage.terminal:
                continue
            loops = EVERY_STAGE if stage is Stage.CLOSED else EVERY_OPEN_STAGE + EVERY_STAGE
            for command in loops:
                if (command, stage) not in declared:
                    yield Edge(command, stage, stage)
        for stage in self.stages:
            if stage in self._withdrawable and (Withdraw, stage) not in declared:
                yield Edge(Withdraw, stage, Stage.WITHDRAWN)

    def commands_at(self, stage: Stage) -> tuple[type[Command], ...]:
        """The command types with an edge out of *stage*, in declaration order."""
        seen: dict[type[Command], None] = {}
        for edge in self.all_edges():
            if edge.source is stage:
                seen.setdefault(edge.command)
        return tuple(seen)


def graph_problems(edges: Iterable[object], initial: Stage) -> Iterator[str]:
    """Every problem with a stage graph, as sentences naming the culprit."""
    valid: list[Edge] = []
    for position, edge in enumerate(edges):
        where = f"edges[{position}]"
        if not isinstance(edge, Edge):
            yield f"{where}: expected an Edge, got {type(edge).__name__}"
            continue
        bad = [
            f"{name} {value!r} is not a Stage"
            for name, value in (("source", edge.source), ("dest", edge.dest))
            if not isinstance(value, Stage)
        ]
        if not (isinstance(edge.command, type) and issubclass(edge.command, Command)):
            bad.append(f"command {edge.command!r} is not a Command type")
        if edge.route is not None and not isinstance(edge.route, Route):
            bad.append(f"route {edge.route!r} is not a Route")
        if not bad and edge.source.terminal:
            bad.append(f"'{edge.source.value}' is terminal: no command leads out of it")
        if not bad and issubclass(edge.command, Withdraw) and edge.dest is not Stage.WITHDRAWN:
            bad.append(f"Withdraw leads to 'withdrawn', not to '{edge.dest.value}'")
        if bad:
            yield f"{where}: " + "; ".join(bad)
            continue
        valid.append(edge)
    if not isinstance(initial, Stage):
        yield f"initial: {initial!r} is not a Stage"
        return
    forward: dict[Stage, set[Stage]] = defaultdict(set)
    backward: dict[Stage, set[Stage]] = defaultdict(set)
    for edge in valid:
        forward[edge.source].add(edge.dest)
        backward[edge.dest].add(edge.source)
    used = {initial} | set(forward) | set(backward)
    if Stage.CLOSED not in used:
        yield "the graph never reaches 'closed': every case must be able to close"
        return
    reachable = _closure(initial, forward)
    for stage in sorted(used - reachable, key=list(Stage).index):
        yield f"stage '{stage.value}' is unreachable from '{initial.value}'"
    for stage in sorted(used, key=list(Stage).index):
        if stage is not Stage.CLOSED and not stage.terminal and not forward[stage] - {stage}:
            yield f"stage '{stage.value}' is a dead end: no command leads out of it"
    can_close = _closure(Stage.CLOSED, backward)
    ends = {stage for stage in reachable if stage.terminal}  # an end of its own, not closed
    for stage in sorted(reachable - can_close - ends, key=list(Stage).index):
        yield f"stage '{stage.value}' has no path to 'closed'"


_ENDS_THE_WAIT: tuple[type[Command], ...] = (FollowUp, Close, Reopen)


def _awaiting_follow_up(edges: tuple[Edge, ...]) -> frozenset[Stage]:
    forward: dict[Stage, set[Stage]] = defaultdict(set)
    backward: dict[Stage, set[Stage]] = defaultdict(set)
    asking: set[Stage] = set()
    for edge in edges:
        if edge.command in _ENDS_THE_WAIT:
            if edge.command is FollowUp:
                asking.add(edge.source)
            continue
        forward[edge.source].add(edge.dest)
        backward[edge.dest].add(edge.source)
    ahead = set()
    for stage in asking:
        ahead |= _closure(stage, backward)
    return frozenset({Stage.RESOLVED} | (_closure(Stage.RESOLVED, forward) & ahead))


def _before_acceptance(edges: tuple[Edge, ...], initial: Stage) -> frozenset[Stage]:
    forward: dict[Stage, set[Stage]] = defaultdict(set)
    for edge in edges:
        if not issubclass(edge.command, AcceptSolution) and not edge.dest.terminal:
            forward[edge.source].add(edge.dest)
    return frozenset(_closure(initial, forward) - {Stage.CLOSED})


def _closure(start: Stage, links: dict[Stage, set[Stage]]) -> set[Stage]:
    seen = {start}
    todo = deque([start])
    while todo:
        for following in links[todo.popleft()]:
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


S = Stage
DEFAULT_GRAPH = StageGraph(
    (
        Edge(Acknowledge, S.REPORTED, S.ACKNOWLEDGED),
        Edge(Listen, S.ACKNOWLEDGED, S.LISTENING),
        Edge(Listen, S.LISTENING, S.LISTENING),
        Edge(ReflectBack, S.LISTENING, S.LISTENING),
        Edge(FinishVenting, S.LISTENING, S.UNDERSTOOD),
        Edge(Apologize, S.UNDERSTOOD, S.APOLOGIZED),
        Edge(IdentifyCause, S.APOLOGIZED, S.DIAGNOSED),
        Edge(ProposeSolution, S.DIAGNOSED, S.SOLUTION_PROPOSED),
        Edge(DeclineSolution, S.SOLUTION_PROPOSED, S.DIAGNOSED),
        Edge(AcceptSolution, S.SOLUTION_PROPOSED, S.RESOLVING),
        Edge(SendUpdate, S.RESOLVING, S.RESOLVING),
        Edge(Reschedule, S.RESOLVING, S.RESOLVING),
        Edge(CompleteAction, S.RESOLVING, S.RESOLVED, LAST_OPEN_ACTION),
        Edge(CompleteAction, S.RESOLVING, S.RESOLVING, ACTIONS_REMAIN),
        Edge(FollowUp, S.RESOLVED, S.RESOLVED, outcome_is(FollowUpOutcome.NO_ANSWER)),
        Edge(FollowUp, S.RESOLVED, S.LISTENING, outcome_is(FollowUpOutcome.UNSATISFIED)),
        Edge(FollowUp, S.RESOLVED, S.FOLLOWED_UP, outcome_is(FollowUpOutcome.SATISFIED)),
        Edge(Thank, S.RESOLVED, S.RESOLVED),
        Edge(RecordPrevention, S.RESOLVED, S.RESOLVED),
        Edge(Thank, S.FOLLOWED_UP, S.FOLLOWED_UP),
        Edge(RecordPrevention, S.FOLLOWED_UP, S.FOLLOWED_UP),
        Edge(Close, S.FOLLOWED_UP, S.CLOSED),
        Edge(Close, S.RESOLVED, S.CLOSED),
        Edge(Reopen, S.CLOSED, S.LISTENING),
    )
)
"""The default stage graph of the full recovery practice (see docs/reference/stages.md)."""
