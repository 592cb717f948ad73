"""Cases at known moments, for the tests of deadlines, waits, ticks and scans.

The cast, the clock and ``open_case`` are the shared ones of ``tests/scenarios.py``.

Every helper applies commands through a real workflow (the conversation before
a plan, through the public ``CaseFactory``), so each case is one the guards
accepted. Times are explicit: a test says when each step happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import service_recovery as sr
from service_recovery.testing import CaseFactory
from tests.scenarios import AGENT, SUPERVISOR, T0, open_case

# The timing tests read the shared cast and clock from here.
__all__ = [
    "AGENT",
    "DAY",
    "HOUR",
    "MINUTE",
    "SUPERVISOR",
    "T0",
    "agree_plan",
    "answer",
    "closed_case",
    "complete_all",
    "follow_up",
    "of_kind",
    "only",
    "open_case",
    "resolving_case",
]

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


def answer(workflow: sr.Workflow, case: sr.Case, at: datetime) -> sr.Case:
    """The first answer to the customer, at *at*."""
    return workflow.apply(case, sr.Acknowledge(by=AGENT, at=at, message="On it"))


def agree_plan(
    workflow: sr.Workflow, case: sr.Case, at: datetime, dues: Sequence[timedelta]
) -> sr.Case:
    """From a just-answered case, hear the customer out and agree a plan at *at*.

    The plan has one action per entry of *dues*, each due that long after *at*.
    """
    plan = sr.ProposeSolution(
        by=AGENT,
        at=at,
        plan="Ship the right jacket",
        actions=tuple(sr.Action(f"Action {n}", due=at + due) for n, due in enumerate(dues)),
    )
    case = CaseFactory(workflow, sr.FixedClock(at)).advance(case, sr.Stage.DIAGNOSED)
    for command in (plan, sr.AcceptSolution(by=AGENT, at=at)):
        case = workflow.apply(case, command)
    return case


def resolving_case(
    workflow: sr.Workflow,
    *,
    at: datetime = T0,
    dues: Sequence[timedelta] = (2 * DAY,),
    channel: sr.Channel = sr.Channel.SOCIAL,
) -> sr.Case:
    """A case answered and with a plan accepted, all at *at*."""
    case = answer(workflow, open_case(workflow, channel=channel, at=at), at)
    return agree_plan(workflow, case, at, dues)


def complete_all(workflow: sr.Workflow, case: sr.Case, at: datetime) -> sr.Case:
    """Complete every open promised action at *at* (the case becomes resolved)."""
    for index in sorted(case.open_actions):
        case = workflow.apply(case, sr.CompleteAction(by=AGENT, at=at, index=index))
    return case


def follow_up(
    workflow: sr.Workflow, case: sr.Case, at: datetime, outcome: sr.FollowUpOutcome
) -> sr.Case:
    """Check back with the customer at *at*."""
    return workflow.apply(case, sr.FollowUp(by=AGENT, at=at, outcome=outcome))


def closed_case(
    workflow: sr.Workflow, *, at: datetime = T0, opened: datetime | None = None
) -> sr.Case:
    """A case reported at *opened* (default *at*), then answered, resolved and closed at *at*."""
    case = answer(workflow, open_case(workflow, at=opened or at), at)
    case = complete_all(workflow, agree_plan(workflow, case, at, (2 * DAY,)), at)
    case = follow_up(workflow, case, at, sr.FollowUpOutcome.SATISFIED)
    return workflow.apply(case, sr.Close(by=AGENT, at=at))


def of_kind(deadlines: Sequence[sr.Deadline], kind: sr.DeadlineKind) -> list[sr.Deadline]:
    """The deadlines of one kind, in the order given."""
    return [deadline for deadline in deadlines if deadline.kind is kind]


def only(deadlines: Sequence[sr.Deadline], kind: sr.DeadlineKind) -> sr.Deadline:
    """The one deadline of *kind*; fails if there is not exactly one."""
    found = of_kind(deadlines, kind)
    assert len(found) == 1, found
    return found[0]
