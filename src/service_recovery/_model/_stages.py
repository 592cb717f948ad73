"""Where a case stands."""

from __future__ import annotations

import enum


class Stage(enum.Enum):
    """The stages of the recovery workflow, in the default order.

    A policy's stage graph uses some or all of them; ``CLOSED`` is always the
    end of the road (until a ``Reopen``).
    """

    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    LISTENING = "listening"
    UNDERSTOOD = "understood"
    APOLOGIZED = "apologized"
    DIAGNOSED = "diagnosed"
    SOLUTION_PROPOSED = "solution_proposed"
    RESOLVING = "resolving"
    RESOLVED = "resolved"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The stage name as a person reads it: ``"solution proposed"``."""
        return self.value.replace("_", " ")
