"""The JSON Schema of the policy file format, derived from the policy's own types.

The shipped ``policy.schema.json`` is this function's output; a test keeps the
two equal, so the published format can never drift from what the reader
accepts. Regenerate it with ``service-recovery schema > policy.schema.json``.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import attrs

from .._convert._fields import init_fields
from .._model._commands import COMMANDS_BY_NAME
from .._model._values import Money
from .._rulebook._graph import Route
from .._rulebook._structure import ROUTES

SCHEMA_PATH = Path(__file__).with_name("policy.schema.json")
"""Where the package ships the schema."""

SCHEMA_ID = "https://service-recovery.invalid/policy.schema.json"

_STRICT_MODULES = (
    "service_recovery._rulebook._policy",
    "service_recovery._rulebook._rules",
    "service_recovery._rulebook._graph",
)

_STRINGS: dict[Any, dict[str, Any]] = {
    timedelta: {
        "type": "string",
        "description": 'A duration: "2h", "30d", "1d12h", "90m" or ISO 8601 "PT2H", "P30D".',
        "pattern": (
            r"^(\s*\d+(\.\d+)?\s*[wdhms]\s*)+$"
            r"|^P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
        ),
    },
    Money: {
        "type": "string",
        "description": 'An amount and an ISO 4217 currency: "50 EUR".',
        "pattern": r"^\s*\d+(\.\d+)?\s+[A-Z]{3}\s*$",
    },
    Decimal: {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
    date: {"type": "string", "format": "date"},
    time: {"type": "string", "description": 'A time of day: "09:00".'},
    datetime: {"type": "string", "format": "date-time"},
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}


def policy_schema(policy_class: type | None = None) -> dict[str, Any]:
    """The JSON Schema of a policy file for *policy_class* (:class:`RecoveryPolicy` by default)."""
    from .._rulebook._policy import RecoveryPolicy
    from .._rulebook._policy_file import EXTENDS, FROM_NOTHING
    from .._rulebook._presets import PRESETS

    body = _schema(policy_class or RecoveryPolicy)
    body["properties"] = {
        EXTENDS: {
            "description": "The preset the file starts from; its tables are patched by this "
            'file. "none": the file is complete and absent keys take the defaults.',
            "enum": [*PRESETS, FROM_NOTHING],
        },
        **body["properties"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "service-recovery policy",
        "description": "A recovery policy as written in TOML and read by "
        "RecoveryPolicy.from_toml (see docs/reference/policy-toml.md).",
        **body,
    }


def _schema(kind: Any) -> dict[str, Any]:
    origin = get_origin(kind)
    args = get_args(kind)
    if kind is Any:
        return {}
    if origin in (Union, types.UnionType):
        present = [_schema(option) for option in args if option is not type(None)]
        return present[0] if len(present) == 1 else {"anyOf": present}
    if origin is type:
        return {"enum": [name for name in COMMANDS_BY_NAME if name != "Open"]}
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return {
            "type": "array",
            "prefixItems": [_schema(arg) for arg in args],
            "minItems": len(args),
            "maxItems": len(args),
        }
    if origin in (tuple, frozenset):
        return {"type": "array", "items": _schema(args[0])}
    if origin in (dict, Mapping):
        result: dict[str, Any] = {"type": "object", "additionalProperties": _schema(args[1])}
        if isinstance(args[0], type) and issubclass(args[0], enum.Enum):
            result["propertyNames"] = {"enum": [member.value for member in args[0]]}
        return result
    if kind is Route:
        return {"enum": list(ROUTES)}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if kind in _STRINGS:
        return dict(_STRINGS[kind])
    if isinstance(kind, type) and attrs.has(kind):
        return _object(kind)
    return {}


def _object(kind: type) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required = []
    for field in init_fields(kind):
        schema = _schema(field.type)
        converter = field.attribute.converter
        if callable(converter) and getattr(converter, "__module__", "") not in _STRICT_MODULES:
            schema = _loosened(schema)
        doc = (field.attribute.metadata or {}).get("doc")
        if doc:
            schema = {"description": doc, **schema}
        properties[field.key] = schema
        if field.required:
            required.append(field.key)
    result: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if kind.__doc__:
        result = {"description": kind.__doc__.strip().splitlines()[0], **result}
    if required:
        result["required"] = required
    return result


def _loosened(schema: dict[str, Any]) -> dict[str, Any]:
    """A field with its own converter also takes that converter's text spellings."""
    if schema.get("type") == "object" and "additionalProperties" in schema:
        return {**schema, "additionalProperties": _loosened(schema["additionalProperties"])}
    if schema.get("type") in ("string", None):
        return schema
    return {"anyOf": [schema, {"type": "string"}]}
