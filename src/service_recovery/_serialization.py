"""Cases to JSON-safe dicts and back: versioned, lossless, and strict on the way in.

The snapshot is the history (the facts) plus a few denormalised fields a
store may index (``id``, ``stage``, ``version``). Loading rebuilds the case
by folding the history and checks the denormalised fields agree, so a
tampered or truncated snapshot is refused, never half-loaded.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ._case import Case, check_history, fold
from ._commands import COMMANDS_BY_NAME
from ._errors import InvalidHistory, InvalidSnapshot, InvalidValue, RecoveryError
from ._events import Event
from ._stages import Stage

if TYPE_CHECKING:
    from ._workflow import Workflow

SCHEMA = "service-recovery/case"
SCHEMA_VERSION = 1

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
    ('reported', 1, 1)
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
        "history": [_event_to_dict(event, n) for n, event in enumerate(case.history)],
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
    problems: list[str] = []
    if workflow is not None:
        _require_workflow(workflow)
    if not isinstance(data, Mapping):
        raise InvalidSnapshot([f"expected a mapping, got {type(data).__name__}"])
    _check_keys(
        data, {"schema", "schema_version", "id", "stage", "version", "history"}, "", problems
    )
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
    events = [_event_from_dict(raw, f"history[{n}]", problems) for n, raw in enumerate(raw_history)]
    if problems:
        raise InvalidSnapshot(problems)
    checked: list[Event] = [event for event in events if event is not None]
    problems.extend(check_history(checked))
    if problems:
        raise InvalidSnapshot(problems)
    if workflow is not None:
        try:
            case = workflow.replay(checked)
        except InvalidHistory as err:
            raise InvalidSnapshot(err.problems) from err
    else:
        case = fold(checked)
    for key, actual in (("id", case.id), ("stage", case.stage.value), ("version", case.version)):
        if not _same(data.get(key), actual):
            problems.append(f"{key}: says {data.get(key)!r} but the history gives {actual!r}")
    if problems:
        raise InvalidSnapshot(problems)
    return case


def _same(found: object, expected: object) -> bool:
    """Equal and of the same type: ``True`` or ``15.0`` is not the version ``15``."""
    return type(found) is type(expected) and found == expected


def _require_workflow(workflow: object) -> None:
    from ._workflow import Workflow  # a cycle at import time: workflows import cases

    if not isinstance(workflow, Workflow):
        raise InvalidValue(
            f"workflow: expected a Workflow, got {type(workflow).__name__}", field="workflow"
        )


# -- events -------------------------------------------------------------------


def _event_to_dict(event: Event, position: int) -> JSON:
    command = event.command
    name = type(command).__name__
    if COMMANDS_BY_NAME.get(name) is not type(command):
        # Written, it could never be read back: refuse now rather than lose the case later.
        raise InvalidSnapshot(
            [
                f"history[{position}]: cannot write {name}: "
                "only the library's own commands are in the schema"
            ]
        )
    out: JSON = {"type": name, "stage": event.stage.value}
    for field in attrs.fields(type(command)):
        out[field.name] = _unstructure(getattr(command, field.name))
    return out


def _event_from_dict(raw: object, where: str, problems: list[str]) -> Event | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a mapping, got {type(raw).__name__}")
        return None
    name = raw.get("type")
    kind = COMMANDS_BY_NAME.get(name) if isinstance(name, str) else None
    if kind is None:
        known = ", ".join(COMMANDS_BY_NAME)
        problems.append(f"{where}.type: unknown command {raw.get('type')!r} (known: {known})")
        return None
    stage = _structure(Stage, raw.get("stage"), f"{where}.stage", problems)
    fields = _FIELDS[kind.__name__]
    _check_keys(raw, {"type", "stage", *fields}, f"{where}.", problems)
    values = {}
    before = len(problems)
    for name, (field_type, required) in fields.items():
        if name not in raw:
            if required:
                problems.append(f"{where}.{name}: missing")
            continue
        values[name] = _structure(field_type, raw[name], f"{where}.{name}", problems)
    if len(problems) > before or stage is None:
        return None
    try:
        command = kind(**values)
    except RecoveryError as err:
        problems.append(f"{where}: {err}")
        return None
    return Event(command, stage)


def _command_fields(kind: Any) -> dict[str, tuple[Any, bool]]:
    attrs.resolve_types(kind)
    return {
        field.name: (field.type, field.default is attrs.NOTHING) for field in attrs.fields(kind)
    }


_FIELDS: dict[str, dict[str, tuple[Any, bool]]] = {
    name: _command_fields(kind) for name, kind in COMMANDS_BY_NAME.items()
}
"""Each command type's fields: name -> (resolved type, required)."""


