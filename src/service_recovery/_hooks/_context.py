"""What a hook is given: the point it runs at and one context object."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import attrs

from .._model._case import Case
from .._model._commands import Command
from .._model._events import Event
from .._rulebook._policy import RecoveryPolicy
from .._time._clock import Clock
from .._time._deadlines import Deadline

if TYPE_CHECKING:
    from ._registry import Hooks


class HookPoint(enum.StrEnum):
    """Where in a command's life a hook runs, in the order they run.

    A point equals its name as a string (``HookPoint.ENTER == "enter"``).

    >>> import service_recovery as sr
    >>> [str(point) for point in sr.HookPoint]
    ['before', 'exit', 'enter', 'after', 'any', 'breach']
    """

    BEFORE = "before"
    """:meth:`Hooks.before`: before anything changes; may veto."""
    EXIT = "exit"
    """:meth:`Hooks.on_exit`: the case leaves a stage."""
    ENTER = "enter"
    """:meth:`Hooks.on_enter`: the case enters a stage."""
    AFTER = "after"
    """:meth:`Hooks.after`: the command was recorded."""
    ANY = "any"
    """:meth:`Hooks.on_command`: last, after every accepted command."""
    BREACH = "breach"
    """:meth:`Hooks.on_breach`: :meth:`Workflow.tick` recorded a missed deadline."""


class WorkflowLike(Protocol):
    """The workflow a hook is run by, as a hook sees it (a :class:`Workflow` is one)."""

    @property
    def policy(self) -> RecoveryPolicy:
        """The rules the workflow enforces."""
        ...

    @property
    def hooks(self) -> Hooks:
        """The hooks attached to the workflow."""
        ...

    @property
    def clock(self) -> Clock | None:
        """Where the workflow reads the time when no ``now=`` is given."""
        ...

    def apply(self, case: Case, command: Command) -> Case:
        """Apply *command* to *case*; return the new case."""
        ...

    def allowed(self, case: Case) -> tuple[type[Command], ...]:
        """The command types that can be accepted now."""
        ...

    def deadlines(self, case: Case, now: datetime | None = None) -> tuple[Deadline, ...]:
        """Every deadline of *case* at *now*."""
        ...


@attrs.frozen
class HookContext:
    """Everything a hook may want to know, in one object.

    Attributes:
        point: the :class:`HookPoint` running (a string: ``"before"``,
            ``"exit"``, ``"enter"``, ``"after"``, ``"any"`` or ``"breach"``).
        command: the command being applied.
        case_before: the case before the command (``None`` when opening).
        case_after: the new case; ``None`` in a before-hook.
        event: the recorded event; ``None`` in a before-hook.
        workflow: the :class:`Workflow` running the hook.
    """

    point: HookPoint
    command: Command
    case_before: Case | None
    case_after: Case | None
    event: Event | None
    workflow: WorkflowLike


Hook = Callable[[HookContext], object]
"""A hook: any callable taking a :class:`HookContext`; its return value is ignored."""

_new = object.__new__
_setters = tuple(HookContext.__dict__[field.name].__set__ for field in attrs.fields(HookContext))
_set_point, _set_command, _set_before, _set_after, _set_event, _set_workflow = _setters


def new_context(  # noqa: PLR0917 - the fields of HookContext, in order
    point: HookPoint,
    command: Command,
    case_before: Case | None,
    case_after: Case | None,
    event: Event | None,
    workflow: WorkflowLike,
) -> HookContext:
    """``HookContext(...)`` for the dispatcher, whose values are checked already.

    Stores the slots straight, as the generated ``__init__`` does, without its
    per-field ``object.__setattr__`` calls: one context is made per hook point
    that has hooks, on every command.
    """
    context: HookContext = _new(HookContext)
    _set_point(context, point)
    _set_command(context, command)
    _set_before(context, case_before)
    _set_after(context, case_after)
    _set_event(context, event)
    _set_workflow(context, workflow)
    return context
