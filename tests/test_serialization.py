"""Snapshots: JSON-safe, versioned, lossless on the way out and strict on the way in."""

from __future__ import annotations

import collections
import copy
import json
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._model._case import advance
from tests.scenarios import (
    AGENT,
    SUPERVISOR,
    T0,
    later,
    open_case,
    proposal,
    reachable_cases,
    walk_through,
    walk_to,
)

S = sr.Stage
WORKFLOW = sr.Workflow()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
"""Any JSON value, to put where a snapshot holds something else."""


def through_json(data: dict[str, Any]) -> dict[str, Any]:
    """*data* after a trip through JSON text, as a store would give it back."""
    loaded: dict[str, Any] = json.loads(json.dumps(data))
    return loaded


def problems_of(data: object, **kwargs: Any) -> tuple[str, ...]:
    """The problems ``from_dict`` lists for *data* (fails the test if it accepts it)."""
    with pytest.raises(sr.InvalidSnapshot) as caught:
        sr.from_dict(data, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def load(data: dict[str, Any]) -> sr.Case | sr.InvalidSnapshot:
    """The case *data* holds, or the refusal (any other error fails the test)."""
    try:
        return sr.from_dict(data)
    except sr.InvalidSnapshot as refused:
        return refused


def snapshot(stage: sr.Stage = S.CLOSED) -> dict[str, Any]:
    """A JSON-loaded snapshot of a case walked to *stage*, with an approved escalation."""
    case = walk_through(WORKFLOW, S.DIAGNOSED)
    ask = sr.Escalate(by=AGENT, at=later(case), reason="VIP", amount=sr.Money("99.50", "EUR"))
    case = WORKFLOW.apply(case, ask)
    case = WORKFLOW.apply(case, sr.Approve(by=SUPERVISOR, at=later(case)))
    return through_json(sr.to_dict(walk_through(WORKFLOW, stage, case)))


def leaves(data: object, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every scalar inside *data*."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in leaves(value, (*path, key))]
    if isinstance(data, list):
        return [p for n, value in enumerate(data) for p in leaves(value, (*path, n))]
    return [path]


def replace_at(data: dict[str, Any], path: tuple[Any, ...], value: object) -> dict[str, Any]:
    """A deep copy of *data* with the item at *path* replaced by *value*."""
    changed = copy.deepcopy(data)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


class TestRoundTrip:
    @given(reachable_cases(WORKFLOW))
    def test_any_reachable_case_survives_json(self, case: sr.Case) -> None:
        """Every reachable case comes back equal after to_dict, JSON text and from_dict."""
        data = through_json(sr.to_dict(case))
        assert case == sr.from_dict(data)
        assert case == sr.from_dict(data, workflow=WORKFLOW)

    @given(reachable_cases(WORKFLOW))
    def test_snapshot_is_stable(self, case: sr.Case) -> None:
        """Writing a loaded snapshot again gives the same data: nothing is lost or added."""
        data = through_json(sr.to_dict(case))
        assert data == sr.to_dict(sr.from_dict(data))

    def test_header(self) -> None:
        """A snapshot names its schema, version, id, stage and case version."""
        data = snapshot()
        assert ("service-recovery/case", sr.SCHEMA_VERSION, "case-1", "closed", 15) == (
            data["schema"],
            data["schema_version"],
            data["id"],
            data["stage"],
            data["version"],
        )
        assert len(data["history"]) == data["version"]

    def test_values_are_written_plainly(self) -> None:
        """Enums by value, money amounts as exact text, times as ISO 8601 with offset."""
        escalation = snapshot()["history"][7]
        assert {
            "type": "Escalate",
            "stage": "diagnosed",
            "by": {"id": "ana", "role": "agent"},
            "at": "2026-03-02T09:07:00+00:00",
            "id": None,
            "reason": "VIP",
            "amount": {"amount": "99.50", "currency": "EUR"},
        } == escalation

    def test_a_web_form_case_survives_json(self) -> None:
        """A complaint sent through a web form is written as its channel's value and read back."""
        case = open_case(channel=sr.Channel.WEB_FORM)
        data = json.loads(json.dumps(sr.to_dict(case)))
        assert "web_form" == data["history"][0]["channel"]
        assert case == sr.from_dict(data)

    @given(st.datetimes(timezones=st.timezones()))
    def test_any_aware_time_survives(self, at: datetime) -> None:
        """Times keep their instant, their zone and their wall-clock reading."""
        case = open_case(WORKFLOW, at=at)
        back = sr.from_dict(through_json(sr.to_dict(case)))
        assert (at, at.utcoffset(), at.replace(tzinfo=None), str(at.tzinfo)) == (
            back.opened_at,
            back.opened_at.utcoffset(),
            back.opened_at.replace(tzinfo=None),
            str(back.opened_at.tzinfo),
        )

    @pytest.mark.parametrize(
        ("wall", "fold"),
        [
            (datetime(2026, 3, 29, 1, 30), 0),  # skipped when Dublin springs forward
            (datetime(2026, 10, 25, 1, 30), 0),  # the first of two 01:30s in the autumn
            (datetime(2026, 10, 25, 1, 30), 1),  # the second one
        ],
    )
    def test_daylight_saving_edges(self, wall: datetime, fold: int) -> None:
        """Skipped and repeated wall times in a named zone come back exactly as given."""
        at = wall.replace(tzinfo=ZoneInfo("Europe/Dublin"), fold=fold)
        case = open_case(WORKFLOW, at=at)
        back = sr.from_dict(through_json(sr.to_dict(case)))
        assert case == back
        assert (at.fold, at.utcoffset()) == (back.opened_at.fold, back.opened_at.utcoffset())

    def test_named_zone_is_kept(self) -> None:
        """A ZoneInfo time is written with its zone key and read back in that zone."""
        at = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))
        data = sr.to_dict(open_case(WORKFLOW, at=at))
        assert "2026-07-01T12:00:00-04:00[America/New_York]" == data["history"][0]["at"]
        assert at.tzinfo == sr.from_dict(data).opened_at.tzinfo

    def test_zone_without_a_key_keeps_its_offset(self) -> None:
        """A zone read from a file has no key to write: the time keeps its instant and offset."""
        with (Path(zoneinfo.TZPATH[0]) / "Europe" / "Dublin").open("rb") as source:
            keyless = ZoneInfo.from_file(source)
        at = datetime(2026, 7, 1, 12, 0, tzinfo=keyless)
        data = sr.to_dict(open_case(WORKFLOW, at=at))
        assert "2026-07-01T12:00:00+01:00" == data["history"][0]["at"]
        opened = sr.from_dict(data).opened_at
        assert (at, at.utcoffset()) == (opened, opened.utcoffset())

    def test_to_dict_needs_a_case(self) -> None:
        """Only a case can be written."""
        with pytest.raises(sr.InvalidValue, match="case: expected a Case, got dict"):
            sr.to_dict({"id": "case-1"})  # type: ignore[arg-type]


