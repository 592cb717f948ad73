"""Hooks: registration, the published execution order, the context, and the failure policy."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._hooks import HookPlan, plan_after, plan_before, run_sync
from tests.scenarios import AGENT, later, next_step, open_case, walk_through, walk_to

S = sr.Stage
HookFunction = Callable[[sr.HookContext], None]


class Recorder:
    """Hooks that write what ran, in order, into one shared list."""

    def __init__(self, workflow: sr.Workflow) -> None:
        self.workflow = workflow
        self.ran: list[str] = []
        self.contexts: list[sr.HookContext] = []

    def hook(
        self, name: str, *, fail: BaseException | None = None
    ) -> Callable[[sr.HookContext], None]:
        """A hook that records *name* (and its context), then raises *fail* if given."""

        def run(ctx: sr.HookContext) -> None:
            self.ran.append(name)
            self.contexts.append(ctx)
            if fail is not None:
                raise fail

        run.__qualname__ = name
        return run

    def everywhere(self) -> None:
        """Attach two hooks at every point, for any command and any stage."""
        hooks = self.workflow.hooks
        for n in (1, 2):
            hooks.before()(self.hook(f"before{n}"))
            hooks.on_exit()(self.hook(f"exit{n}"))
            hooks.on_enter()(self.hook(f"enter{n}"))
            hooks.after()(self.hook(f"after{n}"))
            hooks.on_command(self.hook(f"command{n}"))


def recorded(workflow: sr.Workflow | None = None) -> Recorder:
    """A workflow with two recording hooks at every point."""
    recorder = Recorder(workflow or sr.Workflow())
    recorder.everywhere()
    return recorder


class TestRegistration:
    def test_decorators_return_the_function(self) -> None:
        """Attaching a hook leaves the function usable as it was."""
        workflow = sr.Workflow()

        def audit(ctx: sr.HookContext) -> None:
            return None

        assert audit is workflow.hooks.before(sr.Close)(audit)
        assert audit is workflow.hooks.after()(audit)
        assert audit is workflow.hooks.on_enter(S.CLOSED)(audit)
        assert audit is workflow.hooks.on_exit(S.REPORTED)(audit)
        assert audit is workflow.hooks.on_command(audit)

    @pytest.mark.parametrize(
        ("attach", "problem"),
        [
            (lambda h: h.before("Close"), "hooks attach to command types like sr.Close"),
            (lambda h: h.after(sr.Stage.CLOSED), "hooks attach to command types like sr.Close"),
            (lambda h: h.on_enter("closed"), "hooks attach to stages like sr.Stage.CLOSED"),
            (lambda h: h.on_exit(sr.Close), "hooks attach to stages like sr.Stage.CLOSED"),
        ],
    )
    def test_filters_are_checked_when_attached(
        self, attach: Callable[[sr.Hooks], object], problem: str
    ) -> None:
        """A filter that is not a command type or a stage fails at start-up, not later."""
        with pytest.raises(sr.InvalidValue, match=problem):
            attach(sr.Workflow().hooks)

    @pytest.mark.parametrize("hook", ["send_email", None, 42])
    def test_hooks_must_be_callables(self, hook: object) -> None:
        """Names given as strings are refused: a typo would only fail when the event fires."""
        hooks = sr.Workflow().hooks
        with pytest.raises(sr.InvalidValue, match="a hook must be a callable"):
            hooks.after()(hook)  # type: ignore[type-var]
        with pytest.raises(sr.InvalidValue, match="names given as strings are not looked up"):
            hooks.on_command(hook)  # type: ignore[type-var]

    def test_hooks_are_per_workflow(self) -> None:
        """Hooks attached to one workflow do not run on another."""
        one, other = recorded(), sr.Workflow()
        open_case(other)
        assert [] == one.ran
        assert not other.hooks
        assert one.workflow.hooks

    @pytest.mark.parametrize(
        "attach",
        [
            lambda hooks: hooks.before(),
            lambda hooks: hooks.after(sr.Close),
            lambda hooks: hooks.on_enter(),
            lambda hooks: hooks.on_exit(sr.Stage.LISTENING),
            lambda hooks: hooks.on_breach(),
            lambda hooks: hooks.on_command,
        ],
        ids=["before", "after", "on_enter", "on_exit", "on_breach", "on_command"],
    )
    def test_any_attached_hook_counts(self, attach: Any) -> None:
        """Hooks are truthy once any one hook is attached, by any point, and not before."""
        hooks = sr.Workflow().hooks
        assert not hooks
        attach(hooks)(lambda ctx: None)
        assert hooks

    def test_a_refused_hook_is_not_attached(self) -> None:
        """A hook refused as not callable leaves the hooks as empty as they were."""
        hooks = sr.Workflow().hooks
        with pytest.raises(sr.InvalidValue):
            hooks.after()("send_email")  # type: ignore[type-var]
        assert not hooks

    def test_filters_select(self) -> None:
        """A filtered hook runs only for its command types or stages."""
        workflow = sr.Workflow()
        recorder = Recorder(workflow)
        workflow.hooks.after(sr.Listen)(recorder.hook("after listen"))
        workflow.hooks.before(sr.Acknowledge, sr.Listen)(recorder.hook("before ack or listen"))
        workflow.hooks.on_enter(S.LISTENING)(recorder.hook("enter listening"))
        workflow.hooks.on_exit(S.ACKNOWLEDGED)(recorder.hook("exit acknowledged"))
        walk_through(workflow, S.UNDERSTOOD)
        assert [
            "before ack or listen",
            "before ack or listen",
            "exit acknowledged",
            "enter listening",
            "after listen",
        ] == recorder.ran


class TestExecutionOrder:
    def test_order_when_the_stage_changes(self) -> None:
        """Before hooks, then exit, enter, after and on_command, each in registration order."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        recorder.ran.clear()
        recorder.workflow.apply(case, next_step(case))
        assert [
            "before1",
            "before2",
            "exit1",
            "exit2",
            "enter1",
            "enter2",
            "after1",
            "after2",
            "command1",
            "command2",
        ] == recorder.ran

    def test_no_exit_or_enter_on_a_self_loop(self) -> None:
        """A command that keeps the stage runs no exit or enter hooks."""
        recorder = recorded()
        case = walk_to(S.LISTENING, recorder.workflow)
        recorder.ran.clear()
        recorder.workflow.apply(case, sr.Listen(by=AGENT, at=later(case), note="more"))
        assert ["before1", "before2", "after1", "after2", "command1", "command2"] == recorder.ran

    def test_opening_enters_the_first_stage(self) -> None:
        """Opening runs before hooks, then enters the first stage; there is no exit."""
        recorder = recorded()
        open_case(recorder.workflow)
        assert [
            "before1",
            "before2",
            "enter1",
            "enter2",
            "after1",
            "after2",
            "command1",
            "command2",
        ] == recorder.ran

    def test_guards_run_before_hooks(self) -> None:
        """A command the guards refuse runs no hook at all."""
        recorder = recorded()
        case = walk_to(S.LISTENING, recorder.workflow)
        recorder.ran.clear()
        with pytest.raises(sr.TransitionNotAllowed):
            recorder.workflow.apply(case, sr.FinishVenting(by=AGENT, at=later(case)))
        assert [] == recorder.ran

    def test_redelivery_runs_no_hook(self) -> None:
        """An idempotent re-delivery records nothing, so no hook runs."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        ack = sr.Acknowledge(by=AGENT, at=later(case), id="m-1")
        case = recorder.workflow.apply(case, ack)
        recorder.ran.clear()
        recorder.workflow.apply(case, ack)
        assert [] == recorder.ran


class TestContext:
    def test_before_context_has_no_new_case(self) -> None:
        """Before hooks see the case and command, but no new case and no event."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        recorder.contexts.clear()
        command = next_step(case)
        recorder.workflow.apply(case, command)
        before = recorder.contexts[0]
        assert ("before", case, None, command, None, recorder.workflow) == (
            before.point,
            before.case_before,
            before.case_after,
            before.command,
            before.event,
            before.workflow,
        )

    def test_after_contexts_carry_the_new_case_and_event(self) -> None:
        """Every later point sees the old case, the new case and the recorded event."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        recorder.contexts.clear()
        new = recorder.workflow.apply(case, next_step(case))
        later_points = recorder.contexts[2:]
        assert ["exit", "exit", "enter", "enter", "after", "after", "any", "any"] == [
            ctx.point for ctx in later_points
        ]
        for ctx in later_points:
            assert (case, new, new.history[-1]) == (ctx.case_before, ctx.case_after, ctx.event)

    def test_opening_context(self) -> None:
        """When a case is opened there is no case before it."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        assert [None] * 8 == [ctx.case_before for ctx in recorder.contexts]
        assert case == recorder.contexts[-1].case_after


