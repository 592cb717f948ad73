"""The converter: one field walk, problems placed by their containers, patch mode's hooks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

import service_recovery as sr
from service_recovery._convert._fields import init_fields
from service_recovery._convert._patch import PatchConverter, Refused, located
from service_recovery._convert._problems import Problems, index_segment, key_segment
from service_recovery._errors import shortened


@attrs.frozen
class Window:
    length: timedelta = attrs.field(alias="span")
    label: str = "default"
    computed: int = attrs.field(init=False, default=0)


@attrs.frozen
class Shift:
    name: str
    window: Window = Window(timedelta(hours=1))


def days(raw: object) -> timedelta:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise TypeError
    if raw > 10_000:
        raise Refused("is more days than anyone plans for")
    return timedelta(days=raw)


def converter() -> PatchConverter:
    made = PatchConverter()
    made.register(timedelta, "a number of days", days, lambda value: value.days)
    return made


class TestInitFields:
    def test_fields_a_caller_passes(self) -> None:
        """Only constructor fields, by their alias, with resolved types and whether required."""
        assert [("length", "span", timedelta, True), ("label", "label", str, False)] == [
            (field.name, field.key, field.type, field.required) for field in init_fields(Window)
        ]

    def test_walked_once(self) -> None:
        """Asking twice gives the very same tuple."""
        assert init_fields(sr.Actor) is init_fields(sr.Actor)


class TestProblems:
    def test_paths_grow_from_the_inside_out(self) -> None:
        """A problem noted deep inside gets each container's segment, outermost last."""
        problems = Problems()
        problems.note("expected a string, got 3", key_segment("currency"))
        problems.locate(0, key_segment("amount"))
        problems.locate(0, index_segment(2))
        problems.locate(0, key_segment("history"))
        assert ["history[2].amount.currency: expected a string, got 3"] == problems.messages()

    def test_only_problems_since_a_count_move(self) -> None:
        """locate moves the problems noted since a count, and leaves the earlier ones."""
        problems = Problems()
        problems.note("first", key_segment("a"))
        problems.note("second", key_segment("b"))
        problems.locate(1, key_segment("outer"))
        assert ["a: first", "outer.b: second"] == problems.messages()

    def test_a_huge_key_is_quoted_shortened(self) -> None:
        """An unknown key of a megabyte names itself in a few dozen characters."""
        assert len(key_segment("k" * 1_000_000)) < 80


class TestPatchMode:
    def test_a_table_patches_its_base(self) -> None:
        """Keys not given keep the base value's; the hook reads the registered type."""
        problems: list[str] = []
        base = Shift("late", Window(timedelta(days=1), "base"))
        shift = converter().structure(Shift, {"window": {"span": 3}}, "", problems, base)
        assert ([], Shift("late", Window(timedelta(days=3), "base"))) == (problems, shift)

    def test_every_problem_at_its_path(self) -> None:
        """Unknown keys, missing fields and a hook's refusal, each at its full path."""
        problems: list[str] = []
        raw: dict[str, Any] = {"colour": 1, "window": {"span": 99_999, "label": 2}}
        assert None is converter().structure(Shift, raw, "shift", problems)
        assert [
            "shift.colour: unknown key (known: 'name', 'window')",
            "shift.name: missing",
            "shift.window.span: 99999 is more days than anyone plans for",
            "shift.window.label: expected a string, got 2",
        ] == problems

    def test_written_back_reads_equal(self) -> None:
        """unstructure uses the registered writer, and structure reads the result back equal."""
        made = converter()
        shift = Shift("late", Window(timedelta(days=2), "x"))
        data = made.unstructure(shift)
        assert {"name": "late", "window": {"span": 2, "label": "x"}} == data
        assert shift == made.structure(Shift, data, "", [])

    def test_a_long_bad_value_is_quoted_shortened(self) -> None:
        """A bad value is quoted in a few dozen characters, however long it is."""
        problems: list[str] = []
        converter().structure(Shift, {"name": ["n" * 1_000_000]}, "", problems)
        assert 1 == len(problems)
        assert len(problems[0]) < 120


class TestLocated:
    @pytest.mark.parametrize(
        ("where", "problem", "expected"),
        [
            ("", "follow_up_attempts: too few", "follow_up_attempts: too few"),
            ("graph.edges[0]", "command: unknown", "graph.edges[0].command: unknown"),
            (
                "service_levels.calendar",
                "calendar.time_zone: bad",
                "service_levels.calendar.time_zone: bad",
            ),
            ("service_levels", "service_levels.calendar: bad", "service_levels.calendar: bad"),
            ("playbooks.x", "name at least one kind", "playbooks.x: name at least one kind"),
            (
                "playbooks.x",
                "expected a list, got 'a: b'",
                "playbooks.x: expected a list, got 'a: b'",
            ),
        ],
    )
    def test_a_values_refusal_lands_at_its_path(
        self, where: str, problem: str, expected: str
    ) -> None:
        """Named from inside the value, or by the value's own key, a refusal lands once."""
        assert expected == located(where, problem)


class TestShortened:
    def test_a_value_whose_repr_raises(self) -> None:
        """A host object whose repr raises is still named by its type."""

        class Awkward:
            def __repr__(self) -> str:
                raise RuntimeError("no")

        assert shortened(Awkward()).startswith("<")

    def test_deep_nesting(self) -> None:
        """A list nested far beyond the stack limit is quoted a few levels deep."""
        nested: list[Any] = []
        for _ in range(100_000):
            nested = [nested]
        assert "[[[[...]]]]" == shortened(nested)

    def test_a_mapping_keeps_its_order(self) -> None:
        """A mapping is quoted in its own order, only its first items."""
        assert "{'b': 1, 'a': 2}" == shortened({"b": 1, "a": 2})
