"""The one hook dispatcher: plan which hooks run, in which order, then run the plan.

``open``, ``apply`` and ``tick`` all dispatch through here. A :class:`HookPlan`
lists the hooks to call with their contexts and knows the failure policy;
:func:`run_sync` calls them one after another and leaves every decision
about a failure to the plan, so an async runner awaits the same plan with
the same rules.
"""

from __future__ import annotations

import enum
import inspect
import logging
from collections.abc import Sequence
from typing import NamedTuple

from .._errors import InvalidValue, Veto, describe_callable
from .._model._case import Case
from .._model._commands import Command, RecordBreach
from .._model._refusals import CommandVetoed, HookFailed, Reason
from .._time._breaches import Recorded
from ._context import Hook, HookContext, HookPoint, WorkflowLike, new_context
from ._registry import HookSet, chosen

log = logging.getLogger("service_recovery")

Step = tuple[Hook, HookContext]
"""One hook to call, with the context to call it with."""

Failures = list[tuple[Hook, Exception]]
"""The failing hooks of a run so far, each with what it raised."""


class OnFailure(enum.Enum):
    """What a failing hook does to the rest of a plan."""

    REFUSE = "refuse"
    """Before the change: a :class:`Veto` refuses the command, any other error
    aborts it; the remaining hooks do not run and nothing changes."""
    REPORT = "report"
    """After the change: the failure is logged and collected, the remaining
    hooks still run, then :class:`HookFailed` carries the case to keep."""


# Members read once: on Python 3.11 reading an enum member off its class is a slow
# lookup (~0.1 us, four times a global's), and a plan is made on every command.
_BEFORE, _EXIT, _ENTER, _AFTER, _ANY, _BREACH = (
    HookPoint.BEFORE,
    HookPoint.EXIT,
    HookPoint.ENTER,
    HookPoint.AFTER,
    HookPoint.ANY,
    HookPoint.BREACH,
)
_REFUSE, _REPORT = OnFailure.REFUSE, OnFailure.REPORT


class HookPlan(NamedTuple):
    """The hooks one dispatch calls, in order, and what a failure means.

    A tuple, not an attrs class: one is made per dispatch with hooks, and a
    tuple is the cheapest immutable value to build.

    Attributes:
        steps: each hook with its context, in the published order.
        on_failure: the failure policy of the plan.
        case: the case the host keeps whatever happens: the unchanged case
            (``None`` when opening) before the change, the new case after it.
        command: the command dispatched.
    """

    steps: tuple[Step, ...]
    on_failure: OnFailure
    case: Case | None
    command: Command

    def failed(
        self, hook: Hook, context: HookContext, error: Exception, failures: Failures
    ) -> None:
        """Apply the failure policy to *error*, raised by *hook*: raise now, or collect it."""
        if self.on_failure is _REFUSE:
            if isinstance(error, Veto):
                reason = error.reason
                if not isinstance(reason, str):  # changed after the Veto was made
                    reason = Veto.DEFAULT_REASON
                raise CommandVetoed(
                    [Reason("host veto", reason)], self.case, self.command
                ) from error
            log.error(
                "before-hook %s failed; nothing changed", describe_callable(hook), exc_info=error
            )
            raise HookFailed(self.case, accepted=False, errors=[(hook, error)]) from error
        log.error(
            "%s-hook %s failed; the event was kept",
            context.point.value,
            describe_callable(hook),
            exc_info=error,
        )
        failures.append((hook, error))

    def interrupted(self, error: BaseException) -> None:
        """Mark *error* (a ``KeyboardInterrupt``, ``SystemExit``...) before it propagates.

        It is never swallowed. After the change, the case to keep rides on it
        as ``error.recovery_case``, with a note saying the remaining hooks did
        not run.
        """
        if self.on_failure is _REPORT and self.case is not None:
            error.recovery_case = self.case  # type: ignore[attr-defined]
            error.add_note(
                f"service_recovery: {self.command.title} was accepted before this was raised "
                f"by a hook; keep the new case (version {self.case.version}) from this "
                "exception's recovery_case attribute. The remaining hooks did not run."
            )

    def finish(self, failures: Failures) -> None:
        """End a run in which hooks failed (if any did): raise :class:`HookFailed`."""
        if failures:
            raise HookFailed(self.case, accepted=True, errors=failures) from failures[0][1]


