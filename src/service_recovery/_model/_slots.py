"""New frozen attrs values from old ones, slot by slot: the hot path of every accepted command.

Every accepted command makes a new :class:`Case` that differs from the old one in
a few fields. Going through the class's ``__init__`` first builds an argument list
of every field and then stores each one; for a case of some 25 fields that is most of
the cost of applying a command beyond the engine's own move. A copier stores each
slot straight from the old value, as attrs' own ``__init__`` does for frozen
classes, and then the changed ones.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

_FACTORY: type = type(attrs.Factory(list))

Copier = Callable[[T, Mapping[str, Any]], T]
"""``copy(value, changes)``: a new value like *value*, with *changes* (field name -> value)."""


def plain_slots(cls: type) -> list[str]:
    """Why ``__init__`` of *cls* does more than store its arguments in slots ([] if it doesn't).

    A copier would skip that extra work, so it is only made for classes without any.
    """
    if not attrs.has(cls):
        return [f"{cls.__name__} is not an attrs class"]
    fields = attrs.fields(cls)
    slots = set(getattr(cls, "__slots__", ())) - {"__weakref__"}
    problems = []
    if slots != {field.name for field in fields}:
        problems.append(f"{cls.__name__}'s slots are not exactly its fields")
    for hook in ("__attrs_pre_init__", "__attrs_post_init__"):
        if hasattr(cls, hook):
            problems.append(f"{cls.__name__} has {hook}")
    for field in fields:
        if field.validator is not None or field.converter is not None:
            problems.append(f"{field.name} has a validator or a converter")
        if not field.init and (
            field.default is attrs.NOTHING or isinstance(field.default, _FACTORY)
        ):
            problems.append(f"{field.name} is not initialised from a plain default")
    return problems


def compile_copier(cls: type[T]) -> Copier[T] | None:
    """A fast ``copy(value, changes)`` for the frozen slotted attrs class *cls*.

    Fields with ``init=False`` get their default in the copy: they hold memos of a
    value, never facts. Returns ``None`` when ``__init__`` of *cls* does more than store
    its arguments (see :func:`plain_slots`): callers then go through ``__init__``.

    >>> @attrs.frozen
    ... class Point:
    ...     x: int
    ...     y: int
    >>> copy = compile_copier(Point)
    >>> copy(Point(1, 2), {"y": 5})
    Point(x=1, y=5)
    """
    if plain_slots(cls):
        return None
    draft = _draft_of(cls)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_draft": draft}
    setters: dict[str, Callable[[T, Any], None]] = {}
    lines = [
        "def copy(value, changes):",
        f"    new = _new({'_cls' if draft is None else '_draft'})",
    ]
    fields: Any = attrs.fields(cls)  # type: ignore[arg-type]  # plain_slots checked it
    for position, field in enumerate(fields):
        setter = f"_set_{position}"
        namespace[setter] = setters[field.name] = cls.__dict__[field.name].__set__
        source = f"value.{field.name}"
        if not field.init:
            namespace[f"_default_{position}"] = field.default
            source = f"_default_{position}"
        if draft is None:
            lines.append(f"    {setter}(new, {source})")
        else:
            lines.append(f"    new.{field.name} = {source}")
    namespace["_setters"] = setters
    if draft is None:
        lines += [
            "    for name, changed in changes.items():",
            "        _setters[name](new, changed)",
        ]
    else:
        lines += [
            "    for name, changed in changes.items():",
            "        setattr(new, name, changed)",
            "    _become(new, _cls)",
        ]
        namespace["_become"] = _become
    lines.append("    return new")
    # Generated like attrs' own __init__: one straight-line store per slot, no loop.
    script = "\n".join(lines) + "\n"
    filename = _registered(
        script, f"<service_recovery copier of {cls.__module__}.{cls.__qualname__}>"
    )
    exec(compile(script, filename, "exec"), namespace)
    copy: Copier[T] = namespace["copy"]
    return copy


def _registered(script: str, filename: str) -> str:
    """Put *script* in :mod:`linecache` under *filename*, made unique; return the name used.

    Tracebacks, debuggers and :func:`inspect.getsource` then show the generated code,
    as attrs does for the methods it generates. An entry without a modification time
    is never dropped by :func:`linecache.checkcache`.
    """
    lines = script.splitlines(keepends=True)
    name = filename
    for count in itertools.count(1):
        entry = (len(script), None, lines, name)
        if linecache.cache.setdefault(name, entry) == entry:
            return name
        name = f"{filename[:-1]}-{count}>"
    raise AssertionError("unreachable")  # pragma: no cover


def _become(value: object, cls: type) -> None:
    object.__setattr__(value, "__class__", cls)


def _draft_of(cls: type) -> type | None:
    """A plain class with the very slots of *cls*, or ``None`` if *cls* cannot have one.

    A frozen class refuses plain attribute stores, so its copier would call each
    slot's descriptor (some 50 ns a slot); a copy built as a draft takes plain
    stores (a third of that) and then becomes a *cls*, which Python allows
    between two classes of the same slots and base.
    """
    if cls.__bases__ != (object,) or "__slots__" not in cls.__dict__:
        return None
    draft = type(f"_Draft{cls.__name__}", (), {"__slots__": tuple(cls.__dict__["__slots__"])})
    try:
        _become(object.__new__(draft), cls)
    except TypeError:  # a layout Python will not switch (e.g. a base class in C)
        return None
    return draft
