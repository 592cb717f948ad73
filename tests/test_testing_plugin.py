"""The pytest plugin's fixtures, the case factory behind one of them, and the entry point."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import service_recovery as sr
from service_recovery.testing import CaseFactory


class TestClockFixture:
    def test_starts_on_a_monday_morning(self, recovery_clock: sr.FixedClock) -> None:
        """The clock shows Monday 2026-01-05 09:00 UTC."""
        assert datetime(2026, 1, 5, 9, 0, tzinfo=UTC) == recovery_clock.now()

    def test_moves_only_when_told(self, recovery_clock: sr.FixedClock) -> None:
        """Time stands still until the test advances it."""
        start = recovery_clock.now()
        assert start == recovery_clock.now()
        recovery_clock.advance(timedelta(hours=2))
        assert start + timedelta(hours=2) == recovery_clock.now()


class TestWorkflowFixture:
    def test_default_policy_on_the_test_clock(
        self, recovery_workflow: sr.Workflow, recovery_clock: sr.FixedClock
    ) -> None:
        """The workflow runs the default policy and reads the test clock."""
        assert sr.RecoveryPolicy() == recovery_workflow.policy
        assert recovery_clock is recovery_workflow.clock


class TestCaseFactoryFixture:
    @pytest.mark.parametrize("severity", list(sr.Severity), ids=lambda s: s.value)
    @pytest.mark.parametrize("stage", list(sr.Stage), ids=lambda s: s.value)
    def test_every_stage_for_every_severity(
        self,
        recovery_case_factory: CaseFactory,
        recovery_workflow: sr.Workflow,
        recovery_clock: sr.FixedClock,
        stage: sr.Stage,
        severity: sr.Severity,
    ) -> None:
        """A real case at the stage asked for, its last event at the clock's time."""
        case = recovery_case_factory(stage, severity=severity)
        assert (stage, severity) == (case.stage, case.severity)
        assert recovery_clock.now() == case.last_at
        assert case == recovery_workflow.replay(case.history)

    def test_carries_the_details_asked_for(self, recovery_case_factory: CaseFactory) -> None:
        """Customer, channel, summary and id are the ones given."""
        customer = sr.Customer("c-77", "Ines")
        case = recovery_case_factory(
            sr.Stage.LISTENING,
            customer=customer,
            channel=sr.Channel.SOCIAL,
            summary="Parcel lost",
            id="case-77",
        )
        assert (customer, sr.Channel.SOCIAL, "Parcel lost", "case-77") == (
            case.customer,
            case.channel,
            case.summary,
            case.id,
        )

    def test_runs_no_hook(
        self, recovery_case_factory: CaseFactory, recovery_workflow: sr.Workflow
    ) -> None:
        """Building a case never fires the workflow's hooks."""
        ran: list[str] = []
        recovery_workflow.hooks.on_command(lambda ctx: ran.append(ctx.point))
        recovery_case_factory(sr.Stage.CLOSED)
        assert [] == ran

    def test_follows_the_clock(
        self, recovery_case_factory: CaseFactory, recovery_clock: sr.FixedClock
    ) -> None:
        """After the clock moves, new cases are dated at the new time."""
        recovery_clock.advance(timedelta(days=3))
        assert recovery_clock.now() == recovery_case_factory(sr.Stage.DIAGNOSED).opened_at

    def test_refuses_what_is_not_a_stage(self, recovery_case_factory: CaseFactory) -> None:
        """A stage given by name is a clear error."""
        with pytest.raises(sr.InvalidValue, match=r"expected a sr\.Stage"):
            recovery_case_factory("closed")  # type: ignore[arg-type]


class NeverCloses(sr.RecoveryPolicy):
    """A policy under which no case can close (to show the factory says so)."""

    def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
        if isinstance(command, sr.Close):
            yield "Cases stay open for the audit"


class TestOverriddenWorkflow:
    @pytest.fixture
    def recovery_workflow(self, recovery_clock: sr.FixedClock) -> sr.Workflow:
        return sr.Workflow(NeverCloses(name="audit"), clock=recovery_clock)

    def test_factory_uses_the_overriding_workflow(self, recovery_case_factory: CaseFactory) -> None:
        """Overriding recovery_workflow makes the factory build cases of that policy."""
        assert sr.Stage.FOLLOWED_UP is recovery_case_factory(sr.Stage.FOLLOWED_UP).stage
        with pytest.raises(sr.InvalidValue, match="under the audit policy"):
            recovery_case_factory(sr.Stage.CLOSED)


