"""The one place that knows about ``transitions``.

One :class:`transitions.Machine` per workflow, built once, with no model
attached and ``auto_transitions`` off: it defines the stages, the transitions
and their route conditions, and ``transitions`` checks that definition. Its
moves are then read out of it into a table (:mod:`._moves`), so a move costs
two dict lookups and the route tests rather than a trigger; cases never carry
machine state, never get methods injected, and cost nothing to "attach".
"""

from __future__ import annotations

from collections.abc import Sequence

from transitions import Machine, MachineError

from .._errors import InvalidPolicy
from .._model._case import Case
from .._model._commands import Command
from .._model._stages import Stage
from .._rulebook._graph import StageGraph
from ._moves import RouteCondition, compile_moves, machine_steps


class _Token:
    """What the machine moves when it is triggered: just a stage name, for one move."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _commands_by_name(graph: StageGraph) -> dict[str, type[Command]]:
    """The graph's command types by the name the Machine gives their events."""
    commands: dict[str, type[Command]] = {}
    for edge in graph.all_edges():
        known = commands.setdefault(edge.command.__name__, edge.command)
        if known is not edge.command:
            raise InvalidPolicy(
                [
                    f"edges: two command types are named {known.__name__!r} "
                    f"({known.__module__}.{known.__qualname__} and "
                    f"{edge.command.__module__}.{edge.command.__qualname__}): "
                    "give each command type of a graph its own name"
                ]
            )
    return commands


def _machine_of(graph: StageGraph) -> Machine:
    machine = Machine(
        model=None,
        states=[stage.value for stage in graph.stages],
        initial=graph.initial.value,
        auto_transitions=False,
        send_event=True,
    )
    for edge in graph.all_edges():
        machine.add_transition(
            edge.command.__name__,
            edge.source.value,
            edge.dest.value,
            conditions=[RouteCondition(edge.route)] if edge.route else None,
        )
    return machine


class Engine:
    """Moves a stage along a :class:`StageGraph`, as the graph's ``transitions`` Machine would."""

    __slots__ = ("_commands_at", "_machine", "_moves", "_steps", "graph")

    def __init__(self, graph: StageGraph) -> None:
        """Build the Machine of *graph* and compile its moves.

        Raises:
            InvalidPolicy: two command types of the graph share a name (the
                Machine names its events by command name).
        """
        self.graph = graph
        commands = _commands_by_name(graph)
        self._machine = _machine_of(graph)
        self._moves = compile_moves(self._machine, commands)
        self._steps: frozenset[tuple[Stage, type[Command], Stage]] = frozenset(
            machine_steps(self._machine, commands)
        )
        # In the graph's declaration order, which the Machine's events do not keep per stage.
        commands_at: dict[Stage, dict[type[Command], None]] = {}
        for edge in graph.all_edges():
            commands_at.setdefault(edge.source, {}).setdefault(edge.command)
        self._commands_at = {stage: tuple(kinds) for stage, kinds in commands_at.items()}

    def has_step(self, stage: Stage, command: type[Command]) -> bool:
        """Whether *command* leads anywhere from *stage* (for some payload)."""
        sources = self._moves.get(command)
        return sources is not None and stage in sources

    def commands_at(self, stage: Stage) -> tuple[type[Command], ...]:
        """:meth:`StageGraph.commands_at`, worked out once per stage rather than per call."""
        return self._commands_at.get(stage, ())

    def is_step(self, source: Stage, command: type[Command], dest: Stage) -> bool:
        """Whether the graph has an edge *source* --*command*--> *dest*."""
        return (source, command, dest) in self._steps

    def are_steps(self, stages: Sequence[Stage], commands: Sequence[Command]) -> bool:
        """Whether ``commands[n]`` led from ``stages[n - 1]`` to ``stages[n]`` for every n >= 1.

        A history's moves, checked at once.
        """
        moves = zip(stages, map(type, commands[1:]), stages[1:], strict=False)  # one stage fewer
        return self._steps.issuperset(moves)

    def move(self, case: Case, command: Command) -> Stage | None:
        """Where *command* takes *case*, or ``None`` if no edge's route matches.

        The answer a trigger of the Machine gives (see :meth:`move_by_trigger`),
        read from the compiled table.
        """
        sources = self._moves.get(type(command))
        if sources is None:
            return None
        found = sources.get(case.stage)
        if not isinstance(found, tuple):
            return found  # no edge from here, or one that needs no route
        for checks, dest in found:
            for route, target in checks:
                # As transitions checks a condition: the answer compared with ==, not its truth.
                if not route(case, command) == target:  # noqa: SIM201
                    break
            else:
                return dest
        return None

    def move_by_trigger(self, case: Case, command: Command) -> Stage | None:
        """:meth:`move`, found by triggering the Machine itself (slow; for checking the table)."""
        kind = type(command)
        if not self.has_step(case.stage, kind):
            return None  # the Machine would raise MachineError, or have no such event
        token = _Token(case.stage.value)
        try:
            moved = self._machine.events[kind.__name__].trigger(token, case=case, command=command)
        except MachineError:
            return None
        return Stage(token.state) if moved else None
