"""The guards a policy's required steps become: one per stage the steps protect.

The requirements themselves are plain values (:mod:`._rules`); which of them
apply to a case is the policy's ``requirements_for``, read through its
checked accessor, so a wrong answer is an :class:`InvalidPolicy` naming the
method, not an ``AttributeError`` inside a guard.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .._model._case import Case
from .._model._stages import Stage
from ._guard_types import Guard, GuardCheck
from ._practice import requirements_of

if TYPE_CHECKING:
    from ._policy import RecoveryPolicy


def requirement_stages(policy: RecoveryPolicy) -> tuple[Stage, ...]:
    """Every stage some requirement of *policy* (or of one of its playbooks) guards."""
    stages = {r.before for r in policy.requirements}
    for playbook in policy.playbooks.values():
        stages.update(r.before for r in playbook.requirements)
    return tuple(stage for stage in Stage if stage in stages)


def requirement_guards(policy: RecoveryPolicy) -> Iterator[Guard]:
    """One guard per stage that required steps protect, on every command leading into it."""
    for stage in requirement_stages(policy):
        into = tuple(
            dict.fromkeys(
                edge.command
                for edge in policy.graph.edges
                if edge.dest is stage and edge.source is not stage
            )
        )
        yield Guard(
            "required steps",
            _missing_steps(stage),
            commands=into,
            entering=(stage,),
            needs_command=False,
        )


def _missing_steps(stage: Stage) -> GuardCheck:
    def check(policy: RecoveryPolicy, case: Case, command: object) -> str | None:
        missing = [
            requirement.step
            for requirement in requirements_of(policy, case)
            if requirement.before is stage and not requirement.step.done(case)
        ]
        if not missing:
            return None
        todo = "; ".join(step.why for step in dict.fromkeys(missing))
        return f"Before the case is {stage.label}, the {policy.name} policy asks you to: {todo}"

    return check
