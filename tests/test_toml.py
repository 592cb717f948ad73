"""Policies in TOML: read by type, patched onto a preset, every problem with its path."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery import presets
from service_recovery._io._schema import SCHEMA_PATH, policy_schema
from service_recovery._rulebook._structure import (
    conforms,
    format_duration,
    parse_duration,
    structure,
    unstructure,
)

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.toml"))


def problems_of(text: str) -> list[str]:
    with pytest.raises(sr.InvalidPolicy) as caught:
        sr.RecoveryPolicy.from_toml(text)
    return list(caught.value.problems)


def jsonable(value: Any) -> Any:
    """TOML's dates and times as the strings a JSON document would hold."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, date | time):
        return value.isoformat()
    return value


class TestReading:
    def test_tables_patch_the_base(self) -> None:
        """A file changes only what it names; the rest comes from the preset it extends."""
        policy = sr.RecoveryPolicy.from_toml(
            'extends = "last"\nname = "mine"\n[authority]\nagent = "75 EUR"\n'
        )
        assert "mine" == policy.name
        assert sr.Money(75, "EUR") == policy.authority[sr.Role.AGENT]
        assert presets.LAST.authority[sr.Role.MANAGER] == policy.authority[sr.Role.MANAGER]
        assert presets.LAST.graph == policy.graph

    def test_without_extends_starts_from_the_default(self) -> None:
        """With no extends, the file patches the default policy."""
        policy = sr.RecoveryPolicy.from_toml("follow_up_attempts = 4\n")
        assert attrs.evolve(presets.DEFAULT, follow_up_attempts=4) == policy

    def test_nested_patch(self) -> None:
        """A nested table changes one playbook's field and keeps the others."""
        policy = sr.RecoveryPolicy.from_toml('[playbooks.wrong_item]\nadvice = "Be quick"\n')
        book = policy.playbooks["wrong_item"]
        assert ("Be quick", presets.DEFAULT.playbooks["wrong_item"].remedies) == (
            book.advice,
            book.remedies,
        )

    def test_service_levels_section(self) -> None:
        """The service levels are read by their types, calendar and all."""
        policy = sr.RecoveryPolicy.from_toml(
            "[service_levels]\n"
            'update_interval = "1d"\n'
            'first_response = { social = "30m" }\n'
            "warning_fractions = [0.5, 0.9]\n"
            "[service_levels.calendar]\n"
            'time_zone = "Europe/Dublin"\n'
            'hours = { monday = "09:00-17:00", tuesday = [["09:00", "12:00"]] }\n'
            "holidays = [2026-12-25]\n"
        )
        levels = policy.service_levels
        assert timedelta(days=1) == levels.update_interval
        assert timedelta(minutes=30) == levels.first_response_for(sr.Channel.SOCIAL)
        assert (0.5, 0.9) == levels.warning_fractions
        assert levels.calendar is not None
        assert (date(2026, 12, 25),) == levels.calendar.holidays
        assert ((time(9), time(12)),) == levels.calendar.hours[sr.Weekday.TUESDAY]

    def test_a_web_form_target(self) -> None:
        """A policy file sets the web form's first-response target by the channel's value."""
        text = '[service_levels]\nfirst_response = { web_form = "4h" }\n'
        policy = sr.RecoveryPolicy.from_toml(text)
        assert timedelta(hours=4) == policy.service_levels.first_response_for(sr.Channel.WEB_FORM)
        assert (
            "web_form"
            in policy_schema()["properties"]["service_levels"]["properties"]["first_response"][
                "propertyNames"
            ]["enum"]
        )

    def test_text_and_file(self, tmp_path: Path) -> None:
        """from_toml reads text; from_toml_file reads a file, named by a path or a string."""
        file = tmp_path / "policy.toml"
        file.write_text('name = "filed"\n', encoding="utf-8")
        assert "filed" == sr.RecoveryPolicy.from_toml_file(file).name
        assert "filed" == sr.RecoveryPolicy.from_toml_file(str(file)).name
        assert "texted" == sr.RecoveryPolicy.from_toml('name = "texted"').name

    def test_text_is_never_taken_for_a_file_name(self, tmp_path: Path) -> None:
        """Text that looks like a file name is parsed as TOML, not opened."""
        file = tmp_path / "policy.toml"
        file.write_text('name = "filed"\n', encoding="utf-8")
        assert any("not valid TOML" in problem for problem in problems_of(str(file)))

    def test_an_empty_text_is_the_default_policy(self) -> None:
        """Empty text patches nothing: the default policy."""
        assert sr.RecoveryPolicy() == sr.RecoveryPolicy.from_toml("")

    def test_subclass_reads_its_own_fields(self) -> None:
        """from_toml on a subclass builds that subclass, with its extra fields."""

        @attrs.frozen
        class Shop(sr.RecoveryPolicy):
            vip_agents: frozenset[str] = frozenset()

        shop = Shop.from_toml('extends = "blast"\nvip_agents = ["priya"]\n')
        assert isinstance(shop, Shop)
        assert (frozenset({"priya"}), presets.BLAST.graph) == (shop.vip_agents, shop.graph)


