"""The workloads the benchmarks run: one complaint along the full default path, and its baselines.

The path is the one the default graph is built for: acknowledge, listen, reflect back
(not yet right), listen again, reflect back (confirmed), finish venting, apologise,
identify the cause, propose a plan with an action and compensation, accept it, send an
update, complete the action, follow up (satisfied), close. With its ``Open`` event a
case that walked it holds 15 events.

The baselines move a token along the same graph with no case, no facts and no hooks:
a bare ``transitions.Machine`` (the engine the library wraps) and a dict-lookup FSM (the
floor: what any state machine costs at least).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from transitions import Machine

import service_recovery as sr

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
AGENT = sr.Actor("agent-7", sr.Role.AGENT)

# Texts are shared by every case: the benchmark measures what the library adds, and a
# host's own note texts add their length on top.
NOTE = "Ordered a navy jacket, got a yellow raincoat; needs it before Friday"
SUMMARY = "You received the wrong item and need the jacket before your trip on Friday"
APOLOGY = "I am sorry: we sent the wrong item, and we will put it right today"
PLAN = "Ship the right jacket by express, with a discount on this order"
UPDATE = "The jacket left our warehouse this morning"
ACTION = "Ship the navy jacket by express"
DISCOUNT = sr.Compensation(sr.CompensationKind.DISCOUNT, sr.Money("20", "EUR"))


def path(start: datetime) -> tuple[sr.Command, ...]:
    """The 14 commands of the full default path, dated from *start* (each its own datetime)."""

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    return (
        sr.Acknowledge(by=AGENT, at=at(5)),
        sr.Listen(by=AGENT, at=at(6), note=NOTE),
        sr.ReflectBack(by=AGENT, at=at(9), summary=SUMMARY, confirmed=False),
        sr.Listen(by=AGENT, at=at(10), note=NOTE),
        sr.ReflectBack(by=AGENT, at=at(12), summary=SUMMARY, confirmed=True),
        sr.FinishVenting(by=AGENT, at=at(13)),
        sr.Apologize(by=AGENT, at=at(14), message=APOLOGY),
        sr.IdentifyCause(by=AGENT, at=at(18), category="wrong item", detail=NOTE),
        sr.ProposeSolution(
            by=AGENT,
            at=at(22),
            plan=PLAN,
            actions=(sr.Action(ACTION, due=at(60 * 24)),),
            compensation=DISCOUNT,
        ),
        sr.AcceptSolution(by=AGENT, at=at(25)),
        sr.SendUpdate(by=AGENT, at=at(60 * 5), message=UPDATE),
        sr.CompleteAction(by=AGENT, at=at(60 * 20), index=0),
        sr.FollowUp(by=AGENT, at=at(60 * 48), outcome=sr.FollowUpOutcome.SATISFIED),
        sr.Close(by=AGENT, at=at(60 * 49)),
    )


def open_case(workflow: sr.Workflow, number: int, start: datetime) -> sr.Case:
    """Case number *number*, just reported at *start* (its own id and customer)."""
    return workflow.open(
        customer=sr.Customer(f"cust-{number:06d}", "Jordan Reyes"),
        channel=sr.Channel.SOCIAL,
        severity=sr.Severity.MAJOR,
        summary=NOTE,
        at=start,
        id=f"case-{number:06d}",
    )


def start_of(number: int) -> datetime:
    """When case *number* is reported: one a minute, so every case has its own times."""
    return START + timedelta(minutes=number)


def walk(workflow: sr.Workflow, case: sr.Case, commands: Sequence[sr.Command]) -> sr.Case:
    """Apply *commands* to *case* one by one, as a host does."""
    for command in commands:
        case = workflow.apply(case, command)
    return case


def path_stages(workflow: sr.Workflow) -> tuple[sr.Stage, ...]:
    """The stage after each command of the path (checked once by really applying it)."""
    case = open_case(workflow, 0, START)
    stages = []
    for command in path(START):
        case = workflow.apply(case, command)
        stages.append(case.stage)
    return tuple(stages)


def history(
    workflow: sr.Workflow, number: int, stages: Sequence[sr.Stage], length: int = 15
) -> tuple[sr.Event, ...]:
    """The first *length* events of case *number* on the path, built as facts (no guards).

    The events are the ones :meth:`Workflow.apply` records, so cases rebuilt from them
    are laid out in memory exactly like cases a host applied commands to.
    """
    start = start_of(number)
    opened = open_case(workflow, number, start)
    commands = path(start)[: length - 1]
    return (
        *opened.history,
        *(sr.Event(command, stage) for command, stage in zip(commands, stages, strict=False)),
    )


def long_case(workflow: sr.Workflow, events: int) -> sr.Case:
    """A case of *events* events, each applied with its own id: listening, then notes heard.

    Acknowledged and listened to, then a note heard a minute after the last; every
    command carries an id, as commands from a host's queue do.
    """
    case = open_case(workflow, 0, START)
    commands: list[sr.Command] = [sr.Acknowledge(by=AGENT, at=START, id="m-1")]
    commands += [
        sr.Listen(by=AGENT, at=START + timedelta(minutes=n), note=NOTE, id=f"m-{n + 2}")
        for n in range(events - 2)
    ]
    return walk(workflow, case, commands)


# -- baselines ------------------------------------------------------------------------


class Token:
    """What a baseline moves: only a state name, like the library's engine token."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


