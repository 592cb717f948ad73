"""Events: the accepted commands a case's history is made of."""

from __future__ import annotations

import pytest

import service_recovery as sr
from service_recovery._model._events import new_event
from service_recovery._model._slots import plain_slots
from tests.scenarios import later, walk_to


class TestNewEvent:
    def test_event_is_plain(self) -> None:
        """Event stores its fields as given, so new_event may skip its __init__."""
        assert [] == plain_slots(sr.Event)

    @pytest.mark.parametrize("stage", list(sr.Stage))
    def test_new_event_is_the_event(self, stage: sr.Stage) -> None:
        """new_event makes the very value Event(command, stage) makes."""
        case = walk_to(sr.Stage.RESOLVING)
        command = sr.SendUpdate(by=case.history[-1].by, at=later(case), message="On its way")
        made = new_event(command, stage)
        assert (sr.Event, sr.Event(command, stage), command, stage) == (
            type(made),
            made,
            made.command,
            made.stage,
        )
