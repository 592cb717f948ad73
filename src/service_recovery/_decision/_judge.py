"""The one decision procedure: where a command takes a case, and every reason to refuse it.

A :class:`Judge` is built once per workflow from its policy and its engine.
``Workflow.apply``, ``explain`` and ``allowed`` ask it, and so do
:func:`~service_recovery.verify` and :func:`~service_recovery.diagram`: what
verification proves and what a diagram draws is what ``apply`` does, because
it is the same code.

Guards are found along the class hierarchy, as the fold finds what a command
does: a subclass of :class:`FinishVenting` is judged by every guard of
``FinishVenting`` (and by its own, if a policy adds some).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Protocol

from .._errors import InvalidValue
from .._model._case import Case
from .._model._commands import COMMAND_TYPES, Command, Open
from .._model._refusals import Reason
from .._model._stages import Stage
from .._model._values import instant
from .._rulebook._guard_types import Guard
from .._rulebook._policy import RecoveryPolicy
from .._rulebook._practice import extra_reasons_of, guards_of
from ._engine import Engine
from ._guards import CONTRACT_GUARDS, STEP_GUARDS


class GuardTable:
    """Guards by the command types they judge and the stages they protect.

    A guard of a command type also judges its subclasses. The tables are
    worked out when the table is built for the types it is told about (the
    library's commands and those on the graph's edges), and once per other
    type the first time it is asked about it.
    """

    __slots__ = ("_by_command", "_by_entering", "_guards", "_on", "_without_command")

    def __init__(self, guards: Iterable[Guard], kinds: Iterable[type[Command]] = ()) -> None:
        self._guards = tuple(guards)
        self._by_command: dict[type[Command], tuple[Guard, ...]] = {}
        self._without_command: dict[type[Command], tuple[Guard, ...]] = {}
        self._by_entering: dict[Stage, tuple[Guard, ...]] = {
            stage: tuple(g for g in self._guards if stage in g.entering) for stage in Stage
        }
        self._on: dict[tuple[type[Command], Stage], tuple[Guard, ...]] = {}
        for kind in kinds:
            self.without_command(kind)
            for stage in Stage:
                self.on(kind, stage)

    @property
    def guards(self) -> tuple[Guard, ...]:
        """Every guard of the table, in the order they run."""
        return self._guards

    def of(self, kind: type[Command]) -> tuple[Guard, ...]:
        """The guards of *kind*: those of each of its classes, in the order they run."""
        found = self._by_command.get(kind)
        if found is None:
            found = self._by_command[kind] = tuple(
                g for g in self._guards if issubclass(kind, g.commands)
            )
        return found

    def without_command(self, kind: type[Command]) -> tuple[Guard, ...]:
        """The guards of *kind* that judge the case alone, before a command's details."""
        found = self._without_command.get(kind)
        if found is None:
            found = self._without_command[kind] = tuple(
                g for g in self.of(kind) if not g.needs_command
            )
        return found

    def judged(
        self, commands: Sequence[Command], stages: Sequence[Stage]
    ) -> list[tuple[int, tuple[Guard, ...]]]:
        """Each position of a history whose event a guard of the table judges, with its guards.

        The event of ``commands[n]`` into ``stages[n]`` is judged by :meth:`on`.
        """
        on = self._on
        found = []
        for position, (command, stage) in enumerate(zip(commands, stages, strict=True)):
            guards = on.get((type(command), stage))
            if guards is None:
                guards = self.on(type(command), stage)
            if guards:
                found.append((position, guards))
        return found

    def on(self, kind: type[Command], dest: Stage) -> tuple[Guard, ...]:
        """The guards of *kind*, then those protecting *dest* that are not among them."""
        found = self._on.get((kind, dest))
        if found is None:
            guards = self.of(kind)
            found = self._on[kind, dest] = guards + tuple(
                g for g in self._by_entering[dest] if g not in guards
            )
        return found


