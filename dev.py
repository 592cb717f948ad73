"""Set up and run the project's two jobs with nothing but Python >= 3.11.

    python3 dev.py demo     # create .venv, install, run the demo
    python3 dev.py check    # create .venv, install dev tools, run every check
    python3 dev.py docs     # create .venv, install the docs tools, build docs/_build/html

Each job creates (or reuses) ``.venv`` in the project folder, so it works on a
fresh machine and never touches the system Python.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
DOCS_HTML = ROOT / "docs" / "_build" / "html"
DOCS_CACHE = VENV / "docs-cache"  # docs/conf.py reads mermaid.min.js from here
# The site draws its diagrams with this mermaid.js, shipped with the pages so they need no
# network. The digest pins the file: a different one is fetched again, never used.
MERMAID_VERSION = "11.12.1"
MERMAID_SHA256 = "198b19442f86f0b46a17e56d3abf744c3a28a3427e66fa8dada3b589a77babcc"


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


def fetch_mermaid() -> Path:
    """Fetch mermaid.js from the npm registry once (with npm) into the .venv cache."""
    target = DOCS_CACHE / "mermaid.min.js"
    if target.exists() and _sha256(target) == MERMAID_SHA256:
        return target
    if shutil.which("npm") is None:
        sys.exit("the docs need npm (Node.js) once, to fetch mermaid.js from the npm registry")
    with tempfile.TemporaryDirectory() as folder:
        run("npm", "pack", "--silent", f"mermaid@{MERMAID_VERSION}", "--pack-destination", folder)
        with tarfile.open(Path(folder) / f"mermaid-{MERMAID_VERSION}.tgz") as package:
            member = package.extractfile("package/dist/mermaid.min.js")
            if member is None:
                sys.exit(f"mermaid@{MERMAID_VERSION} has no dist/mermaid.min.js")
            script = member.read()
    if hashlib.sha256(script).hexdigest() != MERMAID_SHA256:
        sys.exit(f"mermaid@{MERMAID_VERSION}: dist/mermaid.min.js is not the pinned file")
    DOCS_CACHE.mkdir(parents=True, exist_ok=True)
    target.write_bytes(script)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_docs() -> None:
    """Build the site into docs/_build/html; any warning (a broken link, a name left out) fails."""
    fetch_mermaid()
    run(BIN / "python", "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
        "-d", ROOT / "docs" / "_build" / "doctrees", ROOT / "docs", DOCS_HTML)  # fmt: skip


def install_browser() -> None:
    """Install Debian's chromium for the site's browser test when it is missing."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if shutil.which("apt-get") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("chromium is missing and cannot be installed here: the browser test will say so")
        return
    os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
    run("apt-get", "update", "-q")
    run("apt-get", "install", "-y", "-q", "chromium")


def demo() -> None:
    """Install and walk a complaint through the default workflow."""
    install("")
    run(BIN / "service-recovery", "demo")


def docs() -> None:
    """Install the docs tools and build the site into docs/_build/html."""
    install("docs")
    build_docs()
    print(f"the site is in {DOCS_HTML}; open {DOCS_HTML / 'index.html'}")


def check() -> None:
    """Install the dev tools; run lint, types, the layers contract, the site, tests, benchmarks."""
    install("dev,docs")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    run(BIN / "lint-imports")
    build_docs()
    install_browser()
    run(BIN / "python", "-m", "pytest", "--cov", "--cov-report=term")
    smoke = ROOT / "benchmarks" / "run.py"
    if smoke.exists():
        run(BIN / "python", smoke, "--quick", "--json", VENV / "benchmark-quick.json")


JOBS = {"demo": demo, "check": check, "docs": docs}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in JOBS:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{' | '.join(JOBS)}}}")
    JOBS[sys.argv[1]]()
