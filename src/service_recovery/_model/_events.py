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


_new = object.__new__
_set_command = Event.__dict__["command"].__set__
_set_stage = Event.__dict__["stage"].__set__


def new_event(command: Command, stage: Stage) -> Event:
    """``Event(command, stage)`` for :meth:`Workflow.apply`, which has checked both already.

    Stores the two slots straight, as the generated ``__init__`` does, without its
    per-field ``object.__setattr__`` calls: one event is made per accepted command.
    """
    event: Event = _new(Event)
    _set_command(event, command)
    _set_stage(event, stage)
    return event
