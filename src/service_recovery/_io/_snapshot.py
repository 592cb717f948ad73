"""Cases to JSON-safe dicts and back: versioned, lossless, and strict on the way in.

The snapshot is the history (the facts) plus a few denormalised fields a
store may index (``id``, ``stage``, ``version``). Loading rebuilds the case
by folding the history and checks the denormalised fields agree, so a
tampered or truncated snapshot is refused, never half-loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._convert._problems import Problems, index_segment, key_segment
from .._convert._strict import AttrsReader, fields_writer, note_unknown_keys, reader
from .._decision._loading import history_problems
from .._errors import InvalidHistory, InvalidSnapshot, InvalidValue, shortened
from .._model._case import Case, check_history, fold
from .._model._commands import COMMANDS_BY_NAME, Command
from .._model._events import Event
from .._model._history import History
from .._model._stages import Stage
from .._workflow import Workflow

SCHEMA = "service-recovery/case"
#: The snapshot version this release writes. Older versions are read too,
#: upgraded step by step by :func:`upgrade_snapshot`: version 1 (before cases
#: recorded their policy identity) and version 2 (before the opening event
#: carried the host's reference and the case it succeeds).
SCHEMA_VERSION = 3

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
    ('reported', 1, 3)
    >>> from_dict(json.loads(json.dumps(data))) == case
    True

    Raises:
        InvalidValue: *case* is not a :class:`Case`.
        InvalidSnapshot: the case holds a command that is not the library's own
            (it could never be read back).
    """
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a Case, got {type(case).__name__}", field="case")
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
        InvalidValue: *data* is not a mapping, or *workflow* is not a :class:`Workflow`.
    """
    if workflow is not None:
        _require_workflow(workflow)
    if not isinstance(data, Mapping):
        raise InvalidValue(f"data: expected a mapping, got {type(data).__name__}", field="data")
    data = upgrade_snapshot(data)
    problems = Problems()
    note_unknown_keys(data, _HEADER_KEYS, problems)
    if data.get("schema") != SCHEMA:
        problems.note(
            f"expected {SCHEMA!r}, got {shortened(data.get('schema'))}", key_segment("schema")
        )
    if not _same(data.get("schema_version"), SCHEMA_VERSION):
        problems.note(
            f"this release reads version {SCHEMA_VERSION}, "
            f"got {shortened(data.get('schema_version'))}",
            key_segment("schema_version"),
        )
    raw_history = data.get("history")
    if not isinstance(raw_history, list):
        problems.note(f"expected a list, got {type(raw_history).__name__}", key_segment("history"))
        raise InvalidSnapshot(problems.messages())
    found = problems.found
    events = []
    for position, raw in enumerate(raw_history):
        before = len(found)
        events.append(_event_from_dict(raw, problems))
        if len(found) > before:
            problems.locate(before, key_segment("history") + index_segment(position))
    if problems:
        raise InvalidSnapshot(problems.messages())
    # No problem noted, so every event was read; compacted once, checked once.
    history = History(event for event in events if event is not None)
    case = _checked_case(history, workflow)
    for key, actual in (("id", case.id), ("stage", case.stage.value), ("version", case.version)):
        if not _same(data.get(key), actual):
            problems.note(
                f"says {shortened(data.get(key))} but the history gives {actual!r}",
                key_segment(key),
            )
    if problems:
        raise InvalidSnapshot(problems.messages())
    return case


def _checked_case(history: History, workflow: Workflow | None) -> Case:
    """The case *history* folds to, once its checks pass (the one place loading checks it)."""
    if workflow is not None:
        try:
            return workflow.replay(history)  # checks the history as below, then the graph
        except InvalidHistory as err:
            raise InvalidSnapshot(err.problems) from err
    problems = check_history(history) or history_problems(history)  # the contract
    if problems:
        raise InvalidSnapshot(problems)
    return fold(history)


def upgrade_snapshot(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """*data* as the current version says it, when it is a snapshot of an older version.

    Each step upgrades one version, so a snapshot of any older version is
    brought up through every later one:

    - 1 to 2: the opening event gains ``policy`` (the identity of the policy
      the case runs under); a version 1 case did not record one, so it is
      ``None``, and any workflow may carry the case on.
    - 2 to 3: the opening event gains ``reference`` (the host's own reference)
      and ``previous_case`` (the case it succeeds); a version 2 case had
      neither, so both are ``None``. Version 3 also knows ``Reschedule``,
      ``Withdraw`` and the stage ``withdrawn``, which no older case holds.

    Anything else comes back as it is, for :func:`from_dict` to judge.

    >>> old = {"schema": SCHEMA, "schema_version": 1, "history": [{"type": "Open"}]}
    >>> new = upgrade_snapshot(old)
    >>> new["schema_version"], new["history"][0]
    (3, {'type': 'Open', 'policy': None, 'reference': None, 'previous_case': None})
    """
    upgraded = data
    for version, opening_gains in _UPGRADES:
        found = upgraded.get("schema_version")
        if found != version or type(found) is not int:
            continue
        history = upgraded.get("history")
        upgraded = dict(upgraded, schema_version=version + 1)
        if isinstance(history, list) and history and isinstance(history[0], Mapping):
            upgraded["history"] = [{**history[0], **opening_gains}, *history[1:]]
    return upgraded


_UPGRADES: tuple[tuple[int, Mapping[str, None]], ...] = (
    (1, {"policy": None}),
    (2, {"reference": None, "previous_case": None}),
)
"""Each version that is upgraded, with the keys its opening event gains (in order)."""


def _same(found: object, expected: object) -> bool:
    """Equal and of the same type: ``True`` or ``15.0`` is not the version ``15``."""
    return type(found) is type(expected) and found == expected


def _require_workflow(workflow: object) -> None:
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


def _event_from_dict(raw: object, problems: Problems) -> Event | None:
    if not isinstance(raw, Mapping):
        problems.note(f"expected a mapping, got {type(raw).__name__}")
        return None
    name = raw.get("type")
    command_reader = _COMMAND_READERS.get(name) if isinstance(name, str) else None
    if command_reader is None:
        known = ", ".join(COMMANDS_BY_NAME)
        problems.note(f"unknown command {shortened(name)} (known: {known})", key_segment("type"))
        return None
    before = len(problems.found)
    stage = _read_stage(raw.get("stage"), problems)
    if len(problems.found) > before:
        problems.locate(before, key_segment("stage"))
    values = command_reader.values(raw, problems)
    if values is None or stage is None:
        return None
    command = command_reader.build(values, problems)
    return None if command is None else Event(command, stage)


_HEADER_KEYS = frozenset({"schema", "schema_version", "id", "stage", "version", "history"})
_EVENT_KEYS = frozenset({"type", "stage"})
_COMMAND_READERS: dict[str, AttrsReader] = {
    name: AttrsReader(kind, extra_keys=_EVENT_KEYS) for name, kind in COMMANDS_BY_NAME.items()
}
"""Each command type's reader, by the name a snapshot gives: its fields, and an event's keys."""
_COMMAND_WRITERS = {name: fields_writer(kind) for name, kind in COMMANDS_BY_NAME.items()}
_read_stage = reader(Stage)
