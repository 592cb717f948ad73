"""Tick: each breach is recorded once in the history and fires its hooks once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
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


def watched() -> tuple[sr.Workflow, list[tuple[str, sr.HookContext]]]:
    """A default workflow whose breach, after and any hooks note what they see."""
    workflow = sr.Workflow()
    seen: list[tuple[str, sr.HookContext]] = []
    workflow.hooks.on_breach()(lambda ctx: seen.append(("breach", ctx)))
    workflow.hooks.after(sr.RecordBreach)(lambda ctx: seen.append(("after", ctx)))
    workflow.hooks.on_command(lambda ctx: seen.append(("any", ctx)))
    return workflow, seen


class TestRecording:
    def test_records_a_breach_as_a_system_event(self) -> None:
        """A missed first response becomes a RecordBreach event by the system, dated now."""
        workflow = sr.Workflow()
        case = workflow.tick(open_case(workflow), now=T0 + 2 * HOUR)
        event = case.history[-1]
        assert isinstance(event.command, sr.RecordBreach)
        assert (sr.SYSTEM, T0 + 2 * HOUR, K.FIRST_RESPONSE, "first_response", T0 + HOUR) == (
            event.by,
            event.at,
            event.command.kind,
            event.command.ref,
            event.command.due_at,
        )
        assert (sr.Stage.REPORTED, 2) == (event.stage, case.version)
        assert frozenset({"first_response"}) == case.breaches

    def test_nothing_due_changes_nothing(self) -> None:
        """Before anything is due, tick returns the very same case."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        assert case is workflow.tick(case, now=T0 + 59 * MINUTE)
        assert case is workflow.tick(case, now=T0 + HOUR)

    def test_a_second_tick_records_nothing(self) -> None:
        """Ticking again, at any later time, adds nothing for the same breach."""
        workflow = sr.Workflow()
        once = workflow.tick(open_case(workflow), now=T0 + 2 * HOUR)
        assert once is workflow.tick(once, now=T0 + 3 * HOUR)
        assert once is workflow.tick(once, now=T0 + 30 * DAY)

    def test_several_breaches_in_due_order(self) -> None:
        """Every breach found at once is recorded, earliest due first."""
        workflow = sr.Workflow()
        case = resolving_case(workflow, at=T0, dues=(3 * DAY, DAY))
        case = workflow.tick(case, now=T0 + 4 * DAY)
        breaches = [e.command for e in case.history if isinstance(e.command, sr.RecordBreach)]
        assert [(K.PROMISE, T0 + DAY), (K.UPDATE, T0 + 2 * DAY), (K.PROMISE, T0 + 3 * DAY)] == [
            (breach.kind, breach.due_at) for breach in breaches
        ]

    def test_a_breach_met_late_is_still_recorded(self) -> None:
        """A deadline missed and met before any tick is recorded on the next tick."""
        workflow = sr.Workflow()
        case = answer(workflow, open_case(workflow), T0 + 3 * HOUR)
        case = workflow.tick(case, now=T0 + 4 * HOUR)
        assert frozenset({"first_response"}) == case.breaches

    def test_a_tick_before_the_last_event_is_dated_at_it(self) -> None:
        """A tick with a clock behind the case records at the case's last event, never before."""
        workflow = sr.Workflow()
        case = answer(workflow, open_case(workflow), T0 + 3 * HOUR)
        case = workflow.tick(case, now=T0 + 2 * HOUR)
        assert T0 + 3 * HOUR == case.history[-1].at
        assert case == workflow.replay(case.history)

    def test_the_reopen_window_never_breaches(self) -> None:
        """The end of the reopen window is not a breach."""
        workflow = sr.Workflow()
        case = closed_case(workflow)
        assert case is workflow.tick(case, now=T0 + 90 * DAY)

    def test_a_closed_case_still_records_breaches_it_had(self) -> None:
        """A breach nobody ticked while the case was open is recorded after it closed."""
        workflow = sr.Workflow()
        case = closed_case(workflow, at=T0 + 5 * HOUR, opened=T0)  # answered 4 hours late
        case = workflow.tick(case, now=T0 + 6 * HOUR)
        assert frozenset({"first_response"}) == case.breaches
        assert sr.Stage.CLOSED == case.stage

    def test_a_stopped_clock_does_not_breach(self) -> None:
        """While the case waits, its service-level clocks cannot breach."""
        workflow = sr.Workflow()
        case = resolving_case(workflow, dues=(30 * DAY,))
        case = workflow.apply(case, sr.AwaitCustomer(by=AGENT, at=T0 + HOUR, reason="Receipt"))
        assert case is workflow.tick(case, now=T0 + 20 * DAY)

    def test_snapshots_keep_the_breaches(self) -> None:
        """A recorded breach survives to_dict/from_dict and replay."""
        workflow = sr.Workflow()
        case = workflow.tick(open_case(workflow), now=T0 + 2 * HOUR)
        assert case == sr.from_dict(sr.to_dict(case))
        assert case == workflow.replay(case.history)
        assert case.breaches == sr.from_dict(sr.to_dict(case)).breaches