class TestTampering:
    @pytest.mark.parametrize(
        ("key", "value", "problem"),
        [
            ("stage", "resolved", "stage: says 'resolved' but the history gives 'closed'"),
            ("version", 14, "version: says 14 but the history gives 15"),
            ("id", "case-2", "id: says 'case-2' but the history gives 'case-1'"),
            ("version", True, "version: says True but the history gives 15"),
            ("version", 15.0, "version: says 15.0 but the history gives 15"),
            ("schema", "other", "schema: expected 'service-recovery/case', got 'other'"),
            (
                "schema_version",
                sr.SCHEMA_VERSION + 1,
                f"schema_version: this release reads version {sr.SCHEMA_VERSION}, "
                f"got {sr.SCHEMA_VERSION + 1}",
            ),
            (
                "schema_version",
                True,
                f"schema_version: this release reads version {sr.SCHEMA_VERSION}, got True",
            ),
            ("history", {}, "history: expected a list, got dict"),
            ("colour", "red", "colour: unknown key"),
        ],
    )
    def test_header_tampering(self, key: str, value: object, problem: str) -> None:
        """A header that disagrees with the history, or is not ours, is refused."""
        assert problem in problems_of({**snapshot(), key: value})

    @pytest.mark.parametrize(
        ("path", "value", "problem"),
        [
            ((3, "type"), "Shout", "history[3].type: unknown command 'Shout'"),
            ((3, "type"), ["Listen"], "history[3].type: unknown command ['Listen']"),
            ((3, "type"), {"x": 1}, "history[3].type: unknown command {'x': 1}"),
            ((3, "stage"), "limbo", "history[3].stage: expected one of 'reported'"),
            ((3, "stage"), ["listening"], "history[3].stage: expected one of"),
            ((3, "at"), "yesterday", "history[3].at: expected an aware ISO 8601 datetime"),
            ((3, "at"), "2026-03-02T09:03:00", "history[3].at: expected an aware ISO 8601"),
            ((3, "at"), "2026-03-02T09:03:00+00:00[Mars/Olympus]", "history[3].at: expected an"),
            ((3, "at"), "2026-03-02T09:03:00+00:00[../etc]", "history[3].at: expected an"),
            ((3, "at"), 1767225600, "history[3].at: expected an aware ISO 8601 datetime"),
            ((3, "by"), "ana", "history[3].by: expected a mapping, got str"),
            ((3, "by", "role"), "boss", "history[3].by.role: expected one of 'agent'"),
            ((3, "by", "id"), 7, "history[3].by.id: expected a string, got 7"),
            ((3, "confirmed"), "yes", "history[3].confirmed: expected true or false, got 'yes'"),
            ((7, "amount", "amount"), 99.5, "history[7].amount: amount: expected a Decimal"),
            ((7, "amount", "amount"), "lots", "history[7].amount: amount: 'lots' is not a number"),
            ((7, "amount", "currency"), "euro", "history[7].amount: currency: expected an ISO"),
            ((7, "amount", "colour"), "red", "history[7].amount.colour: unknown key"),
            ((7, "reason"), "", "history[7]: reason: must not be blank"),
            ((7, "shout"), "!", "history[7].shout: unknown key"),
            ((9, "actions"), "ship it", "history[9].actions: expected a list, got str"),
            ((9, "actions", 0, "due"), None, "history[9].actions[0].due: expected an aware"),
            ((12, "index"), "0", "history[12].index: expected a whole number, got '0'"),
            ((12, "index"), True, "history[12].index: expected a whole number, got True"),
            ((0, "customer"), None, "history[0].customer: expected a mapping, got NoneType"),
            ((3,), "Listen", "history[3]: expected a mapping, got str"),
        ],
    )
    def test_event_tampering(self, path: tuple[Any, ...], value: object, problem: str) -> None:
        """A bad item inside the history is refused, its problem named by its path."""
        data = replace_at(snapshot(), ("history", *path), value)
        assert any(found.startswith(problem) for found in problems_of(data)), problems_of(data)

    def test_missing_fields_are_named(self) -> None:
        """A field left out is reported missing, at its path."""
        data = snapshot()
        del data["history"][3]["summary"]
        del data["history"][7]["amount"]["currency"]
        problems = problems_of(data)
        assert "history[3].summary: missing" in problems
        assert "history[7].amount.currency: missing" in problems

    def test_every_problem_is_listed_at_once(self) -> None:
        """Several problems in one snapshot are all reported together."""
        data = replace_at(snapshot(), ("history", 2, "at"), "soon")
        data = replace_at(data, ("history", 5, "type"), "Shout")
        data["schema"] = "other"
        assert 3 == len(problems_of(data))

    def test_history_rules_are_checked(self) -> None:
        """A history out of time order, or not opening with Open, is refused."""
        data = snapshot()
        history = data["history"]
        history[1], history[2] = history[2], history[1]
        problems = problems_of(data)
        assert any("history[2]: at" in problem and "is before" in problem for problem in problems)
        data["history"] = history[1:]
        assert any("starts with Open" in problem for problem in problems_of(data))

    def test_workflow_checks_the_graph(self) -> None:
        """With a workflow given, a history its graph cannot produce is refused."""
        data = replace_at(snapshot(), ("history", 1, "stage"), "understood")
        data["history"][2]["stage"] = "understood"
        assert any(
            "does not lead from" in problem for problem in problems_of(data, workflow=WORKFLOW)
        )

    def test_workflow_must_be_a_workflow(self) -> None:
        """Passing something else as the workflow is refused by name."""
        with pytest.raises(sr.InvalidValue, match="workflow: expected a Workflow, got str"):
            sr.from_dict(snapshot(), workflow="default")  # type: ignore[arg-type]

    @pytest.mark.parametrize("data", [None, [], "case", 5])
    def test_not_a_mapping(self, data: object) -> None:
        """A snapshot is a mapping: anything else is a wrong argument, named."""
        with pytest.raises(sr.InvalidValue, match="data: expected a mapping") as caught:
            sr.from_dict(data)  # type: ignore[arg-type]
        assert "data" == caught.value.field

    @given(st.data())
    def test_any_tampered_leaf_is_refused_or_loaded_whole(self, data: st.DataObject) -> None:
        """Replacing any value with any JSON value gives InvalidSnapshot or a whole, valid case."""
        original = snapshot(S.RESOLVING)
        path = data.draw(st.sampled_from(leaves(original)))
        tampered = replace_at(original, path, data.draw(json_values))
        outcome = load(tampered)
        if isinstance(outcome, sr.InvalidSnapshot):
            assert outcome.problems
        else:
            assert len(tampered["history"]) == outcome.version
            assert outcome == sr.from_dict(through_json(sr.to_dict(outcome)))

    @given(st.data())
    def test_dropped_or_added_keys_are_refused(self, data: st.DataObject) -> None:
        """Removing a required key or adding an unknown one anywhere is refused."""
        original = snapshot(S.RESOLVING)
        event = data.draw(st.integers(0, len(original["history"]) - 1))
        tampered = copy.deepcopy(original)
        tampered["history"][event]["surprise"] = data.draw(json_values)
        assert f"history[{event}].surprise: unknown key" in problems_of(tampered)


