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
    │   ├── InvalidPolicy             + ValueError: a policy or graph, .problems
    │   ├── PolicyMismatch            a case given to a workflow of another policy
    │   ├── StaleCase                 a store save lost a race: .case_id, .expected, .found
    │   ├── CaseNotFound              no stored case with this id: .case_id
    │   ├── CaseExists                a stored case has this id already: .case_id
    │   ├── StoreCorrupted            + ValueError: a store row cannot be read, .problems
    │   └── StoreSchemaUnsupported    a store's database is newer, or no store
    └── Veto                          raised by the host; answered by CommandVetoed

This module is the bottom layer: it imports nothing of the package. The
errors that carry a case (``TransitionNotAllowed``, ``CommandVetoed`` and
``HookFailed``) live one layer up, in ``_model/_refusals.py``, beside the case
they carry, so ``err.case`` is typed as a :class:`Case` and ``err.reasons`` as
:class:`Reason` values; every one is re-exported as ``service_recovery.<Name>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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


class IdempotencyConflict(RecoveryError):
    """A command reuses the id of an accepted command but says something else.

    Re-delivering the *same* command is fine (it is a no-op); reusing its id
    for a different command is a bug in the caller.
    """


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
    """A policy or its stage graph is inconsistent; lists every problem found.

    Also raised where a policy subclass's override method is used, when it
    answers the wrong kind of value (one problem naming the method).
    """

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
            says ``Veto.DEFAULT_REASON``.

    Raises:
        InvalidValue: *reason* is not a string (nor ``None``); inside a
            before-hook that makes a :class:`HookFailed` naming the problem.
    """

    #: What the refusal says when the hook gave no reason of its own.
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


class StaleCase(RecoveryError):
    """A save expected a version of the case that is no longer the stored one.

    Someone else saved the case first: load it again, judge the command on
    the winner's case, and save again (:class:`Desk` does this for you, and
    raises this only when its retries are exhausted). Nothing was written.

    Attributes:
        case_id: the case.
        expected: the version the save expected to find.
        found: the version the store holds (``None`` when unknown).
    """

    def __init__(self, case_id: str, expected: int, found: int | None) -> None:
        self.case_id = case_id
        self.expected = expected
        self.found = found
        held = "an unknown version" if found is None else f"version {found}"
        super().__init__(
            f"case {case_id!r}: expected version {expected}, but the store holds {held}; "
            "load it again and judge the command on the newer case"
        )


class CaseNotFound(RecoveryError):
    """No case with this id is stored.

    Attributes:
        case_id: the id asked for.
    """

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"no case {case_id!r} in the store")


class CaseExists(RecoveryError):
    """A case with this id is already stored; nothing was written.

    Attributes:
        case_id: the id that is taken.
    """

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"case {case_id!r} is already in the store")


class PolicyMismatch(RecoveryError):
    """A case recorded under one policy was given to a workflow of another.

    Apply commands with a workflow built from the policy the case was opened
    under (its identity is ``case.history[0].command.policy``); a case's rules
    do not change under it.

    Attributes:
        recorded: the policy identity the case carries.
        workflow: the identity of the workflow's policy.
    """

    def __init__(self, recorded: str, workflow: str) -> None:
        self.recorded = recorded
        self.workflow = workflow
        super().__init__(
            f"the case runs under policy {recorded!r}, not this workflow's {workflow!r}; "
            "use a workflow of the case's own policy"
        )


class StoreCorrupted(_ProblemsError):
    """What a store holds cannot be read back as cases (a damaged row, a gap in a history).

    Attributes:
        problems: every problem, each naming the table and the key of the row.
    """

    what = "stored data"


class StoreSchemaUnsupported(RecoveryError):
    """The store's database was written by a newer release, or is not a store at all.

    Nothing was changed: upgrade the library, or point it at another database.

    Attributes:
        found: the schema version the database says it has.
        supported: the newest version this release reads.
    """

    def __init__(self, found: object, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"the store's schema is version {found!r}, but this release reads versions up to "
            f"{supported}; upgrade service-recovery to open it"
        )
