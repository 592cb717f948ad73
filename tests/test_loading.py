"""Loading a history checks the contract always, and the graph's routes under its workflow."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._model._case import fold, fold_prefixes
from tests.scenarios import AGENT, later, next_step, open_case, proposal, reachable_cases, walk_to
from tests.test_judge import WORKFLOW as SUBCLASSED_WORKFLOW
from tests.test_judge import WrapUpVenting, walk

S = sr.Stage
WORKFLOW = sr.Workflow()

NOT_FOLLOWED_UP = (
    "The customer has not been followed up: check back that the fix worked and they are happy "
    "(0 of 2 unanswered attempts so far; close only after they confirm, or after every attempt "
    "went unanswered)"
)
NOT_CONFIRMED = (
    "Nobody has checked what the customer said: reflect back what you heard and have them "
    "confirm it before moving on"
)


def events_of(case: sr.Case) -> list[sr.Event]:
    return list(case.history)


def without(events: list[sr.Event], *kinds: type[sr.Command]) -> list[sr.Event]:
    """*events* with every event of *kinds* left out."""
    return [event for event in events if not isinstance(event.command, kinds)]


def snapshot(events: list[sr.Event]) -> dict[str, Any]:
    """The snapshot of the case *events* fold to, unchecked: what a forged store row holds."""
    return sr.to_dict(fold(events))


def a_day_later(case: sr.Case) -> datetime:
    """A day after the case's last event: when the next unanswered attempt may be made."""
    return case.last_at + timedelta(days=1)


def closed_unanswered() -> sr.Case:
    """A case closed after every follow-up went unanswered."""
    case = walk_to(S.RESOLVED, WORKFLOW)
    for _ in range(WORKFLOW.policy.follow_up_attempts):
        case = WORKFLOW.apply(
            case, sr.FollowUp(by=AGENT, at=a_day_later(case), outcome=sr.FollowUpOutcome.NO_ANSWER)
        )
    return WORKFLOW.apply(case, sr.Close(by=AGENT, at=later(case)))


def loaders() -> list[Any]:
    return [
        WORKFLOW.replay,
        lambda events: sr.from_dict(snapshot(events)),
        lambda events: sr.from_dict(snapshot(events), workflow=WORKFLOW),
    ]


def refusal(load: Any, events: list[sr.Event]) -> tuple[str, ...]:
    with pytest.raises((sr.InvalidHistory, sr.InvalidSnapshot)) as refused:
        load(events)
    return tuple(refused.value.problems)


class TestTheContractAlways:
    @pytest.mark.parametrize("load", loaders(), ids=["replay", "from_dict", "from_dict+workflow"])
    def test_a_closed_case_whose_follow_ups_were_deleted(self, load: Any) -> None:
        """Deleting the unanswered follow-ups of a closed case makes it one closed unheard."""
        events = without(events_of(closed_unanswered()), sr.FollowUp)
        position = len(events) - 1
        assert (
            f"history[{position}]: Close breaks the contract (followed up): {NOT_FOLLOWED_UP}",
        ) == refusal(load, events)

    @pytest.mark.parametrize("load", loaders(), ids=["replay", "from_dict", "from_dict+workflow"])
    def test_venting_finished_with_the_reflect_back_deleted(self, load: Any) -> None:
        """Venting cannot have finished when no reflected summary was confirmed."""
        events = without(events_of(walk_to(S.UNDERSTOOD, WORKFLOW)), sr.ReflectBack)
        position = len(events) - 1
        assert (
            f"history[{position}]: FinishVenting breaks the contract (summary confirmed): "
            f"{NOT_CONFIRMED}",
        ) == refusal(load, events)

    def test_histories_of_one_shape_are_each_judged_on_their_own_facts(self) -> None:
        """What is kept per shape of history is its steps, never a verdict on its facts."""
        good = events_of(walk_to(S.UNDERSTOOD, WORKFLOW))
        bad = [
            sr.Event(attrs.evolve(event.command, confirmed=False), event.stage)
            if isinstance(event.command, sr.ReflectBack)
            else event
            for event in good
        ]
        position = len(bad) - 1
        for _ in range(2):  # the second round reads the plans the first one made
            assert WORKFLOW.replay(good) == walk_to(S.UNDERSTOOD, WORKFLOW)
            assert (
                f"history[{position}]: FinishVenting breaks the contract (summary confirmed): "
                f"{NOT_CONFIRMED}",
            ) == refusal(WORKFLOW.replay, bad)

    def test_an_open_at_closed(self) -> None:
        """Without a workflow the graph is unknown, but a case opened closed is closed unheard."""
        [opened] = events_of(open_case(WORKFLOW))
        forged = [sr.Event(opened.command, S.CLOSED)]
        assert (f"history[0]: Open breaks the contract (followed up): {NOT_FOLLOWED_UP}",) == (
            refusal(lambda events: sr.from_dict(snapshot(events)), forged)
        )

    def test_every_problem_is_listed_in_order(self) -> None:
        """Two broken promises in one history are both reported, by position."""
        events = without(events_of(closed_unanswered()), sr.FollowUp, sr.ReflectBack)
        venting = next(n for n, e in enumerate(events) if isinstance(e.command, sr.FinishVenting))
        assert [
            f"history[{venting}]: FinishVenting breaks the contract (summary confirmed): "
            f"{NOT_CONFIRMED}",
            f"history[{len(events) - 1}]: Close breaks the contract (followed up): "
            f"{NOT_FOLLOWED_UP}",
        ] == list(refusal(lambda events: sr.from_dict(snapshot(events)), events))

    def test_a_subclass_is_checked_as_its_base(self) -> None:
        """Venting finished under another name is checked like FinishVenting."""
        case = walk(S.LISTENING)
        forged = [*events_of(case), sr.Event(WrapUpVenting(by=AGENT, at=later(case)), S.UNDERSTOOD)]
        [problem] = refusal(SUBCLASSED_WORKFLOW.replay, forged)
        assert problem.startswith(
            f"history[{len(forged) - 1}]: WrapUpVenting breaks the contract (summary confirmed)"
        )

    def test_a_history_of_yesterdays_rules_still_loads(self) -> None:
        """Only the minimums every policy keeps are checked: more follow-ups asked today is fine."""
        strict = sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=5))
        case = closed_unanswered()
        assert case == strict.replay(case.history)
        assert case == sr.from_dict(sr.to_dict(case), workflow=strict)