class TestRefusals:
    def test_bad_amount_names_its_path(self) -> None:
        """A bad amount is reported with its path and what was expected."""
        assert ['authority.agent: expected an amount like "50 EUR", got "lots"'] == problems_of(
            '[authority]\nagent = "lots"\n'
        )

    def test_every_problem_with_its_path(self) -> None:
        """Unknown keys, bad values and broken rules are all listed in one error."""
        found = problems_of(
            'extends = "heard"\n'
            "follow_up_attempts = 1\n"
            'colour = "red"\n'
            'reopen_window = "forever"\n'
            "[authority]\n"
            'agent = "lots"\n'
            'manager = "10 EUR"\n'
            "[graph]\n"
            'edges = [{ command = "os.system", source = "reported", dest = "listenning" }]\n'
            "[playbooks.wrong_item]\n"
            'remedies = [{ action = "x", due_in = "2 months" }]\n'
        )
        assert [
            "colour",
            "graph.edges[0].command",
            "graph.edges[0].dest",
            "reopen_window",
            "authority.agent",
            "playbooks.wrong_item.remedies[0].due_in",
            "follow_up_attempts",
            "authority.manager",
        ] == [problem.split(":")[0] for problem in found]

    def test_graph_problems_are_collected(self) -> None:
        """A graph read from a file is checked like any graph: dead ends, no way to close."""
        found = problems_of(
            'extends = "none"\n[graph]\n'
            'edges = [{ command = "Listen", source = "reported", dest = "listening" }]\n'
        )
        assert any("never reaches 'closed'" in problem for problem in found)

    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ('extends = "agile"\n', "extends: expected one of 'default', 'heard'"),
            (
                '[graph]\nedges = [{command = "__import__", source = "reported", '
                'dest = "closed"}]\n',
                "graph.edges[0].command: expected a command name",
            ),
            (
                '[graph]\nedges = [{command = "Close", source = "x", dest = "closed", '
                'route = "lambda c: True"}]\n',
                "graph.edges[0].route: expected one of",
            ),
            ('[playbooks.x]\n__class__ = "os"\n', "playbooks.x.__class__: unknown key"),
            ("follow_up_attempts = true\n", "follow_up_attempts: expected a whole number"),
            ("name = [1, 2\n", "policy: not valid TOML"),
        ],
    )
    def test_refused(self, text: str, fragment: str) -> None:
        """Names are looked up in fixed tables; nothing in a file runs or imports."""
        assert any(fragment in problem for problem in problems_of(text)), problems_of(text)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that cannot be read is an InvalidPolicy naming it."""
        with pytest.raises(sr.InvalidPolicy, match="cannot read the policy file"):
            sr.RecoveryPolicy.from_toml_file(tmp_path / "nowhere.toml")

    def test_a_file_that_is_not_utf8(self, tmp_path: Path) -> None:
        """A file that is not UTF-8 text is an InvalidPolicy naming it."""
        file = tmp_path / "latin.toml"
        file.write_bytes('name = "caf\u00e9"\n'.encode("latin-1"))
        with pytest.raises(sr.InvalidPolicy, match=r"latin\.toml: not UTF-8 text"):
            sr.RecoveryPolicy.from_toml_file(file)

    @pytest.mark.parametrize("source", [42, None, b'name = "bytes"\n', Path("policy.toml")])
    def test_from_toml_takes_only_text(self, source: object) -> None:
        """Anything but text is a wrong argument, named (a path goes to from_toml_file)."""
        with pytest.raises(sr.InvalidValue, match="text: expected TOML text as a str") as caught:
            sr.RecoveryPolicy.from_toml(source)  # type: ignore[arg-type]
        assert "text" == caught.value.field

    @pytest.mark.parametrize("source", [42, None, b"policy.toml"])
    def test_from_toml_file_takes_only_a_path(self, source: object) -> None:
        """A file is named by a path or a string; anything else is a wrong argument."""
        with pytest.raises(sr.InvalidValue, match="path: expected a file path") as caught:
            sr.RecoveryPolicy.from_toml_file(source)  # type: ignore[arg-type]
        assert "path" == caught.value.field

    @pytest.mark.parametrize(
        "text",
        [
            'reopen_window = "999999999999999d"\n',
            'reopen_window = "9999999999999999999999999999s"\n',
            'reopen_window = "P99999999999999W"\n',
            '[service_levels]\nupdate_interval = "99999999999999999h"\n',
        ],
    )
    def test_a_huge_duration_names_its_field(self, text: str) -> None:
        """A duration too long for Python's timedelta is a problem at its path."""
        found = problems_of(text)
        field = text.split("=", maxsplit=1)[0].strip().split("\n")[-1]
        assert any(problem.split(":")[0].endswith(field) for problem in found), found
        assert all("too long" in problem for problem in found), found

    def test_deep_arrays(self) -> None:
        """Arrays nested beyond any sense are a problem, not a crash."""
        found = problems_of("name = " + "[" * 5000 + "]" * 5000 + "\n")
        assert 1 == len(found)
        assert found[0].startswith("policy: not valid TOML: nested too deeply"), found

    def test_deep_arrays_at_a_sane_depth_are_read_by_type(self) -> None:
        """A modestly nested array is read by its type, and refused by it."""
        assert any(
            problem.startswith("name: expected a string")
            for problem in problems_of("name = [[[1]]]\n")
        )

    def test_bad_calendar_zone_is_reported_at_its_path(self) -> None:
        """A bad time zone in the calendar table is reported once, at its own path."""
        found = problems_of('[service_levels.calendar]\ntime_zone = "Mars/Base"\n')
        assert ["service_levels.calendar.time_zone"] == [p.split(":")[0] for p in found]

    def test_bad_calendar_hours_are_reported_at_their_path(self) -> None:
        """A bad weekday in the calendar's hours is reported at its own path."""
        found = problems_of('[service_levels.calendar.hours]\nfunday = ["09:00-17:00"]\n')
        assert {"service_levels.calendar.hours"} == {p.split(":")[0] for p in found}, found

    def test_a_huge_value_is_quoted_shortened(self) -> None:
        """A long bad value is quoted shortened in the message."""
        found = problems_of(f'[authority]\nagent = "{"9" * 100_000}"\n')
        assert 1 == len(found)
        assert found[0].startswith("authority.agent: expected an amount"), found
        assert len(found[0]) < 400, len(found[0])

    def test_a_huge_value_a_value_refuses_is_quoted_shortened(self) -> None:
        """A huge value refused by the value's own checks (a time zone) gives a short problem."""
        found = problems_of(f'[service_levels.calendar]\ntime_zone = "{"Z" * 1_000_000}"\n')
        assert ["service_levels.calendar.time_zone"] == [p.split(":")[0] for p in found]
        assert len(found[0]) < 400, len(found[0])

    def test_an_integer_too_long_to_read(self) -> None:
        """An integer of thousands of digits is refused as TOML Python cannot read."""
        found = problems_of("follow_up_attempts = " + "1" * 5000 + "\n")
        assert 1 == len(found)
        assert found[0].startswith("policy: not valid TOML: "), found
        assert len(found[0]) < 400, len(found[0])


