"""Patch mode: typed values from plain data (a parsed TOML file), patching a base value.

Everything is driven by the attrs classes' annotated types, so a new field or
a new nested rules class is read and written with no code here. A table given
for an attrs value or a mapping changes only the keys it names, starting from
a base value; arrays and scalars replace. Types the model does not know (a
route, a duration) are read by hooks a layer above registers on its own
:class:`PatchConverter`; plain data can never run code or import anything.

Every problem is noted with its path, and every path is made here: hooks and
validators say what is wrong, the converter says where.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Union, get_args, get_origin

import attrs

from .._errors import InvalidPolicy, RecoveryError, shortened
from ._fields import InitField, init_fields
from ._problems import index_segment, key_segment, refusal

MISSING: Any = attrs.NOTHING
"""No base value: build from the data alone."""

Read = Callable[[object], Any]
"""A scalar hook: the value plain *raw* data stands for; raises :class:`ValueError`,
:class:`TypeError` or a :class:`RecoveryError` when it stands for none."""

Write = Callable[[Any], Any]
"""An unstructure hook: a value as plain data."""


class Refused(ValueError):
    """Raised by a scalar hook to say, in its own words, what is wrong with a value."""


def child(where: str, segment: str) -> str:
    """The path of the child at *segment* (``.key`` or ``[n]``) under the path *where*."""
    return f"{where}{segment}".removeprefix(".")


class PatchConverter:
    """Reads and writes typed values by their annotations; hooks add types it cannot know.

    >>> from datetime import timedelta
    >>> converter = PatchConverter()
    >>> converter.register(timedelta, "a number of days", lambda raw: timedelta(days=raw),
    ...                    lambda value: value.days)
    >>> problems = []
    >>> converter.structure(timedelta, 3, "window", problems), problems
    (datetime.timedelta(days=3), [])
    >>> converter.structure(timedelta, "soon", "window", problems), problems
    (None, ['window: expected a number of days, got "soon"'])
    """

    def __init__(self) -> None:
        self._scalars: dict[Any, tuple[str, Read]] = dict(_MODEL_SCALARS)
        self._writers: dict[type, Write] = {}
        self._choices: dict[Any, tuple[str, Mapping[str, Any]]] = {}

    def register(self, kind: Any, expected: str, read: Read, write: Write | None = None) -> None:
        """Read *kind* with *read* (*expected*: what data it takes); write it with *write*."""
        self._scalars[kind] = (expected, read)
        if write is not None and isinstance(kind, type):
            self._writers[kind] = write

    def register_choices(
        self,
        kind: Any,
        choices: Mapping[str, Any],
        write: Write | None = None,
        *,
        expected: str | None = None,
    ) -> None:
        """Read values of *kind* by name from the fixed table *choices* (never anything else).

        *kind* may be a generic's origin (``type`` for ``type[Command]``);
        *expected* says what a file may write (by default, the names).
        """
        self._choices[kind] = (expected or f"one of {_quoted(choices)}", choices)
        if write is not None and isinstance(kind, type):
            self._writers[kind] = write

    # -- reading -----------------------------------------------------------------

    def structure(
        self, kind: Any, raw: object, where: str, problems: list[str], base: Any = MISSING
    ) -> Any:
        """Build a *kind* from plain *raw* data; note each problem at its path *where*.

        Returns ``None`` (and adds to *problems*) when *raw* does not fit.
        """
        origin = get_origin(kind)
        if kind is Any:
            return raw
        if origin in (Union, types.UnionType):
            return self._union(get_args(kind), raw, where, problems, base)
        choice = self._choices.get(kind) or self._choices.get(origin)
        if choice is not None:
            return _choice(choice, raw, where, problems)
        if origin is tuple or origin is frozenset:
            return self._sequence(kind, raw, where, problems)
        if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
            return self._mapping(get_args(kind), raw, where, problems, base)
        rule = self._scalars.get(kind)
        if rule is not None:
            return _scalar(rule, raw, where, problems)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return _enum(kind, raw, where, problems)
        if isinstance(kind, type) and attrs.has(kind):
            return self._attrs(kind, raw, where, problems, base)
        problems.append(f"{where}: cannot be written in a policy file ({kind!r})")
        return None

    def _union(
        self, options: tuple[Any, ...], raw: object, where: str, problems: list[str], base: Any
    ) -> Any:
        present = [option for option in options if option is not type(None)]
        if raw is None:
            return None
        first: list[str] = []
        for option in present:
            attempt: list[str] = []
            option_base = base if isinstance(base, get_origin(option) or option) else MISSING
            value = self.structure(option, raw, where, attempt, option_base)
            if not attempt:
                return value
            first = first or attempt
        problems.extend(first)
        return None

    def _sequence(self, kind: Any, raw: object, where: str, problems: list[str]) -> Any:
        if not isinstance(raw, list | tuple):
            return bad(where, "a list", raw, problems)
        args = get_args(kind)
        if get_origin(kind) is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(raw) != len(args):
                return bad(where, f"a list of {len(args)} items", raw, problems)
            kinds = args
        else:
            kinds = (args[0],) * len(raw)
        items = [
            self.structure(item_kind, item, child(where, index_segment(n)), problems)
            for n, (item_kind, item) in enumerate(zip(kinds, raw, strict=True))
        ]
        return frozenset(items) if get_origin(kind) is frozenset else tuple(items)

    def _mapping(
        self, args: tuple[Any, ...], raw: object, where: str, problems: list[str], base: Any
    ) -> Any:
        if not isinstance(raw, Mapping):
            return bad(where, "a table", raw, problems)
        key_type, value_type = args if args else (Any, Any)
        result: dict[Any, Any] = dict(base) if isinstance(base, Mapping) else {}
        for raw_key, raw_value in raw.items():
            if isinstance(key_type, type) and issubclass(key_type, enum.Enum):
                key = _enum(key_type, raw_key, where, problems, as_key=True)
                if key is None:
                    continue
            else:
                key = raw_key
            before = result.get(key, MISSING)
            attempt: list[str] = []
            path = child(where, key_segment(raw_key))
            value = self.structure(value_type, raw_value, path, attempt, before)
            problems.extend(attempt)
            # A bad entry keeps its base value, so the rest can still be checked together.
            result[key] = before if attempt and before is not MISSING else value
        return result

    def _attrs(self, kind: type, raw: object, where: str, problems: list[str], base: Any) -> Any:
        if not isinstance(raw, Mapping):
            return bad(where, "a table", raw, problems)
        fields = {field.key: field for field in init_fields(kind)}
        for key in raw:
            if key not in fields:
                known = _quoted(list(fields))
                problems.append(f"{child(where, key_segment(key))}: unknown key (known: {known})")
        before = len(problems)
        values: dict[str, Any] = {}
        if base is not MISSING and attrs.has(type(base)):
            values = {
                key: getattr(base, field.name)
                for key, field in fields.items()
                if hasattr(base, field.name)
            }
        fallback = dict(values)
        failed = []
        missing = False
        for key, field in fields.items():
            path = child(where, key_segment(key))
            if key not in raw:
                if key not in values and field.required:
                    problems.append(f"{path}: missing")
                    missing = True
                continue
            attempt: list[str] = []
            value = self.structure(field.type, raw[key], path, attempt, values.get(key, MISSING))
            if attempt:
                converted = _converted(field, raw[key], attempt, problems, where)
                if converted is not None:
                    value = converted
                elif value is None or not conforms(value, field.type):
                    failed.append(key)  # else: a partly good mapping, still worth checking
            values[key] = value
        if len(problems) > before:
            # Still check what the good values say about each other, with the bad ones
            # put back to the base or default, so one pass lists every problem.
            for key in failed:
                if key in fallback:
                    values[key] = fallback[key]
                elif not fields[key].required:
                    del values[key]
                else:
                    return None
            if not missing:
                _build(kind, values, where, problems)
            return None
        return _build(kind, values, where, problems)

    # -- writing -----------------------------------------------------------------

    def unstructure(self, value: object) -> Any:
        """Turn a value into plain data that :meth:`structure` reads back equal."""
        if value is None or isinstance(value, bool | int | float | str):
            return value
        for ancestor in type(value).__mro__:
            write = self._writers.get(ancestor)
            if write is not None:
                return write(value)
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date | time):
            return value.isoformat()
        if isinstance(value, Mapping):
            return {_key(key): self.unstructure(item) for key, item in value.items()}
        if isinstance(value, frozenset):
            return sorted((self.unstructure(item) for item in value), key=repr)
        if isinstance(value, tuple | list):
            return [self.unstructure(item) for item in value]
        kind: type = type(value)
        if attrs.has(kind):
            return {
                field.key: self.unstructure(getattr(value, field.name))
                for field in init_fields(kind)
                if getattr(value, field.name) is not None
            }
        raise InvalidPolicy(
            [f"cannot write {type(value).__name__} {shortened(value)} as policy data"]
        )


def bad(where: str, expected: str, raw: object, problems: list[str]) -> Any:
    """Note that *raw* is not what was expected at *where*; return ``None``."""
    problems.append(f"{where}: expected {expected}, got {quoted(raw)}")
    return None


def quoted(raw: object) -> str:
    """*raw* as a policy file spells it, shortened: text in double quotes, the rest by repr."""
    if isinstance(raw, str):
        return '"' + shortened(raw)[1:-1] + '"' if '"' not in raw else shortened(raw)
    return shortened(raw)


def _quoted(options: Mapping[str, object] | list[str]) -> str:
    return ", ".join(repr(option) for option in options)


def _choice(
    choice: tuple[str, Mapping[str, Any]], raw: object, where: str, problems: list[str]
) -> Any:
    expected, choices = choice
    if isinstance(raw, str) and raw in choices:
        return choices[raw]
    return bad(where, expected, raw, problems)


def _scalar(rule: tuple[str, Read], raw: object, where: str, problems: list[str]) -> Any:
    expected, read = rule
    try:
        return read(raw)
    except Refused as err:
        problems.append(f"{where}: {quoted(raw)} {err}")
    except (ValueError, TypeError, InvalidOperation, OverflowError, RecoveryError):
        bad(where, expected, raw, problems)
    return None


def _enum(
    kind: type[enum.Enum], raw: object, where: str, problems: list[str], *, as_key: bool = False
) -> Any:
    for member in kind:
        if raw == member.value:
            return member
    choices = _quoted([str(member.value) for member in kind])
    if as_key:
        problems.append(f"{where}: {shortened(raw)} is not a {kind.__name__.lower()} ({choices})")
        return None
    return bad(where, f"one of {choices}", raw, problems)


def _build(kind: type, values: dict[str, Any], where: str, problems: list[str]) -> Any:
    try:
        return kind(**values)
    except InvalidPolicy as err:
        found = [located(where, refusal(problem)) for problem in err.problems]
    except RecoveryError as err:
        found = [located(where, refusal(err))]
    problems.extend(problem for problem in found if problem not in problems)
    return None


def located(where: str, problem: str) -> str:
    """A value's own refusal *problem*, put at the path of the value, *where*.

    A value's checks name what they refused by its path inside the value
    (``hours: ...``), or, when they check the value as a whole, by the value's
    own key (``calendar.hours: ...`` from a calendar read at
    ``service_levels.calendar``); both land at the same full path.
    """
    head, colon, message = problem.partition(": ")
    if not colon or " " in head or not where:
        return f"{where}: {problem}" if where else problem
    own_key = where.rsplit(".", 1)[-1]
    if head == own_key or head.startswith((f"{own_key}.", f"{own_key}[")):
        parent = where.rsplit(".", 1)[0] if "." in where else ""
        return f"{child(parent, '.' + head)}: {message}"
    return f"{child(where, '.' + head)}: {message}"


def _converted(
    field: InitField, raw: object, attempt: list[str], problems: list[str], owner: str
) -> Any:
    """Let the field's own converter read a spelling its type does not say ("09:00-17:00").

    Its result counts only if it has the field's type. When the converter
    read the spelling and refused it (an ``InvalidPolicy`` naming what is
    wrong: "hour 25 is past 24:00"), its problems stand, put at their path
    under the field's *owner*; otherwise the problems found reading by type
    stand, as they name the exact path.
    """
    converter = field.attribute.converter
    if callable(converter):
        try:
            value = converter(raw)
        except InvalidPolicy as err:
            problems.extend(located(owner, refusal(problem)) for problem in err.problems)
            return None
        except (RecoveryError, ValueError, TypeError):
            pass
        else:
            if conforms(value, field.type):
                return value
    problems.extend(attempt)
    return None


def conforms(value: object, kind: Any) -> bool:
    """Whether *value* has the type *kind* describes, items included."""
    origin = get_origin(kind)
    args = get_args(kind)
    if kind is Any:
        return True
    if origin in (Union, types.UnionType):
        return any(conforms(value, option) for option in args)
    if kind is type(None):
        return value is None
    if origin is type:
        return isinstance(value, type) and issubclass(value, args[0])
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(item, args[0]) for item in value)
        return len(value) == len(args) and all(map(conforms, value, args))
    if origin is frozenset:
        return isinstance(value, frozenset) and all(conforms(item, args[0]) for item in value)
    if origin in (dict, Mapping):
        return isinstance(value, Mapping) and all(
            conforms(key, args[0]) and conforms(item, args[1]) for key, item in value.items()
        )
    if kind in (int, float):
        return isinstance(value, kind) and not isinstance(value, bool)
    return isinstance(value, kind) if isinstance(kind, type) else True


def _key(key: object) -> str:
    return str(key.value) if isinstance(key, enum.Enum) else str(key)


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError
    return raw


def _whole(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TypeError
    return raw


def _number(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise TypeError
    return float(raw)


def _flag(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise TypeError
    return raw


def _decimal(raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise TypeError
    return Decimal(raw)


def _date(raw: object) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    return date.fromisoformat(_text(raw))


def _time(raw: object) -> time:
    if isinstance(raw, time):
        return raw
    return time.fromisoformat(_text(raw))


def _datetime(raw: object) -> datetime:
    value = raw if isinstance(raw, datetime) else datetime.fromisoformat(_text(raw))
    if value.tzinfo is None:
        raise ValueError("no time zone")
    return value


def text(raw: object) -> str:
    """*raw* if it is text; :class:`TypeError` otherwise (for hooks that parse text)."""
    return _text(raw)


_MODEL_SCALARS: dict[Any, tuple[str, Read]] = {
    str: ("a string", _text),
    int: ("a whole number", _whole),
    float: ("a number", _number),
    bool: ("true or false", _flag),
    Decimal: ("a decimal number", _decimal),
    date: ("a date like 2026-12-25", _date),
    time: ('a time like "09:00"', _time),
    datetime: ("an aware date and time like 2026-12-25T09:00:00+01:00", _datetime),
}
