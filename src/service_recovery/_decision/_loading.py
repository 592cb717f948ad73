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

The checks that need no case run over the whole sequence at once; only the
events a guard or a route judges get the case they found, all folded in one
pass.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import compress, count

from .._errors import InvalidHistory
from .._model._case import Case, fold_prefixes
from .._model._commands import Command
from .._model._history import History
from .._model._stages import Stage
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


def _checked(
    history: History, judge: Judge | None, *, fold_all: bool
) -> tuple[list[str], Case | None]:
    commands, stages = history.commands, history.stages
    found: list[tuple[int, str]] = [] if judge is None else _off_graph(commands, stages, judge)
    # Which events a guard or a route judges: worked out over the whole history, no case.
    judged = _judged(commands, stages)
    routed: set[int] = set()
    if judge is not None:
        routed.update(judge.routed(commands, stages))
        routed.difference_update(position for position, _ in found)  # off the graph already
    positions = sorted(judged.keys() | routed) if routed else list(judged)
    # The Open event is judged on the case it makes: there is none before it.
    lengths = [position or 1 for position in positions]
    cases = fold_prefixes(history, [*lengths, len(history)] if fold_all else lengths)
    policy = _FLOOR
    for position, case in zip(positions, cases, strict=False):  # the whole case comes last
        command = commands[position]
        for guard in judged.get(position, ()):
            message = guard.check(policy, case, command)
            if message is not None:
                found.append(
                    (
                        position,
                        f"history[{position}]: {type(command).__name__} breaks the contract "
                        f"({guard.name}): {message}",
                    )
                )
        if judge is not None and position in routed:
            moved = judge.move(case, command)
            if moved is not stages[position]:
                where = "nowhere" if moved is None else f"to '{moved.value}'"
                found.append(
                    (
                        position,
                        f"history[{position}]: {type(command).__name__} leads from "
                        f"'{stages[position - 1].value}' {where} under the "
                        f"{judge.policy.name} policy, not to '{stages[position].value}'",
                    )
                )
    whole = next(cases, None) if fold_all else None
    found.sort(key=_position)  # stable: each position's problems keep their order
    return [text for _, text in found], whole


def _judged(commands: Sequence[Command], stages: Sequence[Stage]) -> dict[int, tuple[Guard, ...]]:
    """The positions whose event a contract guard judges, with the guards that do.

    What ``_CASE_ONLY.judged`` answers, each event looked up without a call.
    """
    moves = list(zip(map(type, commands), map(_name_of, stages), strict=True))
    try:
        found = list(map(_GUARDS_ON.__getitem__, moves))
    except KeyError:  # a move not seen before: ask the table once
        for move, stage in zip(moves, stages, strict=True):
            if move not in _GUARDS_ON:
                _GUARDS_ON[move] = _CASE_ONLY.on(move[0], stage)
        found = list(map(_GUARDS_ON.__getitem__, moves))
    return {position: found[position] for position in compress(count(), found)}


_GUARDS_ON: dict[tuple[type[Command], str], tuple[Guard, ...]] = {}
"""``_CASE_ONLY.on`` of each command type and stage name an event had, once asked."""
_name_of = operator.attrgetter("_value_")


def _position(problem: tuple[int, str]) -> int:
    return problem[0]


def _off_graph(
    commands: Sequence[Command], stages: Sequence[Stage], judge: Judge
) -> list[tuple[int, str]]:
    """Where a history of *commands* into *stages* leaves *judge*'s graph.

    Its first stage, then each event's step.
    """
    engine = judge.engine
    initial = engine.graph.initial
    if stages[0] is initial and engine.are_steps(stages, commands):
        return []
    problems = []
    if stages[0] is not initial:
        problems.append(
            (0, f"history[0]: a case opens at '{initial.value}', not '{stages[0].value}'")
        )
    is_step = engine.is_step
    for position in range(1, len(commands)):
        source, kind, dest = stages[position - 1], type(commands[position]), stages[position]
        if not is_step(source, kind, dest):
            problems.append(
                (
                    position,
                    f"history[{position}]: {kind.__name__} does not lead from "
                    f"'{source.value}' to '{dest.value}' under the {judge.policy.name} policy",
                )
            )
    return problems
