"""Due: what needs doing across many cases, most urgent first, without recomputing."""

from __future__ import annotations

import pickle
import runpy
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._time._deadlines import Timekeeper
from tests.timing_cases import (
    AGENT,
    DAY,
    HOUR,
    MINUTE,
    T0,
    answer,
    closed_case,
    open_case,
    resolving_case,
)

K = sr.DeadlineKind
S = sr.DeadlineStatus
EXAMPLE = Path(__file__).parent.parent / "examples" / "sla_dashboard.py"


def ids(items: sr.DueList) -> list[str]:
    """The case ids of a scan, in its order."""
    return [item.case.id for item in items]


class CountingPolicy(sr.RecoveryPolicy):
    """The default policy, counting how often a case's clocks are worked out."""

    reads = 0

    def first_response_target(self, case: sr.Case) -> timedelta:
        CountingPolicy.reads += 1
        return super().first_response_target(case)


class TestSelection:
    def test_most_urgent_first(self) -> None:
        """Cases come longest overdue first, then nearest to breaching."""
        workflow = sr.Workflow()
        late = open_case(workflow, id="late", at=T0)
        later = open_case(workflow, id="later", at=T0 + 20 * MINUTE)
        warned = open_case(workflow, id="warned", at=T0 + 50 * MINUTE)
        now = T0 + 90 * MINUTE
        items = workflow.due([warned, later, late], now=now)
        assert ["late", "later", "warned"] == ids(items)
        assert [S.BREACHED, S.BREACHED, S.WARNING] == [item.deadline.status for item in items]

    def test_quiet_cases_are_left_out(self) -> None:
        """A case with nothing in warning or breached is not listed."""
        workflow = sr.Workflow()
        fresh = open_case(workflow, id="fresh", at=T0 + 80 * MINUTE)
        answered = answer(workflow, open_case(workflow, id="answered"), T0 + 10 * MINUTE)
        assert [] == ids(workflow.due([fresh, answered], now=T0 + 90 * MINUTE))

    def test_within_looks_ahead(self) -> None:
        """within= also lists cases whose next deadline falls that soon."""
        workflow = sr.Workflow()
        fresh = open_case(workflow, id="fresh", at=T0)
        assert [] == ids(workflow.due([fresh], now=T0 + 10 * MINUTE))
        soon = workflow.due([fresh], now=T0 + 10 * MINUTE, within=HOUR)
        assert ["fresh"] == ids(soon)
        assert (S.UPCOMING, 50 * MINUTE) == (soon[0].deadline.status, soon[0].deadline.left)

    def test_limit_keeps_the_most_urgent(self) -> None:
        """limit= returns only the first few, in order."""
        workflow = sr.Workflow()
        cases = [open_case(workflow, id=f"c{n}", at=T0 + n * MINUTE) for n in range(10)]
        assert ["c0", "c1", "c2"] == ids(workflow.due(cases, now=T0 + DAY, limit=3))

    def test_each_case_shows_its_most_urgent_deadline(self) -> None:
        """A case with several deadlines due shows the one due first."""
        workflow = sr.Workflow()
        case = resolving_case(workflow, dues=(3 * DAY, DAY))
        (item,) = workflow.due([case], now=T0 + 4 * DAY)
        assert (K.PROMISE, T0 + DAY) == (item.deadline.kind, item.deadline.due_at)

    def test_waiting_and_closed_cases(self) -> None:
        """A stopped clock is not due; a closed case has nothing to do."""
        workflow = sr.Workflow()
        waiting = answer(workflow, open_case(workflow, id="waiting"), T0)
        waiting = workflow.apply(
            waiting, sr.AwaitCustomer(by=AGENT, at=T0 + MINUTE, reason="Photo")
        )
        closed = closed_case(workflow)
        assert [] == ids(workflow.due([waiting, closed], now=T0 + 60 * DAY))

    def test_recorded_breaches_stay_due_until_met(self) -> None:
        """Recording a breach does not make the work go away."""
        workflow = sr.Workflow()
        case = workflow.tick(open_case(workflow), now=T0 + 2 * HOUR)
        assert ["case-1"] == ids(workflow.due([case], now=T0 + 3 * HOUR))