class TestCaseFactory:
    def test_refuses_a_non_workflow(self) -> None:
        """The factory needs a workflow."""
        clock = sr.FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
        with pytest.raises(sr.InvalidValue, match="workflow"):
            CaseFactory(sr.RecoveryPolicy(), clock)  # type: ignore[arg-type]

    def test_refuses_a_non_clock(self) -> None:
        """The factory needs something with now()."""
        with pytest.raises(sr.InvalidValue, match="expected an object with now"):
            CaseFactory(sr.Workflow(), "09:00")  # type: ignore[arg-type]

    def test_refuses_a_datetime_for_a_clock(self) -> None:
        """A datetime is no clock: its now() reads the wall clock."""
        moment = datetime(2026, 1, 5, tzinfo=UTC)
        with pytest.raises(sr.InvalidValue, match=r"sr\.FixedClock"):
            CaseFactory(sr.Workflow(), moment)

    def test_a_wrong_policy_answer_is_not_taken_for_a_refusal(self) -> None:
        """An override answering the wrong kind of value is reported, not "stage unreachable"."""

        class Blunt(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                return "Not on Mondays" if isinstance(command, sr.Close) else ()

        factory = CaseFactory(sr.Workflow(Blunt()), sr.FixedClock(datetime(2026, 1, 5, tzinfo=UTC)))
        with pytest.raises(sr.InvalidPolicy, match=r"Blunt\.extra_reasons"):
            factory(sr.Stage.CLOSED)


class TestCause:
    def test_the_default_cause_has_the_default_playbook(
        self, recovery_case_factory: CaseFactory, recovery_workflow: sr.Workflow
    ) -> None:
        """The default complaint, a wrong item, gets the default policy's wrong-item playbook."""
        case = recovery_case_factory(sr.Stage.DIAGNOSED)
        assert case.cause is not None
        assert "wrong_item" == case.cause.category
        assert "wrong_item" == recovery_workflow.suggest(case).category

    @pytest.mark.parametrize("cause", sorted(sr.presets.DEFAULT.playbooks))
    def test_the_cause_asked_for(
        self, recovery_case_factory: CaseFactory, recovery_workflow: sr.Workflow, cause: str
    ) -> None:
        """The case's cause is the one asked for, and so is the playbook it is offered."""
        case = recovery_case_factory(sr.Stage.RESOLVED, cause=cause)
        assert cause == (case.cause.category if case.cause else None)
        suggestion = recovery_workflow.suggest(case)
        assert sr.presets.DEFAULT.playbooks[cause].advice == suggestion.advice

    @pytest.mark.parametrize("cause", ["", "   ", None, 7])
    def test_refuses_what_is_no_cause(
        self, recovery_case_factory: CaseFactory, cause: object
    ) -> None:
        with pytest.raises(sr.InvalidValue, match="cause: expected a root-cause category"):
            recovery_case_factory(sr.Stage.DIAGNOSED, cause=cause)  # type: ignore[arg-type]


class TestActions:
    def test_one_promised_action_unless_told(self, recovery_case_factory: CaseFactory) -> None:
        case = recovery_case_factory(sr.Stage.RESOLVING)
        assert frozenset({0}) == case.open_actions

    @pytest.mark.parametrize("count", [2, 3, 10])
    def test_the_plan_holds_as_many_as_asked(
        self, recovery_case_factory: CaseFactory, count: int
    ) -> None:
        """A resolving case has every action open; a resolved one has completed them all."""
        resolving = recovery_case_factory(sr.Stage.RESOLVING, actions=count)
        assert frozenset(range(count)) == resolving.open_actions
        assert resolving.plan is not None
        assert count == len(resolving.plan.actions)
        resolved = recovery_case_factory(sr.Stage.RESOLVED, actions=count)
        assert (frozenset(), count) == (
            resolved.open_actions,
            sum(1 for e in resolved.history if isinstance(e.command, sr.CompleteAction)),
        )

    @pytest.mark.parametrize("count", [0, -1, 11, True, 2.0, "2"])
    def test_refuses_what_is_no_count(
        self, recovery_case_factory: CaseFactory, count: object
    ) -> None:
        with pytest.raises(sr.InvalidValue, match="actions: expected a whole number"):
            recovery_case_factory(sr.Stage.RESOLVING, actions=count)  # type: ignore[arg-type]


class TestAdvance:
    def test_a_reopened_case_back_to_resolved(
        self,
        recovery_case_factory: CaseFactory,
        recovery_workflow: sr.Workflow,
        recovery_clock: sr.FixedClock,
    ) -> None:
        """The case keeps its history and grows the shortest run of steps to the stage."""
        closed = recovery_case_factory(sr.Stage.CLOSED)
        recovery_clock.advance(timedelta(days=2))
        agent = sr.Actor("ana", sr.Role.AGENT)
        reopened = recovery_workflow.apply(
            closed, sr.Reopen(by=agent, at=recovery_clock.now(), reason="Torn")
        )
        case = recovery_case_factory.advance(reopened, sr.Stage.RESOLVED)
        assert sr.Stage.RESOLVED is case.stage
        assert reopened.history == case.history[: len(reopened.history)]
        assert {recovery_clock.now()} == {e.at for e in case.history[len(reopened.history) :]}
        assert case == recovery_workflow.replay(case.history)

    def test_a_case_at_the_stage_comes_back_as_it_is(
        self, recovery_case_factory: CaseFactory
    ) -> None:
        case = recovery_case_factory(sr.Stage.LISTENING)
        assert case is recovery_case_factory.advance(case, sr.Stage.LISTENING)

    def test_never_before_the_case_s_last_event(
        self, recovery_case_factory: CaseFactory, recovery_workflow: sr.Workflow
    ) -> None:
        """A case whose last event is after the clock's time is carried on from that event."""
        later = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        opened = recovery_workflow.open(
            customer=sr.Customer("c-9"),
            channel=sr.Channel.PHONE,
            severity=sr.Severity.MINOR,
            summary="Billed twice",
            at=later,
        )
        case = recovery_case_factory.advance(opened, sr.Stage.APOLOGIZED)
        assert sr.Stage.APOLOGIZED is case.stage
        assert later == case.last_at

    def test_no_way_there(self, recovery_case_factory: CaseFactory) -> None:
        """A stage no run of steps reaches from where the case stands is refused by name."""
        case = recovery_case_factory(sr.Stage.ACKNOWLEDGED)
        with pytest.raises(sr.InvalidValue, match="from 'acknowledged' to 'reported'"):
            recovery_case_factory.advance(case, sr.Stage.REPORTED)

    def test_refuses_what_is_not_a_case(self, recovery_case_factory: CaseFactory) -> None:
        with pytest.raises(sr.InvalidValue, match=r"case: expected a sr\.Case, got str"):
            recovery_case_factory.advance("case-1", sr.Stage.CLOSED)  # type: ignore[arg-type]

    def test_refuses_a_case_of_another_policy(self, recovery_case_factory: CaseFactory) -> None:
        other = CaseFactory(
            sr.Workflow(sr.presets.LAST), sr.FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
        )
        with pytest.raises(sr.PolicyMismatch):
            recovery_case_factory.advance(other(), sr.Stage.CLOSED)


class TestEntryPoint:
    def test_registered_for_pytest(self) -> None:
        """The distribution declares the plugin under pytest11."""
        plugins = {point.name: point.value for point in entry_points(group="pytest11")}
        assert "_service_recovery_pytestplugin" == plugins.get("service_recovery")

    def test_fixtures_reach_any_project(self, tmp_path: Path) -> None:
        """A project that only installs service-recovery gets the fixtures."""
        (tmp_path / "test_mine.py").write_text(
            textwrap.dedent(
                """
                import service_recovery as sr

                def test_closed(recovery_case_factory, recovery_clock):
                    case = recovery_case_factory(sr.Stage.CLOSED)
                    assert case.closed_at == recovery_clock.now()
                """
            )
        )
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert 0 == result.returncode, result.stdout + result.stderr
        assert "1 passed" in result.stdout
