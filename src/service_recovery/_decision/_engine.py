"""The one place that knows about ``transitions``.

One :class:`transitions.Machine` per workflow, built once, with no model
attached and ``auto_transitions`` off. A move triggers the event on a
throw-away token holding the stage name, so cases never carry machine
state, never get methods injected, and cost nothing to "attach".
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from transitions import Machine, MachineError

from .._model._case import Case
from .._model._commands import Command
from .._model._stages import Stage
from .._rulebook._graph import Edge, StageGraph

_name_of = operator.attrgetter("_value_")


class _Token:
    """What the machine moves: just a stage name, for the length of one move."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _route_condition(edge: Edge) -> Any:
    route = edge.route
    assert route is not None

    def condition(event_data: Any) -> bool:
        kwargs = event_data.kwargs
        return route(kwargs["case"], kwargs["command"])

    condition.__name__ = route.name
    return condition


class Engine:
    """Moves a stage along a :class:`StageGraph` with a shared ``transitions`` machine."""

    __slots__ = ("_commands_at", "_events", "_machine", "_sources", "_stages", "_steps", "graph")

    def __init__(self, graph: StageGraph) -> None:
        self.graph = graph
        self._machine = Machine(
            model=None,
            states=[stage.value for stage in graph.stages],
            initial=graph.initial.value,
            auto_transitions=False,
            send_event=True,
        )
        for edge in graph.all_edges():
            self._machine.add_transition(
                edge.command.__name__,
                edge.source.value,
                edge.dest.value,
                conditions=[_route_condition(edge)] if edge.route else None,
            )
        self._events: dict[type[Command], Any] = {
            edge.command: self._machine.events[edge.command.__name__] for edge in graph.all_edges()
        }
        # The tables are keyed by stage *names* (``stage._value_``, a plain attribute):
        # hashing a Stage and reading ``stage.value`` run Python code in the enum
        # module, which costs more than the rest of a lookup (see docs/performance.md).
        self._steps: frozenset[tuple[str, type[Command], str]] = frozenset(
            (edge.source.value, edge.command, edge.dest.value) for edge in graph.all_edges()
        )
        sources: dict[type[Command], set[str]] = {}
        for edge in graph.all_edges():
            sources.setdefault(edge.command, set()).add(edge.source.value)
        self._sources = {command: frozenset(names) for command, names in sources.items()}
        commands_at: dict[str, dict[type[Command], None]] = {}
        for edge in graph.all_edges():
            commands_at.setdefault(edge.source.value, {}).setdefault(edge.command)
        self._commands_at = {name: tuple(kinds) for name, kinds in commands_at.items()}
        self._stages: dict[str, Stage] = {stage.value: stage for stage in Stage}

    def has_step(self, stage: Stage, command: type[Command]) -> bool:
        """Whether *command* leads anywhere from *stage* (for some payload)."""
        names = self._sources.get(command)
        return names is not None and stage._value_ in names

    def commands_at(self, stage: Stage) -> tuple[type[Command], ...]:
        """:meth:`StageGraph.commands_at`, worked out once per stage rather than per call."""
        return self._commands_at.get(stage._value_, ())

    def is_step(self, source: Stage, command: type[Command], dest: Stage) -> bool:
        """Whether the graph has an edge *source* --*command*--> *dest*."""
        return (source._value_, command, dest._value_) in self._steps

    def are_steps(self, stages: Sequence[Stage], commands: Sequence[Command]) -> bool:
        """Whether ``commands[n]`` led from ``stages[n - 1]`` to ``stages[n]`` for every n >= 1.

        A history's moves, checked at once.
        """
        names = list(map(_name_of, stages))
        moves = zip(names, map(type, commands[1:]), names[1:], strict=False)  # one name fewer
        return self._steps.issuperset(moves)

    def move(self, case: Case, command: Command) -> Stage | None:
        """Where *command* takes *case*, or ``None`` if no edge's route matches."""
        stage = case.stage._value_
        sources = self._sources.get(type(command))
        if sources is None or stage not in sources:
            return None  # no edge: not worth a trigger and the MachineError it raises
        token = _Token(stage)
        try:
            moved = self._events[type(command)].trigger(token, case=case, command=command)
        except (MachineError, KeyError):
            return None
        return self._stages[token.state] if moved else None
