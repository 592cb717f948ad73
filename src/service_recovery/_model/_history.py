"""History: a case's events, oldest first, held compactly.

A worker holds some 100,000 live cases of a dozen or more events each. An
:class:`Event` value per event would cost each case 48 bytes an event on top of
the host's own command; a :class:`History` keeps the commands in one tuple and
each event's stage in one byte, and hands out :class:`Event` values as they are
read. Events are values, so the one read back equals the one recorded.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any, NoReturn, final, overload

from attrs.exceptions import FrozenInstanceError

from .._errors import InvalidValue
from ._commands import Command
from ._events import Event, new_event
from ._stages import Stage

_STAGES: tuple[Stage, ...] = tuple(Stage)
"""Each stage by its byte in a history (the order of :class:`Stage`, in memory only)."""
_BYTE: dict[Stage, int] = {stage: number for number, stage in enumerate(_STAGES)}
"""Each stage's byte (a stage hashes by identity: only a real member is found)."""
_ONE_BYTE: dict[Stage, bytes] = {stage: bytes((number,)) for stage, number in _BYTE.items()}

_new = object.__new__


@final
class History(Sequence[Event]):
    """The events of a case, oldest first: an immutable sequence of :class:`Event`.

    It reads like a tuple of events (``len``, indexing, slicing, iteration,
    ``reversed``, ``in``, ``+``, ``==`` and ``hash``) and equals a tuple of the
    same events. Each event is made when it is read, from the command and the
    stage the history keeps, so an event read twice is two equal values:
    compare events with ``==``. :attr:`commands` gives the commands without
    making any event.

    It is not a tuple: ``isinstance(history, tuple)`` is false, it joins only
    histories and tuples of events, and it has no ``*`` and no ordering.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> case = workflow.open(
    ...     customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
    ...     severity=sr.Severity.MINOR, summary="Late parcel", at=now, id="case-1")
    >>> case = workflow.apply(case, sr.Acknowledge(by=sr.Actor("ana", sr.Role.AGENT), at=now))
    >>> [event.kind for event in case.history]
    ['Open', 'Acknowledge']
    >>> case.history[-1].stage
    <Stage.ACKNOWLEDGED: 'acknowledged'>
    >>> case.history == tuple(case.history)
    True
    """

    __slots__ = ("_commands", "_stages")
    _commands: tuple[Command, ...]
    _stages: bytes

    def __init__(self, events: Iterable[Event] = ()) -> None:
        """Hold *events*, in order.

        Raises:
            InvalidValue: an item is not an :class:`Event` of a command and a
                stage (the message names its position).
        """
        events = tuple(events)
        built = compact_history(events)
        if built is None:
            position, problem = next(
                (n, found) for n, event in enumerate(events) if (found := event_problem(event))
            )
            raise InvalidValue(f"history[{position}]: {problem}", field="history")
        _set_commands(self, built._commands)
        _set_stages(self, built._stages)

    @classmethod
    def _of(cls, commands: tuple[Command, ...], stages: bytes) -> History:
        history: History = _new(cls)
        _set_commands(history, commands)
        _set_stages(history, stages)
        return history

    def _appended(self, command: Command, stage: Stage) -> History:
        """The history with one more event: what :meth:`Workflow.apply` records."""
        return History._of((*self._commands, command), self._stages + _ONE_BYTE[stage])

    @property
    def commands(self) -> tuple[Command, ...]:
        """The command of each event, oldest first (no :class:`Event` is made)."""
        return self._commands

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The stage each event led to, oldest first."""
        return tuple(map(_STAGES.__getitem__, self._stages))

    def __len__(self) -> int:
        return len(self._commands)

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> History: ...

    def __getitem__(self, index: int | slice) -> Event | History:
        if isinstance(index, slice):
            return History._of(self._commands[index], self._stages[index])
        command = self._commands[index]  # IndexError and TypeError as a tuple's
        return new_event(command, _STAGES[self._stages[index]])

    def __iter__(self) -> Iterator[Event]:
        return map(new_event, self._commands, map(_STAGES.__getitem__, self._stages))

    def __reversed__(self) -> Iterator[Event]:
        return map(
            new_event, reversed(self._commands), map(_STAGES.__getitem__, reversed(self._stages))
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is History:
            return self._stages == other._stages and self._commands == other._commands
        if isinstance(other, tuple):
            return len(other) == len(self._commands) and all(
                mine == theirs for mine, theirs in zip(self, other, strict=True)
            )
        return NotImplemented

    def __hash__(self) -> int:
        # Equal to the hash of the equal tuple of events, as == promises.
        return hash(tuple(self))

    def __add__(self, other: History | tuple[Event, ...]) -> History:
        if type(other) is History:
            return History._of(self._commands + other._commands, self._stages + other._stages)
        if isinstance(other, tuple):
            return self + History(other)
        return NotImplemented

    def __radd__(self, other: tuple[Event, ...]) -> History:
        if isinstance(other, tuple):
            return History(other) + self
        return NotImplemented

    def __repr__(self) -> str:
        return f"History({list(self)!r})"

    def __reduce__(self) -> tuple[type[History], tuple[tuple[Event, ...]]]:
        # Pickled as its events: the stage bytes are an in-memory layout only.
        return History, (tuple(self),)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise FrozenInstanceError

    def __delattr__(self, name: str) -> NoReturn:
        raise FrozenInstanceError


_set_commands = History.__dict__["_commands"].__set__
_set_stages = History.__dict__["_stages"].__set__
_command_of = operator.attrgetter("command")
_stage_of = operator.attrgetter("stage")


def steps_of(history: History) -> Iterator[tuple[int, type[Command], int]]:
    """Each step of *history* after its first event: ``(source, command type, stage)``.

    The stages are given by their codes (see :func:`stage_of_code`): a history is
    checked step by step without a :class:`Stage` made for each event.
    """
    codes = history._stages
    return zip(codes, map(type, history._commands[1:]), codes[1:], strict=False)


def shape_of(history: History) -> tuple[bytes, tuple[type[Command], ...]]:
    """What *history*'s steps are made of, as a key: its stage codes and its command types.

    Two histories of one shape take the same steps (:func:`steps_of` gives them
    the same answers), so what a check works out from the steps alone can be
    kept once per shape.
    """
    return history._stages, tuple(map(type, history._commands))


def stage_of_code(code: int) -> Stage:
    """The stage a history holds as *code* (as :func:`steps_of` gives it)."""
    return _STAGES[code]


def event_problem(item: object) -> str | None:
    """What keeps *item* out of a history: not an :class:`Event` of a command and a stage."""
    if not isinstance(item, Event):
        return f"expected an Event, got {type(item).__name__}"
    if not isinstance(item.command, Command) or not isinstance(item.stage, Stage):
        return "an Event holds a Command and a Stage"
    return None


def compact_history(events: Sequence[object]) -> History | None:
    """*events* as a :class:`History`, or ``None`` if one is not an Event of a Command and a Stage.

    Checks every item without a Python call per item: replay and snapshots
    pass through here for every event they load.
    """
    if type(events) is History:
        return events
    if not all(map(isinstance, events, repeat(Event))):
        return None
    commands = tuple(map(_command_of, events))
    if not all(map(isinstance, commands, repeat(Command))):
        return None
    try:
        stages = bytes(map(_BYTE.__getitem__, map(_stage_of, events)))
    except (KeyError, TypeError):  # not a stage (TypeError: not even hashable)
        return None
    return History._of(commands, stages)