class TestVeto:
    def test_veto_refuses_and_changes_nothing(self) -> None:
        """A Veto becomes CommandVetoed with the host's reason; later hooks do not run."""
        workflow = sr.Workflow()
        recorder = Recorder(workflow)
        workflow.hooks.before()(recorder.hook("veto", fail=sr.Veto("Customer is in litigation")))
        recorder.everywhere()
        case = open_case(sr.Workflow())
        with pytest.raises(sr.CommandVetoed) as caught:
            workflow.apply(case, next_step(case))
        assert ["veto"] == recorder.ran
        assert [sr.Reason("host veto", "Customer is in litigation")] == list(caught.value.reasons)
        assert caught.value.case is case
        assert isinstance(caught.value, sr.TransitionNotAllowed)

    def test_veto_on_open(self) -> None:
        """A vetoed opening creates no case."""
        workflow = sr.Workflow()
        workflow.hooks.before(sr.Open)(Recorder(workflow).hook("no", fail=sr.Veto("Spam")))
        with pytest.raises(sr.CommandVetoed, match="Spam") as caught:
            open_case(workflow)
        assert caught.value.case is None

    def test_explain_does_not_consult_before_hooks(self) -> None:
        """Explain runs no host hook: a hook may have side effects."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        recorder.ran.clear()
        assert [] == recorder.workflow.explain(case, next_step(case))
        assert [] == recorder.ran


class TestFailurePolicy:
    def test_before_hook_crash_changes_nothing(self) -> None:
        """A crashing before hook raises HookFailed with the old case, not accepted."""
        workflow = sr.Workflow()
        recorder = Recorder(workflow)
        workflow.hooks.before()(recorder.hook("crash", fail=RuntimeError("mail server down")))
        recorder.everywhere()
        case = open_case(sr.Workflow())
        with pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        failure = caught.value
        assert (case, False, ["crash"]) == (failure.case, failure.accepted, recorder.ran)
        assert isinstance(failure.__cause__, RuntimeError)

    def test_before_hook_crash_on_open(self) -> None:
        """A crash before opening leaves no case."""
        workflow = sr.Workflow()
        workflow.hooks.before(sr.Open)(Recorder(workflow).hook("crash", fail=KeyError("x")))
        with pytest.raises(sr.HookFailed) as caught:
            open_case(workflow)
        assert (None, False) == (caught.value.case, caught.value.accepted)

    def test_after_hook_crash_keeps_the_event(self) -> None:
        """Every later hook still runs; HookFailed carries the new case, accepted."""
        workflow = sr.Workflow()
        recorder = Recorder(workflow)
        workflow.hooks.on_enter()(recorder.hook("enter crash", fail=ValueError("no pager")))
        workflow.hooks.after()(recorder.hook("after crash", fail=sr.Veto("too late")))
        recorder.everywhere()
        case = open_case(sr.Workflow())
        with pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        failure = caught.value
        assert failure.accepted
        assert isinstance(failure.case, sr.Case)
        assert (S.ACKNOWLEDGED, 2) == (failure.case.stage, failure.case.version)
        assert [
            "before1",
            "before2",
            "exit1",
            "exit2",
            "enter crash",
            "enter1",
            "enter2",
            "after crash",
            "after1",
            "after2",
            "command1",
            "command2",
        ] == recorder.ran
        assert [("enter crash", ValueError), ("after crash", sr.Veto)] == [
            (hook.__qualname__, type(err)) for hook, err in failure.errors
        ]
        assert isinstance(failure.__cause__, ValueError)

    def test_failure_is_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        """A failing after hook is logged on the library's logger with its traceback."""
        workflow = sr.Workflow()
        workflow.hooks.on_command(Recorder(workflow).hook("audit", fail=OSError("disk full")))
        case = open_case(sr.Workflow())
        with (
            caplog.at_level(logging.ERROR, logger="service_recovery"),
            pytest.raises(sr.HookFailed),
        ):
            workflow.apply(case, next_step(case))
        [record] = caplog.records
        assert "the event was kept" in record.getMessage()
        assert record.exc_info is not None

    def test_message_names_each_failure(self) -> None:
        """The error message names each failing hook and what it raised."""
        workflow = sr.Workflow()
        workflow.hooks.after()(Recorder(workflow).hook("notify", fail=OSError("disk full")))
        case = open_case(sr.Workflow())
        with pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        assert (
            "1 hook(s) failed (the command was accepted): notify raised OSError: disk full"
            == str(caught.value)
        )

    def test_retrying_with_the_returned_case(self) -> None:
        """The host keeps ``.case`` after an after-hook failure and carries on from it."""
        workflow = sr.Workflow()
        workflow.hooks.on_enter(S.ACKNOWLEDGED)(Recorder(workflow).hook("x", fail=OSError()))
        case = open_case(workflow)
        with pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        kept = caught.value.case
        assert isinstance(kept, sr.Case)
        assert S.LISTENING == workflow.apply(kept, next_step(kept)).stage

    def test_base_exceptions_are_not_swallowed(self) -> None:
        """KeyboardInterrupt and the like pass through untouched."""
        workflow = sr.Workflow()
        workflow.hooks.after()(Recorder(workflow).hook("stop", fail=KeyboardInterrupt()))
        case = open_case(sr.Workflow())
        with pytest.raises(KeyboardInterrupt):
            workflow.apply(case, next_step(case))

    @given(st.sampled_from(list(S)[:-1]), st.booleans())
    def test_before_failures_never_change_the_case(self, stage: sr.Stage, veto: bool) -> None:
        """Wherever a case stands, a vetoing or crashing before hook leaves it equal."""
        plain = sr.Workflow()
        case = walk_to(stage, plain)
        copy = plain.replay(case.history)
        workflow = sr.Workflow()
        fail: Exception = sr.Veto("no") if veto else RuntimeError("boom")
        workflow.hooks.before()(Recorder(workflow).hook("fail", fail=fail))
        with pytest.raises((sr.CommandVetoed, sr.HookFailed)) as caught:
            workflow.apply(case, next_step(case))
        assert copy == case
        assert getattr(caught.value, "case", None) is case


