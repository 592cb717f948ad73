"""Reschedule: a new date for an open or broken promise, the old breach kept on record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr

from .scenarios import AGENT, SUPERVISOR, later, walk_to

S = sr.Stage
DAY = timedelta(days=1)


def reschedule(case: sr.Case, index: int = 0, *, after: timedelta = 3 * DAY) -> sr.Reschedule:
    """A new date *after* the next minute, for the promise at *index*."""
    at = later(case)
    return sr.Reschedule(by=AGENT, at=at, index=index, due=at + after, reason="Ships Monday")


def broken(workflow: sr.Workflow) -> sr.Case:
    """A resolving case whose first promise broke a day ago, its breach recorded."""
    case = walk_to(S.RESOLVING, workflow)
    assert case.plan is not None
    return workflow.tick(case, now=case.plan.actions[0].due + DAY)


class TestNewDate:
    def test_the_promise_runs_to_the_new_date(self) -> None:
        """The plan's action, the deadlines and the promise's status follow the new date."""
        workflow = sr.Workflow()
        case = broken(workflow)
        now = case.last_at
        assert sr.PromiseStatus.BROKEN == sr.promises(case, now)[0].status
        command = reschedule(case)
        moved = workflow.apply(case, command)
        assert moved.plan is not None
        assert command.due == moved.plan.actions[0].due
        assert sr.PromiseStatus.OPEN == sr.promises(moved, command.at)[0].status
        (promise,) = [d for d in workflow.deadlines(moved, now=command.at) if d.action == 0]
        assert command.due == promise.due_at
        assert sr.DeadlineStatus.UPCOMING == promise.status

    def test_the_original_breach_stays_on_record(self) -> None:
        """The breach tick recorded for the old date is not erased; the new date has its own."""
        workflow = sr.Workflow()
        case = broken(workflow)
        old = {ref for ref in case.breaches if ref.startswith("promise@") and "#0" in ref}
        assert 1 == len(old)
        moved = workflow.apply(case, reschedule(case))
        assert old <= moved.breaches
        assert case.history == moved.history[:-1]  # the RecordBreach event is still there
        # Missed again: the new date's breach is recorded once, beside the first.
        again = workflow.tick(moved, now=moved.last_at + 10 * DAY)
        first = sorted(ref for ref in again.breaches if ref.startswith("promise@") and "#0" in ref)
        assert [*old, f"{next(iter(old))}/{moved.version - 1}"] == first
        assert again == workflow.tick(again, now=again.last_at + 20 * DAY)

    def test_it_owns_the_broken_promise(self) -> None:
        """The customer was told the new date: completing the action is no longer refused."""
        workflow = sr.Workflow()
        case = broken(workflow)
        complete = sr.CompleteAction(by=AGENT, at=later(case), index=0)
        assert ["broken promises owned"] == [r.guard for r in workflow.explain(case, complete)]
        moved = workflow.apply(case, reschedule(case))
        assert [] == workflow.explain(moved, sr.CompleteAction(by=AGENT, at=later(moved), index=0))

    def test_it_meets_the_update_clock(self) -> None:
        """A reschedule tells the customer where things stand, as an update does."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVING, workflow)
        moved = workflow.apply(case, reschedule(case))
        deadlines = workflow.deadlines(moved, now=later(moved))
        updates = [d for d in deadlines if d.kind is sr.DeadlineKind.UPDATE]
        assert any(d.met_at == moved.last_at for d in updates)

    def test_an_open_promise_can_move_too(self) -> None:
        """A promise not yet due may get a new date as well, earlier or later."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVING, workflow)
        moved = workflow.apply(case, reschedule(case, 1, after=timedelta(hours=2)))
        assert moved.plan is not None
        assert later(case) + timedelta(hours=2) == moved.plan.actions[1].due

    def test_replay_and_snapshot_keep_the_new_date(self) -> None:
        """The new date is a fact of the history: replay and snapshots give it back."""
        workflow = sr.Workflow()
        case = workflow.apply(broken(workflow), reschedule(broken(workflow)))
        assert case == workflow.replay(case.history)
        assert case == sr.from_dict(sr.to_dict(case), workflow=workflow)


class TestRefusals:
    def test_a_kept_promise_keeps_its_date(self) -> None:
        """A completed action cannot be rescheduled."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVING, workflow)
        case = workflow.apply(case, sr.CompleteAction(by=AGENT, at=later(case), index=0))
        (reason,) = workflow.explain(case, reschedule(case, 0))
        assert "promise open" == reason.guard
        assert "a kept promise keeps its date" in reason.message
        with pytest.raises(sr.TransitionNotAllowed) as refused:
            workflow.apply(case, reschedule(case, 0))
        assert refused.value.case is case

    @given(st.sampled_from([-1, 2, 7]))
    def test_an_index_out_of_range(self, index: int) -> None:
        """An index the plan does not have is refused, naming the plan's range."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVING, workflow)
        (reason,) = workflow.explain(case, reschedule(case, index))
        assert "promise open" == reason.guard
        assert f"no promised action #{index}: the plan has 2 action(s)" in reason.message

    @pytest.mark.parametrize("after", [timedelta(0), -DAY])
    def test_a_date_not_ahead(self, after: timedelta) -> None:
        """The new date must come after the reschedule itself."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVING, workflow)
        (reason,) = workflow.explain(case, reschedule(case, after=after))
        assert "new date ahead" == reason.guard

    @pytest.mark.parametrize("stage", [S.DIAGNOSED, S.RESOLVED])
    def test_nothing_to_reschedule_outside_resolving(self, stage: sr.Stage) -> None:
        """Before a plan is accepted, or once every action is done, there is no open promise."""
        workflow = sr.Workflow()
        case = walk_to(stage, workflow)
        guards = [reason.guard for reason in workflow.explain(case, reschedule(case))]
        assert "promise open" in guards
        assert "step available" in guards

    def test_needs_what_the_customer_is_told(self) -> None:
        """The reason is what the customer hears: it may not be blank."""
        at = later(walk_to(S.REPORTED))
        with pytest.raises(sr.InvalidValue, match="reason: must not be blank"):
            sr.Reschedule(by=SUPERVISOR, at=at, index=0, due=at + DAY, reason=" ")


class TestEveryPreset:
    @pytest.mark.parametrize("policy", list(sr.presets.PRESETS.values()), ids=lambda p: p.name)
    def test_every_preset_reschedules_while_resolving(self, policy: sr.RecoveryPolicy) -> None:
        """Each named model lets a promise get a new date while its plan is carried out."""
        assert (sr.Reschedule, S.RESOLVING, S.RESOLVING) in {
            (edge.command, edge.source, edge.dest) for edge in policy.graph.edges
        }