class TestTimeEdges:
    def test_offsets_other_than_utc(self) -> None:
        """A fixed offset is kept exactly."""
        from datetime import timezone

        at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
        back = sr.from_dict(through_json(sr.to_dict(open_case(WORKFLOW, at=at))))
        assert (at, at.utcoffset()) == (back.opened_at, back.opened_at.utcoffset())

    def test_proposal_dues_survive(self) -> None:
        """Promised actions keep their due dates through a snapshot."""
        case = walk_to(S.RESOLVING, WORKFLOW)
        back = sr.from_dict(through_json(sr.to_dict(case)))
        assert case.plan == back.plan
        assert proposal(T0).actions[0].due.tzinfo is not None


class TestEdges:
    def test_optional_fields_may_be_left_out(self) -> None:
        """A snapshot without optional fields (a shorter writer's) loads them as defaults."""
        data = snapshot(S.LISTENING)
        del data["history"][2]["note"]
        del data["history"][0]["customer"]["name"]
        case = sr.from_dict(data)
        listen = case.history[2].command
        assert isinstance(listen, sr.Listen)
        assert ("", "") == (listen.note, case.customer.name)

    def test_zone_rules_changed_since_writing(self) -> None:
        """A time whose offset its zone no longer gives keeps its instant, in that zone."""
        data = through_json(sr.to_dict(open_case(WORKFLOW)))
        data["history"][0]["at"] = "2026-07-01T12:00:00+00:00[America/New_York]"
        opened = sr.from_dict(data).opened_at
        assert (datetime(2026, 7, 1, 12, tzinfo=UTC), "America/New_York") == (
            opened,
            str(opened.tzinfo),
        )

    def test_host_command_types_are_refused_on_the_way_out(self) -> None:
        """A command type the library cannot read back is refused by to_dict, not lost later."""

        @attrs.frozen(kw_only=True)
        class CloseWithSurvey(sr.Close):
            survey: str = "sent"

        case = walk_to(S.FOLLOWED_UP, WORKFLOW)
        forged = advance(case, sr.Event(CloseWithSurvey(by=AGENT, at=later(case)), S.CLOSED))
        with pytest.raises(
            sr.InvalidSnapshot, match=r"history\[12\]: cannot write CloseWithSurvey"
        ):
            sr.to_dict(forged)


