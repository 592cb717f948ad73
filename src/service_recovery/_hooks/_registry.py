"""Attaching hooks: :class:`Hooks`, and the :class:`HookSet` snapshot a dispatch runs."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import attrs

from .._errors import InvalidValue, describe_callable
from .._model._commands import Command
from .._model._kinds import DeadlineKind
from .._model._stages import Stage
from ._context import Hook, HookPoint

H = TypeVar("H", bound=Hook)

Selector = frozenset[Any] | None
"""What a hook is attached for: command types, stages or deadline kinds; ``None`` for all."""

Attached = tuple[tuple[Selector, Hook], ...]


@attrs.frozen
class HookSet:
    """The hooks attached to a workflow at one moment, by point, in registration order.

    A dispatch takes one when its command starts and runs only those hooks,
    so a hook attached while hooks run (by a hook, say) runs from the next
    command on, never in the dispatch that attached it.
    """

    before: Attached = ()
    exit: Attached = ()
    enter: Attached = ()
    after: Attached = ()
    any: tuple[Hook, ...] = ()
    breach: Attached = ()

    def selected(self, point: HookPoint, key: object) -> tuple[Hook, ...]:
        """The hooks of *point* attached for *key* (a command type, stage or kind), in order."""
        if point is HookPoint.ANY:
            return self.any
        return chosen(getattr(self, point.value), key)

    def adding(self, point: HookPoint, selector: Selector, hook: Hook) -> HookSet:
        """A copy with *hook* attached last at *point* for *selector*."""
        entry = ((selector, hook),)
        match point:
            case HookPoint.BEFORE:
                return attrs.evolve(self, before=self.before + entry)
            case HookPoint.EXIT:
                return attrs.evolve(self, exit=self.exit + entry)
            case HookPoint.ENTER:
                return attrs.evolve(self, enter=self.enter + entry)
            case HookPoint.AFTER:
                return attrs.evolve(self, after=self.after + entry)
            case HookPoint.ANY:
                return attrs.evolve(self, any=(*self.any, hook))
            case HookPoint.BREACH:
                return attrs.evolve(self, breach=self.breach + entry)

    def without(self, hook: object) -> HookSet:
        """A copy with every attachment of *hook* (or of a hook equal to it) taken away."""
        return HookSet(
            before=_without(self.before, hook),
            exit=_without(self.exit, hook),
            enter=_without(self.enter, hook),
            after=_without(self.after, hook),
            any=tuple([attached for attached in self.any if not _same(attached, hook)]),
            breach=_without(self.breach, hook),
        )

    def __bool__(self) -> bool:
        return any((self.before, self.exit, self.enter, self.after, self.any, self.breach))


def _without(attached: Attached, hook: object) -> Attached:
    return tuple([entry for entry in attached if not _same(entry[1], hook)])


def _same(attached: object, hook: object) -> bool:
    """Whether *attached* is *hook*: the same object, or an equal one.

    Equal counts because a bound method read again is a new object equal to
    the first; a hook whose ``==`` fails is only ever itself.
    """
    if attached is hook:
        return True
    try:
        return bool(attached == hook)
    except Exception:
        return False


_EMPTY = HookSet()


def chosen(attached: Attached, key: object) -> tuple[Hook, ...]:
    """The hooks of *attached* whose selector takes *key*, in registration order."""
    return tuple([hook for selector, hook in attached if selector is None or key in selector])


class Hooks:
    """The hooks attached to one workflow, by point, in registration order.

    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> @workflow.hooks.on_enter(sr.Stage.CLOSED)
    ... def thank_customer(ctx):
    ...     print("Thank you,", ctx.case_after.customer.name)

    Hooks are synchronous: an ``async def`` hook is refused when attached.
    :meth:`remove` detaches a hook again:

    >>> workflow.hooks.remove(thank_customer)
    >>> bool(workflow.hooks)
    False
    """

    __slots__ = ("_attached", "_current", "_lock")

    def __init__(self) -> None:
        # A flag answers "any hook?" on every apply; attaching and removing keep it true.
        self._attached = False
        self._current = _EMPTY
        self._lock = threading.Lock()

    def before(self, *commands: type[Command]) -> Callable[[H], H]:
        """Run before *commands* (all commands if none given); may raise :class:`Veto`.

        Nothing has changed when a before-hook runs, and nothing will if it raises.
        """
        return self._register(HookPoint.BEFORE, _command_filter(commands))

    def after(self, *commands: type[Command]) -> Callable[[H], H]:
        """Run after *commands* (all if none given) were accepted and recorded."""
        return self._register(HookPoint.AFTER, _command_filter(commands))

    def on_enter(self, *stages: Stage) -> Callable[[H], H]:
        """Run when a case enters one of *stages* (any stage if none given)."""
        return self._register(HookPoint.ENTER, _stage_filter(stages))

    def on_exit(self, *stages: Stage) -> Callable[[H], H]:
        """Run when a case leaves one of *stages* (any stage if none given)."""
        return self._register(HookPoint.EXIT, _stage_filter(stages))

    def on_breach(self, *kinds: DeadlineKind) -> Callable[[H], H]:
        """Run once per breach of *kinds* (any kind if none given), when tick records it.

        ``ctx.command`` is the :class:`RecordBreach` (its ``kind``, ``ref``,
        ``due_at``). A breach fires its hooks on the tick that records it and
        never again: not on a later tick, not on replay.

        >>> import service_recovery as sr
        >>> workflow = sr.Workflow()
        >>> @workflow.hooks.on_breach(sr.DeadlineKind.FIRST_RESPONSE)
        ... def page_supervisor(ctx):
        ...     print("No answer yet on", ctx.case_after.id)
        """
        return self._register(HookPoint.BREACH, _kind_filter(kinds))

    def on_command(self, hook: H) -> H:
        """Run last after every accepted command, whatever it was (an audit log, say)."""
        return self._register(HookPoint.ANY, None)(hook)

    def remove(self, hook: Callable[..., object]) -> None:
        """Detach *hook* from every point it is attached at.

        A dispatch already running keeps the hooks it started with, so a hook
        removed meanwhile (by a hook, say) still runs in that dispatch and
        never after, as an attached one waits for the next command.

        Raises:
            InvalidValue: *hook* is not attached to this workflow; nothing changes.
        """
        with self._lock:
            current = self._current
            remaining = current.without(hook)
            if remaining == current:
                raise InvalidValue(
                    f"hook {describe_callable(hook)} is not attached to this workflow",
                    field="hook",
                )
            self._current = remaining
            self._attached = bool(remaining)

    def snapshot(self) -> HookSet:
        """The hooks attached now; later attachments do not change it."""
        return self._current

    def selected(self, point: HookPoint | str, key: object) -> Iterator[Hook]:
        """The hooks of *point* attached now for *key* (a command type or a stage), in order.

        Raises:
            InvalidValue: *point* is not a :class:`HookPoint`.
        """
        try:
            chosen = HookPoint(point)
        except ValueError:
            names = ", ".join(repr(str(p)) for p in HookPoint)
            raise InvalidValue(f"point: expected one of {names}, got {point!r}") from None
        return iter(self._current.selected(chosen, key))

    def _register(self, point: HookPoint, selector: Selector) -> Callable[[H], H]:
        def attach(hook: H) -> H:
            checked = _checked_hook(hook)
            with self._lock:
                self._current = self._current.adding(point, selector, checked)
                self._attached = True
            return hook

        return attach

    def __bool__(self) -> bool:
        return self._attached

    def __repr__(self) -> str:
        current = self._current
        counts = ", ".join(
            f"{point.value}={len(getattr(current, point.value))}" for point in HookPoint
        )
        return f"<Hooks {counts}>"


def _checked_hook(hook: object) -> Any:
    if not callable(hook):
        raise InvalidValue(
            f"a hook must be a callable taking a HookContext, got {type(hook).__name__} {hook!r}"
            " (names given as strings are not looked up)",
            field="hook",
        )
    if _is_async(hook):
        raise InvalidValue(
            f"hook {describe_callable(hook)} is async: async hooks are not supported by the sync "
            "workflow yet (it would never be awaited); attach a plain function, which may "
            "hand the work to your event loop or queue",
            field="hook",
        )
    return hook


def _is_async(hook: object) -> bool:
    """Whether calling *hook* makes a coroutine or an async generator, as far as can be told.

    Functions, bound methods and partials of them are asked directly; an object
    is asked about its class's ``__call__``. A plain function is sync even when
    it wraps an async one (it may run it), and calling a class builds an object.
    """
    while isinstance(hook, functools.partial):
        hook = hook.func
    if inspect.isroutine(hook) or isinstance(hook, type):
        return _makes_async(hook)
    return _makes_async(getattr(type(hook), "__call__", None))  # noqa: B004 - the class's


def _makes_async(function: object) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


def _command_filter(commands: tuple[object, ...]) -> Selector:
    for command in commands:
        if not (isinstance(command, type) and issubclass(command, Command)):
            raise InvalidValue(f"hooks attach to command types like sr.Close, got {command!r}")
    return frozenset(commands) or None


def _kind_filter(kinds: tuple[object, ...]) -> Selector:
    for kind in kinds:
        if not isinstance(kind, DeadlineKind):
            raise InvalidValue(
                f"breach hooks attach to deadline kinds like sr.DeadlineKind.PROMISE, got {kind!r}"
            )
    return frozenset(kinds) or None


def _stage_filter(stages: tuple[object, ...]) -> Selector:
    for stage in stages:
        if not isinstance(stage, Stage):
            raise InvalidValue(f"hooks attach to stages like sr.Stage.CLOSED, got {stage!r}")
    return frozenset(stages) or None
