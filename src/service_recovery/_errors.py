"""Every error the library raises, under one base: :class:`RecoveryError`.

Errors carry the data a host needs to act on them (the reasons, the case,
the problems with their paths), so nobody has to parse a message. The
hierarchy (``ValueError`` marks the errors about bad data)::

    Exception
    ├── RecoveryError                 the one base of every error raised here
    │   ├── InvalidValue              + ValueError: a malformed value or argument
    │   ├── TransitionNotAllowed      a refused command: .reasons, .case, .command
    │   │   └── CommandVetoed         refused by a host before-hook raising Veto
    │   ├── HookFailed                a host hook raised: .case, .accepted, .errors
    │   ├── IdempotencyConflict       a command id reused for a different command
    │   ├── InvalidSnapshot           + ValueError: from_dict data, .problems
    │   ├── InvalidHistory            + ValueError: replay events, .problems
    │   └── InvalidPolicy             + ValueError: a policy or graph, .problems
    └── Veto                          raised by the host; answered by CommandVetoed

This module is the bottom layer: it imports nothing of the package, so the
case and the reasons an error carries are typed by the two protocols below
(:class:`CaseLike`, :class:`ReasonLike`): whoever raises is checked against
them, and a handler that needs the full case narrows it, as in
``isinstance(err.case, sr.Case)`` (it always is one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class CaseLike(Protocol):
    """What an error needs of the case it carries (a :class:`Case` is one)."""

    @property
    def id(self) -> str:
        """The case id."""
        ...

    @property
    def version(self) -> int:
        """How many events the case has."""
        ...


class ReasonLike(Protocol):
    """What a refusal needs of each of its reasons (a :class:`Reason` is one)."""

    @property
    def guard(self) -> str:
        """The name of the guard that refused."""
        ...

    @property
    def message(self) -> str:
        """The sentence for the agent."""
        ...


def _restore(kind: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Rebuild a pickled error without calling its ``__init__`` (whose arguments differ)."""
    error = kind.__new__(kind, *args)
    error.__dict__.update(state)
    return error


class RecoveryError(Exception):
    """Base of every error raised by ``service_recovery``.

    Catch this one to handle anything the library refuses::

        try:
            case = workflow.apply(case, command)
        except sr.RecoveryError as err:
            show(err)

    Every error pickles with the data it carries (to hand it to another process).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, self.__dict__))


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

    def __init__(
        self, reasons: Sequence[ReasonLike], case: CaseLike | None, command: object
    ) -> None:
        self.reasons: tuple[ReasonLike, ...] = tuple(reasons)
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

    The message is written only when it is read, and never fails: a hook
    whose ``repr`` raises, or an exception whose ``str`` does, is named by a
    fallback text, so the accepted case always reaches the host.

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
        case: CaseLike | None,
        *,
        accepted: bool,
        errors: Sequence[tuple[Any, BaseException]],
    ) -> None:
        super().__init__()
        self.case = case
        self.accepted = accepted
        self.errors: tuple[tuple[Any, BaseException], ...] = tuple(errors)

    def __str__(self) -> str:
        names = ", ".join(
            f"{describe_callable(hook)} raised {describe_exception(err)}"
            for hook, err in self.errors
        )
        state = "the command was accepted" if self.accepted else "nothing changed"
        return f"{len(self.errors)} hook(s) failed ({state}): {names}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


def describe_callable(hook: object) -> str:
    """A name for *hook* in messages: its qualified name, else its repr, else its type.

    Never raises, whatever the hook's ``__repr__`` or ``__getattr__`` does.
    """
    try:
        name = getattr(hook, "__qualname__", None)
        if isinstance(name, str):
            return name
        return repr(hook)
    except Exception:
        return f"<{type(hook).__qualname__} object (its repr failed)>"


def describe_exception(error: BaseException) -> str:
    """``"TypeName: message"`` for *error*; a fallback text if its ``str`` raises."""
    try:
        text = str(error)
    except Exception:
        text = "<its str() failed>"
    return f"{type(error).__name__}: {text}"


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

    Args:
        reason: what to tell the agent. Omitted or ``None``, the refusal
            says :attr:`DEFAULT_REASON`.

    Raises:
        InvalidValue: *reason* is not a string (nor ``None``); inside a
            before-hook that makes a :class:`HookFailed` naming the problem.
    """

    DEFAULT_REASON = "A check of the host application refused this command"

    def __init__(self, reason: str | None = None) -> None:
        if reason is not None and not isinstance(reason, str):
            raise InvalidValue(
                f"reason: a Veto's reason is a sentence for the agent (a str), "
                f"got {type(reason).__name__}",
                field="reason",
            )
        text = self.DEFAULT_REASON if reason is None else reason
        super().__init__(text)
        self.reason = text
