"""Reopen counts, successor cases linked to the case they succeed, and the host's reference."""

from __future__ import annotations

from datetime import timedelta

import pytest

import service_recovery as sr
from service_recovery.stores import MemoryStore, SQLiteStore

from .scenarios import AGENT, CUSTOMER, T0, later, next_step, walk_to

S = sr.Stage


def reopened(workflow: sr.Workflow, times: int) -> sr.Case:
    """The example case closed and reopened *times* times (each within the window)."""
    case = walk_to(S.CLOSED, workflow)
    for _ in range(times):
        case = workflow.apply(case, next_step(case))  # the reopen
        case = walk_to(S.CLOSED, workflow, case)
    return case


class TestReopenCount:
    @pytest.mark.parametrize("times", [0, 1, 3])
    def test_counts_every_reopen(self, times: int) -> None:
        """``reopen_count`` is the number of reopens in the history, after replay too."""
        workflow = sr.Workflow()
        case = reopened(workflow, times)
        assert times == case.reopen_count
        assert times == workflow.replay(case.history).reopen_count
        assert times == sr.from_dict(sr.to_dict(case)).reopen_count

    def test_an_unhappy_follow_up_is_no_reopen(self) -> None:
        """Starting the conversation over after a follow-up is not a reopen of a closed case."""
        workflow = sr.Workflow()
        case = walk_to(S.RESOLVED, workflow)
        unhappy = sr.FollowUp(by=AGENT, at=later(case), outcome=sr.FollowUpOutcome.UNSATISFIED)
        assert 0 == workflow.apply(case, unhappy).reopen_count


class TestSuccessor:
    def test_a_late_reopen_names_the_way(self) -> None:
        """Past the window, the refusal says how to open the successor, with this case's id."""
        workflow = sr.Workflow()
        case = walk_to(S.CLOSED, workflow)
        late = sr.Reopen(by=AGENT, at=case.last_at + timedelta(days=31), reason="torn again")
        (reason,) = workflow.explain(case, late)
        assert f"Workflow.open(..., previous_case={case.id!r})" in reason.message

    def test_the_successor_links_back(self) -> None:
        """The new case keeps the id of the case it succeeds, through snapshots and replay."""
        workflow = sr.Workflow()
        old = walk_to(S.CLOSED, workflow)
        successor = workflow.open(
            customer=old.customer,
            channel=old.channel,
            severity=old.severity,
            summary="The replacement tore as well",
            at=old.last_at + timedelta(days=40),
            id="case-2",
            previous_case=old.id,
        )
        assert old.id == successor.previous_case
        assert old.previous_case is None
        assert successor == sr.from_dict(sr.to_dict(successor), workflow=workflow)
        assert successor == workflow.replay(successor.history)

    def test_a_case_cannot_succeed_itself(self) -> None:
        """``previous_case`` naming the case's own id is refused before anything is built."""
        with pytest.raises(sr.InvalidValue, match="cannot succeed itself") as caught:
            sr.Workflow().open(
                customer=CUSTOMER,
                channel=sr.Channel.EMAIL,
                severity=sr.Severity.MINOR,
                summary="x",
                at=T0,
                id="case-1",
                previous_case="case-1",
            )
        assert "previous_case" == caught.value.field


class TestReference:
    @pytest.mark.parametrize("value", ["", 42])
    def test_must_be_text(self, value: object) -> None:
        """The host's reference is a non-blank string when given."""
        with pytest.raises(sr.InvalidValue, match="reference"):
            sr.Workflow().open(
                customer=CUSTOMER,
                channel=sr.Channel.EMAIL,
                severity=sr.Severity.MINOR,
                summary="x",
                at=T0,
                reference=value,  # type: ignore[arg-type]
            )

    @pytest.mark.parametrize("make_store", [MemoryStore, lambda: SQLiteStore(":memory:")])
    def test_carried_through_the_desk_and_stores(self, make_store: object) -> None:
        """Opened through a Desk, the reference and the link come back from the store."""
        desk = sr.Desk(sr.Workflow(), make_store())  # type: ignore[operator]
        case = desk.open(
            customer=CUSTOMER,
            channel=sr.Channel.CHAT,
            severity=sr.Severity.MINOR,
            summary="Still no refund",
            at=T0,
            id="case-7",
            reference="ZD-4711",
            previous_case="case-3",
        )
        desk.apply(case.id, sr.Acknowledge(by=AGENT, at=later(case), message="On it"))
        loaded = desk.load(case.id)
        assert ("ZD-4711", "case-3") == (loaded.reference, loaded.previous_case)
        assert 2 == loaded.version

    def test_kept_by_every_later_case(self) -> None:
        """Every case grown from an opened one carries its reference on."""
        workflow = sr.Workflow()
        case = workflow.open(
            customer=CUSTOMER,
            channel=sr.Channel.EMAIL,
            severity=sr.Severity.MINOR,
            summary="x",
            at=T0,
            reference="T-1",
        )
        assert "T-1" == walk_to(S.CLOSED, workflow, case).reference
