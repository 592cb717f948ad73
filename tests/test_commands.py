"""Commands: every one is a checked, frozen value with by, at and an optional id."""

from __future__ import annotations

import enum
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._model._commands import COMMAND_TYPES, COMMANDS_BY_NAME
from tests.scenarios import AGENT, T0, proposal

CONTRACT_NAMES = [
    "Acknowledge",
    "Listen",
    "ReflectBack",
    "FinishVenting",
    "Apologize",
    "IdentifyCause",
    "ProposeSolution",
    "AcceptSolution",
    "DeclineSolution",
    "Escalate",
    "Approve",
    "CompleteAction",
    "SendUpdate",
    "FollowUp",
    "Close",
    "Reopen",
    "Reschedule",
    "Withdraw",
]

EXAMPLES: dict[object, Any] = {
    str: "an example",
    bool: True,
    int: 0,
    datetime: T0,
    sr.Customer: sr.Customer("c-1"),
    sr.Money: sr.Money(10, "EUR"),
    sr.Actor: AGENT,
}
"""A valid value for each field type a command may have."""
FIELD_EXAMPLES: dict[tuple[type[sr.Command], str], Any] = {(sr.Withdraw, "reason"): "spam"}
"""A valid value for the fields whose type alone does not say one (a reason is one of a few)."""


def example(kind: Any) -> Any:
    """A valid value of the field type *kind* (enums give their first member)."""
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(iter(kind))
    if typing.get_origin(kind) is tuple:
        return ()
    return EXAMPLES[kind]


def build(kind: type[sr.Command], **changes: Any) -> sr.Command:
    """A valid command of *kind*: every required field filled, then *changes* applied."""
    attrs.resolve_types(kind)
    fields: dict[str, Any] = {
        field.name: FIELD_EXAMPLES.get((kind, field.name), example(field.type))
        for field in attrs.fields(kind)
        if field.default is attrs.NOTHING
    }
    return kind(**{**fields, "by": AGENT, "at": T0, **changes})


every_type = st.sampled_from(COMMAND_TYPES)
COMMANDS_DOC = Path(__file__).parent.parent / "docs" / "reference" / "commands.md"


class TestCommandTypes:
    def test_contract_names_are_exported(self) -> None:
        """Every command the contract names is a public Command subclass."""
        for name in CONTRACT_NAMES:
            assert issubclass(getattr(sr, name), sr.Command)

    def test_registry_lists_every_command(self) -> None:
        """The registry starts with Open and holds every contract command under its own name."""
        names = [kind.__name__ for kind in COMMAND_TYPES]
        assert "Open" == names[0]
        assert set(CONTRACT_NAMES) <= set(names)
        assert {kind.__name__: kind for kind in COMMAND_TYPES} == COMMANDS_BY_NAME

    def test_registry_is_complete(self) -> None:
        """Every public command class is registered, so snapshots can name it."""
        public = {
            value
            for value in vars(sr).values()
            if isinstance(value, type) and issubclass(value, sr.Command) and value is not sr.Command
        }
        assert public <= set(COMMAND_TYPES)

    def test_titles_are_distinct_words(self) -> None:
        """Each command has its own title for messages and buttons."""
        titles = [kind.title for kind in COMMAND_TYPES]
        assert len(set(titles)) == len(titles)
        assert "Command" == sr.Command.title

    @given(every_type)
    def test_fields_are_keyword_only(self, kind: type[sr.Command]) -> None:
        """Commands take keywords only, so a field can never land in the wrong slot."""
        with pytest.raises(TypeError):
            kind(AGENT, T0)  # type: ignore[call-arg]

    def test_every_command_is_documented(self) -> None:
        """docs/reference/commands.md has a section for every command type."""
        text = COMMANDS_DOC.read_text(encoding="utf-8")
        missing = [k.__name__ for k in COMMAND_TYPES if f"### `{k.__name__}`" not in text]
        assert [] == missing


