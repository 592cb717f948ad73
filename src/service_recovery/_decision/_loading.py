"""What loading a history checks: the contract always, the graph under its own workflow.

Events are facts: loading does not run a policy's guards again, so a history
recorded under yesterday's rules still loads. Two things are checked all the
same (``Workflow.replay`` and ``from_dict`` ask :func:`history_problems`):

- **the contract**, always: what holds under every policy. Each event's
  contract guards that judge the case alone (of its command and of the stage
  it led to) run on the case that event found, as ``apply`` ran them, with
  the follow-up minimum every policy keeps. What a policy sets (how many
  follow-ups, an authority table) is not asked again: the history may have
  been recorded under other rules.
- **the graph**, with a workflow: the history opens at the graph's first
  stage, each event is one of its steps, and where a route chooses the stage
  the route chose the recorded one.

What each step of a history asks (is it a step of the graph, which contract
guards judge it, does a route choose where it goes) is worked out once per
kind of step, source stage, command type and stage reached, and then read
for every event in one pass. Only the events a guard or a route judges get
the case they found, all folded in one pass.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from itertools import compress, count
from typing import cast

import attrs

from .._errors import InvalidHistory
from .._model._case import Case, fold_prefixes
from .._model._commands import Command
from .._model._history import History, shape_of, stage_of_code, steps_of
from .._rulebook._guard_types import MIN_FOLLOW_UP_ATTEMPTS, Guard
from .._rulebook._policy import RecoveryPolicy
from ._guards import CONTRACT_GUARDS
from ._judge import GuardTable, Judge

_CASE_ONLY = GuardTable(guard for guard in CONTRACT_GUARDS if not guard.needs_command)
"""The contract guards that read the case alone: what holds whatever the policy was."""

_FLOOR = RecoveryPolicy(name="contract", follow_up_attempts=MIN_FOLLOW_UP_ATTEMPTS)
"""The policy the contract guards run under on loading: the minimums every policy keeps."""


def history_problems(history: History, judge: Judge | None = None) -> list[str]:
    """Every way *history* breaks the contract (and *judge*'s graph), by position.

    *history* already holds events in time order with one ``Open`` first
    (see ``check_history``); ``[]`` when nothing is wrong.
    """
    return _checked(history, judge, fold_all=False)[0]


def checked_fold(history: History, judge: Judge | None) -> Case:
    """The case *history* folds to, once it is checked as :func:`history_problems` checks it.

    The case comes from the same pass that checks each event, so the events are folded once.

    Raises:
        InvalidHistory: listing every problem, each with its position.
    """
    problems, case = _checked(history, judge, fold_all=True)
    if problems:
        raise InvalidHistory(problems)
    assert case is not None  # folded with the whole history, as asked
    return case


@attrs.frozen
class StepCheck:
    """What loading asks of one kind of step: a command type from a stage into a stage."""

    guards: tuple[Guard, ...]
    """The contract guards that judge it, on the case it found."""
    routed: bool
    """A route chose the stage: the route must choose it again."""
    needs_case: bool
    """A route of the step reads more than the case's fields: it is given a case."""
    on_graph: bool
    """The graph has this step (always, when no graph is checked)."""


class StepChecks(dict[tuple[int, type[Command], int], StepCheck | None]):
    """Each kind of step's :class:`StepCheck` under one judge (or none), worked out once.

    Keyed as :func:`steps_of` gives a history's steps (stages by their codes).
    ``None`` for the usual step: on the graph, judged by no guard, chosen by no route.
    It also keeps each history shape's :class:`LoadPlan` (see :meth:`plan`).
    """

    __slots__ = ("judge", "plans")

    def __init__(self, judge: Judge | None) -> None:
        super().__init__()
        self.judge = judge
        self.plans: dict[tuple[bytes, tuple[type[Command], ...], bool], LoadPlan] = {}

    def __missing__(self, step: tuple[int, type[Command], int]) -> StepCheck | None:
        source, dest = stage_of_code(step[0]), stage_of_code(step[2])
        kind = step[1]
        judge = self.judge
        guards = _CASE_ONLY.on(kind, dest)
        routed = judge is not None and judge.routes(source, kind)
        on_graph = judge is None or judge.engine.is_step(source, kind, dest)
        needs_case = routed and judge is not None and judge.routes_read_case(source, kind)
        found = StepCheck(guards, routed and on_graph, needs_case and on_graph, on_graph)
        checked = self[step] = found if guards or routed or not on_graph else None
        return checked

    def plan(self, history: History, *, fold_all: bool) -> LoadPlan:
        """What loading *history* asks, read from its shape: worked out once per shape."""
        key = (*shape_of(history), fold_all)
        plan = self.plans.get(key)
        if plan is None:
            if len(self.plans) >= _MOST_PLANS:  # a bound, not a cache policy: shapes repeat
                self.plans.clear()
            plan = self.plans[key] = self._new_plan(history, fold_all=fold_all)
        return plan

    def _new_plan(self, history: History, *, fold_all: bool) -> LoadPlan:
        judge = self.judge
        problems: list[tuple[int, str]] = []
        first = history[0]
        if judge is not None and first.stage is not judge.engine.graph.initial:
            initial = judge.engine.graph.initial.value
            problems.append(
                (0, f"history[0]: a case opens at '{initial}', not '{first.stage.value}'")
            )
        checks = list(map(self.__getitem__, steps_of(history)))
        opening = _CASE_ONLY.on(type(first.command), first.stage)
        positions = list(compress(count(1), checks))
        if opening:
            positions.insert(0, 0)
        judged: list[tuple[int, StepCheck]] = []
        for position in positions:
            check = checks[position - 1] if position else StepCheck(opening, False, False, True)
            assert check is not None  # compress kept only the steps with a check
            if not check.on_graph:
                assert judge is not None  # every step is on the graph when none is checked
                kind, source, dest = (
                    type(history.commands[position]),
                    history[position - 1].stage,
                    history[position].stage,
                )
                problems.append(
                    (
                        position,
                        f"history[{position}]: {kind.__name__} does not lead from "
                        f"'{source.value}' to '{dest.value}' under the {judge.policy.name} policy",
                    )
                )
            if check.guards or check.routed:
                judged.append((position, check))
        # The Open event is judged on the case it makes: there is none before it.
        lengths = [position or 1 for position, _ in judged]
        # A guard of the contract reads the case's fields alone, as does a route that says so:
        # the facts serve them, no case is built. Any other route gets a case.
        facts_only = {position or 1 for position, check in judged if not check.needs_case}
        if fold_all:
            lengths.append(len(history))
            facts_only.discard(len(history))
        return LoadPlan(tuple(problems), tuple(judged), tuple(lengths), frozenset(facts_only))


@attrs.frozen
class LoadPlan:
    """What loading one shape of history asks: found from its steps, read for each history."""

    problems: tuple[tuple[int, str], ...]
    """What the steps alone break (the first stage, steps off the graph), by position."""
    judged: tuple[tuple[int, StepCheck], ...]
    """Each event a guard or a route judges, by position, with what judges it."""
    lengths: tuple[int, ...]
    """The prefixes to fold: the case each judged event found (and the whole, if asked)."""
    facts_only: frozenset[int]
    """The prefixes read as facts: no case is built for them."""


_MOST_PLANS = 4096
"""How many history shapes one judge keeps plans for."""

_CONTRACT_ONLY = StepChecks(None)
_CHECKS_OF: weakref.WeakKeyDictionary[Judge, StepChecks] = weakref.WeakKeyDictionary()


def step_checks(judge: Judge | None) -> StepChecks:
    """The :class:`StepChecks` of *judge* (the contract alone for ``None``), made once per judge."""
    if judge is None:
        return _CONTRACT_ONLY
    checks = _CHECKS_OF.get(judge)
    if checks is None:
        checks = _CHECKS_OF[judge] = StepChecks(judge)
    return checks


def _checked(
    history: History, judge: Judge | None, *, fold_all: bool
) -> tuple[list[str], Case | None]:
    plan = step_checks(judge).plan(history, fold_all=fold_all)
    found = list(plan.problems)
    commands = history.commands
    # Read as cases: a guard or route given facts reads only fields, which facts hold.
    cases = cast(Iterator[Case], fold_prefixes(history, plan.lengths, as_facts=plan.facts_only))
    policy = _FLOOR
    for (position, check), case in zip(plan.judged, cases, strict=False):  # the whole comes last
        command = commands[position]
        for guard in check.guards:
            message = guard.check(policy, case, command)
            if message is not None:
                found.append(
                    (
                        position,
                        f"history[{position}]: {type(command).__name__} breaks the contract "
                        f"({guard.name}): {message}",
                    )
                )
        if check.routed:
            assert judge is not None  # only a graph has routes
            moved = judge.move(case, command)
            recorded = history[position].stage
            if moved is not recorded:
                where = "nowhere" if moved is None else f"to '{moved.value}'"
                found.append(
                    (
                        position,
                        f"history[{position}]: {type(command).__name__} leads from "
                        f"'{history[position - 1].stage.value}' {where} under the "
                        f"{judge.policy.name} policy, not to '{recorded.value}'",
                    )
                )
    whole = next(cases, None) if fold_all else None
    if found:
        found.sort(key=_position)  # stable: each position's problems keep their order
    return [text for _, text in found], whole


def _position(problem: tuple[int, str]) -> int:
    return problem[0]
