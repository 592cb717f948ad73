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

from .._errors import InvalidPolicy, InvalidValue, shortened
from ._structure import MISSING, structure, unstructure

P = TypeVar("P")

EXTENDS = "extends"
"""The top-level key naming the preset a file starts from."""

FROM_NOTHING = "none"
"""``extends = "none"``: the file is complete; absent keys take the class defaults."""


def read_file(path: object) -> str:
    """The text of the policy file at *path* (a path object or a string naming one).

    Raises:
        InvalidValue: *path* is neither.
        InvalidPolicy: the file cannot be read, or is not UTF-8 text.
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidValue(
            f"path: expected a file path (str or os.PathLike), got {type(path).__name__}",
            field="path",
        )
    where = Path(path)
    try:
        data = where.read_bytes()
    except OSError as err:
        raise InvalidPolicy([f"{where}: cannot read the policy file ({err.strerror})"]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidPolicy([f"{where}: not UTF-8 text ({err.reason})"]) from None


def require_text(text: object) -> str:
    """*text* itself, if it is TOML text (a ``str``).

    Raises:
        InvalidValue: *text* is not a ``str`` (a path goes to ``from_toml_file``).
    """
    if not isinstance(text, str):
        hint = " (read a file with RecoveryPolicy.from_toml_file)" if _is_path(text) else ""
        raise InvalidValue(
            f"text: expected TOML text as a str, got {type(text).__name__}{hint}", field="text"
        )
    return text


def _is_path(value: object) -> bool:
    return isinstance(value, os.PathLike | bytes)


def parse(text: str, origin: str) -> dict[str, Any]:
    """Parse TOML *text*; a syntax error becomes an :class:`InvalidPolicy` naming the line.

    TOML the standard library cannot hold is refused the same way: arrays
    nested too deeply for its recursive parser, integers of thousands of digits.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        problem = str(err)
    except RecursionError:
        problem = "nested too deeply"
    except ValueError as err:  # an integer past Python's limit on digits read from text
        problem = shortened(str(err), 120)[1:-1]
    raise InvalidPolicy([f"{origin}: not valid TOML: {problem}"])


def load_policy(cls: type[P], text: str, origin: str = "policy") -> P:
    """Build a *cls* policy from TOML *text* (see ``RecoveryPolicy.from_toml``)."""
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
    problems.append(f"{EXTENDS}: expected one of {names}, got {shortened(extends)}")
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
    raise InvalidPolicy([f"cannot write {type(value).__name__} {shortened(value)} in TOML"])
