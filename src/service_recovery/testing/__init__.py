"""Test tools for code that uses service-recovery: strategies, a stateful base, fixtures.

Install with the extra ``service-recovery[testing]`` (it brings hypothesis and
pytest). The pytest fixtures (``recovery_clock``, ``recovery_workflow``,
``recovery_case_factory``), :class:`CaseFactory` and :func:`record_hooks` need
no hypothesis; the strategies and :class:`WorkflowStateMachine` do, and are
imported only when first used.

>>> import service_recovery as sr
>>> class MyWorkflowMachine(sr.testing.WorkflowStateMachine):
...     def make_workflow(self):
...         return sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=4))
>>> TestMyWorkflow = MyWorkflowMachine.TestCase
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._factory import CaseFactory
from ._recorder import HookCall, HookRecorder, record_hooks

if TYPE_CHECKING:
    from ._conformance import StoreConformance
    from ._machine import BrokenPromise, WorkflowStateMachine
    from ._strategies import (
        DEFAULT_TEAM,
        POLICY_FIELDS,
        actors,
        aware_datetimes,
        cases,
        commands,
        customers,
        money,
        plausible_commands,
        policies,
    )

_NEEDS_HYPOTHESIS = {
    "BrokenPromise": "._machine",
    "StoreConformance": "._conformance",  # needs pytest, not hypothesis
    "WorkflowStateMachine": "._machine",
    "DEFAULT_TEAM": "._strategies",
    "POLICY_FIELDS": "._strategies",
    "actors": "._strategies",
    "aware_datetimes": "._strategies",
    "cases": "._strategies",
    "commands": "._strategies",
    "customers": "._strategies",
    "money": "._strategies",
    "plausible_commands": "._strategies",
    "policies": "._strategies",
}


if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all

    def __getattr__(name: str) -> Any:
        module = _NEEDS_HYPOTHESIS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:
            value = getattr(importlib.import_module(module, __name__), name)
        except ModuleNotFoundError as err:
            if err.name != "hypothesis":
                raise
            raise ModuleNotFoundError(
                f"service_recovery.testing.{name} needs hypothesis: "
                "pip install 'service-recovery[testing]'",
                name="hypothesis",
            ) from err
        globals()[name] = value
        return value


__all__ = [
    "DEFAULT_TEAM",
    "POLICY_FIELDS",
    "BrokenPromise",
    "CaseFactory",
    "HookCall",
    "HookRecorder",
    "StoreConformance",
    "WorkflowStateMachine",
    "actors",
    "aware_datetimes",
    "cases",
    "commands",
    "customers",
    "money",
    "plausible_commands",
    "policies",
    "record_hooks",
]