class TestSharedValues:
    def test_equal_actors_are_read_once(self) -> None:
        """Every event by the same agent holds the very same Actor once loaded."""
        case = sr.from_dict(snapshot())
        by_agent = [event.by for event in case.history if event.by == AGENT]
        assert len(by_agent) > 3
        assert all(actor is by_agent[0] for actor in by_agent)

    def test_a_bad_shared_value_is_named_at_every_place(self) -> None:
        """An actor written wrong in two events is reported at both paths."""
        data = snapshot()
        for position in (2, 4):
            data["history"][position]["by"]["role"] = "intern"
        problems = problems_of(data)
        assert [2, 4] == [
            position
            for position in range(len(data["history"]))
            if any(p.startswith(f"history[{position}].by.role: expected one of") for p in problems)
        ]

    def test_text_is_not_mistaken_for_another_type(self) -> None:
        """A value whose fields are written as numbers is checked, not matched to equal text."""
        data = snapshot()
        data["history"][2]["by"] = {"id": 1, "role": "agent"}
        assert "history[2].by.id: expected a string, got 1" in problems_of(data)

    def test_values_are_not_shared_between_snapshots(self) -> None:
        """Two loads give equal cases that share no actor read from the snapshot."""
        data = snapshot()
        first, second = sr.from_dict(data), sr.from_dict(data)
        assert first == second
        assert first.history[1].by is not second.history[1].by


