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
