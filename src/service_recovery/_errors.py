"""Every error the library raises, under one base: :class:`RecoveryError`.

Errors carry the data a host needs to act on them (the reasons, the case,
the problems with their paths), so nobody has to parse a message.
"""

from __future__ import annotations

import itertools
import reprlib
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


class _ShortRepr(reprlib.Repr):
    """``repr`` that stops early: a few items, a few levels, short texts, no huge integers."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = self.maxother = self.maxlong = 60
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 5

    def repr_int(self, x: int, level: int) -> str:
        estimate = int(x.bit_length() * 0.30103) + 1  # log10(2): the digits, none printed
        if estimate <= self.maxlong:
            return repr(x)
        if estimate < 4000:  # Python prints integers of up to 4,300 digits
            return f"<an integer of {len(str(abs(x)))} digits>"
        return f"<an integer of about {estimate} digits>"

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        # reprlib sorts the keys, which costs a sort of the whole mapping: keep its order.
        if level <= 0:
            return "{...}"
        items = [
            f"{self.repr1(key, level - 1)}: {self.repr1(x[key], level - 1)}"
            for key in itertools.islice(x, self.maxdict)
        ]
        more = ", ..." if len(x) > self.maxdict else ""
        return "{" + ", ".join(items) + more + "}"


_SHORT_REPR = _ShortRepr()


def shortened(value: object, limit: int = 80) -> str:
    """*value*'s ``repr`` cut to about *limit* characters, for quoting bad input in a message.

    Safe for anything a caller may pass: a 50 MB text, a list nested a
    thousand levels deep, an integer of thousands of digits, an object whose
    ``repr`` raises.

    >>> shortened("x" * 1_000_000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
    >>> shortened(10**5000)
    '<an integer of about 5001 digits>'

    Args:
        value: the value to quote.
        limit: the longest text to return.

    Returns:
        The shortened ``repr``.
    """
    try:
        text = _SHORT_REPR.repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
