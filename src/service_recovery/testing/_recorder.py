"""A recording seam for hooks: which hook points ran, in which order, with which context.

The workflow keeps no list a test could read, so :func:`record_hooks` attaches one
small recording hook (a *tap*) to every point of a workflow, once, and lends what
it sees to whichever recorders are active. The tap stays attached and does
nothing while nobody records, so recording twice never runs anything twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import attrs

from .._errors import InvalidValue
from .._hooks import HookContext, HookPoint
from .._model._commands import Command
from .._model._stages import Stage
from .._workflow import Workflow


@attrs.frozen
class HookCall:
    """One hook point the workflow ran, and the context its hooks were given.

    Attributes:
        point: the :class:`~service_recovery.HookPoint`: ``"before"``, ``"exit"``,
            ``"enter"``, ``"after"`` or ``"any"`` (the
            :meth:`~service_recovery.Hooks.on_command` hooks).
        key: what the point was selected by: the command type for ``before`` and
            ``after``, the stage left or entered for ``exit`` and ``enter``,
            ``None`` for ``any``.
        context: the very :class:`~service_recovery.HookContext` the hooks got.
    """

    point: HookPoint
    key: type[Command] | Stage | None
    context: HookContext

    @property
    def label(self) -> str:
        """A short name for assertions: ``"before Close"``, ``"enter closed"``, ``"on_command"``."""
        if isinstance(self.key, Stage):
            return f"{self.point.value} {self.key.value}"
        if self.key is None:
            return "on_command"
        return f"{self.point.value} {self.key.__name__}"


class HookRecorder:
    """The hook points a workflow ran while the recorder was active, oldest first.

    Get one from :func:`record_hooks`.
    """

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls: list[HookCall] = []

    @property
    def labels(self) -> list[str]:
        """Each call's :attr:`HookCall.label`, in order."""
        return [call.label for call in self.calls]

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.calls.clear()

    def __len__(self) -> int:
        return len(self.calls)

    def __iter__(self) -> Iterator[HookCall]:
        return iter(self.calls)

    def __repr__(self) -> str:
        return f"<HookRecorder {self.labels}>"


class _Tap:
    """The hook :func:`record_hooks` attaches to every point of a workflow, once."""

    __slots__ = ("listeners",)

    def __init__(self) -> None:
        self.listeners: list[HookRecorder] = []

    def __call__(self, context: HookContext) -> None:
        if not self.listeners:
            return
        call = HookCall(context.point, _key(context), context)
        for recorder in self.listeners:
            recorder.calls.append(call)


def _key(context: HookContext) -> type[Command] | Stage | None:
    if context.point is HookPoint.EXIT and context.case_before is not None:
        return context.case_before.stage
    if context.point is HookPoint.ENTER and context.case_after is not None:
        return context.case_after.stage
    if context.point is HookPoint.ANY:
        return None
    return type(context.command)


def tap(workflow: Workflow) -> _Tap:
    """The recording tap of *workflow*, attached to every hook point on first use."""
    if not isinstance(workflow, Workflow):
        raise InvalidValue(
            f"workflow: expected a sr.Workflow, got {type(workflow).__name__}", field="workflow"
        )
    for hook in workflow.hooks.snapshot().any:
        if isinstance(hook, _Tap):
            return hook
    found = _Tap()
    workflow.hooks.before()(found)
    workflow.hooks.on_exit()(found)
    workflow.hooks.on_enter()(found)
    workflow.hooks.after()(found)
    workflow.hooks.on_command(found)
    return found


@contextmanager
def record_hooks(workflow: Workflow) -> Iterator[HookRecorder]:
    """Record the hook points *workflow* runs inside the ``with`` block.

    Each hook point is recorded when the hooks attached to it *before* the
    first recording of this workflow have run (a vetoing before-hook attached
    earlier means no ``before`` call is recorded for that command). Recording
    changes nothing else: the workflow behaves exactly as without it.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> from service_recovery.testing import record_hooks
    >>> workflow = sr.Workflow()
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.CHAT,
    ...                      severity=sr.Severity.MINOR, summary="Late parcel", at=at)
    >>> with record_hooks(workflow) as hooks:
    ...     case = workflow.apply(case, sr.Acknowledge(by=sr.Actor("ana", sr.Role.AGENT), at=at))
    >>> hooks.labels
    ['before Acknowledge', 'exit reported', 'enter acknowledged', 'after Acknowledge', 'on_command']
    >>> hooks.calls[0].context.case_after is None
    True

    Raises:
        InvalidValue: *workflow* is not a :class:`~service_recovery.Workflow`.
    """
    listeners = tap(workflow).listeners
    recorder = HookRecorder()
    listeners.append(recorder)
    try:
        yield recorder
    finally:
        listeners.remove(recorder)
