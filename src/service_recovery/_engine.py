"""The one place that knows about ``transitions``.

One :class:`transitions.Machine` per workflow, built once, with no model
attached and ``auto_transitions`` off. A move triggers the event on a
throw-away token holding the stage name, so cases never carry machine
state, never get methods injected, and cost nothing to "attach".
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError

from ._case import Case
from ._commands import Command
from ._graph import Edge, StageGraph
from ._stages import Stage


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

    __slots__ = ("_events", "_machine", "_steps", "graph")

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
        self._steps: frozenset[tuple[Stage, type[Command], Stage]] = frozenset(
            (edge.source, edge.command, edge.dest) for edge in graph.all_edges()
        )

    def has_step(self, stage: Stage, command: type[Command]) -> bool:
        """Whether *command* leads anywhere from *stage* (for some payload)."""
        event = self._events.get(command)
        return event is not None and stage.value in event.transitions

    def is_step(self, source: Stage, command: type[Command], dest: Stage) -> bool:
        """Whether the graph has an edge *source* --*command*--> *dest*."""
        return (source, command, dest) in self._steps

    def move(self, case: Case, command: Command) -> Stage | None:
        """Where *command* takes *case*, or ``None`` if no edge's route matches."""
        token = _Token(case.stage.value)
        try:
            moved = self._events[type(command)].trigger(token, case=case, command=command)
        except (MachineError, KeyError):
            return None
        return Stage(token.state) if moved else None
