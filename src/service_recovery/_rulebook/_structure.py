"""Build typed rule values from plain data (a parsed TOML file) and back, by their types.

Everything is driven by the attrs classes' annotated types, so a new field or
a new nested rules class (say, a policy's service levels) is read and written
with no code here. Only fixed, finite tables turn names into things (command
types, routes): plain data can never run code or import anything.

Reading *patches*: a table given for an attrs value or a mapping changes only
the keys it names, starting from a base value; arrays and scalars replace.
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs

from .._errors import InvalidPolicy, RecoveryError
from .._model._commands import COMMANDS_BY_NAME
from .._model._values import FollowUpOutcome, Money
from ._graph import ACTIONS_REMAIN, LAST_OPEN_ACTION, Route, outcome_is

MISSING: Any = attrs.NOTHING
"""No base value: build from the data alone."""

ROUTES: dict[str, Route] = {
    route.name: route
    for route in (
        *(outcome_is(outcome) for outcome in FollowUpOutcome),
        LAST_OPEN_ACTION,
        ACTIONS_REMAIN,
    )
}
"""The routes a policy file may name; a file cannot define new ones."""

# -- durations -------------------------------------------------------------------

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_SHORT = re.compile(r"\s*(?:\d+(?:\.\d+)?\s*[wdhms]\s*)+")
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])")
_ISO = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(text: str) -> timedelta:
    """Read ``"2h"``, ``"30d"``, ``"1d 12h"``, ``"90m"`` or ISO 8601 ``"PT2H"``, ``"P30D"``.

    >>> parse_duration("1d12h"), parse_duration("PT30M")
    (datetime.timedelta(days=1, seconds=43200), datetime.timedelta(seconds=1800))

    Raises:
        ValueError: the text is neither form (months and years are refused:
            their length varies).
    """
    if _SHORT.fullmatch(text):
        seconds = sum(Decimal(amount) * _UNITS[unit] for amount, unit in _SHORT_PART.findall(text))
        return timedelta(seconds=float(seconds))
    match = _ISO.fullmatch(text.strip().upper())
    if match and text.strip().upper() not in ("P", "PT") and not text.strip().endswith("T"):
        seconds = sum(
            Decimal(value) * _UNITS[unit.lower()]
            for unit, value in match.groupdict().items()
            if value is not None
        )
        return timedelta(seconds=float(seconds))
    raise ValueError(text)


def format_duration(value: timedelta) -> str:
    """Write a duration the short way: ``"2h"``, ``"30d"``, ``"1d12h"``, ``"0s"``.

    >>> format_duration(timedelta(days=1, hours=12))
    '1d12h'
    """
    seconds = Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds) / 10**6
    if seconds == 0:
        return "0s"
    parts = []
    for unit in "dhm":
        amount, seconds = divmod(seconds, _UNITS[unit])
        if amount:
            parts.append(f"{amount}{unit}")
    if seconds:
        parts.append(f"{seconds.normalize():f}s")
    return "".join(parts)


# -- reading ---------------------------------------------------------------------


def field_types(kind: type) -> dict[str, Any]:
    """The resolved annotation of each attrs field of *kind* (``Any`` if unresolvable)."""
    try:
        hints = get_type_hints(kind)
    except (NameError, TypeError):
        hints = {}
    return {field.name: hints.get(field.name, Any) for field in attrs.fields(kind)}


def init_fields(kind: type) -> list[attrs.Attribute[Any]]:
    """The fields of *kind* a caller passes to its constructor."""
    return [field for field in attrs.fields(kind) if field.init]


def structure(kind: Any, raw: object, where: str, problems: list[str], base: Any = MISSING) -> Any:
    """Build a *kind* from plain *raw* data; note each problem at its path *where*.

    Returns ``None`` (and adds to *problems*) when *raw* does not fit.
    """
    origin = get_origin(kind)
    if kind is Any:
        return raw
    if origin in (Union, types.UnionType):
        return _union(get_args(kind), raw, where, problems, base)
    if origin is type:
        return _command_type(raw, where, problems)
    if origin is tuple or origin is frozenset:
        return _sequence(kind, raw, where, problems)
    if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return _mapping(get_args(kind), raw, where, problems, base)
    if kind is Route:
        if isinstance(raw, str) and raw in ROUTES:
            return ROUTES[raw]
        return _bad(where, f"one of {_choices(ROUTES)}", raw, problems)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _enum(kind, raw, where, problems)
    if isinstance(kind, type) and attrs.has(kind) and kind is not Money:
        return _attrs(kind, raw, where, problems, base)
    rule = _SCALARS.get(kind)
    if rule is None:
        problems.append(f"{where}: cannot be written in a policy file ({kind!r})")
        return None
    expected, read = rule
    try:
        return read(raw)
    except (ValueError, TypeError, InvalidOperation, RecoveryError):
        return _bad(where, expected, raw, problems)


def _bad(where: str, expected: str, raw: object, problems: list[str]) -> Any:
    """Note that *raw* is not what was expected at *where*; return ``None``."""
    shown = f'"{raw}"' if isinstance(raw, str) else repr(raw)
    problems.append(f"{where}: expected {expected}, got {shown}")
    return None


def _choices(options: Mapping[str, object] | list[str]) -> str:
    return ", ".join(repr(option) for option in options)


def _union(
    options: tuple[Any, ...], raw: object, where: str, problems: list[str], base: Any
) -> Any:
    present = [option for option in options if option is not type(None)]
    if raw is None:
        return None
    first: list[str] = []
    for option in present:
        attempt: list[str] = []
        value = structure(
            option, raw, where, attempt, base if isinstance(base, option) else MISSING
        )
        if not attempt:
            return value
        first = first or attempt
    problems.extend(first)
    return None


def _command_type(raw: object, where: str, problems: list[str]) -> Any:
    kind = COMMANDS_BY_NAME.get(raw) if isinstance(raw, str) else None
    if kind is None or raw == "Open":
        return _bad(
            where, f"a command name ({_choices(list(COMMANDS_BY_NAME)[1:])})", raw, problems
        )
    return kind


def _sequence(kind: Any, raw: object, where: str, problems: list[str]) -> Any:
    if not isinstance(raw, list | tuple):
        return _bad(where, "a list", raw, problems)
    args = get_args(kind)
    if get_origin(kind) is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        if len(raw) != len(args):
            return _bad(where, f"a list of {len(args)} items", raw, problems)
        items = [
            structure(a, r, f"{where}[{n}]", problems)
            for n, (a, r) in enumerate(zip(args, raw, strict=True))
        ]
    else:
        items = [structure(args[0], item, f"{where}[{n}]", problems) for n, item in enumerate(raw)]
    return frozenset(items) if get_origin(kind) is frozenset else tuple(items)


def _mapping(args: tuple[Any, ...], raw: object, where: str, problems: list[str], base: Any) -> Any:
    if not isinstance(raw, Mapping):
        return _bad(where, "a table", raw, problems)
    key_type, value_type = args if args else (Any, Any)
    result: dict[Any, Any] = dict(base) if isinstance(base, Mapping) else {}
    for raw_key, raw_value in raw.items():
        path = f"{where}.{raw_key}" if where else str(raw_key)
        if isinstance(key_type, type) and issubclass(key_type, enum.Enum):
            key = _enum(key_type, raw_key, where, problems, as_key=True)
            if key is None:
                continue
        else:
            key = raw_key
        before = result.get(key, MISSING)
        attempt: list[str] = []
        value = structure(value_type, raw_value, path, attempt, before)
        problems.extend(attempt)
        # A bad entry keeps its base value, so the rest can still be checked together.
        result[key] = before if attempt and before is not MISSING else value
    return result


def _enum(
    kind: type[enum.Enum], raw: object, where: str, problems: list[str], *, as_key: bool = False
) -> Any:
    for member in kind:
        if raw == member.value:
            return member
    choices = _choices([str(member.value) for member in kind])
    if as_key:
        problems.append(f"{where}: {raw!r} is not a {kind.__name__.lower()} ({choices})")
        return None
    return _bad(where, f"one of {choices}", raw, problems)


def _attrs(kind: type, raw: object, where: str, problems: list[str], base: Any) -> Any:
    if not isinstance(raw, Mapping):
        return _bad(where, "a table", raw, problems)
    fields = {_alias(field): field for field in init_fields(kind)}
    hints = field_types(kind)
    prefix = f"{where}." if where else ""
    for key in raw:
        if key not in fields:
            problems.append(f"{prefix}{key}: unknown key (known: {_choices(list(fields))})")
    before = len(problems)
    values: dict[str, Any] = {}
    if base is not MISSING and attrs.has(type(base)):
        values = {
            alias: getattr(base, field.name)
            for alias, field in fields.items()
            if hasattr(base, field.name)
        }
    fallback = dict(values)
    failed = []
    for alias, field in fields.items():
        if alias not in raw:
            if alias not in values and field.default is attrs.NOTHING:
                problems.append(f"{prefix}{alias}: missing")
            continue
        attempt: list[str] = []
        value = structure(
            hints[field.name], raw[alias], prefix + alias, attempt, values.get(alias, MISSING)
        )
        if attempt:
            converted = _converted(field, hints[field.name], raw[alias], attempt, problems)
            if converted is not None:
                value = converted
            elif value is None or not conforms(value, hints[field.name]):
                failed.append(alias)  # else: a partly good mapping, still worth checking
        values[alias] = value
    if len(problems) > before:
        # Still check what the good values say about each other, with the bad ones
        # put back to the base or default, so one pass lists every problem.
        for alias in failed:
            if alias in fallback:
                values[alias] = fallback[alias]
            elif fields[alias].default is not attrs.NOTHING:
                del values[alias]
            else:
                return None
        if any(f"{prefix}{alias}: missing" in problems for alias in fields):
            return None
        _build(kind, values, where, problems)
        return None
    return _build(kind, values, where, problems)


def _build(kind: type, values: dict[str, Any], where: str, problems: list[str]) -> Any:
    try:
        return kind(**values)
    except InvalidPolicy as err:
        found = [_located(where, problem) for problem in err.problems]
    except RecoveryError as err:
        found = [_located(where, str(err))]
    problems.extend(problem for problem in found if problem not in problems)
    return None


def _converted(
    field: attrs.Attribute[Any], kind: Any, raw: object, attempt: list[str], problems: list[str]
) -> Any:
    """Let the field's own converter read a spelling its type does not say ("09:00-17:00").

    Its result counts only if it has the field's type; otherwise the problems
    found reading by type stand, as they name the exact path.
    """
    converter = field.converter
    if callable(converter):
        try:
            value = converter(raw)
        except (RecoveryError, ValueError, TypeError):
            pass
        else:
            if conforms(value, kind):
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


def _located(where: str, problem: str) -> str:
    if not where or problem.startswith(where):
        return problem
    return f"{where}.{problem}" if ":" in problem.split(" ", 1)[0] else f"{where}: {problem}"


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


def _duration(raw: object) -> timedelta:
    return parse_duration(_text(raw))


def _money(raw: object) -> Money:
    return Money.parse(_text(raw))


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


_SCALARS: dict[Any, tuple[str, Callable[[object], Any]]] = {
    str: ("a string", _text),
    int: ("a whole number", _whole),
    float: ("a number", _number),
    bool: ("true or false", _flag),
    Decimal: ("a decimal number", _decimal),
    timedelta: ('a duration like "2h", "30d" or "PT2H"', _duration),
    Money: ('an amount like "50 EUR"', _money),
    date: ("a date like 2026-12-25", _date),
    time: ('a time like "09:00"', _time),
    datetime: ("an aware date and time like 2026-12-25T09:00:00+01:00", _datetime),
}


# -- writing ---------------------------------------------------------------------


def unstructure(value: object) -> Any:
    """Turn a rule value into plain data that :func:`structure` reads back equal."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, Route):
        return value.name
    if isinstance(value, Mapping):
        return {_key(key): unstructure(item) for key, item in value.items()}
    if isinstance(value, frozenset):
        return sorted((unstructure(item) for item in value), key=repr)
    if isinstance(value, tuple | list):
        return [unstructure(item) for item in value]
    if attrs.has(type(value)):
        return {
            _alias(field): unstructure(getattr(value, field.name))
            for field in init_fields(type(value))
            if getattr(value, field.name) is not None
        }
    raise InvalidPolicy([f"cannot write {type(value).__name__} {value!r} as policy data"])


def _alias(field: attrs.Attribute[Any]) -> str:
    return field.alias or field.name


def _key(key: object) -> str:
    return str(key.value) if isinstance(key, enum.Enum) else str(key)
