"""Strict mode: values read from plain data exactly as written, unknown keys refused.

Snapshots use it. A snapshot of a 15-event case holds some 150 values
(actors, times, amounts, texts); working out how to read or write each from
its type on every call cost most of a load, so each type's reader and writer
is made once, when first needed, and kept. A reader checks as it builds,
noting every problem (its path is added by the reader of the container);
within one reading, equal flat values (an actor, say) are read once and
shared by every value that holds them.
"""

from __future__ import annotations

import enum
import operator
import types
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import attrs

from .._errors import InvalidValue, RecoveryError, shortened
from ._datetimes import datetime_from_text, datetime_to_text
from ._fields import init_fields
from ._problems import Problem, Problems, index_segment, key_segment, refusal

Reader = Callable[[object, Problems], Any]
"""``read(raw, problems)``: the value *raw* stands for, or ``None`` with a problem noted."""

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
    """*value* as plain JSON data, by its own type.

    Raises:
        InvalidValue: *value* (or a value inside it) has no plain-data form.
    """
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
    def optional(raw: object, problems: Problems) -> Any:
        return None if raw is None else read(raw, problems)

    return optional


def _sequence(read: Reader) -> Reader:
    def sequence(raw: object, problems: Problems) -> Any:
        if not isinstance(raw, list):
            problems.note(f"expected a list, got {type(raw).__name__}")
            return None
        found = problems.found
        start = len(found)
        items = tuple([read(item, problems) for item in raw])
        if len(found) > start:  # rare: read again, item by item, to say where
            del found[start:]
            for position, item in enumerate(raw):
                before = len(found)
                read(item, problems)
                problems.locate(before, index_segment(position))
        return items

    return sequence


def _read_datetime(raw: object, problems: Problems) -> datetime | None:
    if isinstance(raw, str):
        try:
            return datetime_from_text(raw)
        except ValueError as err:
            if isinstance(err.__cause__, OverflowError):  # well formed, off the calendar
                problems.note(f"{shortened(raw)}: {err}")
                return None
    problems.note(f"expected an aware ISO 8601 datetime, got {shortened(raw)}")
    return None


def _read_as_is(raw: object, problems: Problems) -> object:
    return raw


def _member_of(kind: type[enum.Enum]) -> Reader:
    members = {member.value: member for member in kind}
    choices = ", ".join(repr(value) for value in members)

    def member(raw: object, problems: Problems) -> Any:
        try:
            return members[raw]
        except (KeyError, TypeError):  # TypeError: a list or a mapping is no key
            problems.note(f"expected one of {choices}, got {shortened(raw)}")
            return None

    return member


def _scalar(kind: type, expected: str) -> Reader:
    def scalar(raw: object, problems: Problems) -> Any:
        if type(raw) is kind:
            return raw
        problems.note(f"expected {expected}, got {shortened(raw)}")
        return None

    return scalar


class AttrsReader:
    """Reads an attrs value from a mapping of its fields, checking every field and key.

    A value whose fields are all written as text (an actor, a customer, an
    amount) is read once per reading and shared: events by the same agent
    hold the same :class:`Actor`.
    """

    __slots__ = ("_field_names", "_fields", "_given", "_known", "_names", "kind")

    def __init__(self, kind: Any, extra_keys: frozenset[str] = frozenset()) -> None:
        self.kind = kind
        fields = init_fields(kind)
        self._fields = tuple(
            (field.key, key_segment(field.key), reader(field.type), field.required)
            for field in fields
        )
        self._names = tuple(field.key for field in fields)
        self._field_names = frozenset(self._names)
        self._known = self._field_names | extra_keys
        self._given = operator.itemgetter(*self._names) if len(self._names) > 1 else None

    def __call__(self, raw: object, problems: Problems) -> Any:
        if not isinstance(raw, Mapping):
            problems.note(f"expected a mapping, got {type(raw).__name__}")
            return None
        key = self._flat_key(raw)
        if key is not None:
            found = problems.seen.get(key)
            if found is not None:
                return found
        values = self.values(raw, problems)
        value = None if values is None else self.build(values, problems)
        if key is not None and value is not None:
            problems.seen[key] = value
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

    def values(self, raw: Mapping[Any, Any], problems: Problems) -> dict[str, Any] | None:
        """Each field's value read from *raw*; ``None`` if a field has a problem.

        Unknown keys are noted as problems but do not stop the fields being read.
        """
        note_unknown_keys(raw, self._known, problems)
        found = problems.found
        start = len(found)
        values = {}
        for name, _, read, required in self._fields:
            if name in raw:
                values[name] = read(raw[name], problems)
            elif required:
                found.append(Problem("missing"))
        if len(found) == start:
            return values
        # Rare: read again, field by field, to say where each problem is.
        del found[start:]
        for name, segment, read, required in self._fields:
            before = len(found)
            if name in raw:
                read(raw[name], problems)
            elif required:
                problems.note("missing")
            problems.locate(before, segment)
        return None

    def build(self, values: dict[str, Any], problems: Problems) -> Any:
        """The value of *values*, or ``None`` with its own refusal noted."""
        try:
            return self.kind(**values)
        except RecoveryError as err:
            problems.note(refusal(err))
            return None


def note_unknown_keys(raw: Mapping[Any, Any], known: frozenset[str], problems: Problems) -> None:
    """Note each key of *raw* not in *known* as an unknown key, in order."""
    if not raw.keys() <= known:
        for key in raw:
            if key not in known:
                problems.note("unknown key", key_segment(key))


# -- writing ------------------------------------------------------------------


def _make_writer(kind: type) -> Writer:
    if issubclass(kind, enum.Enum):  # first: a StrEnum member is written as its plain text
        return _enum_value
    if kind is type(None) or issubclass(kind, str | bool | int):
        return _as_is  # a subclass of str, say, is written as the text it is
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
    raise InvalidValue(f"cannot write {type(value).__name__} {shortened(value)} as plain data")
