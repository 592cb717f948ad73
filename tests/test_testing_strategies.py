"""The hypothesis strategies of service_recovery.testing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery.testing import (
    DEFAULT_TEAM,
    CaseFactory,
    actors,
    aware_datetimes,
    cases,
    commands,
    customers,
    money,
    plausible_commands,
    policies,
)

WORKFLOW = sr.Workflow()
PEOPLE = (sr.Role.AGENT, sr.Role.SUPERVISOR, sr.Role.MANAGER)


class TestValues:
    @given(aware_datetimes())
    def test_datetimes_are_aware(self, moment: object) -> None:
        """Every datetime drawn has a time zone."""
        assert sr.Acknowledge(by=DEFAULT_TEAM[0], at=moment).at.utcoffset() is not None  # type: ignore[arg-type]

    @given(actors([sr.Role.MANAGER, sr.Role.SUPERVISOR]))
    def test_actors_have_the_roles_asked_for(self, actor: sr.Actor) -> None:
        """Only the roles asked for come out."""
        assert actor.role in {sr.Role.MANAGER, sr.Role.SUPERVISOR}

    def test_actors_need_a_role(self) -> None:
        """Asking for no role at all is a clear error."""
        with pytest.raises(sr.InvalidValue, match="roles"):
            actors([])

    @given(money(["GBP"], max_amount=10))
    def test_money_within_bounds(self, amount: sr.Money) -> None:
        """Amounts are in the currency asked for, in cents, from 0 to the maximum."""
        assert "GBP" == amount.currency
        assert Decimal(0) <= amount.amount <= Decimal(10)
        assert amount.amount == amount.amount.quantize(Decimal("0.01"))

    @given(customers())
    def test_customers_survive_a_snapshot(self, customer: sr.Customer) -> None:
        """Any customer drawn is carried intact through to_dict and from_dict."""
        case = WORKFLOW.open(
            customer=customer,
            channel=sr.Channel.EMAIL,
            severity=sr.Severity.MINOR,
            summary="x",
            at=datetime(2026, 1, 5, tzinfo=UTC),
        )
        assert customer == sr.from_dict(sr.to_dict(case)).customer


class TestCommands:
    @given(commands())
    def test_any_command_is_well_formed(self, command: sr.Command) -> None:
        """Any command drawn is a command by a team member, at an aware time."""
        assert isinstance(command, sr.Command)
        assert command.by in DEFAULT_TEAM
        assert command.at.utcoffset() is not None

    @given(commands([sr.Close, sr.Reopen]))
    def test_kinds_limit_the_types(self, command: sr.Command) -> None:
        """Only the command types asked for come out."""
        assert type(command) in (sr.Close, sr.Reopen)

    @given(st.data())
    def test_refused_noise_changes_nothing(self, data: st.DataObject) -> None:
        """Random commands against a real case are accepted or refused, never corrupting it."""
        case = data.draw(cases(max_steps=15))
        command = data.draw(commands())
        try:
            after = WORKFLOW.apply(case, command)
        except (sr.TransitionNotAllowed, sr.IdempotencyConflict):
            return
        assert WORKFLOW.replay(after.history) == after

    def test_kinds_must_be_command_types(self) -> None:
        """Anything but command types is a clear error."""
        with pytest.raises(sr.InvalidValue, match="command types"):
            commands([int])  # type: ignore[list-item]


class TestPlausibleCommands:
    @given(st.data())
    def test_offered_types_at_sensible_times(self, data: st.DataObject) -> None:
        """Plausible commands are of a type the workflow offers, dated no earlier than the case."""
        case = data.draw(cases(max_steps=25))
        command = data.draw(plausible_commands(WORKFLOW, case))
        offered = WORKFLOW.allowed(case)
        assert not offered or type(command) in offered
        assert command.at >= case.last_at

    @given(st.data())
    def test_approvals_come_from_someone_else(self, data: st.DataObject) -> None:
        """An approval is never drawn from the person who escalated."""
        case = data.draw(cases(max_steps=25))
        escalation = sr.Escalate(by=DEFAULT_TEAM[0], at=case.last_at, reason="Above my limit")
        try:
            case = WORKFLOW.apply(case, escalation)
        except sr.TransitionNotAllowed:
            return
        command = data.draw(plausible_commands(WORKFLOW, case))
        if isinstance(command, sr.Approve):
            assert DEFAULT_TEAM[0].id != command.by.id

    @given(st.data())
    def test_completions_name_open_actions_mostly(self, data: st.DataObject) -> None:
        """At resolving, an action to complete is drawn from the promised ones or near them."""
        case = data.draw(cases(stage=sr.Stage.RESOLVING))
        command = data.draw(plausible_commands(WORKFLOW, case))
        if isinstance(command, sr.CompleteAction):
            assert -1 <= command.index <= max(3, *case.open_actions)

    def test_refuses_bad_arguments(self) -> None:
        """A non-workflow, a non-case or an empty team is a clear error."""
        case = WORKFLOW.open(
            customer=sr.Customer("c-1"),
            channel=sr.Channel.EMAIL,
            severity=sr.Severity.MINOR,
            summary="x",
            at=datetime(2026, 1, 5, tzinfo=UTC),
        )
        with pytest.raises(sr.InvalidValue, match="workflow"):
            plausible_commands(sr.RecoveryPolicy(), case)  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="case"):
            plausible_commands(WORKFLOW, "case-1")  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="team"):
            plausible_commands(WORKFLOW, case, team=())


class TestCases:
    @pytest.mark.parametrize("stage", list(sr.Stage), ids=lambda stage: stage.value)
    @settings(max_examples=10)
    @given(data=st.data())
    def test_every_stage_is_reachable(self, stage: sr.Stage, data: st.DataObject) -> None:
        """Cases can be drawn at any stage of the default graph."""
        assert stage is data.draw(cases(stage=stage)).stage

    @given(cases())
    def test_cases_are_real(self, case: sr.Case) -> None:
        """A drawn case is the fold of its history and survives a snapshot."""
        assert case == WORKFLOW.replay(case.history)
        assert case == sr.from_dict(sr.to_dict(case))
        assert len(case.history) == case.version

    def test_drawing_runs_no_hook(self) -> None:
        """Cases are built on a bare twin of the workflow: the host's hooks never run."""
        workflow = sr.Workflow()
        ran: list[str] = []
        workflow.hooks.on_command(lambda ctx: ran.append(ctx.point))

        @settings(max_examples=5)
        @given(cases(workflow, max_steps=10))
        def draw(case: sr.Case) -> None:
            assert case.version >= 1

        draw()
        assert [] == ran

    def test_refuses_bad_arguments(self) -> None:
        """A wrong workflow, stage or step count is a clear error."""
        with pytest.raises(sr.InvalidValue, match="workflow"):
            cases("default")  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="stage"):
            cases(stage="closed")  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="max_steps"):
            cases(max_steps=-1)


