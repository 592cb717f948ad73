"""Every error the library raises, under one base: :class:`RecoveryError`.

Errors carry the data a host needs to act on them (the reasons, the case,
the problems with their paths), so nobody has to parse a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._model._case import Case
    from ._rulebook._guard_types import Reason


class RecoveryError(Exception):
    """Base of every error raised by ``service_recovery``.

    Catch this one to handle anything the library refuses::

        try:
            case = workflow.apply(case, command)
        except sr.RecoveryError as err:
            show(err)
    """


class InvalidValue(RecoveryError, ValueError):
    """A value (a command, an amount, an actor...) is malformed.

    Raised when the value is built, so a bad value never reaches a case.

    Attributes:
        field: the name of the offending field, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TransitionNotAllowed(RecoveryError):
    """The workflow refused a command; the case is unchanged.

    Attributes:
        reasons: why, in words an agent can act on (the same as
            :meth:`Workflow.explain` gives).
        case: the case as it was (and still is); ``None`` when opening a case.
        command: the refused command.
    """

    def __init__(self, reasons: Sequence[Reason], case: Case | None, command: object) -> None:
        self.reasons: tuple[Reason, ...] = tuple(reasons)
        self.case = case
        self.command = command
        super().__init__("; ".join(str(reason) for reason in self.reasons))


class CommandVetoed(TransitionNotAllowed):
    """A before-hook of the host vetoed the command by raising :class:`Veto`."""


class IdempotencyConflict(RecoveryError):
    """A command reuses the id of an accepted command but says something else.

    Re-delivering the *same* command is fine (it is a no-op); reusing its id
    for a different command is a bug in the caller.
    """


class HookFailed(RecoveryError):
    """One or more host hooks raised.

    Attributes:
        case: the case the host should keep. After a before-hook failure it is
            the unchanged case and ``accepted`` is false; after an after-hook
            failure it is the *new* case: the event was accepted and must not
            be lost, only the side effect needs a retry. ``None`` if a before-hook
            of :meth:`Workflow.open` failed (there is no case yet).
        accepted: whether the command's event is part of ``case``.
        errors: each failing hook with the exception it raised, in run order.
    """

    def __init__(
        self,
        case: Case | None,
        *,
        accepted: bool,
        errors: Sequence[tuple[Any, BaseException]],
    ) -> None:
        self.case = case
        self.accepted = accepted
        self.errors: tuple[tuple[Any, BaseException], ...] = tuple(errors)
        names = ", ".join(
            f"{getattr(hook, '__qualname__', repr(hook))} raised {type(err).__name__}: {err}"
            for hook, err in self.errors
        )
        state = "the command was accepted" if accepted else "nothing changed"
        super().__init__(f"{len(self.errors)} hook(s) failed ({state}): {names}")


class _ProblemsError(RecoveryError, ValueError):
    """An error listing every problem found, each prefixed by its path."""

    what = "data"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid {self.what} ({len(self.problems)} problem(s)):\n{listing}")


class InvalidSnapshot(_ProblemsError):
    """``from_dict`` was given data that is not a valid case snapshot.

    Attributes:
        problems: every problem, each starting with the path of the bad item
            (``history[3].at: expected an aware ISO 8601 datetime, got '...'``).
    """

    what = "case snapshot"


class InvalidHistory(_ProblemsError):
    """A history given to :meth:`Workflow.replay` cannot be a case's history."""

    what = "history"


class InvalidPolicy(_ProblemsError):
    """A policy or its stage graph is inconsistent; lists every problem found."""

    what = "policy"


class Veto(Exception):
    """Raised by a host before-hook to refuse a command.

    The workflow turns it into :class:`CommandVetoed` and changes nothing::

        @workflow.hooks.before(sr.Close)
        def no_close_on_fridays(ctx):
            if ctx.command.at.weekday() == 4:
                raise sr.Veto("We do not close cases on Fridays")
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def shortened(value: object, limit: int = 80) -> str:
    """*value*'s ``repr`` cut to about *limit* characters, for quoting bad input in a message.

    Safe for anything a caller may pass: a 50 MB text, a list nested a
    thousand levels deep, an integer of thousands of digits, an object whose
    ``repr`` raises.

    >>> shortened("x" * 1_000_000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
    >>> shortened(10**5000)
    '<an integer of about 5001 digits>'
    >>> shortened([[[[[1]]]]])
    '[[[[...]]]]'

    Args:
        value: the value to quote.
        limit: the longest text to return.

    Returns:
        The shortened ``repr``.
    """
    text = _short_repr(value, limit, depth=3)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_BRACKETS: dict[type, str] = {list: "[]", tuple: "()", set: "{}", dict: "{}"}


def _short_repr(value: object, limit: int, depth: int) -> str:
    """A ``repr`` that reads no more of *value* than a message of *limit* characters shows."""
    if isinstance(value, str | bytes):
        return repr(value[: limit + 1])  # one more than fits, so the cut shows
    if isinstance(value, int) and not isinstance(value, bool):
        digits = int(value.bit_length() * 0.30103) + 1  # log10(2): counted, not printed
        return repr(value) if digits <= limit else f"<an integer of about {digits} digits>"
    brackets = _BRACKETS.get(type(value))
    if brackets is not None and value and isinstance(value, list | tuple | set | dict):
        if depth <= 0:
            return f"{brackets[0]}...{brackets[1]}"
        parts: list[str] = []
        size = 0
        for item in value:
            if size > limit:
                parts.append("...")
                break
            part = _short_repr(item, limit, depth - 1)
            if isinstance(value, dict):
                part += ": " + _short_repr(value[item], limit, depth - 1)
            parts.append(part)
            size += len(part) + 2
        trailing = "," if isinstance(value, tuple) and len(value) == 1 else ""
        return brackets[0] + ", ".join(parts) + trailing + brackets[1]
    try:
        return repr(value)[: limit + 1]
    except Exception:
        return f"<{type(value).__name__} object>"
