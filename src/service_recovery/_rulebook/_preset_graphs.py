"""The stage graphs of the named recovery models, on the library's fixed stages.

Each graph keeps the stages the contract guards protect (a solution is
proposed only after venting; a case closes only after a follow-up) and puts
the model's own steps in the model's own order.
"""

from __future__ import annotations

from .._model._commands import (
    AcceptSolution,
    Acknowledge,
    Apologize,
    Close,
    CompleteAction,
    DeclineSolution,
    FinishVenting,
    FollowUp,
    IdentifyCause,
    Listen,
    ProposeSolution,
    RecordPrevention,
    ReflectBack,
    Reopen,
    Reschedule,
    SendUpdate,
    Thank,
)
from .._model._stages import Stage
from .._model._values import FollowUpOutcome
from ._graph import ACTIONS_REMAIN, LAST_OPEN_ACTION, Edge, StageGraph, outcome_is

S = Stage


def _hearing(first: Stage) -> tuple[Edge, ...]:
    """Listen without interrupting, reflect back, finish venting; *first* leads in."""
    return (
        Edge(Listen, first, S.LISTENING),
        Edge(Listen, S.LISTENING, S.LISTENING),
        Edge(ReflectBack, S.LISTENING, S.LISTENING),
        Edge(FinishVenting, S.LISTENING, S.UNDERSTOOD),
    )


def _solving(ready: Stage) -> tuple[Edge, ...]:
    """Propose from *ready*, decline back to it, accept, carry out the promised actions.

    A promised action may get a new date (reschedule) while the plan is carried out.
    """
    return (
        Edge(ProposeSolution, ready, S.SOLUTION_PROPOSED),
        Edge(DeclineSolution, S.SOLUTION_PROPOSED, ready),
        Edge(AcceptSolution, S.SOLUTION_PROPOSED, S.RESOLVING),
        Edge(SendUpdate, S.RESOLVING, S.RESOLVING),
        Edge(Reschedule, S.RESOLVING, S.RESOLVING),
        Edge(CompleteAction, S.RESOLVING, S.RESOLVED, LAST_OPEN_ACTION),
        Edge(CompleteAction, S.RESOLVING, S.RESOLVING, ACTIONS_REMAIN),
    )


def _following_up(waiting: Stage, *loops: type[Thank] | type[RecordPrevention]) -> tuple[Edge, ...]:
    """Follow up from *waiting*, close, reopen; *loops* are steps taken while there."""
    return (
        Edge(FollowUp, waiting, waiting, outcome_is(FollowUpOutcome.NO_ANSWER)),
        Edge(FollowUp, waiting, S.LISTENING, outcome_is(FollowUpOutcome.UNSATISFIED)),
        Edge(FollowUp, waiting, S.FOLLOWED_UP, outcome_is(FollowUpOutcome.SATISFIED)),
        *(Edge(loop, stage, stage) for loop in loops for stage in (waiting, S.FOLLOWED_UP)),
        Edge(Close, S.FOLLOWED_UP, S.CLOSED),
        Edge(Close, waiting, S.CLOSED),
        Edge(Reopen, S.CLOSED, S.LISTENING),
    )


HEARD_GRAPH = StageGraph(
    (
        *_hearing(S.REPORTED),
        Edge(Apologize, S.UNDERSTOOD, S.APOLOGIZED),
        *_solving(S.APOLOGIZED),
        Edge(IdentifyCause, S.RESOLVED, S.DIAGNOSED),
        *_following_up(S.DIAGNOSED, RecordPrevention),
    )
)
"""Hear, Empathize, Apologize, Resolve, Diagnose: the cause is diagnosed *after* the
customer's problem is resolved, to fix the process behind it."""

LAST_GRAPH = StageGraph(
    (
        *_hearing(S.REPORTED),
        Edge(Apologize, S.UNDERSTOOD, S.APOLOGIZED),
        *_solving(S.APOLOGIZED),
        *_following_up(S.RESOLVED, Thank),
    )
)
"""Listen, Apologize, Solve, Thank: the shortest model; no separate acknowledgement
or diagnosis."""

BLAST_GRAPH = StageGraph(
    (
        Edge(Acknowledge, S.REPORTED, S.ACKNOWLEDGED),
        *_hearing(S.ACKNOWLEDGED),
        Edge(Apologize, S.UNDERSTOOD, S.APOLOGIZED),
        *_solving(S.APOLOGIZED),
        *_following_up(S.RESOLVED, Thank),
    )
)
"""Believe, Listen, Apologize, Satisfy, Thank: the first answer tells the customer
they are believed (an acknowledgement), then as LAST."""

LATTE_GRAPH = StageGraph(
    (
        *_hearing(S.REPORTED),
        Edge(Acknowledge, S.UNDERSTOOD, S.ACKNOWLEDGED),
        *_solving(S.ACKNOWLEDGED),
        Edge(Thank, S.RESOLVED, S.RESOLVED),
        Edge(IdentifyCause, S.RESOLVED, S.DIAGNOSED),
        *_following_up(S.DIAGNOSED, Thank),
    )
)
"""Listen, Acknowledge, Take action, Thank, Explain: the complaint is acknowledged
after it is heard, there is no apology step, and the customer is told what
happened (the cause) after being thanked."""

LEARN_GRAPH = StageGraph(
    (
        *_hearing(S.REPORTED),
        Edge(Apologize, S.UNDERSTOOD, S.APOLOGIZED),
        *_solving(S.APOLOGIZED),
        *_following_up(S.RESOLVED, RecordPrevention),
    )
)
"""Listen, Empathize, Apologize, React, Notify: notify means telling the organisation
what went wrong so it is fixed, recorded as a prevention note."""

ISO_10002_GRAPH = StageGraph(
    (
        Edge(Acknowledge, S.REPORTED, S.ACKNOWLEDGED),
        *_hearing(S.ACKNOWLEDGED),
        Edge(Apologize, S.UNDERSTOOD, S.UNDERSTOOD),
        Edge(IdentifyCause, S.UNDERSTOOD, S.DIAGNOSED),
        *_solving(S.DIAGNOSED),
        *_following_up(S.RESOLVED, RecordPrevention),
    )
)
"""Receipt, tracking, acknowledgement, initial assessment, investigation, response,
communicating the decision, closing: the organisational process of ISO 10002."""