class TestWriting:
    @pytest.mark.parametrize("value", [42, None, {"name": "x"}])
    def test_to_toml_of_a_non_policy(self, value: object) -> None:
        """to_toml called on anything but a policy is a wrong argument, named."""
        with pytest.raises(sr.InvalidValue, match="policy: expected a RecoveryPolicy") as caught:
            sr.RecoveryPolicy.to_toml(value)  # type: ignore[arg-type]
        assert "policy" == caught.value.field

    @pytest.mark.parametrize("policy", presets.PRESETS.values(), ids=lambda p: p.name)
    def test_presets_round_trip(self, policy: sr.RecoveryPolicy) -> None:
        """Every preset written to TOML reads back equal."""
        assert policy == sr.RecoveryPolicy.from_toml(policy.to_toml())

    @given(
        attempts=st.integers(2, 9),
        window=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
        agent=st.integers(0, 250),
        name=st.text(min_size=1).filter(lambda s: s.strip()),
    )
    def test_any_policy_round_trips(
        self, attempts: int, window: timedelta, agent: int, name: str
    ) -> None:
        """Tuned numbers, durations, amounts and any name survive a round trip."""
        authority = {**presets.HEARD.authority, sr.Role.AGENT: sr.Money(agent, "EUR")}
        policy = attrs.evolve(
            presets.HEARD,
            name=name,
            follow_up_attempts=attempts,
            reopen_window=window,
            authority=authority,
        )
        assert policy == sr.RecoveryPolicy.from_toml(policy.to_toml())


