"""What the Desk relies on from the core: policy identity, clock skew, re-sent commands."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import service_recovery as sr
from service_recovery._io._snapshot import upgrade_snapshot
from service_recovery._model._commands import same_command

from .scenarios import AGENT, T0, later, next_step, open_case, walk_to


def _opening(case: sr.Case) -> sr.Open:
    command = case.history[0].command
    assert isinstance(command, sr.Open)
    return command


# -- policy identity ---------------------------------------------------------------


def test_a_case_records_the_identity_of_its_policy() -> None:
    workflow = sr.Workflow(sr.presets.HEARD)
    case = open_case(workflow)
    assert _opening(case).policy == workflow.policy_identity
    assert workflow.policy_identity.startswith("heard@")


def test_equal_policies_share_an_identity_and_a_changed_rule_changes_it() -> None:
    assert sr.Workflow().policy_identity == sr.Workflow(sr.RecoveryPolicy()).policy_identity
    patient = sr.RecoveryPolicy(follow_up_attempts=5)
    assert sr.Workflow(patient).policy_identity != sr.Workflow().policy_identity


def test_a_subclass_with_the_same_rules_has_its_own_identity() -> None:
    class VipPolicy(sr.RecoveryPolicy):
        def first_response_target(self, case: sr.Case) -> timedelta:
            return timedelta(minutes=15)

    assert sr.Workflow(VipPolicy()).policy_identity != sr.Workflow().policy_identity


def test_a_case_of_another_policy_is_refused_and_explained() -> None:
    case = open_case(sr.Workflow())
    heard = sr.Workflow(sr.presets.HEARD)
    command = sr.Acknowledge(by=AGENT, at=later(case))
    with pytest.raises(sr.PolicyMismatch) as caught:
        heard.apply(case, command)
    assert caught.value.recorded == sr.Workflow().policy_identity
    assert caught.value.workflow == heard.policy_identity
    assert isinstance(caught.value, sr.RecoveryError)
    [reason] = heard.explain(case, command)
    assert reason.guard == "same policy"
    assert "heard@" in reason.message


def test_a_history_of_another_policy_still_replays_as_facts() -> None:
    case = walk_to(sr.Stage.CLOSED)
    assert sr.Workflow(sr.presets.HEARD).replay(case.history) == case
    assert sr.from_dict(sr.to_dict(case), workflow=sr.Workflow(sr.presets.HEARD)) == case


def test_a_case_without_a_recorded_identity_runs_under_any_policy() -> None:
    old = open_case()
    opening = attrs.evolve(_opening(old), policy=None)
    unrecorded = sr.Workflow().replay((sr.Event(opening, old.stage),))
    patient = sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=5))
    assert patient.apply(unrecorded, next_step(unrecorded)).version == 2


def test_a_blank_identity_is_refused() -> None:
    with pytest.raises(sr.InvalidValue, match="policy"):
        attrs.evolve(_opening(open_case()), policy="")


# -- snapshots -----------------------------------------------------------------------


def test_snapshots_carry_the_identity() -> None:
    case = walk_to(sr.Stage.LISTENING)
    data = sr.to_dict(case)
    assert data["schema_version"] == sr.SCHEMA_VERSION == 3
    assert data["history"][0]["policy"] == sr.Workflow().policy_identity
    assert sr.from_dict(data) == case


def _version_1(case: sr.Case) -> dict[str, Any]:
    """*case* as release 0.1 wrote it: version 1, no policy in the opening event."""
    data = sr.to_dict(case)
    data["schema_version"] = 1
    for key in ("policy", "reference", "previous_case"):
        del data["history"][0][key]
    return data


def test_a_version_1_snapshot_is_upgraded_on_load() -> None:
    case = walk_to(sr.Stage.RESOLVING)
    loaded = sr.from_dict(_version_1(case))
    assert _opening(loaded).policy is None
    assert loaded.history[1:] == case.history[1:]
    assert sr.to_dict(loaded)["schema_version"] == 3
    patient = sr.Workflow(sr.RecoveryPolicy(follow_up_attempts=5))
    assert patient.apply(loaded, next_step(loaded)).version > loaded.version


def test_a_version_1_snapshot_is_still_checked() -> None:
    data = _version_1(walk_to(sr.Stage.LISTENING))
    data["history"][1]["type"] = "Shout"
    with pytest.raises(sr.InvalidSnapshot, match="unknown command 'Shout'"):
        sr.from_dict(data)


def test_an_unknown_snapshot_version_is_refused() -> None:
    data = sr.to_dict(open_case())
    data["schema_version"] = 4
    with pytest.raises(sr.InvalidSnapshot, match="schema_version"):
        sr.from_dict(data)


V2_SNAPSHOT = Path(__file__).parent / "fixtures" / "case-v2.json"
"""A case at resolving with a broken promise on record, as release 0.1 with schema 2 wrote it."""


def test_a_stored_version_2_snapshot_is_upgraded_on_load() -> None:
    stored = json.loads(V2_SNAPSHOT.read_text(encoding="utf-8"))
    assert 2 == stored["schema_version"]
    assert "reference" not in stored["history"][0]
    loaded = sr.from_dict(stored)
    assert (None, None) == (loaded.reference, loaded.previous_case)
    assert ("case-v2", sr.Stage.RESOLVING, 11) == (loaded.id, loaded.stage, loaded.version)
    assert {"promise@8#0", "update@8"} == loaded.breaches
    written = sr.to_dict(loaded)
    assert 3 == written["schema_version"]
    assert (None, None) == (
        written["history"][0]["reference"],
        written["history"][0]["previous_case"],
    )
    assert loaded == sr.from_dict(json.loads(json.dumps(written)))


def test_a_version_1_snapshot_goes_through_every_upgrade() -> None:
    """Version 1 is brought up through 2 to 3: the opening gains each key in turn."""
    upgraded = upgrade_snapshot(_version_1(open_case()))
    assert 3 == upgraded["schema_version"]
    opening = upgraded["history"][0]
    assert (None, None, None) == (
        opening["policy"],
        opening["reference"],
        opening["previous_case"],
    )


# -- re-sent commands --------------------------------------------------------------


def test_a_resent_command_differs_only_in_its_time() -> None:
    sent = sr.Listen(by=AGENT, at=T0, note="Trip on Friday", id="req-1")
    assert same_command(sent, attrs.evolve(sent, at=T0 + timedelta(seconds=30)))
    assert not same_command(sent, attrs.evolve(sent, note="Trip on Monday"))
    assert not same_command(sent, sr.ReflectBack(by=AGENT, at=T0, summary="x", confirmed=True))


def test_workflow_apply_treats_a_resent_command_as_a_no_op() -> None:
    workflow = sr.Workflow()
    case = open_case(workflow)
    sent = sr.Acknowledge(by=AGENT, at=later(case), id="req-1")
    acknowledged = workflow.apply(case, sent)
    resent = attrs.evolve(sent, at=later(case, 5))
    assert workflow.apply(acknowledged, resent) is acknowledged
    assert workflow.explain(acknowledged, resent) == []
    with pytest.raises(sr.IdempotencyConflict):
        workflow.apply(acknowledged, attrs.evolve(sent, message="Another message"))


# -- clock skew --------------------------------------------------------------------


def test_a_command_within_the_clock_skew_is_recorded_at_the_last_events_time() -> None:
    workflow = sr.Workflow(sr.RecoveryPolicy(clock_skew=timedelta(seconds=10)))
    case = workflow.apply(open_case(workflow), sr.Acknowledge(by=AGENT, at=T0 + timedelta(hours=1)))
    early = sr.Listen(by=AGENT, at=case.last_at - timedelta(seconds=10), note="Trip on Friday")
    listened = workflow.apply(case, early)
    assert listened.last_at == case.last_at
    assert listened.history[-1].command == attrs.evolve(early, at=case.last_at)
    assert workflow.replay(listened.history) == listened


def test_a_command_beyond_the_clock_skew_is_refused() -> None:
    workflow = sr.Workflow(sr.RecoveryPolicy(clock_skew=timedelta(seconds=10)))
    case = workflow.apply(open_case(workflow), sr.Acknowledge(by=AGENT, at=T0 + timedelta(hours=1)))
    early = sr.Listen(by=AGENT, at=case.last_at - timedelta(seconds=11), note="Trip")
    with pytest.raises(sr.TransitionNotAllowed, match="in time order"):
        workflow.apply(case, early)


def test_no_clock_skew_keeps_strict_time_order() -> None:
    workflow = sr.Workflow(sr.RecoveryPolicy(clock_skew=timedelta(0)))
    case = workflow.apply(open_case(workflow), sr.Acknowledge(by=AGENT, at=T0 + timedelta(hours=1)))
    with pytest.raises(sr.TransitionNotAllowed, match="in time order"):
        workflow.apply(case, sr.Listen(by=AGENT, at=case.last_at - timedelta(microseconds=1)))


@pytest.mark.parametrize("skew", [timedelta(hours=2), timedelta(seconds=-1), 5])
def test_a_bad_clock_skew_is_refused(skew: object) -> None:
    with pytest.raises(sr.InvalidPolicy, match="clock_skew"):
        sr.RecoveryPolicy(clock_skew=skew)  # type: ignore[arg-type]


def test_the_clock_skew_reads_and_writes_in_toml() -> None:
    policy = sr.RecoveryPolicy.from_toml('clock_skew = "30s"')
    assert policy.clock_skew == timedelta(seconds=30)
    assert sr.RecoveryPolicy.from_toml(policy.to_toml()) == policy
