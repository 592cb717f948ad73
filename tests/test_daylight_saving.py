"""Times in one named zone compare as instants, even across a daylight-saving fold.

Python compares two datetimes sharing a ``tzinfo`` by wall time, so the
second 01:10 of a night when clocks go back looks *earlier* than the first
01:30. The workflow must order and measure by the instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

import service_recovery as sr
from tests.scenarios import AGENT, walk_to

DUBLIN = ZoneInfo("Europe/Dublin")
FIRST_0130 = datetime(2026, 10, 25, 1, 30, tzinfo=DUBLIN)  # +01:00, before clocks go back
SECOND_0110 = datetime(2026, 10, 25, 1, 10, fold=1, tzinfo=DUBLIN)  # +00:00, 40 minutes later


def _opened_at(at: datetime) -> tuple[sr.Workflow, sr.Case]:
    workflow = sr.Workflow()
    case = workflow.open(
        customer=sr.Customer("c-dst"),
        channel=sr.Channel.PHONE,
        severity=sr.Severity.MINOR,
        summary="Call dropped twice",
        at=at,
        id="dst-1",
    )
    return workflow, case


class TestTimeOrderAcrossFold:
    def test_later_instant_with_earlier_wall_time_is_accepted(self) -> None:
        """A command 40 minutes later is in time order though its wall clock reads earlier."""
        workflow, case = _opened_at(FIRST_0130)
        acknowledged = workflow.apply(case, sr.Acknowledge(by=AGENT, at=SECOND_0110))
        assert sr.Stage.ACKNOWLEDGED == acknowledged.stage

    def test_replay_accepts_the_same_history(self) -> None:
        """Replay orders events by instant too."""
        workflow, case = _opened_at(FIRST_0130)
        case = workflow.apply(case, sr.Acknowledge(by=AGENT, at=SECOND_0110))
        assert case == workflow.replay(case.history)

    def test_earlier_instant_is_still_refused(self) -> None:
        """A command really earlier than the last event is refused."""
        workflow, case = _opened_at(SECOND_0110)
        reasons = workflow.explain(case, sr.Acknowledge(by=AGENT, at=FIRST_0130))
        assert ["in time order"] == [reason.guard for reason in reasons]


class TestReopenWindowAcrossFold:
    def test_window_is_measured_between_instants(self) -> None:
        """A reopen 40 real minutes after closing is outside a 30-minute window."""
        workflow = sr.Workflow(sr.RecoveryPolicy(reopen_window=timedelta(minutes=30)))
        closed = attrs.evolve(walk_to(sr.Stage.CLOSED, workflow=workflow), closed_at=FIRST_0130)
        reasons = workflow.explain(closed, sr.Reopen(by=AGENT, at=SECOND_0110, reason="Broke"))
        assert ["within reopen window"] == [reason.guard for reason in reasons]