class TestResult:
    def test_is_a_sequence(self) -> None:
        """The result has a length, indexes, slices and iterates in order."""
        workflow = sr.Workflow()
        cases = [open_case(workflow, id=f"c{n}", at=T0 + n * MINUTE) for n in range(4)]
        items = workflow.due(cases, now=T0 + DAY)
        assert 4 == len(items)
        assert "c3" == items[-1].case.id
        assert ["c1", "c2"] == ids(items[1:3])
        assert isinstance(items[1:3], sr.DueList)
        assert ids(items) == [item.case.id for item in list(items)]
        assert "<DueList of 4 case(s) at 2026-03-03T09:00:00+00:00>" == repr(items)

    def test_items_read_well(self) -> None:
        """str() of an item names the case and its deadline."""
        workflow = sr.Workflow()
        (item,) = workflow.due([open_case(workflow)], now=T0 + 2 * HOUR)
        assert str(item).startswith("case-1: first response: due Mon 02 Mar 10:00 UTC, breached")

    def test_items_match_the_deadlines(self) -> None:
        """An item's deadline is the one deadlines() reports for the case."""
        workflow = sr.Workflow()
        case = resolving_case(workflow, dues=(DAY,))
        now = T0 + 2 * DAY
        (item,) = workflow.due([case], now=now)
        assert item.deadline in workflow.deadlines(case, now=now)