class TestPolicies:
    @given(policies())
    def test_policies_are_sane(self, policy: sr.RecoveryPolicy) -> None:
        """Follow-ups, reopen window and authority stay within bounds, authority rising."""
        assert 2 <= policy.follow_up_attempts <= 6
        assert timedelta(0) <= policy.reopen_window <= timedelta(days=90)
        limits = [policy.authority[role].amount for role in PEOPLE]
        assert limits == sorted(limits)
        assert limits[0] < limits[-1]
        assert {policy.authority[role].currency for role in sr.Role} == {
            policy.authority[sr.Role.AGENT].currency
        }

    @settings(max_examples=20)
    @given(st.data())
    def test_cases_run_under_drawn_policies(self, data: st.DataObject) -> None:
        """Cases of a drawn policy are real under a workflow of that policy."""
        policy = data.draw(policies())
        case = data.draw(cases(policy, max_steps=20))
        assert case == sr.Workflow(policy).replay(case.history)

    @given(policies(follow_up_attempts=st.just(4)))
    def test_fields_can_be_pinned(self, policy: sr.RecoveryPolicy) -> None:
        """A field given a strategy takes its values from it."""
        assert 4 == policy.follow_up_attempts

    @given(policies(sr.RecoveryPolicy(name="strict")))
    def test_base_keeps_its_other_fields(self, policy: sr.RecoveryPolicy) -> None:
        """Fields not varied come from the base policy."""
        assert "strict" == policy.name

    @given(st.data())
    def test_subclass_base_stays_a_subclass(self, data: st.DataObject) -> None:
        """A subclass given as base keeps its class and overridden rules."""

        class Weekdays(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                return ("Closed at weekends",) if command.at.weekday() >= 5 else ()

        policy = data.draw(policies(Weekdays()))
        assert isinstance(policy, Weekdays)

    def test_refuses_unknown_fields_and_bases(self) -> None:
        """A field the policy lacks, or a base that is no policy, is a clear error."""
        with pytest.raises(sr.InvalidValue, match="colour"):
            policies(colour=st.just("blue"))
        with pytest.raises(sr.InvalidValue, match="base"):
            policies("default")  # type: ignore[arg-type]


class TestDiagnoses:
    @pytest.mark.parametrize("category", sorted(sr.RecoveryPolicy().playbooks))
    def test_plausible_diagnoses_reach_each_default_playbook(self, category: str) -> None:
        """A generated diagnosis names each playbook's own category (not only ``other``)."""
        workflow = sr.Workflow()
        clock = sr.FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        case = CaseFactory(workflow, clock)(sr.Stage.APOLOGIZED)
        found = find(
            plausible_commands(workflow, case),
            lambda command: getattr(command, "category", None) == category,
            settings=settings(max_examples=2_000, database=None),
        )
        assert (
            workflow.policy.playbook_for(workflow.apply(case, found))
            is (workflow.policy.playbooks[category])
        )
