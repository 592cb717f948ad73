"""Events: the accepted commands a case's history is made of."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._commands import Command
from ._stages import Stage
from ._values import Actor


@attrs.frozen(weakref_slot=False)  # one per event of every live case
class Event:
    """An accepted command and the stage it led to.

    Events are facts: replaying them rebuilds the case without asking the
    guards again.

    Attributes:
        command: the command that was accepted (what, who, when, payload).
        stage: the stage the case was in right after it.
    """

    command: Command
    stage: Stage

    @property
    def kind(self) -> str:
        """The command's type name, e.g. ``"ProposeSolution"``."""
        return type(self.command).__name__

    @property
    def by(self) -> Actor:
        """Who acted."""
        return self.command.by

    @property
    def at(self) -> datetime:
        """When it happened."""
        return self.command.at