class TestBadInput:
    def test_not_a_case(self) -> None:
        """An item that is not a case is refused, named in the error."""
        workflow = sr.Workflow()
        with pytest.raises(sr.InvalidValue, match="got str 'case-1'"):
            workflow.due([open_case(workflow), "case-1"], now=T0)  # type: ignore[list-item]

    def test_not_iterable(self) -> None:
        """Something that is not a collection of cases is refused."""
        with pytest.raises(sr.InvalidValue, match="iterable of Case"):
            sr.Workflow().due(5, now=T0)  # type: ignore[arg-type]

    def test_a_fault_inside_is_not_disguised(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An AttributeError while working out a real case is raised as it is."""
        workflow = sr.Workflow()

        def broken(self: object, case: sr.Case) -> object:
            raise AttributeError("a bug, not bad input")

        monkeypatch.setattr(Timekeeper, "schedule", broken)
        with pytest.raises(AttributeError, match="a bug"):
            workflow.due([open_case(workflow)], now=T0)

    @pytest.mark.parametrize(
        ("options", "field"),
        [
            ({"within": -HOUR}, "within"),
            ({"within": 60}, "within"),
            ({"limit": 0}, "limit"),
            ({"limit": True}, "limit"),
        ],
    )
    def test_bad_options(self, options: dict[str, object], field: str) -> None:
        """A negative look-ahead or a limit below one is refused."""
        with pytest.raises(sr.InvalidValue) as refused:
            sr.Workflow().due([], now=T0, **options)  # type: ignore[arg-type]
        assert field == refused.value.field


class TestMemo:
    def test_a_case_is_worked_out_once(self) -> None:
        """Scanning the same cases again does not recompute their clocks."""
        workflow = sr.Workflow(CountingPolicy())
        cases = [open_case(workflow, id=f"c{n}") for n in range(5)]
        CountingPolicy.reads = 0
        workflow.due(cases, now=T0)
        first = CountingPolicy.reads
        workflow.due(cases, now=T0 + HOUR)
        workflow.due(cases, now=T0 + DAY, within=DAY)
        assert 5 == first == CountingPolicy.reads

    def test_a_changed_case_is_worked_out_again(self) -> None:
        """A new case value (after a command) gets its own memo."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        assert ["case-1"] == ids(workflow.due([case], now=T0 + 2 * HOUR))
        answered = answer(workflow, case, T0 + 2 * HOUR)
        assert [] == ids(workflow.due([answered], now=T0 + 3 * HOUR))

    def test_each_workflow_judges_by_its_own_policy(self) -> None:
        """The same case scanned by two workflows is judged by each one's targets."""
        strict = sr.Workflow(
            sr.RecoveryPolicy(
                service_levels=sr.ServiceLevels(first_response={sr.Channel.SOCIAL: 10 * MINUTE})
            )
        )
        relaxed = sr.Workflow()
        case = open_case(relaxed)
        now = T0 + 20 * MINUTE
        for _ in range(2):
            assert ["case-1"] == ids(strict.due([case], now=now))
            assert [] == ids(relaxed.due([case], now=now))

    def test_the_memo_is_invisible(self) -> None:
        """A scanned case equals, prints and pickles like one never scanned."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        twin = open_case(workflow)
        workflow.due([case], now=T0)
        assert twin == case
        assert repr(twin) == repr(case)
        assert sr.to_dict(twin) == sr.to_dict(case)
        thawed = pickle.loads(pickle.dumps(case))
        assert twin == thawed
        assert ["case-1"] == ids(workflow.due([thawed], now=T0 + 2 * HOUR))


class TestExample:
    def test_the_dashboard_example_runs(self, capsys: pytest.CaptureFixture[str]) -> None:
        """examples/sla_dashboard.py runs on its own and prints its dashboard."""
        runpy.run_path(str(EXAMPLE), run_name="__main__")
        out = capsys.readouterr().out
        assert "breached" in out
        assert "on_breach" in out


# -- properties ------------------------------------------------------------------------

SHAPES = ("reported", "answered", "resolving", "waiting", "closed")


@st.composite
def fleets(draw: st.DrawFn) -> list[sr.Case]:
    """A handful of cases of random shapes, opened at random times over two days."""
    workflow = sr.Workflow()
    cases = []
    for number in range(draw(st.integers(0, 8))):
        opened = T0 + draw(st.timedeltas(timedelta(0), 2 * DAY))
        shape = draw(st.sampled_from(SHAPES))
        case = open_case(workflow, id=f"c{number}", at=opened)
        if shape != "reported":
            case = answer(workflow, case, opened + draw(st.timedeltas(timedelta(0), 3 * HOUR)))
        if shape == "waiting":
            case = workflow.apply(
                case, sr.AwaitThirdParty(by=AGENT, at=case.last_at, reason="Courier")
            )
        if shape in ("resolving", "closed"):
            case = resolving_case(workflow, at=opened, dues=(DAY, 3 * DAY))
        if shape == "closed":
            case = closed_case(workflow, at=opened)
        cases.append(case)
    return cases


class TestProperties:
    @given(
        fleets(),
        st.timedeltas(timedelta(0), 6 * DAY),
        st.timedeltas(timedelta(0), DAY),
    )
    def test_agrees_with_each_cases_deadlines(
        self, cases: list[sr.Case], offset: timedelta, within: timedelta
    ) -> None:
        """The scan lists exactly the cases whose own deadlines call for it, soonest first."""
        workflow = sr.Workflow()
        now: datetime = T0 + offset
        expected = []
        for case in cases:
            running = [
                d
                for d in workflow.deadlines(case, now=now)
                if d.status is not S.MET and d.kind.breachable and not d.paused
            ]
            if not running:
                continue
            first = min(running, key=lambda d: d.due_at)
            urgent = any(d.status in (S.WARNING, S.BREACHED) for d in running)
            if urgent or first.due_at <= now + within:
                expected.append((first.due_at, case.id, first))
        expected.sort(key=lambda entry: entry[0])
        actual = workflow.due(cases, now=now, within=within)
        assert [(case_id, d) for _, case_id, d in expected] == [
            (item.case.id, item.deadline) for item in actual
        ]