class TestDurations:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2h", timedelta(hours=2)),
            ("30d", timedelta(days=30)),
            ("1d 12h", timedelta(days=1, hours=12)),
            ("1w", timedelta(weeks=1)),
            ("PT2H", timedelta(hours=2)),
            ("P30D", timedelta(days=30)),
            ("P1DT12H30M", timedelta(days=1, hours=12, minutes=30)),
        ],
    )
    def test_spellings(self, text: str, expected: timedelta) -> None:
        """Short and ISO 8601 spellings both read."""
        assert expected == parse_duration(text)

    @pytest.mark.parametrize("text", ["2 months", "P1M", "P", "PT", "h", "-2h", ""])
    def test_refused_spellings(self, text: str) -> None:
        """Months, empty and signed durations are refused."""
        with pytest.raises(ValueError, match=r"^.*$"):
            parse_duration(text)

    @given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10_000)))
    def test_format_round_trips(self, value: timedelta) -> None:
        """Any non-negative duration is written so it reads back equal."""
        assert value == parse_duration(format_duration(value))


class TestSchema:
    def test_shipped_schema_is_current(self) -> None:
        """The schema shipped with the package is the one the policy's types give."""
        shipped = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        assert policy_schema() == shipped, "regenerate: service-recovery schema > " + str(
            SCHEMA_PATH
        )
        jsonschema.Draft202012Validator.check_schema(shipped)

    @pytest.mark.parametrize("policy", presets.PRESETS.values(), ids=lambda p: p.name)
    def test_presets_validate(self, policy: sr.RecoveryPolicy) -> None:
        """Every preset, written as policy data, validates against the schema."""
        data = jsonable(tomllib.loads(policy.to_toml()))
        assert [] == [
            e.message for e in jsonschema.Draft202012Validator(policy_schema()).iter_errors(data)
        ]
        assert unstructure(policy)["name"] == data["name"]

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
    def test_examples_validate_and_load(self, path: Path) -> None:
        """Every example TOML validates against the schema and loads as a policy."""
        data = jsonable(tomllib.loads(path.read_text(encoding="utf-8")))
        validator = jsonschema.Draft202012Validator(policy_schema())
        assert [] == [e.message for e in validator.iter_errors(data)]
        assert isinstance(sr.RecoveryPolicy.from_toml_file(path), sr.RecoveryPolicy)

    def test_schema_refuses_what_the_reader_refuses(self) -> None:
        """The schema also flags a bad amount and an unknown key."""
        validator = jsonschema.Draft202012Validator(policy_schema())
        assert not validator.is_valid({"authority": {"agent": "lots"}})
        assert not validator.is_valid({"colour": "red"})
        assert validator.is_valid({"extends": "heard", "authority": {"agent": "75 EUR"}})