class TestHookPoints:
    def test_points_are_typed_and_read_as_strings(self) -> None:
        """Every context names its point as a HookPoint, which equals its string name."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        recorder.contexts.clear()
        recorder.workflow.apply(case, next_step(case))
        points = [ctx.point for ctx in recorder.contexts]
        assert all(isinstance(point, sr.HookPoint) for point in points)
        assert ["before", "exit", "enter", "after", "any"] == list(dict.fromkeys(points))

    def test_points_in_running_order(self) -> None:
        """The points are listed in the order a command runs them; breach is tick's own."""
        assert ["before", "exit", "enter", "after", "any", "breach"] == [
            point.value for point in sr.HookPoint
        ]

    def test_selected_takes_a_point_or_its_name(self) -> None:
        """The hooks of a point can be listed by the point or by its name."""
        hooks = sr.Workflow().hooks
        hooks.on_exit(S.LISTENING)(print)
        assert [print] == list(hooks.selected(sr.HookPoint.EXIT, S.LISTENING))
        assert [] == list(hooks.selected("exit", S.CLOSED))

    def test_hooks_show_how_many_are_attached(self) -> None:
        """The repr counts the hooks at each point."""
        hooks = sr.Workflow().hooks
        hooks.before()(print)
        hooks.on_command(print)
        assert "<Hooks before=1, exit=0, enter=0, after=0, any=1, breach=0>" == repr(hooks)

    def test_selected_refuses_an_unknown_point(self) -> None:
        """Asking the hooks of a point that does not exist names the points that do."""
        with pytest.raises(sr.InvalidValue, match="expected one of 'before'"):
            list(sr.Workflow().hooks.selected("on_close", sr.Close))


