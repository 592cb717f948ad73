"""Where a case stands."""

from __future__ import annotations

import enum


class Stage(enum.Enum):
    """The stages of the recovery workflow, in the default order.

    A policy's stage graph uses some or all of them; ``CLOSED`` is always the
    end of the road (until a ``Reopen``). ``WITHDRAWN`` ends a complaint that is
    not to be recovered (a duplicate, spam, merged, or withdrawn by the
    customer): it is terminal, and it is not ``CLOSED``.

    A stage hashes by identity, as it compares (each member is one object), so
    stage-keyed tables cost a C-level hash; ``Enum`` would hash its name in
    Python code on every lookup. Hashes differ between processes, so pickles
    hold values, never hashes: a stage-keyed dict pickles and loads as any dict.

    >>> {Stage.CLOSED: "done"}[Stage("closed")]
    'done'
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
    WITHDRAWN = "withdrawn"

    __hash__ = object.__hash__

    @property
    def label(self) -> str:
        """The stage name as a person reads it: ``"solution proposed"``."""
        return self.value.replace("_", " ")

    @property
    def terminal(self) -> bool:
        """Whether nothing ever follows this stage: only ``WITHDRAWN`` (a closed case may reopen).

        >>> Stage.WITHDRAWN.terminal, Stage.CLOSED.terminal
        (True, False)
        """
        return self is Stage.WITHDRAWN
