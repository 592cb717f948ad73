"""The values inside a snapshot, to JSON and back: one reader and one writer per type.

A snapshot of a 15-event case holds some 150 values (actors, times, amounts,
texts). Working out how to read or write each from its type on every call
cost most of a load, so each type's reader and writer is made once, when it
is first needed, and kept. A reader checks as it builds, noting every problem
with its path; within one snapshot, equal flat values (an actor, say) are read
once and shared by every event that holds them.
"""

from __future__ import annotations

import enum
import operator
import types
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from .._errors import InvalidSnapshot, RecoveryError


class Reading:
    """One snapshot being read: the problems found, and the flat values read so far."""

    __slots__ = ("problems", "seen")

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: dict[tuple[Any, ...], Any] = {}


Reader = Callable[[object, str, Reading], Any]
"""``read(raw, where, reading)``: the value *raw* stands for, or ``None`` with a problem noted
at *where* (a path such as ``history[3].by.role``)."""

Writer = Callable[[Any], Any]
"""``write(value)``: *value* as plain JSON data."""

_READERS: dict[Any, Reader] = {}
_WRITERS: dict[type, Writer] = {}


def reader(kind: Any) -> Reader:
    """The reader of values of the declared type *kind* (made once, then kept)."""
    found = _READERS.get(kind)
    if found is None:
        found = _READERS[kind] = _make_reader(kind)
    return found


def write(value: object) -> Any:
    """*value* as plain JSON data, by its own type."""
    kind = type(value)
    found = _WRITERS.get(kind)
    if found is None:
        found = _WRITERS[kind] = _make_writer(kind)
    return found(value)


# -- reading ------------------------------------------------------------------


def _make_reader(kind: Any) -> Reader:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(kind) if option is not type(None)]
        return _optional(reader(options[0]))
    if origin is tuple:
        return _sequence(reader(get_args(kind)[0]))
    if kind is datetime:
        return _read_datetime
    if kind is Decimal:
        return _read_as_is  # Money's converter checks and reports it
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _member_of(kind)
    if isinstance(kind, type) and attrs.has(kind):
        return AttrsReader(kind)
    expected = {str: "a string", bool: "true or false", int: "a whole number"}.get(kind)
    if expected is not None:
        return _scalar(kind, expected)
    raise TypeError(f"no structuring rule for {kind!r}")  # pragma: no cover - a library bug


def _optional(read: Reader) -> Reader:
    def optional(raw: object, where: str, reading: Reading) -> Any:
        return None if raw is None else read(raw, where, reading)

    return optional


def _sequence(read: Reader) -> Reader:
    def sequence(raw: object, where: str, reading: Reading) -> Any:
        if not isinstance(raw, list):
            reading.problems.append(f"{where}: expected a list, got {type(raw).__name__}")
            return None
        return tuple([read(item, f"{where}[{n}]", reading) for n, item in enumerate(raw)])

    return sequence


def _read_datetime(raw: object, where: str, reading: Reading) -> datetime | None:
    if isinstance(raw, str):
        try:
            return datetime_from_text(raw)
        except (ValueError, ZoneInfoNotFoundError):
            pass
    reading.problems.append(f"{where}: expected an aware ISO 8601 datetime, got {raw!r}")
    return None


def _read_as_is(raw: object, where: str, reading: Reading) -> object:
    return raw


def _member_of(kind: type[enum.Enum]) -> Reader:
    members = {member.value: member for member in kind}
    choices = ", ".join(repr(value) for value in members)

    def member(raw: object, where: str, reading: Reading) -> Any:
        try:
            return members[raw]
        except (KeyError, TypeError):  # TypeError: a list or a mapping is no key
            reading.problems.append(f"{where}: expected one of {choices}, got {raw!r}")
            return None

    return member


def _scalar(kind: type, expected: str) -> Reader:
    def scalar(raw: object, where: str, reading: Reading) -> Any:
        if type(raw) is kind:
            return raw
        reading.problems.append(f"{where}: expected {expected}, got {raw!r}")
        return None

    return scalar


