"""Strict mode of the converter: each type's reader and writer, made once from the type."""

from __future__ import annotations

import json

import attrs
import pytest
from hypothesis import given

import service_recovery as sr
from service_recovery._convert._problems import Problems
from service_recovery._convert._strict import fields_writer, reader, write
from service_recovery.testing import commands


class TestRoundTrip:
    @given(commands())
    def test_any_command_survives_json(self, command: sr.Command) -> None:
        """A command written, sent through JSON text and read back is equal, with no problem."""
        problems = Problems()
        raw = json.loads(json.dumps(write(command)))
        assert (command, []) == (reader(type(command))(raw, problems), problems.messages())

    def test_readers_are_made_once(self) -> None:
        """Asking twice for a type's reader gives the very same reader."""
        assert reader(sr.Actor) is reader(sr.Actor)


class TestWriting:
    def test_a_one_field_value(self) -> None:
        """A value of a single field is written as a mapping of that field."""

        @attrs.frozen
        class Tag:
            label: str

        assert {"label": "vip"} == fields_writer(Tag)(Tag("vip"))

    def test_an_unknown_type_is_refused(self) -> None:
        """A value the schema has no form for is refused by name, not written half-way."""
        with pytest.raises(sr.InvalidValue, match="cannot write object <object object at"):
            write(object())


class TestReading:
    def test_problems_name_their_path(self) -> None:
        """Every problem in a nested value is reported at its own path, all at once."""
        problems = Problems()
        raw = {"kind": "voucher", "amount": {"amount": "5", "currency": 3}, "extra": 1}
        assert None is reader(sr.Compensation)(raw, problems)
        problems.locate(0, ".compensation")
        assert [
            "compensation.extra: unknown key",
            "compensation.kind: expected one of 'apology_only', 'discount', 'credit', "
            "'refund', 'upgrade', 'complimentary_service', got 'voucher'",
            "compensation.amount.currency: expected a string, got 3",
        ] == problems.messages()

    def test_a_long_bad_value_and_key_are_quoted_shortened(self) -> None:
        """A huge bad value or unknown key is quoted in a few dozen characters."""
        problems = Problems()
        assert None is reader(sr.Actor)({"id": "x" * 10**6, "role": "r" * 10**6}, problems)
        reader(sr.Actor)({"id": "a", "role": "agent", "k" * 10**6: 1}, problems)
        assert 2 == len(problems)
        assert all(len(message) < 200 for message in problems.messages())

    def test_a_zoned_time_off_the_calendar(self) -> None:
        """A zoned time past the year 9999 in its zone is a problem saying so."""
        problems = Problems()
        assert None is reader(sr.Action)(
            {"description": "Refund", "due": "9999-12-31T23:59:59+00:00[Asia/Tokyo]"}, problems
        )
        assert [
            "due: '9999-12-31T23:59:59+00:00[Asia/Tokyo]': outside the years 1 to 9999 "
            "in its time zone"
        ] == problems.messages()

    def test_equal_flat_values_are_shared_within_a_reading(self) -> None:
        """The same actor read twice in one reading is one object; in another reading, another."""
        raw = {"id": "ana", "role": "agent"}
        first, second = Problems(), Problems()
        read = reader(sr.Actor)
        one, two, other = read(raw, first), read(dict(raw), first), read(raw, second)
        assert (one, True, False) == (other, one is two, one is other)
