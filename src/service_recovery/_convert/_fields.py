"""The one walk over an attrs class's fields: what a caller passes to build one."""

from __future__ import annotations

from typing import Any, get_type_hints

import attrs


@attrs.frozen
class InitField:
    """A field a caller passes to an attrs class's constructor, with its resolved type.

    Attributes:
        name: the attribute's name.
        key: the name data uses for it (the field's alias).
        type: the resolved annotation (``Any`` when it cannot be resolved).
        required: whether the field has no default.
        attribute: the attrs field itself (converter, validator, metadata).
    """

    name: str
    key: str
    type: Any
    required: bool
    attribute: attrs.Attribute[Any] = attrs.field(eq=False, repr=False)


_KNOWN: dict[type, tuple[InitField, ...]] = {}


def init_fields(kind: type) -> tuple[InitField, ...]:
    """The constructor fields of the attrs class *kind*, in order, types resolved (kept).

    >>> from service_recovery._model._values import Money
    >>> [(field.key, field.type.__name__, field.required) for field in init_fields(Money)]
    [('amount', 'Decimal', True), ('currency', 'str', True)]
    """
    found = _KNOWN.get(kind)
    if found is None:
        found = _KNOWN[kind] = _walk(kind)
    return found


def _walk(kind: type) -> tuple[InitField, ...]:
    try:
        hints = get_type_hints(kind)
    except (NameError, TypeError):
        hints = {}
    return tuple(
        InitField(
            name=field.name,
            key=field.alias or field.name,
            type=hints.get(field.name, Any),
            required=field.default is attrs.NOTHING,
            attribute=field,
        )
        for field in attrs.fields(kind)
        if field.init
    )