class TestCommonFields:
    @given(every_type, st.datetimes())
    def test_naive_at_refused(self, kind: type[sr.Command], naive: datetime) -> None:
        """No command accepts a naive ``at``, whatever its type."""
        with pytest.raises(sr.InvalidValue, match=r"at: .* has no time zone") as caught:
            build(kind, at=naive)
        assert "at" == caught.value.field

    @given(every_type, st.datetimes(timezones=st.timezones()))
    def test_aware_at_kept(self, kind: type[sr.Command], aware: datetime) -> None:
        """Any aware ``at`` is kept exactly."""
        assert aware == build(kind, at=aware).at

    @given(every_type)
    def test_by_must_be_an_actor(self, kind: type[sr.Command]) -> None:
        """``by`` given as a name instead of an Actor is refused."""
        with pytest.raises(sr.InvalidValue, match="by: expected Actor"):
            build(kind, by="ana")

    @pytest.mark.parametrize(("value", "problem"), [("", "must not be blank"), (7, "expected str")])
    def test_id_must_be_text(self, value: object, problem: str) -> None:
        """An idempotency id is a non-blank string when given."""
        with pytest.raises(sr.InvalidValue, match=f"id: {problem}"):
            build(sr.Listen, id=value)

    def test_id_defaults_to_none(self) -> None:
        """Without an id a command is not deduplicated."""
        assert build(sr.Listen).id is None

    @given(every_type)
    def test_commands_are_frozen(self, kind: type[sr.Command]) -> None:
        """A command cannot be changed once built."""
        command = build(kind)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            command.at = T0  # type: ignore[misc]


class TestPayloads:
    @pytest.mark.parametrize(
        ("kind", "changes", "problem"),
        [
            (sr.ReflectBack, {"confirmed": "yes"}, "confirmed: expected bool"),
            (sr.ReflectBack, {"summary": " "}, "summary: must not be blank"),
            (sr.Apologize, {"message": ""}, "message: must not be blank"),
            (sr.IdentifyCause, {"category": ""}, "category: must not be blank"),
            (sr.ProposeSolution, {"plan": ""}, "plan: must not be blank"),
            (sr.ProposeSolution, {"actions": None}, "actions: expected tuple"),
            (sr.ProposeSolution, {"actions": ["ship it"]}, r"actions\[0\]: expected Action"),
            (sr.ProposeSolution, {"compensation": 10}, "compensation: expected Compensation"),
            (sr.Escalate, {"amount": "500 EUR"}, "amount: expected Money"),
            (sr.CompleteAction, {"index": "0"}, "index: expected int"),
            (sr.CompleteAction, {"index": True}, "index: expected int, got bool"),
            (sr.FollowUp, {"outcome": "Satisfied"}, "outcome: expected a FollowUpOutcome or one"),
            (sr.Listen, {"note": None}, "note: expected str"),
            (sr.Open, {"channel": "e-mail"}, "channel: expected a Channel or one of 'phone'"),
            (sr.Reopen, {"reason": ""}, "reason: must not be blank"),
        ],
    )
    def test_malformed_payload_refused(
        self, kind: type[sr.Command], changes: dict[str, Any], problem: str
    ) -> None:
        """A malformed field is refused when the command is built, naming the field."""
        with pytest.raises(sr.InvalidValue, match=problem):
            build(kind, **changes)

    def test_actions_list_becomes_tuple(self) -> None:
        """A list of actions is accepted and stored as a tuple, keeping the command hashable."""
        action = sr.Action("Refund", due=T0)
        command = sr.ProposeSolution(by=AGENT, at=T0, plan="Refund", actions=[action])
        assert (action,) == command.actions
        twin = sr.ProposeSolution(by=AGENT, at=T0, plan="Refund", actions=(action,))
        assert (twin, hash(twin)) == (command, hash(command))

    def test_optional_payloads_default(self) -> None:
        """Optional details have neutral defaults."""
        assert proposal(T0).compensation is None
        assert sr.Escalate(by=AGENT, at=T0, reason="too much").amount is None
        assert "" == sr.Close(by=AGENT, at=T0).note
