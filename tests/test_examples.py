"""Every file in examples/ runs: the programs to the end, the policy files through verify."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import service_recovery as sr

FOLDER = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(path for path in FOLDER.iterdir() if path.is_file())
PROGRAMS = [path for path in EXAMPLES if path.suffix == ".py"]
POLICY_FILES = [path for path in EXAMPLES if path.suffix == ".toml"]


def test_examples_are_found() -> None:
    """The folder is where the tests look, and it holds the examples."""
    assert "property_test_my_workflow.py" in {example.name for example in PROGRAMS}
    assert "retail_heard.toml" in {example.name for example in POLICY_FILES}


def test_every_example_is_run_by_a_test_here() -> None:
    """Each file is a program or a policy file: a file of another kind needs a test."""
    assert set(EXAMPLES) == set(PROGRAMS) | set(POLICY_FILES)


@pytest.mark.parametrize("example", PROGRAMS, ids=lambda path: path.name)
def test_example_runs(example: Path) -> None:
    """``python examples/<name>.py`` exits with 0, as the docs say to run it."""
    result = subprocess.run(
        [sys.executable, str(example)],
        cwd=example.parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert 0 == result.returncode, f"{example.name} failed:\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("example", POLICY_FILES, ids=lambda path: path.name)
def test_policy_file_loads_and_keeps_its_promises(example: Path) -> None:
    """The policy file loads, and verify proves every property of its workflow."""
    policy = sr.RecoveryPolicy.from_toml_file(example)
    report = sr.verify(sr.Workflow(policy))
    assert report.ok, str(report)
