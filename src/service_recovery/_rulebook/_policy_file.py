"""Policies in TOML files: read with the standard library's ``tomllib``, written back out.

The format is published in docs/reference/policy-toml.md and as a JSON Schema
(``policy.schema.json``, shipped with the package). A file is data only: the
reader builds known value types from their annotations, and names of commands
and routes are looked up in fixed tables.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from .._errors import InvalidPolicy
from ._structure import MISSING, structure, unstructure

P = TypeVar("P")

EXTENDS = "extends"
"""The top-level key naming the preset a file starts from."""

FROM_NOTHING = "none"
"""``extends = "none"``: the file is complete; absent keys take the class defaults."""


def read_source(source: object) -> tuple[str, str]:
    """The TOML text of *source* and how to name it in messages.

    A path object is a file; a string is TOML text when it holds a newline or
    an ``=``, and a file name otherwise; bytes are UTF-8 text.
    """
    if isinstance(source, bytes):
        return _decode(source, "policy"), "policy"
    if isinstance(source, str) and ("\n" in source or "=" in source):
        return source, "policy"
    if not isinstance(source, str | os.PathLike):
        raise InvalidPolicy(
            [f"source: expected TOML text or a path, got {type(source).__name__} {source!r}"]
        )
    path = Path(source)
    try:
        return _decode(path.read_bytes(), str(path)), str(path)
    except OSError as err:
        raise InvalidPolicy([f"{path}: cannot read the policy file ({err.strerror})"]) from None


def _decode(data: bytes, origin: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidPolicy([f"{origin}: not UTF-8 text ({err.reason})"]) from None


def parse(text: str, origin: str) -> dict[str, Any]:
    """Parse TOML *text*; a syntax error becomes an :class:`InvalidPolicy` naming the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InvalidPolicy([f"{origin}: not valid TOML: {err}"]) from None


def load_policy(cls: type[P], source: object) -> P:
    """Build a *cls* policy from a TOML file or text (see ``RecoveryPolicy.from_toml``)."""
    text, origin = read_source(source)
    return policy_from_data(cls, parse(text, origin))


def policy_from_data(cls: type[P], data: Mapping[str, Any]) -> P:
    """Build a *cls* policy from parsed TOML (or JSON) data, patching its base preset."""
    raw = dict(data)
    problems: list[str] = []
    base = _base(cls, raw.pop(EXTENDS, MISSING), problems)
    policy = structure(cls, raw, "", problems, base)
    if problems or policy is None:
        raise InvalidPolicy(problems)
    result: P = policy
    return result


def _base(cls: type, extends: object, problems: list[str]) -> Any:
    from ._presets import PRESETS

    if extends is MISSING:
        try:
            return cls()
        except (TypeError, InvalidPolicy):
            return MISSING
    if extends == FROM_NOTHING:
        return MISSING
    if isinstance(extends, str) and extends.lower() in PRESETS:
        return PRESETS[extends.lower()]
    names = ", ".join(repr(name) for name in (*PRESETS, FROM_NOTHING))
    problems.append(f"{EXTENDS}: expected one of {names}, got {extends!r}")
    return MISSING


def dump_policy(policy: object) -> str:
    """Write *policy* as a complete TOML file (``extends = "none"``)."""
    data = unstructure(policy)
    return dumps({EXTENDS: FROM_NOTHING, **data})


# -- a small TOML writer for policy data -------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dumps(data: Mapping[str, Any]) -> str:
    """Write nested tables, arrays and scalars as TOML text that ``tomllib`` reads back."""
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines).strip() + "\n"


def _table(data: Mapping[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    nested = []
    for key, value in data.items():
        if (_is_table(value) and value) or _is_table_array(value):
            nested.append((key, value))
        elif _is_record_list(value):
            rows = [f"    {_inline(item)}," for item in value]
            lines += [f"{_key(key)} = [", *rows, "]"]
        else:
            lines.append(f"{_key(key)} = {_inline(value)}")
    for key, value in nested:
        inner = (*path, key)
        header = ".".join(_key(part) for part in inner)
        if isinstance(value, list):
            for item in value:
                lines += ["", f"[[{header}]]"]
                _table(item, inner, lines)
            continue
        if not all(_is_table(v) and v for v in value.values()):
            lines += ["", f"[{header}]"]
        _table(value, inner, lines)


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping)


def _is_record_list(value: object) -> bool:
    """A list of flat tables, written one inline table a line (edges, remedies...)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            _is_table(item) and not any(_is_table(v) or isinstance(v, list) for v in item.values())
            for item in value
        )
    )


def _is_table_array(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(_is_table(v) for v in value)
        and not _is_record_list(value)
    )


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _inline(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + "}"
    raise InvalidPolicy([f"cannot write {type(value).__name__} {value!r} in TOML"])
