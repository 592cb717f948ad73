"""Stages hash by identity, and stage-keyed tables work wherever stages go."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import service_recovery as sr

S = sr.Stage


def test_a_stage_hashes_by_identity() -> None:
    """The hash is the object's own (a C call), not the Enum's hash of the name."""
    for stage in S:
        assert object.__hash__(stage) == hash(stage)


def test_a_stage_equals_only_itself() -> None:
    """Equality stays the Enum's: a member equals itself, not its value or another member."""
    value: object = "closed"
    other: object = S.RESOLVED
    assert S.CLOSED == S("closed")
    assert S.CLOSED != value
    assert S.CLOSED != other
    assert len(set(S)) == len(S)


def test_stage_keyed_tables_find_stages_however_they_were_made() -> None:
    """By value, by name, pickled and copied, a stage finds its entry."""
    table = {stage: stage.label for stage in S}
    for stage in S:
        for found in (
            S(stage.value),
            S.__members__[stage.name],
            pickle.loads(pickle.dumps(stage)),
            copy.deepcopy(stage),
        ):
            assert found is stage
            assert found in table
            assert stage.label == table[found]
    assert pickle.loads(pickle.dumps(table)) == table


def test_a_stage_keyed_dict_pickled_in_another_process_loads_here() -> None:
    """Hashes differ between processes; a pickle holds values, so the dict still works."""
    script = (
        "import pickle, sys, service_recovery as sr;"
        "sys.stdout.buffer.write(pickle.dumps({s: s.value for s in sr.Stage}))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    loaded = pickle.loads(done.stdout)
    assert {stage: stage.value for stage in S} == loaded
    assert "closed" == loaded[S.CLOSED]
