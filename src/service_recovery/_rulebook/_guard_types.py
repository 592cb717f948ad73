"""What a guard is: a named check that says why a command must be refused.

The guards themselves (the contract and the steps) live with the decision
procedure; a policy only needs the types, to add guards of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from .._model._case import Case
from .._model._commands import Command
from .._model._refusals import Reason
from .._model._stages import Stage

if TYPE_CHECKING:
    from ._policy import RecoveryPolicy

MIN_FOLLOW_UP_ATTEMPTS = 2
"""One unanswered call is never enough to close without hearing from the customer."""


GuardCheck = Callable[["RecoveryPolicy", Case, Any], "str | None"]


@attrs.frozen
class Guard:
    """A named check of a command type (or of entering a stage).

    Attributes:
        name: short identifier, shown on diagrams and in :class:`Reason`.
        check: ``(policy, case, command) -> message | None``.
        commands: the command types it applies to (empty: see ``entering``).
        entering: the stages it protects, whatever command leads there.
        needs_command: false when the check reads only the case, so
            :meth:`Workflow.allowed` can run it without a command in hand.
    """

    name: str
    check: GuardCheck = attrs.field(eq=False)
    commands: tuple[type[Command], ...] = ()
    entering: tuple[Stage, ...] = ()
    needs_command: bool = True

    def reason(self, policy: RecoveryPolicy, case: Case, command: Command | None) -> Reason | None:
        """Run the check; wrap its message in a :class:`Reason`."""
        message = self.check(policy, case, command)
        return None if message is None else Reason(self.name, message)
