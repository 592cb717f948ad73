"""Make the public names report the module they are used from.

``service_recovery`` keeps its code in private modules and re-exports the
public names. Left alone, those names report their private home, so a
traceback reads ``service_recovery._errors.TransitionNotAllowed``; after
:func:`fixup_module_metadata` it reads ``service_recovery.TransitionNotAllowed``.
The idea is trio's (``trio/_util.py``).

It imports nothing of the package, so any ``__init__`` may use it.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Iterable
from types import CodeType
from typing import Any

ORIGINS: dict[str, str] = {}
"""Each fixed public name (``"service_recovery.Case"``) with the private module it is defined in.

The documentation's build groups the reference pages by these homes.
"""


def fixup_module_metadata(module_name: str, names: Iterable[str]) -> None:
    """Set ``__module__`` to *module_name* on the classes and functions *names* name.

    Only objects defined in a private module of the package are changed; each
    class's own functions and nested classes are changed with it, so
    ``inspect.getmodule`` (and doctest, which collects docstrings by module)
    keeps finding a class and its methods together. Names (``__name__``,
    ``__qualname__``) are kept.

    A class's annotations are strings (``from __future__ import annotations``)
    that ``typing.get_type_hints`` evaluates in the namespace of the class's
    module: they are evaluated now, in the private module they were written
    in, so type hints (and attrs' ``resolve_types``) still resolve.

    Args:
        module_name: the public module, e.g. ``"service_recovery"``.
        names: the names of the module's namespace to fix (its ``__all__``).
    """
    namespace = vars(sys.modules[module_name])
    private = f"{module_name}._"
    seen: set[int] = set()

    def fix(value: object) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        home = getattr(value, "__module__", None)
        if not (isinstance(home, str) and home.startswith(private)):
            return
        if isinstance(value, type):
            _resolve_annotations(value, vars(sys.modules[home]))
            for member in list(vars(value).values()):
                fix(_unwrapped(member))
        value.__module__ = module_name

    for name in names:
        value = namespace.get(name)
        if isinstance(value, type) or inspect.isfunction(value):
            home = getattr(value, "__module__", None)
            if isinstance(home, str) and home.startswith(private):
                ORIGINS[f"{module_name}.{name}"] = home
            fix(value)


def _unwrapped(member: object) -> object:
    """The function behind a class member (a property's getter, a static method's function)."""
    if isinstance(member, staticmethod | classmethod):
        return member.__func__
    if isinstance(member, property):
        return member.fget
    return member


@functools.cache
def _compiled(annotation: str) -> CodeType:
    """The code of an annotation: the same few texts recur in every class."""
    return compile(annotation, "<annotation>", "eval")


def _resolve_annotations(kind: type, module_globals: dict[str, Any]) -> None:
    """Evaluate *kind*'s own string annotations as ``typing.get_type_hints`` would."""
    annotations = vars(kind).get("__annotations__")
    if not isinstance(annotations, dict):
        return
    # get_type_hints looks names up in the module first, then in the class.
    class_namespace = dict(vars(kind))
    for name, annotation in annotations.items():
        if not isinstance(annotation, str):
            continue
        try:
            annotations[name] = eval(_compiled(annotation), class_namespace, module_globals)
        except Exception:  # a name only imported for type checkers: leave it a string
            continue