Step = tuple[str, str]
"""A baseline trigger: the command's name and the route it takes ("" when unrouted)."""


def route_key(edge: sr.Edge) -> str:
    """The name a baseline uses for *edge*'s route."""
    return edge.route.name if edge.route is not None else ""


def baseline_steps(workflow: sr.Workflow) -> tuple[Step, ...]:
    """The path as baseline triggers: each command's name and the route its edge takes."""
    graph = workflow.policy.graph
    source = graph.initial
    steps = []
    for command, dest in zip(path(START), path_stages(workflow), strict=True):
        edge = next(
            edge
            for edge in graph.all_edges()
            if edge.command is type(command) and edge.source is source and edge.dest is dest
        )
        steps.append((type(command).__name__, route_key(edge)))
        source = dest
    return tuple(steps)


def _guard_stand_in(event: Any) -> bool:
    """A cheap condition standing for the guards: reads the trigger's payload."""
    return event.kwargs["allowed"] is True


def _route_condition(key: str) -> Callable[[Any], bool]:
    def condition(event: Any) -> bool:
        return bool(event.kwargs["route"] == key)

    return condition


def bare_machine(graph: sr.StageGraph) -> Machine:
    """A bare ``transitions.Machine`` on *graph*: same stages and transitions, two conditions.

    Each transition checks its route (the payload names it) and a guard stand-in; the
    machine has no model and is triggered through ``machine.events[name].trigger(token)``.
    """
    machine = Machine(
        model=None,
        states=[stage.value for stage in graph.stages],
        initial=graph.initial.value,
        auto_transitions=False,
        send_event=True,
    )
    for edge in graph.all_edges():
        machine.add_transition(
            edge.command.__name__,
            edge.source.value,
            edge.dest.value,
            conditions=[_route_condition(route_key(edge)), _guard_stand_in],
        )
    return machine


def run_bare_machine(machine: Machine, steps: Sequence[Step], initial: str) -> str:
    """Trigger *steps* on a fresh token; return the final state."""
    events = machine.events
    token = Token(initial)
    for name, route in steps:
        if not events[name].trigger(token, route=route, allowed=True):
            raise RuntimeError(f"the bare machine refused {name}")
    return token.state


DictTable = dict[tuple[str, str], tuple[tuple[str, str], ...]]
"""(state, command name) -> the (route, destination) pairs to try in order."""


def dict_table(graph: sr.StageGraph) -> DictTable:
    """The same graph as a lookup table, for the floor baseline."""
    table: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for edge in graph.all_edges():
        key = (edge.source.value, edge.command.__name__)
        table.setdefault(key, []).append((route_key(edge), edge.dest.value))
    return {key: tuple(value) for key, value in table.items()}


def _dict_guard(allowed: bool) -> bool:
    return allowed is True


def run_dict_fsm(table: DictTable, steps: Sequence[Step], initial: str) -> str:
    """Move a state along *steps* by table lookup, with one route test and one guard call."""
    state = initial
    for name, route in steps:
        for edge_route, dest in table[(state, name)]:
            if edge_route == route and _dict_guard(True):
                state = dest
                break
        else:
            raise RuntimeError(f"the dict FSM refused {name}")
    return state
