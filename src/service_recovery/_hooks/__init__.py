"""Hooks: where the host application attaches its side effects, and the one dispatcher.

Hooks are plain callables taking one :class:`HookContext`, attached with
decorators on :attr:`Workflow.hooks` (:class:`Hooks`). Every dispatch, for
``open``, ``apply`` and ``tick`` alike, goes the same way:

1. take a :class:`HookSet` snapshot of the attached hooks when the command
   starts (a hook attached meanwhile runs from the next command on);
2. *plan* it: :func:`plan_before`, :func:`plan_after` or :func:`plan_breach`
   list which hooks run, in the published order (docs/reference/hooks.md),
   each with its context, built only for the points that have hooks;
3. *run* the plan: :func:`run_sync` calls the hooks one after another and
   applies the plan's failure policy (:class:`OnFailure`).

The plan holds the rules; a runner only calls. An async runner awaits the
same plan, one hook after another.

Modules: ``_context`` (points, the context, the protocol of the workflow a
hook sees), ``_registry`` (attaching), ``_dispatch`` (plans and the runner).
This layer sits under ``_workflow`` and never imports it.
"""

from ._context import Hook, HookContext, HookPoint, WorkflowLike
from ._dispatch import HookPlan, OnFailure, plan_after, plan_before, plan_breach, run_sync
from ._registry import Hooks, HookSet

__all__ = [
    "Hook",
    "HookContext",
    "HookPlan",
    "HookPoint",
    "HookSet",
    "Hooks",
    "OnFailure",
    "WorkflowLike",
    "plan_after",
    "plan_before",
    "plan_breach",
    "run_sync",
]