class TestNotByHand:
    def test_apply_refuses_a_breach(self) -> None:
        """A breach cannot be claimed through apply; explain says where breaches come from."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        claim = sr.RecordBreach(
            by=AGENT, at=T0, kind=K.FIRST_RESPONSE, ref="first_response", due_at=T0
        )
        (reason,) = workflow.explain(case, claim)
        assert "recorded by tick" == reason.guard
        with pytest.raises(sr.TransitionNotAllowed, match=r"Workflow\.tick"):
            workflow.apply(case, claim)

    def test_never_a_button(self) -> None:
        """allowed() never offers RecordBreach, at any stage."""
        workflow = sr.Workflow()
        for case in (open_case(workflow), resolving_case(workflow), closed_case(workflow)):
            assert sr.RecordBreach not in workflow.allowed(case)


class TestHooks:
    def test_hooks_fire_once_per_breach(self) -> None:
        """on_breach fires on the tick that records, never on later ticks or on replay."""
        workflow, seen = watched()
        case = workflow.tick(open_case(workflow), now=T0 + 2 * HOUR)
        workflow.tick(case, now=T0 + 3 * HOUR)
        workflow.replay(case.history)
        breaches = [(point, ctx) for point, ctx in seen if isinstance(ctx.command, sr.RecordBreach)]
        assert ["breach", "after", "any"] == [point for point, _ in breaches]
        context = breaches[0][1]
        assert ("breach", K.FIRST_RESPONSE) == (context.point, context.command.kind)  # type: ignore[attr-defined]
        assert (1, 2) == (context.case_before.version, context.case_after.version)  # type: ignore[union-attr]
        assert workflow is context.workflow
        assert context.case_after.history[-1] == context.event  # type: ignore[union-attr]

    def test_hooks_filter_by_kind(self) -> None:
        """on_breach(kind) hears only breaches of that kind."""
        workflow = sr.Workflow()
        promises: list[str] = []
        workflow.hooks.on_breach(K.PROMISE)(lambda ctx: promises.append(ctx.command.ref))
        case = resolving_case(workflow, dues=(DAY,))
        workflow.tick(workflow.tick(case, now=T0 + 4 * DAY), now=T0 + 5 * DAY)
        assert [f"promise@{case.version - 1}#0"] == promises

    def test_a_failing_hook_keeps_the_breaches(self) -> None:
        """A hook failure raises HookFailed carrying the case with every breach recorded."""
        workflow = sr.Workflow()
        calls: list[str] = []

        def flaky(ctx: sr.HookContext) -> None:
            calls.append(ctx.command.ref)  # type: ignore[attr-defined]
            raise RuntimeError("pager down")

        workflow.hooks.on_breach()(flaky)
        case = resolving_case(workflow, dues=(DAY,))
        with pytest.raises(sr.HookFailed) as failed:
            workflow.tick(case, now=T0 + 4 * DAY)
        kept = failed.value.case
        assert failed.value.accepted
        assert isinstance(kept, sr.Case)
        assert 2 == len(kept.breaches) == len(calls)
        assert kept is workflow.tick(kept, now=T0 + 5 * DAY)
        assert 2 == len(calls)

    def test_breach_hooks_need_kinds(self) -> None:
        """on_breach refuses anything but deadline kinds."""
        with pytest.raises(sr.InvalidValue, match="deadline kinds"):
            sr.Workflow().hooks.on_breach("first_response")  # type: ignore[arg-type]


class TestProperties:
    @given(st.lists(st.timedeltas(timedelta(0), timedelta(days=3)), min_size=1, max_size=6))
    def test_each_breach_recorded_and_fired_exactly_once(self, steps: list[timedelta]) -> None:
        """Whatever the ticks, every breach there is gets one event and one hook call."""
        workflow = sr.Workflow()
        fired: list[str] = []
        workflow.hooks.on_breach()(lambda ctx: fired.append(ctx.command.ref))
        case = resolving_case(workflow, dues=(DAY, 2 * DAY))
        now = T0
        for step in steps:
            now += step
            case = workflow.tick(case, now=now)
        recorded = [e.command.ref for e in case.history if isinstance(e.command, sr.RecordBreach)]
        breached = {
            d.ref
            for d in workflow.deadlines(case, now=now)
            if d.kind.breachable and d.status is sr.DeadlineStatus.BREACHED
        }
        assert sorted(fired) == sorted(recorded)
        assert len(set(recorded)) == len(recorded)
        assert breached == set(recorded) == case.breaches


class TestDispatch:
    def test_breach_contexts_are_typed(self) -> None:
        """Breach hooks see the BREACH point; after and on_command hooks their own."""
        workflow, seen = watched()
        workflow.tick(open_case(workflow), now=T0 + 2 * HOUR)
        points = [ctx.point for _, ctx in seen if isinstance(ctx.command, sr.RecordBreach)]
        assert [sr.HookPoint.BREACH, sr.HookPoint.AFTER, sr.HookPoint.ANY] == points

    def test_each_breach_runs_its_hooks_in_turn(self) -> None:
        """Two breaches: all hooks of the first, then all hooks of the second."""
        workflow, seen = watched()
        case = resolving_case(workflow, dues=(DAY,))
        seen.clear()
        workflow.tick(case, now=T0 + 4 * DAY)
        refs = [(point, ctx.command.ref) for point, ctx in seen]  # type: ignore[attr-defined]
        first, second = refs[0][1], refs[3][1]
        assert [
            ("breach", first),
            ("after", first),
            ("any", first),
            ("breach", second),
            ("after", second),
            ("any", second),
        ] == refs

    def test_a_hook_attached_during_a_tick_waits_for_the_next(self) -> None:
        """A breach hook attaching another does not run it for the other breaches of that tick."""
        workflow = sr.Workflow()
        fired: list[str] = []

        def attach(ctx: sr.HookContext) -> None:
            fired.append("first")
            workflow.hooks.on_breach()(lambda ctx: fired.append("late"))

        workflow.hooks.on_breach()(attach)
        case = resolving_case(workflow, dues=(DAY,))
        workflow.tick(case, now=T0 + 4 * DAY)
        assert ["first", "first"] == fired

    def test_an_interrupt_keeps_every_breach(self) -> None:
        """A KeyboardInterrupt from a breach hook carries the case with all breaches recorded."""
        workflow = sr.Workflow()

        @workflow.hooks.on_breach()
        def stop(ctx: sr.HookContext) -> None:
            raise KeyboardInterrupt

        case = resolving_case(workflow, dues=(DAY,))
        with pytest.raises(KeyboardInterrupt) as caught:
            workflow.tick(case, now=T0 + 4 * DAY)
        kept = caught.value.recovery_case  # type: ignore[attr-defined]
        assert 2 == len(kept.breaches)
        assert kept is workflow.tick(kept, now=T0 + 4 * DAY)

    def test_ticking_without_hooks_records_the_same(self) -> None:
        """Hooks or none, a tick records the same breaches."""
        hooked, _ = watched()
        plain = sr.Workflow()
        case = resolving_case(plain, dues=(DAY,))
        assert plain.tick(case, now=T0 + 4 * DAY) == hooked.tick(case, now=T0 + 4 * DAY)
