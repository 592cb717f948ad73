"""Refusals: why a command is refused, and the errors that carry the case they refused.

They sit beside the case so that ``err.case`` is a :class:`Case` to a type
checker, not a stand-in; ``_errors`` holds the base and the errors about data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from .._errors import RecoveryError, describe_callable, describe_exception
from ._case import Case


@attrs.frozen
class Reason:
    """Why a command is refused: the guard's name and a sentence for the agent.

    ``str(reason)`` is the sentence, so reasons print well as they are.
    """

    guard: str
    message: str

    def __str__(self) -> str:
        return self.message


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
        case: Case | None,
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
