"""Durable effects: side effects recorded with the event and run after it committed.

An effect is registered under a name at a point of the workflow (entering a
stage, after a command type, on a breach of a deadline kind). When the Desk
commits an event that reaches that point, it writes one outbox row per
matching effect in the same transaction; :meth:`Desk.deliver` runs them
after, at least once, each with a key that never changes between attempts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import attrs

from .._errors import InvalidValue
from .._model._case import Case
from .._model._commands import COMMAND_TYPES, Command, Open, RecordBreach
from .._model._events import Event
from .._model._kinds import DeadlineKind
from .._model._stages import Stage
from ._store import EffectKey


@attrs.frozen
class EffectContext:
    """What a durable effect is called with.

    Attributes:
        case: the case right after the event (as it stood then, not now).
        event: the event the effect belongs to.
        key: the stable key of this delivery: the same on every attempt, so
            the host can deduplicate on ``str(ctx.key)``.
        attempt: 1 on the first delivery, then 2, 3...
    """

    case: Case
    event: Event
    key: EffectKey
    attempt: int = 1


Effect = Callable[[EffectContext], Any]
"""A durable effect: called with an :class:`EffectContext`; raising means "try again later"."""

E = TypeVar("E", bound=Effect)


@attrs.frozen
class Backoff:
    """How long a failed effect waits before its next attempt: doubling, up to a cap.

    >>> [Backoff().delay(failures).total_seconds() for failures in (1, 2, 3, 30)]
    [5.0, 10.0, 20.0, 3600.0]

    Attributes:
        first: the wait after the first failure (more than zero).
        factor: how much each further failure multiplies it (at least 1).
        cap: the longest wait.
    """

    first: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=1)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.first, timedelta) or self.first <= timedelta(0):
            raise InvalidValue(f"first: expected a timedelta > 0, got {self.first!r}")
        if isinstance(self.factor, bool) or not isinstance(self.factor, int | float):
            raise InvalidValue(f"factor: expected a number >= 1, got {self.factor!r}")
        if self.factor < 1:
            raise InvalidValue(f"factor: expected a number >= 1, got {self.factor!r}")
        if not isinstance(self.cap, timedelta) or self.cap < self.first:
            raise InvalidValue(f"cap: expected a timedelta >= first, got {self.cap!r}")

    def delay(self, failures: int) -> timedelta:
        """The wait after *failures* failed attempts (1 or more)."""
        exponent = min(max(failures, 1) - 1, 64)  # beyond 64 doublings every wait is the cap
        seconds = min(self.first.total_seconds() * self.factor**exponent, self.cap.total_seconds())
        return timedelta(seconds=seconds)


@attrs.frozen
class _Registration:
    name: str
    effect: Effect


class Effects:
    """The durable effects of a :class:`Desk`, by name: ``desk.effects``.

    >>> import service_recovery as sr
    >>> from service_recovery.stores import MemoryStore
    >>> desk = sr.Desk(sr.Workflow(), MemoryStore())
    >>> @desk.effects.on_enter(sr.Stage.CLOSED)
    ... def send_survey(ctx):
    ...     print("survey for", ctx.case.id, "key", ctx.key)
    >>> sorted(desk.effects.names)
    ['send_survey']

    The name (the function's name unless ``name=`` says otherwise) is part of
    every delivery's key and is how a restarted process finds the effect
    again: keep it stable, and unique within the desk.
    """

    __slots__ = ("_after", "_breach", "_by_name", "_enter")

    def __init__(self) -> None:
        self._by_name: dict[str, Effect] = {}
        self._enter: dict[Stage, list[_Registration]] = {}
        self._after: dict[type[Command], list[_Registration]] = {}
        self._breach: dict[DeadlineKind, list[_Registration]] = {}

    @property
    def names(self) -> frozenset[str]:
        """The names of every registered effect."""
        return frozenset(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> Effect | None:
        """The effect registered as *name*, if any."""
        return self._by_name.get(name)

    def on_enter(self, stage: Stage, *, name: str | None = None) -> Callable[[E], E]:
        """Register an effect for each event that moves a case into *stage*.

        Raises:
            InvalidValue: *stage* is not a Stage, or the name is taken.
        """
        if not isinstance(stage, Stage):
            raise InvalidValue(f"on_enter: expected a Stage, got {stage!r}", field="stage")
        return self._register(self._enter.setdefault(stage, []), name)

    def after(self, kind: type[Command], *, name: str | None = None) -> Callable[[E], E]:
        """Register an effect for each accepted command of type *kind*.

        Raises:
            InvalidValue: *kind* is not a command type, or the name is taken.
        """
        if kind not in COMMAND_TYPES:
            raise InvalidValue(
                f"after: expected a command type such as sr.Close, got {kind!r}", field="kind"
            )
        return self._register(self._after.setdefault(kind, []), name)

    def on_breach(self, kind: DeadlineKind, *, name: str | None = None) -> Callable[[E], E]:
        """Register an effect for each recorded breach of a *kind* deadline.

        Raises:
            InvalidValue: *kind* is not a DeadlineKind, or the name is taken.
        """
        if not isinstance(kind, DeadlineKind):
            raise InvalidValue(f"on_breach: expected a DeadlineKind, got {kind!r}", field="kind")
        return self._register(self._breach.setdefault(kind, []), name)

    def _register(self, bucket: list[_Registration], name: str | None) -> Callable[[E], E]:
        def register(effect: E) -> E:
            if not callable(effect):
                raise InvalidValue(f"an effect must be callable, got {effect!r}")
            found = getattr(effect, "__name__", None) if name is None else name
            if not isinstance(found, str) or not found or ":" in found:
                raise InvalidValue(
                    f"effect name: expected a non-empty name without ':', got {found!r}",
                    field="name",
                )
            if found in self._by_name:
                raise InvalidValue(
                    f"effect name {found!r} is already registered; give this one its own name=",
                    field="name",
                )
            self._by_name[found] = effect
            bucket.append(_Registration(found, effect))
            return effect

        return register

    def keys_for(self, case: Case, start: int) -> list[EffectKey]:
        """The effects that the events ``case.history[start:]`` call for, in order."""
        if not self._by_name:
            return []
        keys: list[EffectKey] = []
        commands = case.history.commands
        stages = case.history.stages
        for position in range(start, len(commands)):
            command = commands[position]
            matched: list[_Registration] = []
            moved = isinstance(command, Open) or stages[position] is not stages[position - 1]
            if moved:
                matched += self._enter.get(stages[position], ())
            matched += self._after.get(type(command), ())
            if isinstance(command, RecordBreach):
                matched += self._breach.get(command.kind, ())
            keys.extend(EffectKey(case.id, position + 1, found.name) for found in matched)
        return keys
