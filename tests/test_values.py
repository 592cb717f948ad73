"""The small values: enums, actors, money, actions, and the validators they share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr


class _NoOffset(tzinfo):
    """A time zone that does not know its offset: as good as none."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


class TestStage:
    def test_names_are_the_contract(self) -> None:
        """The stages are exactly the ones of the default graph, in its order."""
        expected = [
            "reported",
            "acknowledged",
            "listening",
            "understood",
            "apologized",
            "diagnosed",
            "solution_proposed",
            "resolving",
            "resolved",
            "followed_up",
            "closed",
            "withdrawn",
        ]
        assert expected == [stage.value for stage in sr.Stage]
        assert [value.upper() for value in expected] == [stage.name for stage in sr.Stage]

    @pytest.mark.parametrize(
        ("stage", "label"),
        [(sr.Stage.SOLUTION_PROPOSED, "solution proposed"), (sr.Stage.CLOSED, "closed")],
    )
    def test_label_reads_like_words(self, stage: sr.Stage, label: str) -> None:
        """A stage's label replaces underscores with spaces."""
        assert label == stage.label


class TestEnums:
    @pytest.mark.parametrize(
        ("enum", "names"),
        [
            (sr.Role, ["AGENT", "SUPERVISOR", "MANAGER", "SYSTEM"]),
            (sr.Channel, ["PHONE", "EMAIL", "CHAT", "SOCIAL", "IN_PERSON", "WEB_FORM"]),
            (sr.Severity, ["MINOR", "MODERATE", "MAJOR", "CRITICAL"]),
            (sr.FollowUpOutcome, ["SATISFIED", "UNSATISFIED", "NO_ANSWER"]),
        ],
    )
    def test_members_are_the_contract(self, enum: Any, names: list[str]) -> None:
        """Each enum has exactly the members the contract names, values in lower case."""
        assert names == [member.name for member in enum]
        assert [name.lower() for name in names] == [member.value for member in enum]


class TestRequireAware:
    @given(st.datetimes())
    def test_naive_datetime_refused(self, naive: datetime) -> None:
        """Any naive datetime is refused with a message naming the field and the fix."""
        with pytest.raises(sr.InvalidValue, match="has no time zone") as caught:
            sr.Action("Refund", due=naive)
        assert "due" == caught.value.field
        assert "tzinfo=timezone.utc" in str(caught.value)

    @given(st.datetimes(timezones=st.timezones()))
    def test_aware_datetime_accepted(self, aware: datetime) -> None:
        """Any aware datetime is kept as given, unless its instant falls outside the calendar."""
        try:
            aware.astimezone(UTC)
        except OverflowError:
            with pytest.raises(sr.InvalidValue, match="no instant in the calendar"):
                sr.Action("Refund", due=aware)
        else:
            assert aware == sr.Action("Refund", due=aware).due

    @pytest.mark.parametrize(
        "edge",
        [
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=2))),
            datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
        ],
    )
    def test_time_without_an_instant_refused(self, edge: datetime) -> None:
        """A wall time whose instant in UTC would fall before year 1 or after 9999 is refused."""
        with pytest.raises(sr.InvalidValue, match="no instant in the calendar") as caught:
            sr.Listen(by=sr.SYSTEM, at=edge)
        assert "at" == caught.value.field

    def test_zone_without_offset_refused(self) -> None:
        """A tzinfo whose offset is unknown counts as naive."""
        with pytest.raises(sr.InvalidValue, match="has no time zone"):
            sr.Action("Refund", due=datetime(2026, 1, 1, tzinfo=_NoOffset()))

    @pytest.mark.parametrize("value", ["2026-01-01T00:00:00+00:00", 1767225600, None])
    def test_non_datetime_refused(self, value: object) -> None:
        """Strings and numbers are not parsed: a datetime is required."""
        with pytest.raises(sr.InvalidValue, match="expected a timezone-aware datetime"):
            sr.Action("Refund", due=value)  # type: ignore[arg-type]