class TestUnusualMappingsAndTexts:
    def test_a_defaulting_mapping_is_read_as_given(self) -> None:
        """A mapping that invents missing keys is left as given, and the key reported missing."""
        data = snapshot()
        given = collections.defaultdict(str, {"id": "ana", "rol": "agent"})
        data["history"][1]["by"] = given
        problems = problems_of(data)
        assert ["history[1].by.rol: unknown key", "history[1].by.role: missing"] == [
            p for p in problems if p.startswith("history[1].by")
        ]
        assert {"id": "ana", "rol": "agent"} == given

    def test_text_of_a_str_subclass_is_written_as_text(self) -> None:
        """An id given as a str subclass is written as plain text and reads back equal."""

        class Ident(str):
            pass

        case = open_case()
        agent = sr.Actor(Ident("ana"), sr.Role.AGENT)
        case = WORKFLOW.apply(case, sr.Acknowledge(by=agent, at=later(case), message="On it"))
        assert case == sr.from_dict(through_json(sr.to_dict(case)))

    def test_a_time_without_an_instant_is_a_problem(self) -> None:
        """A time whose instant falls off the calendar is listed as a problem, not a crash."""
        data = snapshot()
        data["history"][2]["at"] = "0001-01-01T00:30:00+02:00"
        assert any(
            p.startswith("history[2]: at: 0001-01-01T00:30:00+02:00 has no instant")
            for p in problems_of(data)
        )


def called_deep_in_the_stack(function: Any, headroom: int = 60) -> Any:
    """The result of *function*, called when the stack is nearly as deep as Python allows."""
    import sys

    def descend(levels: int) -> Any:
        return function() if levels <= 0 else descend(levels - 1)

    return descend(sys.getrecursionlimit() - headroom)


class TestHostileInput:
    def test_a_time_past_year_9999_in_a_zone(self) -> None:
        """A zoned time whose local wall time overflows the calendar names its field."""
        data = snapshot()
        data["history"][1]["at"] = "9999-12-31T23:59:59+00:00[Asia/Tokyo]"
        assert any(p.startswith("history[1].at: ") for p in problems_of(data))

    def test_deep_nesting_when_the_caller_is_deep(self) -> None:
        """Deeply nested data, loaded from deep in the caller's stack, is a listed problem."""
        nested: list[Any] = []
        for _ in range(100_000):
            nested = [nested]
        data = snapshot()
        data["history"][1]["stage"] = nested
        data["history"][1]["by"]["role"] = nested
        data["schema_version"] = nested
        problems = called_deep_in_the_stack(lambda: problems_of(data))
        assert any(p.startswith("history[1].stage: ") for p in problems)
        assert any(p.startswith("history[1].by.role: ") for p in problems)
        assert any(p.startswith("schema_version: ") for p in problems)
        header = snapshot()
        header["id"] = nested
        assert any(
            p.startswith("id: ") for p in called_deep_in_the_stack(lambda: problems_of(header))
        )

    def test_an_integer_of_thousands_of_digits(self) -> None:
        """An integer too long to print in full is described, not printed."""
        data = snapshot()
        data["version"] = 10**5000
        assert any(p.startswith("version: ") and "5001 digits" in p for p in problems_of(data))
        data["history"][1]["by"]["id"] = 10**5000
        assert any(p.startswith("history[1].by.id: ") for p in problems_of(data))

    def test_a_huge_value_is_quoted_shortened(self) -> None:
        """A 5 MB value is quoted in a few dozen characters, not copied into the error."""
        data = snapshot()
        data["history"][1]["by"]["role"] = "x" * 5_000_000
        data["schema"] = ["y" * 1_000_000] * 1000
        problems = problems_of(data)
        assert all(len(problem) < 400 for problem in problems), [len(p) for p in problems]
        assert any(p.startswith("history[1].by.role: ") and "xxx" in p for p in problems)

    def test_a_huge_value_a_value_refuses_is_quoted_shortened(self) -> None:
        """A huge value refused by the value's own checks (an amount) gives a short problem."""
        data = snapshot(S.RESOLVING)
        proposal = next(e for e in data["history"] if e["type"] == "ProposeSolution")
        proposal["compensation"] = {
            "kind": "refund",
            "amount": {"amount": "x" * 5_000_000, "currency": "EUR"},
        }
        problems = problems_of(data)
        assert 1 == len(problems)
        assert problems[0].startswith("history[9].compensation.amount: "), problems[0][:80]
        assert len(problems[0]) < 400

    @pytest.mark.parametrize("value", [42, None, ["a"], "case"])
    def test_to_dict_of_a_non_case(self, value: object) -> None:
        """to_dict of anything but a Case is an InvalidValue naming the argument."""
        with pytest.raises(sr.InvalidValue, match="expected a Case") as caught:
            sr.to_dict(value)  # type: ignore[arg-type]
        assert "case" == caught.value.field