class TestRoutesUnderTheWorkflow:
    def forged(self) -> list[sr.Event]:
        """A plan of two actions; the first one's completion recorded as resolving the case."""
        case = walk_to(S.DIAGNOSED, WORKFLOW)
        case = WORKFLOW.apply(case, proposal(later(case), actions=2))
        case = WORKFLOW.apply(case, sr.AcceptSolution(by=AGENT, at=later(case)))
        done = sr.CompleteAction(by=AGENT, at=later(case), index=0)
        return [*events_of(case), sr.Event(done, S.RESOLVED)]

    def test_a_completion_recorded_as_resolving_with_an_action_open(self) -> None:
        """The route chooses resolving while an action is open: the recorded stage is refused."""
        events = self.forged()
        expected = (
            f"history[{len(events) - 1}]: CompleteAction leads from 'resolving' to 'resolving' "
            "under the default policy, not to 'resolved'",
        )
        assert expected == refusal(WORKFLOW.replay, events)
        assert expected == refusal(
            lambda events: sr.from_dict(snapshot(events), workflow=WORKFLOW), events
        )

    def test_without_a_workflow_the_routes_are_not_asked(self) -> None:
        """A snapshot loaded with no workflow has no graph to check its routes against."""
        events = self.forged()
        assert S.RESOLVED == sr.from_dict(snapshot(events)).stage


class TestWhatIsAcceptedStillLoads:
    @given(reachable_cases())
    def test_every_reachable_case_loads(self, case: sr.Case) -> None:
        """A history apply built passes every check, with and without a workflow."""
        assert case == WORKFLOW.replay(case.history)
        assert case == sr.from_dict(sr.to_dict(case))
        assert case == sr.from_dict(sr.to_dict(case), workflow=WORKFLOW)

    @pytest.mark.parametrize("policy", sr.presets.PRESETS.values(), ids=lambda p: p.name)
    def test_every_preset_path_loads(self, policy: sr.RecoveryPolicy) -> None:
        """Each preset's happy path replays under its own workflow."""
        workflow = sr.Workflow(policy)
        case = open_case(workflow)
        for _ in range(40):
            if case.stage is S.CLOSED:
                break
            try:
                case = workflow.apply(case, next_step(case))
            except sr.TransitionNotAllowed:
                break
        assert case == workflow.replay(case.history)


class TestFoldPrefixes:
    @given(reachable_cases(), st.data())
    def test_each_prefix_is_its_fold(self, case: sr.Case, data: st.DataObject) -> None:
        """The cases found in one pass are the folds of each prefix, repeated lengths too."""
        lengths = sorted(data.draw(st.lists(st.integers(1, case.version), max_size=6)))
        expected = [fold(case.history[:length]) for length in lengths]
        assert expected == list(fold_prefixes(case.history, lengths))
