"""Event rows: one accepted event as the text a store keeps, and back.

A row's ``data`` is the event exactly as a case snapshot writes it (the same
reader checks it on the way in), so a store and ``to_dict`` never disagree
about what an event says.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .._convert._problems import Problems
from .._errors import StoreCorrupted
from .._io._snapshot import _event_from_dict, _event_to_dict
from .._model._case import Case, advance, check_history, fold
from .._model._commands import Open
from .._model._events import Event
from .._model._history import History
from .._model._values import instant

EventRow = tuple[str, int, str, str | None, str]
"""``(case_id, version, kind, command_id, data)``: one row of the events table."""

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_decode = json.JSONDecoder().decode


def event_rows(case: Case, start: int) -> list[EventRow]:
    """The rows of ``case.history[start:]``; the event at position *n* has version *n + 1*."""
    history = case.history
    commands = history.commands
    stages = history.stages
    return [
        (
            case.id,
            position + 1,
            type(commands[position]).__name__,
            commands[position].id,
            _encode(_event_to_dict(commands[position], stages[position], position)),
        )
        for position in range(start, len(commands))
    ]


def policy_of(case: Case) -> str | None:
    """The policy identity *case* records in its opening event, if any."""
    return getattr(case.history.commands[0], "policy", None)


def _read_events(
    case_id: str, rows: Iterable[tuple[int, str]], first: int, table: str
) -> list[Event]:
    """The events of *rows*, whose versions run from *first* without a gap."""
    problems = Problems()
    events: list[Event] = []
    expected = first
    for version, data in rows:
        where = f"{table} row (case_id={case_id!r}, version={version!r})"
        if version != expected:
            problems.note(f"{where}: expected version {expected}: the history has a gap")
            break
        expected += 1
        try:
            raw = _decode(data) if isinstance(data, str) else None
        except ValueError as err:
            problems.note(f"{where}: not JSON ({err})")
            continue
        if raw is None:
            problems.note(f"{where}: data is not text")
            continue
        before = len(problems)
        event = _event_from_dict(raw, problems)
        if len(problems) > before:
            problems.locate(before, where)
        if event is not None:
            events.append(event)
    if problems:
        raise StoreCorrupted(problems.messages())
    return events


def extend_case(case: Case, rows: Iterable[tuple[int, str]], table: str = "events") -> Case:
    """*case* with the events of the ``(version, data)`` *rows* that follow it folded in.

    What :func:`read_case` checks of a whole history is checked of the new
    events against the case: no second opening event, no event before the last.

    Raises:
        StoreCorrupted: naming each row that cannot be read, or the gap.
    """
    events = _read_events(case.id, rows, case.version + 1, table)
    problems = []
    previous = case.last_at
    for version, event in enumerate(events, start=case.version + 1):
        where = f"{table} row (case_id={case.id!r}, version={version})"
        if isinstance(event.command, Open):
            problems.append(f"{where}: Open can only be the first event")
        if instant(event.at) < instant(previous):
            problems.append(
                f"{where}: at {event.at.isoformat()} is before the previous event "
                f"({previous.isoformat()})"
            )
        previous = event.at
    if problems:
        raise StoreCorrupted(problems)
    for event in events:
        case = advance(case, event)
    return case


def read_case(case_id: str, rows: Iterable[tuple[int, str]], table: str = "events") -> Case:
    """The case that the ``(version, data)`` *rows* of *case_id* describe, oldest first.

    Guards do not run: events are facts. The shape of the history (an opening
    event first, time order, versions from 1 without gaps) is checked.

    Raises:
        StoreCorrupted: naming each row that cannot be read, or the gap.
    """
    history = History(_read_events(case_id, rows, 1, table))
    problems = check_history(history)
    if problems:
        raise StoreCorrupted([f"{table} of case {case_id!r}: {problem}" for problem in problems])
    case = fold(history)
    if case.id != case_id:
        raise StoreCorrupted(
            [f"{table} of case {case_id!r}: the opening event is of case {case.id!r}"]
        )
    return case
