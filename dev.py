"""Set up and run the project's two jobs with nothing but Python >= 3.11.

    python3 dev.py demo     # create .venv, install, run the demo
    python3 dev.py check    # create .venv, install dev tools, run every check

Each job creates (or reuses) ``.venv`` in the project folder, so it works on a
fresh machine and never touches the system Python.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*args: str | Path) -> None:
    """Run a command in the project folder; stop with its exit code if it fails."""
    print("$", " ".join(str(arg) for arg in args), flush=True)
    code = subprocess.call([str(arg) for arg in args], cwd=ROOT)
    if code:
        sys.exit(code)


def install(extra: str) -> None:
    """Create .venv if needed and install the project (with *extra*) into it."""
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    target = f".[{extra}]" if extra else "."
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", target)


def demo() -> None:
    """Install and walk a complaint through the default workflow."""
    install("")
    run(BIN / "service-recovery", "demo")


def check() -> None:
    """Install the dev tools; run lint, types, the layers contract, tests, benchmarks smoke."""
    install("dev")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    run(BIN / "lint-imports")
    run(BIN / "python", "-m", "pytest", "--cov", "--cov-report=term")
    smoke = ROOT / "benchmarks" / "run.py"
    if smoke.exists():
        run(BIN / "python", smoke, "--quick", "--json", VENV / "benchmark-quick.json")


JOBS = {"demo": demo, "check": check}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in JOBS:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{' | '.join(JOBS)}}}")
    JOBS[sys.argv[1]]()
