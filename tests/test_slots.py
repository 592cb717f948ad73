"""Copying frozen slotted values slot by slot, and the case fold that relies on it."""

from __future__ import annotations

import inspect
import linecache
import traceback
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._model import _case
from service_recovery._model._case import advance, fold
from service_recovery._model._slots import compile_copier, plain_slots
from tests.scenarios import later, walk_to


@attrs.frozen
class Point:
    x: int
    y: int
    label: str = ""
    memo: Any = attrs.field(default=None, init=False, eq=False)


@attrs.frozen
class Checked:
    x: int = attrs.field(validator=attrs.validators.instance_of(int))


@attrs.frozen
class Converted:
    x: int = attrs.field(converter=int)


@attrs.frozen
class Finished:
    x: int

    def __attrs_post_init__(self) -> None:
        pass


@attrs.frozen
class Remembering:
    x: int
    seen: list[int] = attrs.field(factory=list, init=False)


@attrs.define(slots=False)
class Loose:
    x: int


class Plain:
    __slots__ = ("x",)


class TestCompileCopier:
    @given(
        st.integers(),
        st.integers(),
        st.text(),
        st.dictionaries(st.sampled_from(["x", "y", "label"]), st.integers() | st.text()),
    )
    def test_copy_is_evolve(self, x: int, y: int, label: str, changes: dict[str, Any]) -> None:
        """A copy with changes equals what attrs.evolve makes of the same value."""
        copy = compile_copier(Point)
        assert copy is not None
        assert attrs.evolve(Point(x, y, label), **changes) == copy(Point(x, y, label), changes)

    def test_copy_is_a_new_value(self) -> None:
        """The copy is a different object; the original keeps its fields."""
        copy = compile_copier(Point)
        assert copy is not None
        original = Point(1, 2)
        copied = copy(original, {"x": 3})
        assert (False, Point(1, 2), 3) == (copied is original, original, copied.x)

    def test_memos_are_not_copied(self) -> None:
        """A field with init=False starts again from its default in the copy."""
        copy = compile_copier(Point)
        assert copy is not None
        original = Point(1, 2)
        object.__setattr__(original, "memo", "worked out for the original")
        assert None is copy(original, {}).memo

    def test_copy_is_of_the_class(self) -> None:
        """A copy is an instance of the copied class itself, never of a stand-in."""
        copy = compile_copier(Point)
        assert copy is not None
        assert Point is type(copy(Point(1, 2), {"y": 3}))

    def test_generated_source_is_found(self) -> None:
        """The copier's code is in linecache: inspect, tracebacks and debuggers show it."""
        copy = compile_copier(Point)
        assert copy is not None
        source = inspect.getsource(copy)
        assert source.startswith("def copy(value, changes):")
        assert "value.label" in source
        filename = copy.__code__.co_filename
        assert "Point" in filename
        assert linecache.getline(filename, 1).startswith("def copy")

    def test_a_failing_copy_shows_its_line(self) -> None:
        """A traceback through a copier quotes the generated line that failed."""
        copy = compile_copier(Point)
        assert copy is not None
        with pytest.raises(KeyError) as caught:
            copy(Point(1, 2), {"nowhere": 1})
        shown = "".join(traceback.format_tb(caught.value.__traceback__))
        assert "_setters[name](new, changed)" in shown or "setattr(new, name, changed)" in shown

    def test_two_copiers_of_one_class_name_keep_their_own_source(self) -> None:
        """A second class of the same name gets its own linecache entry."""

        same_name: type = attrs.make_class("Point", {"z": attrs.field()}, frozen=True, slots=True)
        assert (same_name.__module__, same_name.__qualname__) == (
            Point.__module__,
            Point.__qualname__,
        )
        theirs = compile_copier(Point)
        mine: Any = compile_copier(same_name)
        assert mine is not None
        assert theirs is not None
        assert mine.__code__.co_filename != theirs.__code__.co_filename
        assert "value.z" in inspect.getsource(mine)
        assert "value.z" not in inspect.getsource(theirs)

    def test_copy_stays_frozen(self) -> None:
        """A copy refuses assignment like any value of its class."""
        copy = compile_copier(Point)
        assert copy is not None
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            copy(Point(1, 2), {}).x = 5  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("cls", "problem"),
        [
            (Checked, "x has a validator or a converter"),
            (Converted, "x has a validator or a converter"),
            (Finished, "Finished has __attrs_post_init__"),
            (Remembering, "seen is not initialised from a plain default"),
            (Loose, "Loose's slots are not exactly its fields"),
            (Plain, "Plain is not an attrs class"),
        ],
    )
    def test_classes_whose_init_does_more_get_no_copier(self, cls: type, problem: str) -> None:
        """A class whose __init__ checks, converts or computes is named with why, and not copied."""
        assert ([problem], None) == (plain_slots(cls), compile_copier(cls))


class TestCaseCopier:
    def test_case_is_plain(self) -> None:
        """Case stores its fields as given, so advance takes the fast path."""
        assert ([], True) == (plain_slots(sr.Case), _case._copy is not None)

    @pytest.mark.parametrize("stage", [sr.Stage.REPORTED, sr.Stage.RESOLVING, sr.Stage.CLOSED])
    @pytest.mark.parametrize("folds", [False, True], ids=["no fold", "a fold"])
    def test_advance_without_copier_is_the_same(self, stage: sr.Stage, folds: bool) -> None:
        """Going through Case's __init__ instead of the copier makes the case fold makes."""
        case = walk_to(stage)
        by, at = case.history[-1].by, later(case)
        command: sr.Command = (
            sr.Escalate(by=by, at=at, reason="Over my limit")
            if folds
            else sr.SendUpdate(by=by, at=at, message="On its way")
        )
        extra = sr.Event(command, stage)
        fast = advance(case, extra)
        copier, _case._copy = _case._copy, None
        try:
            slow = advance(case, extra)
        finally:
            _case._copy = copier
        assert (fold((*case.history, extra)),) * 2 == (fast, slow)
