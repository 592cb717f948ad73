"""Problems found while reading data, each with the path of what was wrong.

The path is the one thing a reader never writes: a hook notes *what* is
wrong, and each container that hands a child to a reader adds the child's
key or index to whatever the child noted, on the way back out. Nothing is
built for a path while the data is good, which is nearly always.
"""

from __future__ import annotations

from typing import Any

from .._errors import shortened

_LONGEST_KEY = 60
_LONGEST_REFUSAL = 300


class Problem:
    """One problem: what is wrong, and where (kept as segments until it is read)."""

    __slots__ = ("_segments", "message")

    def __init__(self, message: str, segments: tuple[str, ...] = ()) -> None:
        self.message = message
        self._segments = list(reversed(segments))  # innermost first: parents append

    @property
    def path(self) -> str:
        """Where, as ``history[3].by.role`` (empty at the top)."""
        return "".join(reversed(self._segments)).removeprefix(".")

    def __str__(self) -> str:
        path = self.path
        return f"{path}: {self.message}" if path else self.message


class Problems:
    """The problems of one reading, and the flat values read so far (shared when equal)."""

    __slots__ = ("found", "seen")

    def __init__(self) -> None:
        self.found: list[Problem] = []
        self.seen: dict[tuple[Any, ...], Any] = {}

    def __len__(self) -> int:
        return len(self.found)

    def note(self, message: str, *segments: str) -> None:
        """Note *message*, at the path *segments* below where the reader stands."""
        self.found.append(Problem(message, segments))

    def locate(self, since: int, segment: str) -> None:
        """Put every problem noted since the count *since* under *segment* (``.key``, ``[n]``)."""
        for problem in self.found[since:]:
            problem._segments.append(segment)

    def messages(self) -> list[str]:
        """Every problem as ``path: message``, in the order found."""
        return [str(problem) for problem in self.found]


def refusal(err: object) -> str:
    """A value's own refusal *err*, as a message of bounded length.

    The checks of a value may quote what they refused in full; input read
    from outside can be megabytes long, so what reaches a problem is cut.
    """
    message = str(err)
    if len(message) <= _LONGEST_REFUSAL:
        return message
    return message[: _LONGEST_REFUSAL - 3] + "..."


def key_segment(key: object) -> str:
    """The path segment of a mapping key: ``.name`` (a long or odd key quoted shortened)."""
    if isinstance(key, str) and len(key) <= _LONGEST_KEY:
        return f".{key}"
    return f".{shortened(key, _LONGEST_KEY)}"


def index_segment(index: int) -> str:
    """The path segment of a list item: ``[3]``."""
    return f"[{index}]"
