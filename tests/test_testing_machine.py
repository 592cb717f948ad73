"""WorkflowStateMachine passes sound workflows and finds each deliberately broken one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

import service_recovery as sr
from service_recovery._rulebook._rules import CompensationRung
from service_recovery.testing import BrokenPromise, WorkflowStateMachine

# Hunting for a planted bug: no shrinking (the first failure is proof enough), no
# example database (each run starts fresh), and enough examples that a miss would
# take astronomically bad luck (the rarest bug here shows in about a third of runs).
HUNT = settings(
    max_examples=300,
    stateful_step_count=50,
    deadline=None,
    database=None,
    derandomize=True,  # the same hunt on every run: a found bug is found every time
    phases=[Phase.generate],
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),
)


def hunt(machine: type[WorkflowStateMachine]) -> BaseException:
    """Run *machine* until it fails; return what it raised."""
    with pytest.raises(AssertionError) as failure:
        run_state_machine_as_test(machine, settings=HUNT)
    return failure.value


class TestSoundWorkflows:
    def test_default_workflow_keeps_every_promise(self) -> None:
        """The base, unchanged, passes on the default workflow."""
        run_state_machine_as_test(
            WorkflowStateMachine, settings=settings(HUNT, max_examples=40, phases=list(Phase))
        )

    def test_custom_policy_and_harmless_hooks_pass(self) -> None:
        """A tuned policy with hooks that only record what happened passes, with a custom rule."""

        class Sound(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                self.sent: list[str] = []
                workflow = sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=2))

                @workflow.hooks.on_enter(sr.Stage.CLOSED)
                def send_survey(ctx: sr.HookContext) -> None:
                    assert ctx.case_after is not None
                    self.sent.append(ctx.case_after.id)

                return workflow

            @invariant()
            def surveys_follow_closes(self) -> None:
                # Entering closed, not every event there (a breach recorded late stays there).
                closes = sum(1 for event in self.case.history if event.kind == "Close")
                assert closes == len(self.sent)

        run_state_machine_as_test(Sound, settings=settings(HUNT, max_examples=40))


class TestBrokenHooks:
    def test_hook_that_mutates_the_new_case(self) -> None:
        """A hook writing a fact into the new case is caught: it is no longer its history."""

        class MarksFollowedUp(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.on_enter(sr.Stage.RESOLVED)
                def save_a_call(ctx: sr.HookContext) -> None:
                    object.__setattr__(ctx.case_after, "followed_up", True)

                return workflow

        failure = hunt(MarksFollowedUp)
        assert isinstance(failure, BrokenPromise)
        assert "round trip" == failure.promise
        assert "followed_up" in failure.detail

    def test_hook_that_mutates_the_case_it_was_given(self) -> None:
        """A before-hook bumping the severity of the case in hand is caught at once."""

        class BumpsSeverity(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.before(sr.Escalate)
                def treat_as_critical(ctx: sr.HookContext) -> None:
                    object.__setattr__(ctx.case_before, "severity", sr.Severity.CRITICAL)

                return workflow

        failure = hunt(BumpsSeverity)
        assert isinstance(failure, BrokenPromise)
        assert "hooks leave cases alone" == failure.promise
        assert "severity" in failure.detail

    def test_hook_that_replaces_the_case_in_the_context(self) -> None:
        """A hook handing later hooks a replaced case is caught."""

        class Normalises(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.after(sr.Apologize)
                def tidy_summary(ctx: sr.HookContext) -> None:
                    assert ctx.case_after is not None
                    tidy = attrs.evolve(ctx.case_after, summary=ctx.case_after.summary.upper())
                    object.__setattr__(ctx, "case_after", tidy)

                return workflow

        failure = hunt(Normalises)
        assert isinstance(failure, BrokenPromise)
        assert "hook context" == failure.promise
        assert "after Apologize" in failure.detail

    def test_hook_that_replaces_the_history(self) -> None:
        """A hook that drops events from the new case's history is caught."""

        class Redacts(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.on_command
                def keep_it_short(ctx: sr.HookContext) -> None:
                    case = ctx.case_after
                    assert case is not None
                    if len(case.history) > 3:
                        object.__setattr__(case, "history", case.history[:1] + case.history[-2:])

                return workflow

        failure = hunt(Redacts)
        assert isinstance(failure, BrokenPromise)
        assert "history" == failure.promise
        assert "earlier events changed" in failure.detail

    def test_hook_that_vetoes_everything_silently(self) -> None:
        """A before-hook refusing every command without a word is caught on the first one."""

        class Frozen(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.before()
                def change_freeze(ctx: sr.HookContext) -> None:
                    if ctx.case_before is not None:
                        raise sr.Veto("")

                return workflow

        failure = hunt(Frozen)
        assert isinstance(failure, BrokenPromise)
        assert "explain matches apply" == failure.promise
        assert "without saying why" in failure.detail

    def test_intended_veto_still_needs_a_reason(self) -> None:
        """Declaring vetoes intended does not excuse one that gives no reason."""

        class FrozenOnPurpose(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.before(sr.Close)
                def no_closing(ctx: sr.HookContext) -> None:
                    raise sr.Veto("   ")

                return workflow

            def expected_veto(
                self, case: sr.Case | None, command: sr.Command, vetoed: sr.CommandVetoed
            ) -> bool:
                return True

        failure = hunt(FrozenOnPurpose)
        assert isinstance(failure, BrokenPromise)
        assert "explain matches apply" == failure.promise
        assert 'raise sr.Veto("what to do instead")' in failure.detail

    def test_veto_that_changes_the_case_first(self) -> None:
        """A hook that marks the case, then vetoes, is caught: a refusal changes nothing."""

        class MarksThenVetoes(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.before(sr.Escalate)
                def only_managers_escalate(ctx: sr.HookContext) -> None:
                    object.__setattr__(ctx.case_before, "summary", "ESCALATION REFUSED")
                    raise sr.Veto("Ask your manager to escalate")

                return workflow

            def expected_veto(
                self, case: sr.Case | None, command: sr.Command, vetoed: sr.CommandVetoed
            ) -> bool:
                return isinstance(command, sr.Escalate)

        failure = hunt(MarksThenVetoes)
        assert isinstance(failure, BrokenPromise)
        assert "refusal changes nothing" == failure.promise
        assert "summary" in failure.detail

    def test_intended_veto_with_a_reason_passes(self) -> None:
        """A veto the subclass declares intended, with a reason, is not a finding."""

        class ClosesOnWeekdays(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.before(sr.Close)
                def not_on_sunday(ctx: sr.HookContext) -> None:
                    if ctx.command.at.weekday() == 6:
                        raise sr.Veto("We close cases on weekdays, when the team can call back")

                return workflow

            def expected_veto(
                self, case: sr.Case | None, command: sr.Command, vetoed: sr.CommandVetoed
            ) -> bool:
                return isinstance(command, sr.Close)

        run_state_machine_as_test(ClosesOnWeekdays, settings=settings(HUNT, max_examples=40))

    def test_hook_that_fails(self) -> None:
        """A hook that raises is reported with the error it raised."""

        class Flaky(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.on_enter(sr.Stage.UNDERSTOOD)
                def call_the_crm(ctx: sr.HookContext) -> None:
                    raise ConnectionError("CRM is down")

                return workflow

        failure = hunt(Flaky)
        assert isinstance(failure, BrokenPromise)
        assert "hooks do not fail" == failure.promise
        assert "CRM is down" in failure.detail


class TestTime:
    def test_a_tick_that_looks_ahead(self) -> None:
        """A tick that records breaches not yet due (a clock read in the wrong zone) is caught."""

        class Hasty(sr.Workflow):
            def tick(self, case: sr.Case, now: datetime | None = None) -> sr.Case:
                assert now is not None
                return super().tick(case, now=now + timedelta(days=30))

        class HastyMachine(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                return Hasty()

        failure = hunt(HastyMachine)
        assert isinstance(failure, BrokenPromise)
        assert "time" == failure.promise
        assert "not breached by then" in failure.detail

    def test_promises_are_rescheduled_as_time_passes(self) -> None:
        """Time passing breaks promises, and the machine's sessions give them new dates."""
        rescheduled: list[sr.Case] = []

        class Watching(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.on_command
                def seen(ctx: sr.HookContext) -> None:
                    before = ctx.case_before
                    late = before is not None and any(
                        ref.startswith("promise@") for ref in before.breaches
                    )
                    if isinstance(ctx.command, sr.Reschedule) and late:
                        assert before is not None
                        rescheduled.append(before)

                return workflow

        run_state_machine_as_test(Watching, settings=HUNT)
        assert rescheduled


class TestBrokenPolicies:
    def test_ladder_that_breaks_the_policys_own_rule(self) -> None:
        """A subclass whose ladder offers more than its own rule allows is caught."""

        class Thrifty(sr.RecoveryPolicy):
            """Never more than 50 EUR on a moderate complaint, says its own rule..."""

            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                offer = getattr(command, "compensation", None)
                moderate = case.severity is sr.Severity.MODERATE
                if moderate and offer is not None and offer.amount.amount > Decimal(50):
                    yield "Moderate complaints get at most 50 EUR of goodwill"

        generous = CompensationRung((sr.CompensationKind.CREDIT,), sr.Money(80, "EUR"))
        ladder = {**sr.RecoveryPolicy().compensation, sr.Severity.MODERATE: generous}

        class ThriftyMachine(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                return sr.Workflow(Thrifty(name="thrifty", compensation=ladder))

        failure = hunt(ThriftyMachine)
        assert isinstance(failure, BrokenPromise)
        assert "ladder fits the policy" == failure.promise
        assert "80 EUR" in failure.detail
        assert "at most 50 EUR" in failure.detail

    def test_consistent_subclass_passes(self) -> None:
        """The same rule with a ladder that respects it passes."""

        class Thrifty(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                offer = getattr(command, "compensation", None)
                if offer is not None and offer.amount.amount > Decimal(500):
                    yield "Goodwill above 500 EUR goes through the claims process"

        class ThriftyMachine(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                return sr.Workflow(Thrifty(name="thrifty"))

        run_state_machine_as_test(ThriftyMachine, settings=settings(HUNT, max_examples=40))


class TestCustomInvariants:
    def test_invariant_broken_only_after_a_reopen(self) -> None:
        """An integrator's archive that forgets reopened cases is caught, after a reopen."""

        class Archiving(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                self.archive: set[str] = set()
                workflow = sr.Workflow()

                @workflow.hooks.on_enter(sr.Stage.CLOSED)
                def archive(ctx: sr.HookContext) -> None:
                    assert ctx.case_after is not None
                    self.archive.add(ctx.case_after.id)

                return workflow

            @invariant()
            def archived_cases_are_closed(self) -> None:
                kinds = [event.kind for event in self.case.history]
                assert self.case.id not in self.archive or self.case.stage is sr.Stage.CLOSED, (
                    f"archived but {self.case.stage.value} after {kinds}"
                )

        failure = hunt(Archiving)
        assert not isinstance(failure, BrokenPromise)
        assert "Reopen" in str(failure)

    def test_custom_rule_drives_the_case(self) -> None:
        """A subclass rule can apply its own commands through attempt(), every check included."""

        class ClosesEarly(WorkflowStateMachine):
            @rule()
            def try_to_close(self) -> None:
                before = self.case
                manager = sr.Actor("manager-1", sr.Role.MANAGER)
                accepted = self.attempt(sr.Close(by=manager, at=before.last_at))
                assert accepted == (self.case is not before)
                assert not accepted or self.case.stage is sr.Stage.CLOSED

        run_state_machine_as_test(ClosesEarly, settings=settings(HUNT, max_examples=20))


class TestBrokenWorkflowWrappers:
    """Hosts wrap the workflow (caching, logging, hiding buttons); wrappers can break it too."""

    def test_explain_cached_by_stage(self) -> None:
        """An explain cached per stage and command type disagrees with apply, and is caught."""

        class CachingWorkflow(sr.Workflow):
            def __init__(self) -> None:
                super().__init__()
                self.cache: dict[tuple[sr.Stage, type], list[sr.Reason]] = {}

            def explain(
                self, case: sr.Case, command: sr.Command | type[sr.Command]
            ) -> list[sr.Reason]:
                key = (case.stage, type(command))
                if key not in self.cache:
                    self.cache[key] = super().explain(case, command)
                return self.cache[key]

        class Cached(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                return CachingWorkflow()

        failure = hunt(Cached)
        assert isinstance(failure, BrokenPromise)
        assert "explain matches apply" == failure.promise

    def test_apply_that_drops_updates(self) -> None:
        """An apply that hands back the old case for updates loses events, and is caught."""

        class QuietWorkflow(sr.Workflow):
            def apply(self, case: sr.Case, command: sr.Command) -> sr.Case:
                after = super().apply(case, command)
                return case if isinstance(command, sr.SendUpdate) else after

        class Quiet(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                return QuietWorkflow()

        failure = hunt(Quiet)
        assert isinstance(failure, BrokenPromise)
        assert "history" == failure.promise
        assert "apply returned the very case it was given" in failure.detail

    def test_allowed_that_hides_a_step(self) -> None:
        """An allowed() hiding Escalate from the screen, while apply accepts it, is caught."""

        class NoEscalateButton(sr.Workflow):
            def allowed(self, case: sr.Case) -> tuple[type[sr.Command], ...]:
                return tuple(kind for kind in super().allowed(case) if kind is not sr.Escalate)

        class Hidden(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                return NoEscalateButton()

        failure = hunt(Hidden)
        assert isinstance(failure, BrokenPromise)
        assert "explain matches apply" == failure.promise
        assert "allowed() did not offer" in failure.detail


class TestBrokenOpening:
    def test_veto_of_every_opening(self) -> None:
        """A before-hook that vetoes opening a case is caught before any step."""

        class NoNewCases(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.before(sr.Open)
                def maintenance(ctx: sr.HookContext) -> None:
                    raise sr.Veto("Down for maintenance")

                return workflow

        failure = hunt(NoNewCases)
        assert isinstance(failure, BrokenPromise)
        assert "explain matches apply" == failure.promise
        assert "Down for maintenance" in failure.detail

    def test_hook_failing_on_opening(self) -> None:
        """A hook that raises when a case opens is reported."""

        class Broken(WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                workflow = sr.Workflow()

                @workflow.hooks.on_enter(sr.Stage.REPORTED)
                def notify(ctx: sr.HookContext) -> None:
                    raise TimeoutError("mail server")

                return workflow

        failure = hunt(Broken)
        assert isinstance(failure, BrokenPromise)
        assert "hooks do not fail" == failure.promise
        assert "mail server" in failure.detail


class TestMisuse:
    def test_make_workflow_must_return_a_workflow(self) -> None:
        """A subclass returning something else gets a clear error naming it."""

        class Wrong(WorkflowStateMachine):
            def make_workflow(self) -> Any:
                return sr.RecoveryPolicy()

        with pytest.raises(sr.InvalidValue, match=r"make_workflow\(\) must return a sr\.Workflow"):
            Wrong()