class Judge:
    """Decides, for a workflow, what a command does to a case and why it would be refused.

    Reach a workflow's judge with :attr:`Workflow.judge
    <service_recovery.Workflow.judge>`; it holds no case, so one judge serves
    any number of cases and threads.

    >>> import service_recovery as sr
    >>> from datetime import datetime, timezone
    >>> workflow = sr.Workflow()
    >>> now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
    ...     severity=sr.Severity.MINOR, summary="Late parcel", at=now)
    >>> ana = sr.Actor("ana", sr.Role.AGENT)
    >>> workflow.judge.destination(case, sr.Acknowledge(by=ana, at=now))
    <Stage.ACKNOWLEDGED: 'acknowledged'>
    >>> workflow.judge.destination(case, sr.Close(by=ana, at=now)) is None
    True

    Args:
        policy: the rules; its own guards run after the contract and step guards.
        engine: moves a stage along the policy's graph.
        guards: the guards to run instead of the contract, step and policy
            guards (for tests that need a workflow with its guards taken away).
    """

    __slots__ = (
        "__weakref__",
        "_engine",
        "_guards",
        "_on",
        "_policy",
        "_routed",
        "_routed_on_case",
        "_unconditional",
    )

    def __init__(
        self, policy: RecoveryPolicy, engine: Engine, *, guards: Iterable[Guard] | None = None
    ) -> None:
        self._policy = policy
        self._engine = engine
        if guards is None:
            guards = (*CONTRACT_GUARDS, *STEP_GUARDS, *guards_of(policy))
        kinds = tuple(dict.fromkeys((*COMMAND_TYPES, *(e.command for e in engine.graph.edges))))
        self._guards = GuardTable(guards, kinds)
        self._on = self._guards._on  # read directly on every apply: one lookup, no call
        # Where a command goes when the first edge the engine would try for it has no
        # route: that edge is always taken, so no trigger needs to say so.
        unconditional: dict[tuple[Stage, type[Command]], Stage | None] = {}
        for edge in engine.graph.all_edges():
            key = (edge.source, edge.command)
            if key not in unconditional:
                unconditional[key] = edge.dest if edge.route is None else None
        self._unconditional = {key: dest for key, dest in unconditional.items() if dest is not None}
        self._routed = frozenset(key for key, dest in unconditional.items() if dest is None)
        self._routed_on_case = frozenset(
            (edge.source, edge.command)
            for edge in engine.graph.all_edges()
            if edge.route is not None and not edge.route.fields_only
        )

    @property
    def policy(self) -> RecoveryPolicy:
        """The policy whose rules the judge applies."""
        return self._policy

    @property
    def engine(self) -> Engine:
        """The engine that moves a stage along the policy's graph."""
        return self._engine

    @property
    def guards(self) -> GuardTable:
        """Every guard the judge runs, by command type and protected stage."""
        return self._guards

    def move(self, case: Case, command: Command) -> Stage | None:
        """Where the graph takes *case* on *command*, before any guard; ``None``: no edge."""
        found = self._unconditional.get((case.stage, type(command)))
        return found if found is not None else self._engine.move(case, command)

    def routes(self, source: Stage, kind: type[Command]) -> bool:
        """Whether a route chooses where a *kind* command from *source* goes (case and command)."""
        return (source, kind) in self._routed

    def routes_read_case(self, source: Stage, kind: type[Command]) -> bool:
        """Whether a route for a *kind* command from *source* reads more than the case's fields.

        Such a route is given a case; the others (``Route.fields_only``) can read the facts.
        """
        return (source, kind) in self._routed_on_case

    def decide(self, case: Case, command: Command) -> tuple[Stage | None, list[Reason]]:
        """Where *command* would take *case*, and every reason to refuse it.

        The reasons come in this order: the guards of the command and of its
        destination (they say what to do), the policy's extra reasons, the
        step reason (it only says it is not the time), then time order. An
        empty list means the command is accepted into the stage returned.
        """
        kind = type(command)
        step_reason = None
        # The move answers ``None`` for a command that is no step here, so the usual
        # case asks once; the step reason is worked out only for a refusal.
        dest = None if isinstance(command, Open) else self.move(case, command)
        if dest is not None:
            found = self._on.get((kind, dest))
            guards = self._guards.on(kind, dest) if found is None else found
        else:
            guards = self._guards.of(kind)
            step_reason = self._no_move(case, command)
        policy = self._policy
        reasons = []
        for guard in guards:
            message = guard.check(policy, case, command)  # Guard.reason, without a call per guard
            if message is not None:
                reasons.append(Reason(guard.name, message))
        extra = extra_reasons_of(policy, case, command)
        if extra:
            reasons.extend(Reason("policy", message) for message in extra)
        if step_reason is not None:
            reasons.append(step_reason)
        late = self.out_of_order(case, command)
        if late is not None:
            reasons.append(late)
        return dest, reasons

    def destination(self, case: Case, command: Command) -> Stage | None:
        """Where *case* goes on *command* if it is accepted; ``None`` if it is refused."""
        dest, reasons = self.decide(case, command)
        return None if reasons else dest

    def out_of_order(self, case: Case, command: Command) -> Reason | None:
        """The reason *command* is too early: dated before the last event by over ``clock_skew``."""
        at = command.at
        last_at = case.history.commands[-1].at
        # Two UTC times compare as they are: instant() is only called for other zones.
        # A command may be dated up to the policy's clock_skew before the last event.
        if at.tzinfo is UTC is last_at.tzinfo:
            late = at < last_at and at < last_at - self._policy.clock_skew
        else:
            late = instant(at) < instant(last_at) - self._policy.clock_skew
        if not late:
            return None
        return Reason(
            "in time order",
            f"{type(command).title} is dated {at.isoformat()}, before the case's last "
            f"event ({last_at.isoformat()}): commands apply in time order",
        )

    def allowed(self, case: Case) -> tuple[type[Command], ...]:
        """The command types *case* can accept now, judged without a command's details."""
        policy = self._policy
        accepted = []
        for kind in self._engine.commands_at(case.stage):
            for guard in self._guards.without_command(kind):
                if guard.check(policy, case, None) is not None:
                    break
            else:
                accepted.append(kind)
        return tuple(accepted)

    def refusals(self, case: Case, kind: type[Command]) -> list[Reason]:
        """Why no command of type *kind* can be accepted now; ``[]`` when one can.

        The guards that need no command's details, then the step reason:
        empty exactly when *kind* is among :meth:`allowed`.
        """
        policy = self._policy
        reasons = []
        for guard in self._guards.without_command(kind):
            message = guard.check(policy, case, None)
            if message is not None:
                reasons.append(Reason(guard.name, message))
        if issubclass(kind, Open):
            reasons.append(_OPENED_ONCE)
        elif not self._engine.has_step(case.stage, kind):
            reasons.append(self._not_a_step(case, kind))
        return reasons

    def _no_move(self, case: Case, command: Command) -> Reason:
        """Why the graph takes *command* nowhere from where *case* stands."""
        kind = type(command)
        if isinstance(command, Open):
            return _OPENED_ONCE
        if not self._engine.has_step(case.stage, kind):
            return self._not_a_step(case, kind)
        return Reason(
            "step available",
            f"{kind.title} with these details leads nowhere from "
            f"'{case.stage.label}' under the {self._policy.name} policy",
        )

    def _not_a_step(self, case: Case, kind: type[Command]) -> Reason:
        possible = ", ".join(k.title for k in self.allowed(case)) or "nothing"
        return Reason(
            "step available",
            f"{kind.title} is not a step while the case is {case.stage.label}; "
            f"possible now: {possible}",
        )


class Judged(Protocol):
    """What has a judge: a :class:`~service_recovery.Workflow`, as verify and diagram see it."""

    @property
    def judge(self) -> Judge:
        """The decision procedure."""
        ...


def judge_of(workflow: object) -> Judge:
    """The judge of *workflow*, or :class:`InvalidValue` saying a workflow was expected."""
    judge = getattr(workflow, "judge", None)
    if not isinstance(judge, Judge):
        raise InvalidValue(
            f"workflow: expected a Workflow, got {type(workflow).__name__}", field="workflow"
        )
    return judge


_OPENED_ONCE = Reason("step available", "A case is opened once, with Workflow.open")
