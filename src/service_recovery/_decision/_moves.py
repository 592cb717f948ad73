"""The moves of a ``transitions`` Machine, read out of it once into a table.

The workflow's Machine is the one definition of its stages, its transitions and
their route conditions, and ``transitions`` checks that definition as the Machine
is built. Triggering it decides a move by walking that definition: an event record,
the model's state, each transition of the source in order, each condition, the
callbacks, and several debug log calls, some 8 µs a move. The decision itself is
the transitions of the event from the source, in order, each taken when all of its
conditions hold; :func:`compile_moves` reads exactly that out of the Machine into
dicts, so a move costs two lookups and the route tests.

Only what a table can replay is compiled: conditions (``conditions`` and
``unless``) that test a :class:`RouteCondition`. A Machine with callbacks (which
would run side effects on a trigger) is refused rather than compiled into a table
that would silently skip them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, final

from transitions import Machine
from transitions.core import Transition

from .._errors import InvalidPolicy
from .._model._case import Case
from .._model._commands import Command
from .._model._stages import Stage
from .._rulebook._graph import Route

Check = tuple[Callable[[Case, Command], bool], bool]
"""A condition of a transition: the route's test, and the answer that lets it pass."""
Option = tuple[tuple[Check, ...], Stage]
"""A transition from one source: its conditions, in order, and where it leads."""
Moves = dict[type[Command], dict[Stage, Stage | tuple[Option, ...]]]
"""command type -> source -> the destination, or the options to try in order.

A source whose first transition has no condition maps straight to its destination:
the Machine always takes that one.
"""

_MACHINE_CALLBACKS: Final = (
    "prepare_event",
    "before_state_change",
    "after_state_change",
    "finalize_event",
    "on_exception",
    "on_final",
)
_TRANSITION_CALLBACKS: Final = ("prepare", "before", "after")
_STATE_CALLBACKS: Final = ("on_enter", "on_exit")
_STAGE_OF_NAME: Final = {stage.value: stage for stage in Stage}


@final
class RouteCondition:
    """A Machine condition that tests a :class:`Route` with the trigger's case and command.

    The Machine calls it with its event data (``send_event=True``); the compiled
    table reads :attr:`route` back and calls it directly.
    """

    __slots__ = ("route",)

    def __init__(self, route: Route) -> None:
        self.route = route

    def __call__(self, event_data: Any) -> bool:
        kwargs = event_data.kwargs
        return self.route(kwargs["case"], kwargs["command"])

    def __repr__(self) -> str:
        return f"<route {self.route.name!r}>"


def compile_moves(machine: Machine, commands: Mapping[str, type[Command]]) -> Moves:
    """The moves of *machine*, by command type and source stage.

    Args:
        machine: a Machine whose states are stage values and whose events are
            named by the command types of *commands*.
        commands: each event's command type, by the event's name.

    Returns:
        For each command type and source, the destination (when the first
        transition has no condition) or every transition in the Machine's order.

    Raises:
        InvalidPolicy: the Machine holds something a table cannot replay (a
            callback, a condition that is no :class:`RouteCondition`, an event
            or a state that is no command or stage).
    """
    _refuse_callbacks(machine)
    moves: Moves = {}
    for name, event in machine.events.items():
        kind = commands.get(name)
        if kind is None:
            raise InvalidPolicy([f"machine: event {name!r} is no command type of the graph"])
        table = moves.setdefault(kind, {})
        for source_name, transitions in event.transitions.items():
            if not transitions:
                continue
            source = _stage(source_name)
            options = tuple(_option(transition, source) for transition in transitions)
            first_checks, first_dest = options[0]
            table[source] = options if first_checks else first_dest
    return moves


def machine_steps(
    machine: Machine, commands: Mapping[str, type[Command]]
) -> Iterator[tuple[Stage, type[Command], Stage]]:
    """Every ``(source, command type, destination)`` a transition of *machine* can make.

    A transition the Machine would never take (one after an unconditional one)
    is still a step: a history that took it is read as it was recorded.
    """
    for name, event in machine.events.items():
        kind = commands[name]
        for source_name, transitions in event.transitions.items():
            source = _stage(source_name)
            for transition in transitions:
                yield source, kind, _dest(transition, source)


def _option(transition: Transition, source: Stage) -> Option:
    for name in _TRANSITION_CALLBACKS:
        if getattr(transition, name):
            raise InvalidPolicy(
                [f"machine: the transition {transition!r} has {name} callbacks: no table runs them"]
            )
    checks = []
    for condition in transition.conditions:
        func = condition.func
        if not isinstance(func, RouteCondition):
            raise InvalidPolicy(
                [f"machine: the condition {func!r} of {transition!r} tests no route"]
            )
        # The route's own test, called without Route.__call__: a move is on every apply.
        checks.append((func.route.test, bool(condition.target)))
    return tuple(checks), _dest(transition, source)


def _dest(transition: Transition, source: Stage) -> Stage:
    # A transition without a destination is internal: the state does not change.
    return source if transition.dest is None else _stage(transition.dest)


def _stage(name: str) -> Stage:
    try:
        return _STAGE_OF_NAME[name]
    except KeyError:
        raise InvalidPolicy([f"machine: state {name!r} is no stage"]) from None


def _refuse_callbacks(machine: Machine) -> None:
    found = [name for name in _MACHINE_CALLBACKS if getattr(machine, name)]
    for state in machine.states.values():
        found += [f"{state.name}.{name}" for name in _STATE_CALLBACKS if getattr(state, name)]
    if found:
        raise InvalidPolicy(
            [f"machine: callbacks {', '.join(found)} would run on a trigger: no table runs them"]
        )
