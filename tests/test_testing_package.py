"""The toolkit's packaging: an optional extra the core never imports."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import service_recovery as sr


def run(code: str) -> subprocess.CompletedProcess[str]:
    """Run *code* in a fresh interpreter, where nothing is imported yet."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestLaziness:
    def test_core_never_imports_hypothesis(self) -> None:
        """Importing the library, and sr.testing's hypothesis-free parts, loads no hypothesis."""
        result = run(
            """
            import sys
            import service_recovery as sr
            assert "hypothesis" not in sys.modules, "the core imported hypothesis"
            sr.testing.record_hooks, sr.testing.CaseFactory
            assert "hypothesis" not in sys.modules, "sr.testing imported hypothesis early"
            print("ok")
            """
        )
        assert "ok\n" == result.stdout, result.stderr

    def test_missing_extra_is_named(self) -> None:
        """Without hypothesis installed, the error says which extra to install."""
        result = run(
            """
            import sys
            sys.modules["hypothesis"] = None  # as if the extra were not installed
            import service_recovery as sr
            sr.testing.record_hooks  # still there: it needs no hypothesis
            try:
                sr.testing.WorkflowStateMachine
            except ModuleNotFoundError as err:
                print(err)
            """
        )
        expected = (
            "service_recovery.testing.WorkflowStateMachine needs hypothesis: "
            "pip install 'service-recovery[testing]'\n"
        )
        assert expected == result.stdout, result.stderr

    def test_same_module_both_ways(self) -> None:
        """``sr.testing`` is the ``service_recovery.testing`` module."""
        import service_recovery.testing

        assert service_recovery.testing is sr.testing
        assert sr.testing.WorkflowStateMachine is service_recovery.testing.WorkflowStateMachine

    def test_unknown_names_are_attribute_errors(self) -> None:
        """Names that are not there raise AttributeError, on the package and the toolkit."""
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            sr.nothing  # type: ignore[attr-defined]  # noqa: B018
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            sr.testing.nothing  # type: ignore[attr-defined]  # noqa: B018

    def test_public_names_are_all_there(self) -> None:
        """Every name in ``sr.testing.__all__`` resolves."""
        missing = [name for name in sr.testing.__all__ if not hasattr(sr.testing, name)]
        assert [] == missing


class TestTyping:
    def test_type_checkers_see_the_toolkit_and_still_catch_typos(self, tmp_path: Path) -> None:
        """mypy knows ``sr.testing``'s names, and the lazy import hides no misspelled name."""
        program = "import service_recovery as sr\nsr.testing.cases\nsr.Wokflow\n"
        options = ["--strict", "--config-file", os.devnull, "--cache-dir", str(tmp_path)]
        result = subprocess.run(
            [sys.executable, "-m", "mypy", *options, "-c", program],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        errors = [line for line in result.stdout.splitlines() if ": error:" in line]
        assert ['<string>:3: error: Module has no attribute "Wokflow"'] == [
            line.split(";")[0] for line in errors
        ]
