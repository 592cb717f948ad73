"""Cases to JSON-safe dicts and back: versioned, lossless, and strict on the way in.

The snapshot is the history (the facts) plus a few denormalised fields a
store may index (``id``, ``stage``, ``version``). Loading rebuilds the case
by folding the history and checks the denormalised fields agree, so a
tampered or truncated snapshot is refused, never half-loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._errors import InvalidHistory, InvalidSnapshot, InvalidValue
from .._model._case import Case, check_history, fold
from .._model._commands import COMMANDS_BY_NAME, Command
from .._model._events import Event
from .._model._history import History
from .._model._stages import Stage
from ._json_values import AttrsReader, Reading, fields_writer, note_unknown_keys, reader

if TYPE_CHECKING:
    from .._workflow import Workflow

SCHEMA = "service-recovery/case"
SCHEMA_VERSION = 2
"""The snapshot version this release writes. Version 1 (before cases recorded their
policy identity) is read too, upgraded by :func:`upgrade_snapshot`."""

JSON = dict[str, Any]


def to_dict(case: Case) -> JSON:
    """Turn *case* into plain JSON-safe data (``json.dumps`` takes it as is).

    >>> import json
    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> case = sr.Workflow().open(
    ...     customer=sr.Customer("c-9"), channel=sr.Channel.EMAIL, severity=sr.Severity.MINOR,
    ...     summary="Late parcel", at=datetime(2026, 5, 1, tzinfo=timezone.utc), id="c-9-1")
    >>> data = to_dict(case)
    >>> data["stage"], data["version"], data["schema_version"]
    ('reported', 1, 2)
    >>> from_dict(json.loads(json.dumps(data))) == case
    True
    """
    if not isinstance(case, Case):
        raise InvalidSnapshot([f"to_dict: expected a Case, got {type(case).__name__}"])
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "id": case.id,
        "stage": case.stage.value,
        "version": case.version,
        "history": [
            _event_to_dict(command, stage, n)
            for n, (command, stage) in enumerate(
                zip(case.history.commands, case.history.stages, strict=True)
            )
        ],
    }


def from_dict(data: Mapping[str, Any], *, workflow: Workflow | None = None) -> Case:
    """Rebuild the case that :func:`to_dict` wrote; ``from_dict(to_dict(c)) == c``.

    Args:
        data: the snapshot.
        workflow: when given, the history is also checked against its stage
            graph (so a case from another policy is refused).

    Raises:
        InvalidSnapshot: listing every problem, each with its path
            (``history[2].at: ...``). Nothing is returned half-built.
        InvalidValue: *workflow* is not a :class:`Workflow`.
    """
    reading = Reading()
    problems = reading.problems
    if workflow is not None:
        _require_workflow(workflow)
    if not isinstance(data, Mapping):
        raise InvalidSnapshot([f"expected a mapping, got {type(data).__name__}"])
    data = upgrade_snapshot(data)
    note_unknown_keys(data, _HEADER_KEYS, "", problems)
    if data.get("schema") != SCHEMA:
        problems.append(f"schema: expected {SCHEMA!r}, got {data.get('schema')!r}")
    if not _same(data.get("schema_version"), SCHEMA_VERSION):
        problems.append(
            f"schema_version: this release reads version {SCHEMA_VERSION}, "
            f"got {data.get('schema_version')!r}"
        )
    raw_history = data.get("history")
    if not isinstance(raw_history, list):
        problems.append(f"history: expected a list, got {type(raw_history).__name__}")
        raise InvalidSnapshot(problems)
    events = [_event_from_dict(raw, f"history[{n}]", reading) for n, raw in enumerate(raw_history)]
    if problems:
        raise InvalidSnapshot(problems)
    # No problem noted, so every event was read; compacted once, checked once.
    history = History(event for event in events if event is not None)
    if workflow is not None:
        try:
            case = workflow.replay(history)  # checks the history as below, then the graph
        except InvalidHistory as err:
            raise InvalidSnapshot(err.problems) from err
    else:
        problems.extend(check_history(history))
        if problems:
            raise InvalidSnapshot(problems)
        case = fold(history)
    for key, actual in (("id", case.id), ("stage", case.stage.value), ("version", case.version)):
        if not _same(data.get(key), actual):
            problems.append(f"{key}: says {data.get(key)!r} but the history gives {actual!r}")
    if problems:
        raise InvalidSnapshot(problems)
    return case


def upgrade_snapshot(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """*data* as the current version says it, when it is a snapshot of an older version.

    Version 1 to 2: the opening event gains ``policy`` (the identity of the
    policy the case runs under); a version 1 case did not record one, so it
    is ``None``, and any workflow may carry the case on. Anything else comes
    back as it is, for :func:`from_dict` to judge.

    >>> old = {"schema": SCHEMA, "schema_version": 1, "history": [{"type": "Open"}]}
    >>> upgrade_snapshot(old)["schema_version"], upgrade_snapshot(old)["history"][0]["policy"]
    (2, None)
    """
    if data.get("schema_version") != 1 or type(data.get("schema_version")) is not int:
        return data
    history = data.get("history")
    upgraded = dict(data, schema_version=2)
    if isinstance(history, list) and history and isinstance(history[0], Mapping):
        upgraded["history"] = [{**history[0], "policy": None}, *history[1:]]
    return upgraded


def _same(found: object, expected: object) -> bool:
    """Equal and of the same type: ``True`` or ``15.0`` is not the version ``15``."""
    return type(found) is type(expected) and found == expected


def _require_workflow(workflow: object) -> None:
    from .._workflow import Workflow  # a cycle at import time: workflows import cases

    if not isinstance(workflow, Workflow):
        raise InvalidValue(
            f"workflow: expected a Workflow, got {type(workflow).__name__}", field="workflow"
        )


# -- events -------------------------------------------------------------------


def _event_to_dict(command: Command, stage: Stage, position: int) -> JSON:
    name = type(command).__name__
    if COMMANDS_BY_NAME.get(name) is not type(command):
        # Written, it could never be read back: refuse now rather than lose the case later.
        raise InvalidSnapshot(
            [
                f"history[{position}]: cannot write {name}: "
                "only the library's own commands are in the schema"
            ]
        )
    out: JSON = {"type": name, "stage": stage._value_}
    out.update(_COMMAND_WRITERS[name](command))
    return out


def _event_from_dict(raw: object, where: str, reading: Reading) -> Event | None:
    if not isinstance(raw, Mapping):
        reading.problems.append(f"{where}: expected a mapping, got {type(raw).__name__}")
        return None
    name = raw.get("type")
    command_reader = _COMMAND_READERS.get(name) if isinstance(name, str) else None
    if command_reader is None:
        known = ", ".join(COMMANDS_BY_NAME)
        reading.problems.append(
            f"{where}.type: unknown command {raw.get('type')!r} (known: {known})"
        )
        return None
    stage = _read_stage(raw.get("stage"), f"{where}.stage", reading)
    values = command_reader.values(raw, where, reading)
    if values is None or stage is None:
        return None
    command = command_reader.build(values, where, reading)
    return None if command is None else Event(command, stage)


_HEADER_KEYS = frozenset({"schema", "schema_version", "id", "stage", "version", "history"})
_EVENT_KEYS = frozenset({"type", "stage"})
_COMMAND_READERS: dict[str, AttrsReader] = {
    name: AttrsReader(kind, extra_keys=_EVENT_KEYS) for name, kind in COMMANDS_BY_NAME.items()
}
"""Each command type's reader, by the name a snapshot gives: its fields, and an event's keys."""
_COMMAND_WRITERS = {name: fields_writer(kind) for name, kind in COMMANDS_BY_NAME.items()}
_read_stage = reader(Stage)