class TestMoney:
    @pytest.mark.parametrize(
        ("amount", "expected"),
        [(Decimal("49.90"), Decimal("49.90")), (50, Decimal(50)), ("12.5", Decimal("12.5"))],
    )
    def test_exact_amounts_converted(self, amount: Any, expected: Decimal) -> None:
        """Decimals, ints and numeric strings become exact Decimals."""
        assert expected == sr.Money(amount, "EUR").amount

    @pytest.mark.parametrize(
        ("amount", "problem"),
        [
            (1.5, "floats are refused"),
            (True, "expected a Decimal"),
            (None, "expected a Decimal"),
            ("abc", "is not a number"),
            ("NaN", "finite amount >= 0"),
            (Decimal("Infinity"), "finite amount >= 0"),
            (-1, "finite amount >= 0"),
        ],
    )
    def test_bad_amount_refused(self, amount: Any, problem: str) -> None:
        """Inexact, negative or non-numeric amounts are refused, naming the field."""
        with pytest.raises(sr.InvalidValue, match=problem) as caught:
            sr.Money(amount, "EUR")
        assert "amount" == caught.value.field

    @pytest.mark.parametrize("currency", ["eur", "EURO", "", 978, None])
    def test_bad_currency_refused(self, currency: Any) -> None:
        """The currency must be a three-letter upper-case ISO 4217 code."""
        with pytest.raises(sr.InvalidValue, match="ISO 4217") as caught:
            sr.Money(1, currency)
        assert "currency" == caught.value.field

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("50 EUR", sr.Money(50, "EUR")),
            (" 12.50  GBP ", sr.Money("12.50", "GBP")),
        ],
    )
    def test_parse(self, text: str, expected: sr.Money) -> None:
        """Amounts written as text are read exactly."""
        assert expected == sr.Money.parse(text)

    @pytest.mark.parametrize("text", ["EUR 50", "50", "50 eur", "fifty EUR", "", 50])
    def test_parse_refuses_malformed_text(self, text: Any) -> None:
        """Text that is not an amount then a code is refused with an example of the form."""
        with pytest.raises(sr.InvalidValue, match='like "50 EUR"'):
            sr.Money.parse(text)

    @given(st.decimals(0, 10_000, places=2), st.decimals(0, 10_000, places=2))
    def test_order_follows_amounts(self, left: Decimal, right: Decimal) -> None:
        """In one currency, money compares like its amounts."""
        a, b = sr.Money(left, "EUR"), sr.Money(right, "EUR")
        assert (left <= right, left < right) == (a <= b, a < b)
        assert (left >= right, left > right) == (a >= b, a > b)

    def test_different_currencies_do_not_compare(self) -> None:
        """Comparing euros with dollars is refused rather than guessed."""
        with pytest.raises(sr.InvalidValue, match="different currencies"):
            assert sr.Money(1, "EUR") <= sr.Money(1, "USD")

    @pytest.mark.parametrize("other", [5, Decimal(5), "5 EUR", None])
    def test_non_money_does_not_compare(self, other: Any) -> None:
        """Money compares only with money; anything else is a plain TypeError naming both."""
        with pytest.raises(TypeError, match="'Money' and"):
            assert sr.Money(1, "EUR") <= other

    def test_equality_is_by_value(self) -> None:
        """Equal amounts in the same currency are equal money."""
        assert sr.Money("50", "EUR") == sr.Money(50, "EUR")
        assert sr.Money(50, "EUR") != sr.Money(50, "USD")

    def test_str_reads_like_a_price(self) -> None:
        """``str`` writes the amount then the code, the form ``parse`` reads."""
        money = sr.Money("12.50", "GBP")
        assert "12.50 GBP" == str(money)
        assert money == sr.Money.parse(str(money))