def _check_keys(raw: Mapping[str, Any], known: set[str], prefix: str, problems: list[str]) -> None:
    for key in raw:
        if key not in known:
            problems.append(f"{prefix}{key}: unknown key")


# -- values -------------------------------------------------------------------


def _unstructure(value: object) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return _datetime_to_text(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_unstructure(item) for item in value]
    kind: Any = type(value)
    if attrs.has(kind):
        return {f.name: _unstructure(getattr(value, f.name)) for f in attrs.fields(kind)}
    raise InvalidSnapshot([f"cannot serialise {type(value).__name__} {value!r}"])


def _datetime_to_text(value: datetime) -> str:
    text = value.isoformat()
    if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key is not None:
        text += f"[{value.tzinfo.key}]"
    return text


def _datetime_from_text(text: str) -> datetime:
    zone = None
    if text.endswith("]") and "[" in text:
        text, key = text[:-1].split("[", 1)
        zone = ZoneInfo(key)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("no time zone")
    if zone is None:
        return value
    # Keep the wall time as written: a skipped or repeated local time (around a
    # daylight-saving change) is told apart by its offset, which picks the fold.
    for repeat in (0, 1):
        local = value.replace(tzinfo=zone, fold=repeat)
        if local.utcoffset() == value.utcoffset():
            return local
    return value.astimezone(zone)  # the zone's rules changed since: keep the instant


def _structure(kind: Any, raw: object, where: str, problems: list[str]) -> Any:
    """Build a *kind* from JSON *raw*; on failure note a problem at *where* and return None."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(kind) if option is not type(None)]
        if raw is None:
            return None
        return _structure(options[0], raw, where, problems)
    if origin is tuple:
        if not isinstance(raw, list):
            problems.append(f"{where}: expected a list, got {type(raw).__name__}")
            return None
        item = get_args(kind)[0]
        return tuple(
            _structure(item, value, f"{where}[{n}]", problems) for n, value in enumerate(raw)
        )
    if kind is datetime:
        if isinstance(raw, str):
            try:
                return _datetime_from_text(raw)
            except (ValueError, ZoneInfoNotFoundError):
                pass
        problems.append(f"{where}: expected an aware ISO 8601 datetime, got {raw!r}")
        return None
    if kind is Decimal:
        return raw  # Money's converter checks and reports it
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(raw)
        except ValueError:
            choices = ", ".join(repr(member.value) for member in kind)
            problems.append(f"{where}: expected one of {choices}, got {raw!r}")
            return None
    if isinstance(kind, type) and attrs.has(kind):
        return _structure_attrs(kind, raw, where, problems)
    expected = {str: "a string", bool: "true or false", int: "a whole number"}.get(kind)
    if expected is not None:
        if type(raw) is kind:
            return raw
        problems.append(f"{where}: expected {expected}, got {raw!r}")
        return None
    raise TypeError(f"no structuring rule for {kind!r}")  # pragma: no cover - a library bug


def _structure_attrs(kind: Any, raw: object, where: str, problems: list[str]) -> Any:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a mapping, got {type(raw).__name__}")
        return None
    attrs.resolve_types(kind)
    fields = attrs.fields(kind)
    _check_keys(raw, {f.name for f in fields}, f"{where}.", problems)
    before = len(problems)
    values = {}
    for field in fields:
        if field.name in raw:
            values[field.name] = _structure(
                field.type, raw[field.name], f"{where}.{field.name}", problems
            )
        elif field.default is attrs.NOTHING:
            problems.append(f"{where}.{field.name}: missing")
    if len(problems) > before:
        return None
    try:
        return kind(**values)
    except RecoveryError as err:
        problems.append(f"{where}: {err}")
        return None