@attrs.frozen
class Sample:
    """Every kind of field a rules class may have."""

    when: datetime
    day: date
    at: time
    price: Decimal
    share: float
    flag: bool
    pair: tuple[int, str]
    tags: frozenset[str] = frozenset()
    either: int | str = 0
    maybe: timedelta | None = None


GOOD: dict[str, Any] = {
    "when": "2026-03-02T09:00:00+01:00",
    "day": "2026-12-25",
    "at": "09:30",
    "price": "12.50",
    "share": 1,
    "flag": True,
    "pair": [1, "a"],
    "tags": ["x", "y"],
    "either": "text",
    "maybe": "2h",
}


class TestStructure:
    def test_every_field_kind_reads(self) -> None:
        """Dates, times, decimals, numbers, fixed and open tuples, sets and unions read by type."""
        problems: list[str] = []
        sample = structure(Sample, GOOD, "", problems)
        assert [] == problems
        assert (
            Sample(
                datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=1))),
                date(2026, 12, 25),
                time(9, 30),
                Decimal("12.50"),
                1.0,
                True,
                (1, "a"),
                frozenset({"x", "y"}),
                "text",
                timedelta(hours=2),
            )
            == sample
        )

    def test_round_trip(self) -> None:
        """What unstructure writes, structure reads back equal."""
        sample = structure(Sample, GOOD, "", [])
        assert sample == structure(Sample, unstructure(sample), "", [])

    def test_every_bad_field_is_named(self) -> None:
        """Each field of the wrong type is one problem naming it and what was expected."""
        bad = {
            "when": "2026-03-02T09:00:00",
            "day": "Christmas",
            "at": 9,
            "price": 1.5,
            "share": "half",
            "flag": "yes",
            "pair": [1],
            "tags": "x",
            "either": [1],
            "maybe": 5,
        }
        problems: list[str] = []
        assert structure(Sample, bad, "sample", problems) is None
        assert [f"sample.{name}" for name in bad] == [p.split(":")[0] for p in problems]

    def test_missing_required_field(self) -> None:
        """A field with no default must be given."""
        problems: list[str] = []
        structure(Sample, {k: v for k, v in GOOD.items() if k != "day"}, "s", problems)
        assert ["s.day: missing"] == problems

    @pytest.mark.parametrize(
        ("value", "kind", "expected"),
        [
            ((1, "a"), tuple[int, str], True),
            ((1,), tuple[int, str], False),
            (frozenset({1}), frozenset[int], True),
            ({"a": 1}, Mapping[str, int], True),
            ({"a": "b"}, Mapping[str, int], False),
            (None, int | None, True),
            (True, int, False),
            (sr.Close, type[sr.Command], True),
        ],
    )
    def test_conforms(self, value: object, kind: Any, expected: bool) -> None:
        """conforms checks a value against a type, items included."""
        assert expected == conforms(value, kind)

    def test_cannot_write_an_unknown_value(self) -> None:
        """Writing a value with no policy spelling is refused."""
        with pytest.raises(sr.InvalidPolicy, match="cannot write object"):
            unstructure(object())


class TestCalendarHoursInFiles:
    def test_out_of_range_hours_name_the_wrong_part_at_their_path(self) -> None:
        """Hours the calendar reads but refuses are reported as the calendar words them."""
        text = '[service_levels.calendar.hours]\nmonday = "25:00-26:00"\n'
        with pytest.raises(sr.InvalidPolicy) as refused:
            sr.RecoveryPolicy.from_toml(text)
        assert [
            "service_levels.calendar.hours.monday[0].start: hour 25 is past 24:00 in '25:00'",
            "service_levels.calendar.hours.monday[0].end: hour 26 is past 24:00 in '26:00'",
        ] == list(refused.value.problems)