class AttrsReader:
    """Reads an attrs value from a mapping of its fields, checking every field and key.

    A value whose fields are all written as text (an actor, a customer, an
    amount) is read once per snapshot and shared: events by the same agent
    hold the same :class:`Actor`.
    """

    __slots__ = ("_field_names", "_fields", "_given", "_known", "_names", "kind")

    def __init__(self, kind: Any, extra_keys: frozenset[str] = frozenset()) -> None:
        attrs.resolve_types(kind)
        self.kind = kind
        fields = attrs.fields(kind)
        self._fields = tuple(
            (field.name, reader(field.type), field.default is attrs.NOTHING) for field in fields
        )
        self._names = tuple(field.name for field in fields)
        self._field_names = frozenset(self._names)
        self._known = self._field_names | extra_keys
        self._given = operator.itemgetter(*self._names) if len(self._names) > 1 else None

    def __call__(self, raw: object, where: str, reading: Reading) -> Any:
        if not isinstance(raw, Mapping):
            reading.problems.append(f"{where}: expected a mapping, got {type(raw).__name__}")
            return None
        key = self._flat_key(raw)
        if key is not None:
            found = reading.seen.get(key)
            if found is not None:
                return found
        values = self.values(raw, where, reading)
        value = None if values is None else self.build(values, where, reading)
        if key is not None and value is not None:
            reading.seen[key] = value
        return value

    def _flat_key(self, raw: Mapping[Any, Any]) -> tuple[Any, ...] | None:
        """What equal flat values share: every field given, as text (else ``None``)."""
        # Keys first: reading a missing key would make some mappings invent it.
        if self._given is None or raw.keys() != self._field_names:
            return None
        texts = self._given(raw)
        if all(type(text) is str for text in texts):
            return (self.kind, *texts)
        return None

    def values(self, raw: Mapping[Any, Any], where: str, reading: Reading) -> dict[str, Any] | None:
        """Each field's value read from *raw*; ``None`` if a field has a problem.

        Unknown keys are noted as problems but do not stop the fields being read.
        """
        problems = reading.problems
        note_unknown_keys(raw, self._known, f"{where}.", problems)
        before = len(problems)
        values = {}
        for name, read, required in self._fields:
            if name in raw:
                values[name] = read(raw[name], f"{where}.{name}", reading)
            elif required:
                problems.append(f"{where}.{name}: missing")
        return None if len(problems) > before else values

    def build(self, values: dict[str, Any], where: str, reading: Reading) -> Any:
        """The value of *values*, or ``None`` with its own refusal noted at *where*."""
        try:
            return self.kind(**values)
        except RecoveryError as err:
            reading.problems.append(f"{where}: {err}")
            return None


def note_unknown_keys(
    raw: Mapping[Any, Any], known: frozenset[str], prefix: str, problems: list[str]
) -> None:
    """Note each key of *raw* not in *known*, as ``<prefix><key>: unknown key``, in order."""
    if not raw.keys() <= known:
        problems.extend(f"{prefix}{key}: unknown key" for key in raw if key not in known)


def datetime_from_text(text: str) -> datetime:
    """An aware datetime from ISO 8601 text, with an optional ``[Zone/Key]`` suffix."""
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


# -- writing ------------------------------------------------------------------


def _make_writer(kind: type) -> Writer:
    if kind is type(None) or issubclass(kind, str | bool | int):
        return _as_is  # a subclass of str, say, is written as the text it is
    if issubclass(kind, enum.Enum):
        return _enum_value
    if issubclass(kind, datetime):
        return datetime_to_text
    if issubclass(kind, Decimal):
        return str
    if issubclass(kind, tuple):
        return _list_of
    if attrs.has(kind):
        return fields_writer(kind)
    return _unwritable


def fields_writer(kind: type) -> Callable[[Any], dict[str, Any]]:
    """The writer of an attrs value as a mapping of every field, in declaration order."""
    names = tuple(field.name for field in attrs.fields(kind))
    if len(names) < 2:  # attrgetter of one name gives the value itself, not a tuple of one
        return lambda value: {name: write(getattr(value, name)) for name in names}
    read_all = operator.attrgetter(*names)
    return lambda value: dict(zip(names, map(write, read_all(value)), strict=True))


def _as_is(value: object) -> object:
    return value


def _enum_value(value: enum.Enum) -> Any:
    return value._value_


def _list_of(value: tuple[Any, ...]) -> list[Any]:
    return [write(item) for item in value]


def _unwritable(value: object) -> Any:
    raise InvalidSnapshot([f"cannot serialise {type(value).__name__} {value!r}"])


def datetime_to_text(value: datetime) -> str:
    """ISO 8601 text, with the zone's key in brackets when it has one."""
    text = value.isoformat()
    if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key is not None:
        text += f"[{value.tzinfo.key}]"
    return text
