"""The vocabulary of time: kinds of deadline, their states, promise outcomes, waits.

A leaf module (it imports nothing of the package) so commands, the case fold
and the deadline rules can all speak of the same things.
"""

from __future__ import annotations

import enum


class DeadlineKind(enum.Enum):
    """What a deadline is about.

    >>> DeadlineKind.FIRST_RESPONSE.label
    'first response'
    """

    FIRST_RESPONSE = "first_response"
    """Answer the customer for the first time (the target depends on the channel)."""
    UPDATE = "update"
    """Tell the customer where things stand, periodically, while the plan is carried out."""
    PROMISE = "promise"
    """Carry out one action of the accepted plan by the date the customer was given."""
    FOLLOW_UP = "follow_up"
    """Check back with the customer after resolution."""
    REOPEN_WINDOW = "reopen_window"
    """The end of the time a closed case may be reopened; nothing is owed, nothing breaches."""

    @property
    def label(self) -> str:
        """The kind as a person reads it."""
        return self.value.replace("_", " ")

    @property
    def breachable(self) -> bool:
        """Whether missing it is a breach (everything but the reopen window)."""
        return self is not DeadlineKind.REOPEN_WINDOW


class DeadlineStatus(enum.Enum):
    """Where a deadline stands at a given moment."""

    UPCOMING = "upcoming"
    """Running, with less than the first warning fraction of its time used."""
    WARNING = "warning"
    """Running, past at least one warning fraction of its time."""
    BREACHED = "breached"
    """Past due and not met."""
    MET = "met"
    """Met (on time or late: compare ``met_at`` with ``due_at``)."""


class PromiseStatus(enum.Enum):
    """What became of one promised action of an accepted plan."""

    OPEN = "open"
    """Not done yet, and not due yet."""
    KEPT = "kept"
    """Done by its due date."""
    KEPT_LATE = "kept_late"
    """Done, but after its due date."""
    BROKEN = "broken"
    """Past its due date and still not done."""


class WaitingOn(enum.Enum):
    """Whom a paused case waits on."""

    CUSTOMER = "customer"
    THIRD_PARTY = "third_party"

    @property
    def label(self) -> str:
        """``"the customer"`` or ``"a third party"``."""
        return "the customer" if self is WaitingOn.CUSTOMER else "a third party"
