"""The values inside snapshots: each type's reader and writer, made once from the type."""

from __future__ import annotations

import json

import attrs
import pytest
from hypothesis import given

import service_recovery as sr
from service_recovery._io._json_values import Reading, fields_writer, reader, write
from service_recovery.testing import commands


class TestRoundTrip:
    @given(commands())
    def test_any_command_survives_json(self, command: sr.Command) -> None:
        """A command written, sent through JSON text and read back is equal, with no problem."""
        reading = Reading()
        raw = json.loads(json.dumps(write(command)))
        assert (command, []) == (reader(type(command))(raw, "command", reading), reading.problems)

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
        with pytest.raises(sr.InvalidSnapshot, match="cannot serialise object"):
            write(object())


class TestReading:
    def test_problems_name_their_path(self) -> None:
        """Every problem in a nested value is reported at its own path, all at once."""
        reading = Reading()
        raw = {"kind": "voucher", "amount": {"amount": "5", "currency": 3}, "extra": 1}
        assert None is reader(sr.Compensation)(raw, "plan.compensation", reading)
        assert [
            "plan.compensation.extra: unknown key",
            "plan.compensation.kind: expected one of 'apology_only', 'discount', 'credit', "
            "'refund', 'upgrade', 'complimentary_service', got 'voucher'",
            "plan.compensation.amount.currency: expected a string, got 3",
        ] == reading.problems

    def test_equal_flat_values_are_shared_within_a_reading(self) -> None:
        """The same actor read twice in one reading is one object; in another reading, another."""
        raw = {"id": "ana", "role": "agent"}
        first, second = Reading(), Reading()
        read = reader(sr.Actor)
        one, two, other = read(raw, "a", first), read(dict(raw), "b", first), read(raw, "c", second)
        assert (one, True, False) == (other, one is two, one is other)
