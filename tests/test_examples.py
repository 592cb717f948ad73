"""Every file in examples/ runs to the end without an error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))


def test_examples_are_found() -> None:
    """The folder is where the tests look, and it holds the examples."""
    assert "property_test_my_workflow.py" in {example.name for example in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
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
