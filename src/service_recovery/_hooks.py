"""Hooks: where the host application attaches its side effects.

Hooks are plain callables taking one :class:`HookContext`. They are attached
with decorators on :attr:`Workflow.hooks` and run in a published order (see
docs/reference/hooks.md); the failure policy is enforced by the workflow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._errors import InvalidValue
from ._model._case import Case
from ._model._commands import Command
from ._model._events import Event
from ._model._kinds import DeadlineKind
from ._model._stages import Stage

if TYPE_CHECKING:
    from ._workflow import Workflow


@attrs.frozen
class HookContext:
    """Everything a hook may want to know, in one object.

    Attributes:
        point: which hook point runs: ``"before"``, ``"exit"``, ``"enter"``,
            ``"after"``, ``"any"`` or ``"breach"``.
        command: the command being applied.
        case_before: the case before the command (``None`` when opening).
        case_after: the new case; ``None`` in a before-hook.
        event: the recorded event; ``None`` in a before-hook.
        workflow: the workflow running the hook.
    """

    point: str
    command: Command
    case_before: Case | None
    case_after: Case | None
    event: Event | None
    workflow: Workflow


Hook = Callable[[HookContext], object]
"""A hook: any callable taking a :class:`HookContext`; its return value is ignored."""

H = TypeVar("H", bound=Hook)

_Filter = frozenset[Any] | None


class Hooks:
    """The hooks attached to one workflow, by point, in registration order.

    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> @workflow.hooks.on_enter(sr.Stage.CLOSED)
    ... def thank_customer(ctx):
    ...     print("Thank you,", ctx.case_after.customer.name)
    """

    __slots__ = ("_any", "_attached", "_points")

    def __init__(self) -> None:
        # Hooks are only ever added: a flag answers "any hook?" on every apply.
        self._attached = False
        self._points: dict[str, list[tuple[_Filter, Hook]]] = {
            "before": [],
            "exit": [],
            "enter": [],
            "after": [],
            "breach": [],
        }
        self._any: list[Hook] = []

    def before(self, *commands: type[Command]) -> Callable[[H], H]:
        """Run before *commands* (all commands if none given); may raise :class:`Veto`.

        Nothing has changed when a before-hook runs, and nothing will if it raises.
        """
        return self._register("before", _command_filter(commands))

    def after(self, *commands: type[Command]) -> Callable[[H], H]:
        """Run after *commands* (all if none given) were accepted and recorded."""
        return self._register("after", _command_filter(commands))

    def on_enter(self, *stages: Stage) -> Callable[[H], H]:
        """Run when a case enters one of *stages* (any stage if none given)."""
        return self._register("enter", _stage_filter(stages))

    def on_exit(self, *stages: Stage) -> Callable[[H], H]:
        """Run when a case leaves one of *stages* (any stage if none given)."""
        return self._register("exit", _stage_filter(stages))

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
        return self._register("breach", _kind_filter(kinds))

    def on_command(self, hook: H) -> H:
        """Run last after every accepted command, whatever it was (an audit log, say)."""
        self._any.append(_callable(hook))
        self._attached = True
        return hook

    def _register(self, point: str, selector: _Filter) -> Callable[[H], H]:
        def attach(hook: H) -> H:
            self._points[point].append((selector, _callable(hook)))
            self._attached = True
            return hook

        return attach

    def selected(self, point: str, key: object) -> Iterator[Hook]:
        """The hooks of *point* that apply to *key* (a command type or a stage), in order."""
        if point == "any":
            yield from self._any
            return
        for selector, hook in self._points[point]:
            if selector is None or key in selector:
                yield hook

    def __bool__(self) -> bool:
        return self._attached


def _callable(hook: object) -> Any:
    if not callable(hook):
        raise InvalidValue(
            f"a hook must be a callable taking a HookContext, got {type(hook).__name__} {hook!r}"
            " (names given as strings are not looked up)"
        )
    return hook


def _command_filter(commands: tuple[object, ...]) -> _Filter:
    for command in commands:
        if not (isinstance(command, type) and issubclass(command, Command)):
            raise InvalidValue(f"hooks attach to command types like sr.Close, got {command!r}")
    return frozenset(commands) or None


def _kind_filter(kinds: tuple[object, ...]) -> _Filter:
    for kind in kinds:
        if not isinstance(kind, DeadlineKind):
            raise InvalidValue(
                f"breach hooks attach to deadline kinds like sr.DeadlineKind.PROMISE, got {kind!r}"
            )
    return frozenset(kinds) or None


def _stage_filter(stages: tuple[object, ...]) -> _Filter:
    for stage in stages:
        if not isinstance(stage, Stage):
            raise InvalidValue(f"hooks attach to stages like sr.Stage.CLOSED, got {stage!r}")
    return frozenset(stages) or None