class TestDispatchPlan:
    def test_contexts_only_for_points_with_hooks(self) -> None:
        """With one on_command hook, the plan has one step and builds one context."""
        workflow = sr.Workflow()
        workflow.hooks.on_command(lambda ctx: None)
        case = open_case(workflow)
        after = sr.Workflow().apply(case, next_step(case))
        plan = plan_after(workflow.hooks.snapshot(), workflow, case, after, next_step(case))
        assert [sr.HookPoint.ANY] == [context.point for _, context in plan.steps]
        assert plan_before(workflow.hooks.snapshot(), workflow, case, next_step(case)).steps == ()

    def test_one_context_per_point(self) -> None:
        """The hooks of one point share one context; each point has its own."""
        recorder = recorded()
        case = open_case(recorder.workflow)
        recorder.contexts.clear()
        recorder.workflow.apply(case, next_step(case))
        contexts = recorder.contexts
        assert 5 == len({id(context) for context in contexts})
        assert all(contexts[n] is contexts[n + 1] for n in range(0, len(contexts), 2))

    def test_no_hook_for_the_stage_builds_no_context(self) -> None:
        """Hooks filtered to other stages and commands plan nothing."""
        workflow = sr.Workflow()
        workflow.hooks.on_enter(S.CLOSED)(lambda ctx: None)
        workflow.hooks.after(sr.Close)(lambda ctx: None)
        case = open_case(workflow)
        command = next_step(case)
        after = sr.Workflow().apply(case, command)
        assert () == plan_after(workflow.hooks.snapshot(), workflow, case, after, command).steps

    def test_open_apply_and_tick_use_the_one_runner(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Opening, applying and ticking each hand their plans to the same runner."""
        workflow = sr.Workflow()
        workflow.hooks.before()(lambda ctx: None)
        workflow.hooks.on_command(lambda ctx: None)
        workflow.hooks.on_breach()(lambda ctx: None)
        ran: list[tuple[str, str]] = []

        def runner(plan: HookPlan) -> None:
            ran.append((plan.on_failure.value, type(plan.command).__name__))
            run_sync(plan)

        monkeypatch.setattr("service_recovery._workflow.run_sync", runner)
        opened = open_case(workflow)
        workflow.apply(opened, next_step(opened))
        workflow.tick(opened, now=opened.last_at + timedelta(days=1))
        assert [
            ("refuse", "Open"),
            ("report", "Open"),
            ("refuse", "Acknowledge"),
            ("report", "Acknowledge"),
            ("report", "RecordBreach"),
        ] == ran


class TestSnapshot:
    def test_a_hook_attached_by_a_hook_waits_for_the_next_command(self) -> None:
        """A hook that attaches another each time it runs grows the hooks one per command."""
        workflow = sr.Workflow()
        ran: list[int] = []

        def spawn(ctx: sr.HookContext) -> None:
            ran.append(ctx.case_after.version if ctx.case_after else 0)
            workflow.hooks.on_command(spawn)

        workflow.hooks.on_command(spawn)
        case = open_case(workflow)
        assert [1] == ran
        workflow.apply(case, next_step(case))
        assert [1, 2, 2] == ran

    def test_a_before_hook_attaching_an_after_hook(self) -> None:
        """An after-hook attached by a before-hook does not run for that same command."""
        workflow = sr.Workflow()
        ran: list[str] = []

        @workflow.hooks.before(sr.Acknowledge)
        def attach(ctx: sr.HookContext) -> None:
            workflow.hooks.after()(lambda ctx: ran.append(type(ctx.command).__name__))

        case = open_case(workflow)
        case = workflow.apply(case, next_step(case))
        assert [] == ran
        workflow.apply(case, next_step(case))
        assert ["Listen"] == ran

    def test_a_snapshot_does_not_change(self) -> None:
        """What a dispatch runs is fixed when it starts."""
        hooks = sr.Workflow().hooks
        snapshot = hooks.snapshot()
        hooks.on_command(lambda ctx: None)
        assert ((), 1) == (snapshot.any, len(hooks.snapshot().any))


class Unprintable(Exception):
    """An exception whose message cannot be written."""

    def __str__(self) -> str:
        raise RuntimeError("no str for you")


class Nameless:
    """A callable hook without a qualified name, whose repr raises."""

    def __call__(self, ctx: sr.HookContext) -> None:
        raise OSError("pager down")

    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


class TestUnprintableFailures:
    def test_an_exception_whose_str_raises_keeps_the_event(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The accepted case reaches the host, and the message says what it could."""
        workflow = sr.Workflow()
        workflow.hooks.after()(Recorder(workflow).hook("notify", fail=Unprintable()))
        case = open_case(sr.Workflow())
        with caplog.at_level(logging.ERROR), pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        failure = caught.value
        assert isinstance(failure.case, sr.Case)
        assert (True, 2) == (failure.accepted, failure.case.version)
        assert "notify raised Unprintable: <its str() failed>" in str(failure)
        assert "notify" in repr(failure)
        assert 1 == len(caplog.records)

    def test_a_hook_whose_repr_raises_keeps_the_event(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A hook that cannot be named is named by its type."""
        workflow = sr.Workflow()
        workflow.hooks.on_enter()(Nameless())
        case = open_case(sr.Workflow())
        with caplog.at_level(logging.ERROR), pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        assert caught.value.accepted
        assert (
            "1 hook(s) failed (the command was accepted): "
            "<Nameless object (its repr failed)> raised OSError: pager down"
        ) == str(caught.value)
        assert "Nameless object" in caplog.records[0].getMessage()

    def test_a_before_hook_failure_that_cannot_be_printed(self) -> None:
        """Before the change, an unprintable failure still changes nothing and says so."""
        workflow = sr.Workflow()
        workflow.hooks.before()(Recorder(workflow).hook("check", fail=Unprintable()))
        case = open_case(sr.Workflow())
        with pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        assert (case, False) == (caught.value.case, caught.value.accepted)
        assert "(nothing changed): check raised Unprintable" in str(caught.value)


class TestVetoReasons:
    @pytest.mark.parametrize("arguments", [(), (None,)], ids=["no reason", "None"])
    def test_a_veto_without_reason_says_the_default(self, arguments: tuple[None, ...]) -> None:
        """A veto with no reason refuses with the default sentence, not a TypeError."""
        workflow = sr.Workflow()
        workflow.hooks.before()(Recorder(workflow).hook("no", fail=sr.Veto(*arguments)))
        case = open_case(sr.Workflow())
        with pytest.raises(sr.CommandVetoed) as caught:
            workflow.apply(case, next_step(case))
        assert [sr.Reason("host veto", sr.Veto.DEFAULT_REASON)] == list(caught.value.reasons)
        assert sr.Veto.DEFAULT_REASON == str(caught.value)

    def test_a_reason_changed_to_none_after_raising(self) -> None:
        """A reason the host replaced with something that is not text is not trusted."""
        veto = sr.Veto("Not now")
        veto.reason = None  # type: ignore[assignment]
        workflow = sr.Workflow()
        workflow.hooks.before()(Recorder(workflow).hook("no", fail=veto))
        case = open_case(sr.Workflow())
        with pytest.raises(sr.CommandVetoed, match=sr.Veto.DEFAULT_REASON):
            workflow.apply(case, next_step(case))

    def test_a_reason_that_is_not_text_is_refused_when_raised(self) -> None:
        """Veto(42) is a bug in the hook: it fails as a hook failure naming the problem."""
        with pytest.raises(sr.InvalidValue, match="a Veto's reason is a sentence") as caught:
            sr.Veto(42)  # type: ignore[arg-type]
        assert "reason" == caught.value.field
        workflow = sr.Workflow()

        @workflow.hooks.before()
        def careless(ctx: sr.HookContext) -> None:
            raise sr.Veto(42)  # type: ignore[arg-type]

        case = open_case(sr.Workflow())
        with pytest.raises(sr.HookFailed) as failed:
            workflow.apply(case, next_step(case))
        assert (False, sr.InvalidValue) == (failed.value.accepted, type(failed.value.errors[0][1]))


class TestInterrupts:
    @pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
    def test_an_interrupt_after_the_change_carries_the_new_case(
        self, stop: type[BaseException]
    ) -> None:
        """It propagates, with the new case attached and a note; later hooks do not run."""
        workflow = sr.Workflow()
        recorder = Recorder(workflow)
        workflow.hooks.on_enter()(recorder.hook("enter"))
        workflow.hooks.after()(recorder.hook("stop", fail=stop()))
        workflow.hooks.on_command(recorder.hook("audit"))
        case = open_case(sr.Workflow())
        with pytest.raises(stop) as caught:
            workflow.apply(case, next_step(case))
        kept = caught.value.recovery_case  # type: ignore[attr-defined]
        assert (S.ACKNOWLEDGED, 2) == (kept.stage, kept.version)
        assert kept.history[:1] == case.history
        assert ["enter", "stop"] == recorder.ran
        [note] = caught.value.__notes__
        assert "Acknowledge was accepted" in note
        assert "The remaining hooks did not run" in note

    def test_an_interrupt_when_opening_carries_the_case(self) -> None:
        """Interrupted after opening, the opened case rides on the exception."""
        workflow = sr.Workflow()
        workflow.hooks.on_enter()(Recorder(workflow).hook("stop", fail=SystemExit(3)))
        with pytest.raises(SystemExit) as caught:
            open_case(workflow)
        assert 1 == caught.value.recovery_case.version  # type: ignore[attr-defined]

    def test_an_interrupt_before_the_change_changes_nothing(self) -> None:
        """Raised by a before-hook, it propagates untouched: no case to keep but the old one."""
        workflow = sr.Workflow()
        recorder = Recorder(workflow)
        workflow.hooks.before()(recorder.hook("stop", fail=KeyboardInterrupt()))
        workflow.hooks.on_command(recorder.hook("audit"))
        case = open_case(sr.Workflow())
        with pytest.raises(KeyboardInterrupt) as caught:
            workflow.apply(case, next_step(case))
        assert not hasattr(caught.value, "recovery_case")
        assert ["stop"] == recorder.ran


async def _async_hook(ctx: sr.HookContext) -> None:
    return None


def notify_crm(ctx: sr.HookContext) -> None:
    return None


async def _async_generator_hook(ctx: sr.HookContext) -> AsyncIterator[None]:
    yield None


class _AsyncCallable:
    async def __call__(self, ctx: sr.HookContext) -> None:
        return None


class _WithAsyncMethod:
    async def notify(self, ctx: sr.HookContext) -> None:
        return None


ASYNC_HOOKS = {
    "async def": _async_hook,
    "async generator": _async_generator_hook,
    "partial of async def": functools.partial(_async_hook),
    "async __call__": _AsyncCallable(),
    "bound async method": _WithAsyncMethod().notify,
    "partial of an async callable": functools.partial(_AsyncCallable()),
}


class _Notifier:
    """A sync hook given as a class: calling it builds a notifier."""

    def __init__(self, ctx: sr.HookContext) -> None:
        self.ctx = ctx


SYNC_HOOKS = {
    "function": notify_crm,
    "partial": functools.partial(notify_crm),
    "class": _Notifier,
    "builtin": print,
    "sync callable": Recorder(sr.Workflow()).hook("sync"),
}

ATTACH = {
    "before": lambda hooks: hooks.before(),
    "after": lambda hooks: hooks.after(sr.Close),
    "on_enter": lambda hooks: hooks.on_enter(),
    "on_exit": lambda hooks: hooks.on_exit(),
    "on_breach": lambda hooks: hooks.on_breach(),
    "on_command": lambda hooks: hooks.on_command,
}


class TestAsyncHooks:
    @pytest.mark.parametrize("hook", ASYNC_HOOKS.values(), ids=ASYNC_HOOKS.keys())
    @pytest.mark.parametrize("attach", ATTACH.values(), ids=ATTACH.keys())
    def test_async_hooks_are_refused_when_attached(self, attach: Any, hook: object) -> None:
        """An async hook would never be awaited: it is refused, and nothing is attached."""
        hooks = sr.Workflow().hooks
        with pytest.raises(sr.InvalidValue, match="async hooks are not supported") as caught:
            attach(hooks)(hook)
        assert "hook" == caught.value.field
        assert not hooks

    @pytest.mark.parametrize("hook", SYNC_HOOKS.values(), ids=SYNC_HOOKS.keys())
    def test_sync_hooks_are_attached(self, hook: Any) -> None:
        """Functions, partials, classes, builtins and callable objects are sync hooks."""
        hooks = sr.Workflow().hooks
        assert hook is hooks.on_command(hook)
        assert [hook] == list(hooks.selected("any", None))

    def test_a_sync_wrapper_of_an_async_function_is_a_sync_hook(self) -> None:
        """A plain function is sync even when it wraps a coroutine function (it may run it)."""

        @functools.wraps(_async_hook)
        def run_it(ctx: sr.HookContext) -> None:
            return None

        hooks = sr.Workflow().hooks
        assert run_it is hooks.after()(run_it)

    def test_a_hook_returning_a_coroutine_fails_after_the_change(self) -> None:
        """Returned awaitables are never awaited: reported as a failure, the event kept."""
        workflow = sr.Workflow()
        workflow.hooks.on_command(lambda ctx: _async_hook(ctx))  # noqa: PLW0108 - sync hook
        case = open_case(sr.Workflow())
        with pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        [(_, error)] = caught.value.errors
        assert caught.value.accepted
        assert isinstance(error, sr.InvalidValue)
        assert "returned an awaitable" in str(error)

    def test_a_before_hook_returning_a_coroutine_changes_nothing(self) -> None:
        """Before the change, a returned awaitable aborts the command like any failure."""
        workflow = sr.Workflow()
        workflow.hooks.before()(lambda ctx: _async_hook(ctx))  # noqa: PLW0108 - sync hook
        case = open_case(sr.Workflow())
        with pytest.raises(sr.HookFailed) as caught:
            workflow.apply(case, next_step(case))
        assert (case, False) == (caught.value.case, caught.value.accepted)


class TestRemoval:
    def test_a_removed_hook_no_longer_runs(self) -> None:
        """remove detaches a hook from every point it was attached at."""
        recorder = Recorder(sr.Workflow())
        hooks = recorder.workflow.hooks
        audit = recorder.hook("audit")
        email = recorder.hook("email")
        hooks.after()(audit)
        hooks.on_command(audit)
        hooks.after()(email)
        hooks.remove(audit)
        open_case(recorder.workflow)
        assert ["email"] == recorder.ran

    def test_removing_the_last_hook_leaves_none(self) -> None:
        """A workflow whose every hook was removed has no hook, as before any was attached."""
        hooks = sr.Workflow().hooks
        hook = hooks.on_enter(S.CLOSED)(lambda ctx: None)
        hooks.remove(hook)
        assert (False, sr.Workflow().hooks.snapshot()) == (bool(hooks), hooks.snapshot())

    def test_a_hook_not_attached_is_refused(self) -> None:
        """Removing what is not attached is a mistake, reported; nothing changes."""
        hooks = sr.Workflow().hooks
        kept = hooks.on_command(lambda ctx: None)
        before = hooks.snapshot()
        with pytest.raises(sr.InvalidValue, match="is not attached to this workflow") as refused:
            hooks.remove(lambda ctx: None)
        assert "hook" == refused.value.field
        assert before == hooks.snapshot()
        assert (kept,) == hooks.snapshot().any

    def test_a_bound_method_is_removed_by_an_equal_one(self) -> None:
        """A bound method read again is a new object, but it is the same hook."""

        class Mailer:
            def send(self, ctx: sr.HookContext) -> None:
                """Do nothing."""

        mailer = Mailer()
        hooks = sr.Workflow().hooks
        hooks.before()(mailer.send)
        hooks.remove(mailer.send)
        assert not hooks

    def test_removal_during_a_dispatch_takes_effect_from_the_next_command(self) -> None:
        """A hook removed by a hook still runs in the dispatch that removed it, then never."""
        workflow = sr.Workflow()
        ran: list[str] = []

        def audit(ctx: sr.HookContext) -> None:
            ran.append(f"audit {ctx.command.title}")

        @workflow.hooks.before(sr.Acknowledge)
        def once(ctx: sr.HookContext) -> None:
            workflow.hooks.remove(audit)

        workflow.hooks.after()(audit)
        case = open_case(workflow)
        case = workflow.apply(case, next_step(case))
        workflow.apply(case, next_step(case))
        assert ["audit Open the case", "audit Acknowledge"] == ran

    def test_a_hook_whose_equality_fails_is_still_removed(self) -> None:
        """A callable whose == raises is compared by identity; removing another one still works."""

        class Touchy:
            def __call__(self, ctx: sr.HookContext) -> None:
                """Do nothing."""

            def __eq__(self, other: object) -> bool:
                raise RuntimeError("no comparing")

            __hash__ = object.__hash__

        hooks = sr.Workflow().hooks
        touchy = hooks.on_command(Touchy())
        other = hooks.on_command(lambda ctx: None)
        hooks.remove(other)
        hooks.remove(touchy)
        assert not hooks
