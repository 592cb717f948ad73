"""The rulebook's converter: policy values from plain data (a parsed TOML file) and back.

The converter (:mod:`service_recovery._convert._patch`) reads and writes by
the attrs classes' annotated types, patching a base value; this module adds
what only the rulebook knows, on its own converter instance: durations,
amounts, routes and command types. Only fixed, finite tables turn names into
things: plain data can never run code or import anything.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs

from .._convert._fields import init_fields as _init_fields
from .._convert._patch import MISSING, PatchConverter, Refused, conforms, text
from .._model._commands import COMMANDS_BY_NAME
from .._model._values import FollowUpOutcome, Money
from ._graph import ACTIONS_REMAIN, LAST_OPEN_ACTION, Route, outcome_is

__all__ = [
    "MISSING",
    "POLICY_CONVERTER",
    "ROUTES",
    "conforms",
    "field_types",
    "format_duration",
    "init_fields",
    "parse_duration",
    "structure",
    "unstructure",
]

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
            their length varies); :class:`Refused` if it is longer than a
            ``timedelta`` holds.
    """
    if _SHORT.fullmatch(text):
        seconds = sum(Decimal(amount) * _UNITS[unit] for amount, unit in _SHORT_PART.findall(text))
        return _seconds(seconds)
    match = _ISO.fullmatch(text.strip().upper())
    if match and text.strip().upper() not in ("P", "PT") and not text.strip().endswith("T"):
        seconds = sum(
            Decimal(value) * _UNITS[unit.lower()]
            for unit, value in match.groupdict().items()
            if value is not None
        )
        return _seconds(seconds)
    raise ValueError(text)


_LONGEST = timedelta.max.days * 86400


def _seconds(seconds: Decimal | int) -> timedelta:
    if seconds > _LONGEST:
        raise Refused(f"is too long (at most {timedelta.max.days} days)")
    return timedelta(seconds=float(seconds))


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


# -- the converter -----------------------------------------------------------------


def _duration(raw: object) -> timedelta:
    return parse_duration(text(raw))


def _money(raw: object) -> Money:
    return Money.parse(text(raw))


POLICY_CONVERTER = PatchConverter()
"""Reads and writes policy values: the model's values, and the rulebook's own below."""

POLICY_CONVERTER.register(
    timedelta, 'a duration like "2h", "30d" or "PT2H"', _duration, format_duration
)
POLICY_CONVERTER.register(Money, 'an amount like "50 EUR"', _money, str)
POLICY_CONVERTER.register_choices(Route, ROUTES, lambda route: route.name)
POLICY_CONVERTER.register_choices(
    type,
    {name: kind for name, kind in COMMANDS_BY_NAME.items() if name != "Open"},
    lambda kind: kind.__name__,
    expected="a command name ({})".format(
        ", ".join(repr(name) for name in COMMANDS_BY_NAME if name != "Open")
    ),
)

structure = POLICY_CONVERTER.structure
unstructure = POLICY_CONVERTER.unstructure


def field_types(kind: type) -> dict[str, Any]:
    """The resolved annotation of each constructor field of *kind* (``Any`` if unresolvable)."""
    return {field.name: field.type for field in _init_fields(kind)}


def init_fields(kind: type) -> list[attrs.Attribute[Any]]:
    """The attrs fields of *kind* a caller passes to its constructor."""
    return [field.attribute for field in _init_fields(kind)]
