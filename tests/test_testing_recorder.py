"""record_hooks: which hook points ran, in which order, with which context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import service_recovery as sr
from service_recovery.testing import HookRecorder, record_hooks

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = sr.Actor("ana", sr.Role.AGENT)


def opened(workflow: sr.Workflow) -> sr.Case:
    return workflow.open(
        customer=sr.Customer("c-1"),
        channel=sr.Channel.CHAT,
        severity=sr.Severity.MINOR,
        summary="Late parcel",
        at=T0,
        id="case-1",
    )


class TestRecordHooks:
    def test_stage_change_runs_every_point_in_order(self) -> None:
        """A command that changes the stage runs before, exit, enter, after, on_command."""
        workflow = sr.Workflow()
        case = opened(workflow)
        with record_hooks(workflow) as hooks:
            after = workflow.apply(case, sr.Acknowledge(by=AGENT, at=T0))
        expected = [
            "before Acknowledge",
            "exit reported",
            "enter acknowledged",
            "after Acknowledge",
            "on_command",
        ]
        assert expected == hooks.labels
        before_call = hooks.calls[0]
        assert (case, None, None) == (
            before_call.context.case_before,
            before_call.context.case_after,
            before_call.context.event,
        )
        for call in hooks.calls[1:]:
            assert call.context.case_after is after
            assert after.history[-1] == call.context.event

    def test_staying_put_skips_exit_and_enter(self) -> None:
        """A command that keeps the stage runs no exit or enter hooks."""
        workflow = sr.Workflow()
        case = workflow.apply(opened(workflow), sr.Acknowledge(by=AGENT, at=T0))
        case = workflow.apply(case, sr.Listen(by=AGENT, at=T0))
        with record_hooks(workflow) as hooks:
            workflow.apply(case, sr.Listen(by=AGENT, at=T0, note="And another thing"))
        assert ["before Listen", "after Listen", "on_command"] == hooks.labels

    def test_opening_has_no_case_before(self) -> None:
        """Opening runs before, enter, after and on_command, with no case before."""
        workflow = sr.Workflow()
        with record_hooks(workflow) as hooks:
            case = opened(workflow)
        assert ["before Open", "enter reported", "after Open", "on_command"] == hooks.labels
        assert all(call.context.case_before is None for call in hooks)
        assert hooks.calls[-1].context.case_after is case

    def test_refused_command_runs_no_hook(self) -> None:
        """A command the guards refuse reaches no hook at all."""
        workflow = sr.Workflow()
        case = opened(workflow)
        with record_hooks(workflow) as hooks, pytest.raises(sr.TransitionNotAllowed):
            workflow.apply(case, sr.Close(by=AGENT, at=T0))
        assert [] == hooks.labels
        assert 0 == len(hooks)

    def test_veto_attached_earlier_hides_the_before_point(self) -> None:
        """The recorder sees a point once the hooks attached before it ran: a veto stops it."""
        workflow = sr.Workflow()

        @workflow.hooks.before(sr.Acknowledge)
        def not_yet(ctx: sr.HookContext) -> None:
            raise sr.Veto("Wait for the account manager")

        case = opened(workflow)
        with record_hooks(workflow) as hooks, pytest.raises(sr.CommandVetoed):
            workflow.apply(case, sr.Acknowledge(by=AGENT, at=T0))
        assert [] == hooks.labels

    def test_records_only_inside_the_block(self) -> None:
        """Nothing is recorded after the block ends, and a recorder can be cleared."""
        workflow = sr.Workflow()
        case = opened(workflow)
        with record_hooks(workflow) as hooks:
            case = workflow.apply(case, sr.Acknowledge(by=AGENT, at=T0))
            hooks.clear()
        workflow.apply(case, sr.Listen(by=AGENT, at=T0 + timedelta(minutes=1)))
        assert [] == hooks.labels

    def test_nested_recorders_both_see_each_point_once(self) -> None:
        """Two recorders at once each see every point once; recording attaches one tap."""
        workflow = sr.Workflow()
        ran: list[str] = []
        workflow.hooks.on_command(lambda ctx: ran.append(type(ctx.command).__name__))
        case = opened(workflow)
        with record_hooks(workflow) as outer:
            with record_hooks(workflow) as inner:
                workflow.apply(case, sr.Acknowledge(by=AGENT, at=T0))
            assert outer.labels == inner.labels
        assert 5 == len(outer)
        assert ["Open", "Acknowledge"] == ran

    def test_recording_changes_nothing(self) -> None:
        """The same commands give equal cases with and without recording."""
        plain, recorded = sr.Workflow(), sr.Workflow()
        command = sr.Acknowledge(by=AGENT, at=T0)
        with record_hooks(recorded):
            assert plain.apply(opened(plain), command) == recorded.apply(opened(recorded), command)

    def test_refuses_what_is_not_a_workflow(self) -> None:
        """Recording anything but a workflow is a clear error."""
        with (
            pytest.raises(sr.InvalidValue, match=r"expected a sr\.Workflow"),
            record_hooks(
                sr.RecoveryPolicy()  # type: ignore[arg-type]
            ),
        ):
            pass  # pragma: no cover - never entered

    def test_repr_lists_the_labels(self) -> None:
        """A recorder prints as the points it saw."""
        assert "<HookRecorder []>" == repr(HookRecorder())