def run_sync(plan: HookPlan) -> None:
    """Call each hook of *plan* in order, under the plan's failure policy.

    Raises:
        CommandVetoed: a before-hook raised :class:`Veto`.
        HookFailed: a hook raised (or returned an awaitable, which nothing awaits).
    """
    failures: Failures = []
    for hook, context in plan.steps:
        try:
            outcome = hook(context)
        except Exception as error:
            plan.failed(hook, context, error, failures)
            continue
        except BaseException as error:
            plan.interrupted(error)
            raise
        if outcome is not None and inspect.isawaitable(outcome):
            plan.failed(hook, context, _never_awaited(hook, outcome), failures)
    if failures:
        plan.finish(failures)


def _never_awaited(hook: Hook, outcome: object) -> InvalidValue:
    close = getattr(outcome, "close", None)
    if inspect.iscoroutine(outcome) and callable(close):
        close()  # nothing will await it: close it rather than leave it dangling
    return InvalidValue(
        f"hook {describe_callable(hook)} returned an awaitable: async hooks are not "
        "supported by the sync workflow yet, so it was not awaited",
        field="hook",
    )


def plan_before(
    hooks: HookSet, workflow: WorkflowLike, case: Case | None, command: Command
) -> HookPlan:
    """The before-hooks of *command* on *case* (``None`` when opening)."""
    selected = chosen(hooks.before, type(command))
    steps: tuple[Step, ...] = ()
    if selected:
        context = new_context(_BEFORE, command, case, None, None, workflow)
        steps = tuple([(hook, context) for hook in selected])
    return HookPlan(steps, _REFUSE, case, command)


def plan_after(
    hooks: HookSet,
    workflow: WorkflowLike,
    before: Case | None,
    after: Case,
    command: Command,
) -> HookPlan:
    """The hooks once *command* took *before* (``None`` when opening) to *after*.

    In order: exit hooks of the stage left and enter hooks of the stage
    entered (only when the stage changes; opening enters without leaving),
    after-hooks of the command type, then the on-command hooks. The event
    and the contexts are made only if some hook is selected.
    """
    exits: tuple[Hook, ...] = ()
    enters: tuple[Hook, ...] = ()
    if before is None or before.stage is not after.stage:
        if before is not None and hooks.exit:
            exits = chosen(hooks.exit, before.stage)
        if hooks.enter:
            enters = chosen(hooks.enter, after.stage)
    afters = chosen(hooks.after, type(command)) if hooks.after else ()
    if not (exits or enters or afters or hooks.any):
        return HookPlan((), _REPORT, after, command)
    event = after.history[-1]  # the recorded event (its time may be the last one, within skew)
    steps: list[Step] = []
    for point, selected in (
        (_EXIT, exits),
        (_ENTER, enters),
        (_AFTER, afters),
        (_ANY, hooks.any),
    ):
        if selected:
            context = new_context(point, command, before, after, event, workflow)
            steps += [(hook, context) for hook in selected]
    return HookPlan(tuple(steps), _REPORT, after, command)


def plan_breach(
    hooks: HookSet, workflow: WorkflowLike, recorded: Sequence[Recorded]
) -> HookPlan | None:
    """The hooks of the breaches :meth:`Workflow.tick` recorded, oldest first.

    For each breach: its on-breach hooks (by deadline kind), the after-hooks
    of :class:`RecordBreach`, then the on-command hooks. The case to keep is
    the one with every breach recorded; ``None`` when nothing was recorded.
    """
    if not recorded:
        return None
    steps: list[Step] = []
    after_hooks = chosen(hooks.after, RecordBreach)
    for breach in recorded:
        for point, hooks_here in (
            (_BREACH, chosen(hooks.breach, breach.command.kind)),
            (_AFTER, after_hooks),
            (_ANY, hooks.any),
        ):
            if hooks_here:
                context = new_context(
                    point, breach.command, breach.before, breach.after, breach.event, workflow
                )
                steps += [(hook, context) for hook in hooks_here]
    last = recorded[-1]
    return HookPlan(tuple(steps), _REPORT, last.after, last.command)