class TestActorAndCustomer:
    def test_actor_needs_an_id_and_a_role(self) -> None:
        """A blank id, or a role that is neither a Role nor one's value, is refused."""
        with pytest.raises(sr.InvalidValue, match="id: must not be blank"):
            sr.Actor("  ", sr.Role.AGENT)
        with pytest.raises(sr.InvalidValue, match="role: expected a Role or one of 'agent'"):
            sr.Actor("ana", 1)  # type: ignore[arg-type]

    def test_customer_name_is_optional_text(self) -> None:
        """A customer needs an id; the name defaults to empty but must be text."""
        assert "" == sr.Customer("c-1").name
        with pytest.raises(sr.InvalidValue, match="name: expected str"):
            sr.Customer("c-1", None)  # type: ignore[arg-type]

    def test_system_actor(self) -> None:
        """``SYSTEM`` is the library's own actor, with the system role."""
        assert sr.Actor("system", sr.Role.SYSTEM) == sr.SYSTEM

    def test_values_are_frozen(self) -> None:
        """Values cannot be changed after they are built."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            sr.SYSTEM.role = sr.Role.MANAGER  # type: ignore[misc]


class TestActionAndCompensation:
    def test_action_needs_a_description(self) -> None:
        """An action without a description is refused."""
        with pytest.raises(sr.InvalidValue, match="description: must not be blank"):
            sr.Action("", due=datetime(2026, 1, 1, tzinfo=UTC))

    def test_compensation_checks_its_parts(self) -> None:
        """A compensation needs a kind and an amount of money, not text."""
        with pytest.raises(sr.InvalidValue, match="kind: expected a CompensationKind or one of"):
            sr.Compensation(None, sr.Money(1, "EUR"))  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="amount: expected Money"):
            sr.Compensation(sr.CompensationKind.REFUND, "1 EUR")  # type: ignore[arg-type]


class TestReadableText:
    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (sr.Compensation(sr.CompensationKind.REFUND, sr.Money(45, "EUR")), "refund of 45 EUR"),
            (
                sr.Compensation(sr.CompensationKind.COMPLIMENTARY_SERVICE, sr.Money("9.50", "GBP")),
                "complimentary service of 9.50 GBP",
            ),
            (sr.Compensation(sr.CompensationKind.APOLOGY_ONLY, sr.Money(0, "EUR")), "apology only"),
            (sr.Money("49.90", "EUR"), "49.90 EUR"),
            (sr.Actor("ana", sr.Role.AGENT), "ana (agent)"),
            (sr.SYSTEM, "system (system)"),
            (sr.Customer("c-1", "Dana"), "Dana (c-1)"),
            (sr.Customer("c-1"), "c-1"),
            (
                sr.Action("Ship the right jacket", due=datetime(2026, 3, 5, 9, tzinfo=UTC)),
                "Ship the right jacket, due 2026-03-05T09:00:00+00:00",
            ),
        ],
    )
    def test_str_reads_as_words(self, value: object, text: str) -> None:
        """str() of a value is what an agent would write; repr() stays the constructor call."""
        assert text == str(value)
        assert repr(value).startswith(type(value).__name__ + "(")


ENUM_FIELDS: list[tuple[Any, Any]] = [
    (sr.CompensationKind, lambda value: sr.Compensation(value, sr.Money(5, "EUR")).kind),
    (sr.Role, lambda value: sr.Actor("ana", value).role),
    (
        sr.FollowUpOutcome,
        lambda value: (
            sr.FollowUp(by=sr.SYSTEM, at=datetime(2026, 3, 2, tzinfo=UTC), outcome=value).outcome
        ),
    ),
]
"""Each enum-typed field people write by hand, with a way to build a value holding it."""


class TestEnumValuesAsText:
    @pytest.mark.parametrize(("enum", "build"), ENUM_FIELDS)
    def test_each_value_string_is_its_member(self, enum: Any, build: Any) -> None:
        """The plain value, as users write it ("credit"), is the member."""
        for member in enum:
            assert member is build(member.value)
            assert member is build(member)

    @pytest.mark.parametrize(("enum", "build"), ENUM_FIELDS)
    @given(st.text() | st.integers() | st.none() | st.binary())
    def test_anything_else_is_refused_with_the_choices(
        self, enum: Any, build: Any, value: object
    ) -> None:
        """Anything but a member or its value is refused, listing every valid value."""
        if value in {member.value for member in enum}:
            return
        with pytest.raises(sr.InvalidValue) as refused:
            build(value)
        for member in enum:
            assert repr(member.value) in str(refused.value)

    def test_a_name_is_not_a_value(self) -> None:
        """The member's name is refused: only its value is the written form."""
        with pytest.raises(sr.InvalidValue, match="got 'CREDIT'"):
            sr.Compensation("CREDIT", sr.Money(5, "EUR"))

    def test_a_case_opens_with_channel_and_severity_as_text(self) -> None:
        """workflow.open reads channel and severity by their values too."""
        case = sr.Workflow().open(
            customer=sr.Customer("c-1"),
            channel="web_form",
            severity="minor",
            summary="Wrong size",
            at=datetime(2026, 3, 2, tzinfo=UTC),
        )
        assert (sr.Channel.WEB_FORM, sr.Severity.MINOR) == (case.channel, case.severity)
        with pytest.raises(sr.InvalidValue, match="channel: expected a Channel or one of 'phone'"):
            sr.Workflow().open(
                customer=sr.Customer("c-1"),
                channel="fax",
                severity=sr.Severity.MINOR,
                summary="Wrong size",
                at=datetime(2026, 3, 2, tzinfo=UTC),
            )
