"""The documentation site: built strictly, every public name documented, every sample run.

The site is built (or brought up to date) once per session with the same strict options as
``python3 dev.py check``. The browser tests open it from disk in headless Chromium with the
network shut off, as a reader with no connection would.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tomllib
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest

import service_recovery as sr

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
PAGES = [
    *sorted(page for page in DOCS.rglob("*.md") if not {"_build", "_ext"} & set(page.parts)),
    ROOT / "README.md",
]
# The options of the strict build in python3 dev.py check.
STRICT = ["-W", "--keep-going", "-n", "-q", "-b", "html"]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def needs(available: bool, what: str) -> None:
    """A missing tool fails the test in CI and skips it, saying why, anywhere else."""
    if available:
        return
    message = f"{what} is missing: python3 dev.py check installs it"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def load_dev() -> ModuleType:
    """dev.py, the project's job runner, as a module."""
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site, made or brought up to date with warnings as errors."""
    needs(importlib.util.find_spec("sphinx") is not None, "sphinx (the 'docs' extra)")
    dev = load_dev()
    dev.fetch_mermaid()
    html: Path = dev.DOCS_HTML
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", *STRICT, "-d", str(html.parent / "doctrees"), DOCS, html],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert 0 == result.returncode, f"the strict build failed:\n{result.stdout}\n{result.stderr}"
    return html


def public_modules() -> dict[str, ModuleType]:
    """``service_recovery`` and each of its subpackages without a leading underscore."""
    names = [sr.__name__] + [
        info.name
        for info in pkgutil.walk_packages(sr.__path__, prefix=f"{sr.__name__}.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    return {name: importlib.import_module(name) for name in names}


def public_names() -> list[tuple[str, str]]:
    """Every (module, name) pair a user may import."""
    return [(module, name) for module, value in public_modules().items() for name in value.__all__]


class TestReference:
    def test_the_public_modules_are_the_known_families(self) -> None:
        """The discovery finds the package and its public subpackages, and no private one."""
        found = set(public_modules())
        assert {
            "service_recovery",
            "service_recovery.presets",
            "service_recovery.testing",
            "service_recovery.integrations.platforms",
        } <= found
        assert not any(part.startswith("_") for name in found for part in name.split("."))

    def test_every_public_name_is_in_the_sites_inventory(self, site: Path) -> None:
        """Each name of each public ``__all__`` has an entry under its public path."""
        from sphinx.util.inventory import InventoryFile

        inventory = InventoryFile.loads((site / "objects.inv").read_bytes(), uri="")
        documented = {name for kind, entries in inventory.data.items() if kind.startswith("py:")
                      for name in entries}  # fmt: skip
        missing = [f"{module}.{name}" for module, name in public_names()
                   if f"{module}.{name}" not in documented]  # fmt: skip
        assert [] == missing
        assert set(public_modules()) <= set(inventory.data["py:module"])

    @pytest.mark.parametrize(
        ("module", "name"), public_names(), ids=[f"{m}.{n}" for m, n in public_names()]
    )
    def test_every_public_class_and_function_has_a_docstring(self, module: str, name: str) -> None:
        """Classes, functions and modules say what they are (values need a ``#:`` comment,
        which the strict build checks)."""
        value = getattr(importlib.import_module(module), name)
        if inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value):
            assert (value.__doc__ or "").strip(), f"{module}.{name} has no docstring"

    def test_a_name_no_page_documents_fails_the_strict_build(self, tmp_path: Path) -> None:
        """The site's completeness check is live: a site that leaves names out does not build."""
        needs(importlib.util.find_spec("sphinx") is not None, "sphinx (the 'docs' extra)")
        source = tmp_path / "source"
        source.mkdir()
        (source / "conf.py").write_text(
            "import sys\n"
            f"sys.path.insert(0, {str(DOCS / '_ext')!r})\n"
            "extensions = ['myst_parser', 'public_api']\n"
        )
        (source / "index.md").write_text(
            "# Only the presets\n\n```{public-api} service_recovery.presets\n```\n"
        )
        result = subprocess.run(
            [sys.executable, "-m", "sphinx", *STRICT, source, tmp_path / "html"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert 0 != result.returncode
        assert "service_recovery.Workflow is public but undocumented" in result.stderr
        assert "service_recovery.presets.HEARD is public but undocumented" not in result.stderr


class Fence(NamedTuple):
    page: Path
    line: int
    info: str
    text: str

    @property
    def language(self) -> str:
        return self.info.split(maxsplit=1)[0] if self.info else ""

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def fences() -> Iterator[Fence]:
    """Every fenced block of every page, MyST directives included."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark")
    for page in PAGES:
        for token in parser.parse(page.read_text(encoding="utf-8")):
            if token.type == "fence":
                line = token.map[0] + 1 if token.map else 0
                yield Fence(page, line, token.info.strip(), token.content)


def samples(language: str) -> list[Fence]:
    return [fence for fence in fences() if fence.language == language]


# What each kind of block is, and how it is run.
RUN_AS_DOCTEST = "pycon"  # pytest runs the pages with --doctest-glob=*.md
RUN_HERE = {"toml", "console"}  # run or checked by the tests below
RUN_ELSEWHERE = "python"  # each fragment run by tests/test_docs_fragments.py
DRAWN = "mermaid"  # rendered in the browser tests
COMPARED = "text"  # the error tree, compared with the classes by tests/test_errors.py
DIRECTIVE = re.compile(r"^\{[\w:-]+\}")  # MyST directives: toctree, literalinclude, ...


class TestSamples:
    def test_pages_are_found(self) -> None:
        """The pages the tests read are the site's pages and the README."""
        names = {page.relative_to(ROOT).as_posix() for page in PAGES}
        assert {"README.md", "docs/index.md", "docs/getting-started.md"} <= names

    def test_every_block_is_of_a_kind_that_is_run(self) -> None:
        """A block says what it is, and each kind is run: a new kind needs a way to run it."""
        unknown = [
            f"{fence}: {fence.info or '(no language)'}"
            for fence in fences()
            if fence.language not in {RUN_AS_DOCTEST, RUN_ELSEWHERE, DRAWN, COMPARED, *RUN_HERE}
            and not DIRECTIVE.match(fence.info)
        ]
        assert [] == unknown

    def test_the_pages_are_run_as_doctests(self) -> None:
        """pytest's own configuration runs every page and the README as a doctest file."""
        config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
        options = config["ini_options"]
        assert "--doctest-glob=*.md" in options["addopts"]
        assert {"docs", "README.md"} <= set(options["testpaths"])

    @pytest.mark.parametrize("fence", samples(RUN_AS_DOCTEST), ids=str)
    def test_every_pycon_block_is_a_doctest(self, fence: Fence) -> None:
        """A pycon block has examples the doctest run finds (a prompt-less block runs nothing)."""
        import doctest

        assert doctest.DocTestParser().get_examples(fence.text), f"{fence} has no >>> example"

    @pytest.mark.parametrize("fence", samples("toml"), ids=str)
    def test_every_policy_file_sample_loads(self, fence: Fence) -> None:
        """A TOML sample is a policy file the library accepts."""
        policy = sr.RecoveryPolicy.from_toml(fence.text)
        assert isinstance(policy, sr.RecoveryPolicy)

    @pytest.mark.parametrize(
        ("fence", "command"),
        [
            (fence, line.split("#", 1)[0].strip().removeprefix("$ "))
            for fence in samples("console")
            for line in fence.text.splitlines()
            if line.split("#", 1)[0].strip()
        ],
        ids=lambda each: str(each) if isinstance(each, Fence) else each.split()[0],
    )
    def test_every_console_command_works(self, fence: Fence, command: str, tmp_path: Path) -> None:
        """A command shown on a page is run, or, where it needs the network, checked."""
        words = shlex.split(command)
        if words[0] == "service-recovery":
            where = ROOT
            if words[1] == "cases":
                # A store of its own, and a stand-in for the host module --effects names.
                where = tmp_path
                for word in words:
                    if ":" in word and not word.startswith("postgresql"):
                        module = tmp_path.joinpath(*word.split(":")[0].split("."))
                        module.parent.mkdir(parents=True, exist_ok=True)
                        for package in module.relative_to(tmp_path).parents:
                            (tmp_path / package / "__init__.py").touch()
                        module.with_suffix(".py").write_text(
                            f"def {word.split(':')[1]}(desk):\n    pass\n"
                        )
            result = subprocess.run(
                [sys.executable, "-m", "service_recovery", *words[1:]],
                cwd=where,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert 0 == result.returncode, f"{fence}: {command}\n{result.stdout}{result.stderr}"
        elif words[:2] == ["pip", "install"]:
            project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
            match = re.fullmatch(r"([\w-]+)(?:\[([\w,-]+)\])?", words[2])
            assert match, f"{fence}: {command}"
            assert project["name"] == match.group(1)
            extras = set(filter(None, (match.group(2) or "").split(",")))
            assert extras <= set(project["optional-dependencies"]), f"{fence}: {command}"
        elif words[0] in {"python", "python3"} and words[1] == "dev.py":
            assert len(words) > 2, f"{fence}: {command}"
            assert words[2] in load_dev().JOBS, f"{fence}: {command}"
        elif words[0] in {"python", "python3"} and words[1].startswith("examples/"):
            assert (ROOT / words[1]).is_file(), f"{fence}: {command}"  # test_examples runs it
        elif words[0] == ".venv/bin/python" and words[1] == "benchmarks/run.py":
            usage = subprocess.run(
                [sys.executable, str(ROOT / words[1]), "--help"],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
            for option in (word for word in words[2:] if word.startswith("--")):
                assert option in usage, f"{fence}: {option} is not an option of {words[1]}"
        else:
            pytest.fail(f"{fence}: no way to run `{command}`: teach this test")


class TestExamples:
    def test_every_example_is_shown_whole_in_the_docs(self) -> None:
        """Each file in examples/ is included, whole, by a page of the site."""
        shown = set()
        for fence in fences():
            if fence.info.startswith("{literalinclude}"):
                target = fence.info.split(maxsplit=1)[1]
                assert not re.search(r"^:(lines|start-|end-|pyobject)", fence.text, re.M), fence
                shown.add((fence.page.parent / target).resolve())
        assert {path.resolve() for path in EXAMPLES.iterdir() if path.is_file()} <= shown


# -- the browser ------------------------------------------------------------------------------


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    needs(False, "chromium (Debian's package)")
    raise AssertionError("unreachable")


def browse(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Open *page* from disk in headless Chromium with every network lookup refused."""
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no name resolves
            f"--user-data-dir={profile}",
            "--window-size=1280,1000",
            "--virtual-time-budget=10000",  # mermaid draws in the page, after load
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# page -> how many diagrams it draws
BROWSED = {"index.html": 1, "getting-started.html": 0, "api/policies.html": 1}


class Png(NamedTuple):
    width: int
    height: int
    rows: list[list[bytes]]  # each row's pixels, RGB or RGBA bytes each

    @classmethod
    def read(cls, path: Path) -> Png:
        """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
        position, header, compressed = 8, b"", b""
        while position < len(data):
            (length,) = struct.unpack(">I", data[position : position + 4])
            kind = data[position + 4 : position + 8]
            body = data[position + 8 : position + 8 + length]
            header = body if kind == b"IHDR" else header
            compressed += body if kind == b"IDAT" else b""
            position += 12 + length
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
        assert (depth, interlace) == (8, 0), "an unexpected PNG layout"
        assert colour in {2, 6}, "an unexpected PNG colour type"
        size = 3 if colour == 2 else 4
        raw = zlib.decompress(compressed)
        stride = width * size
        rows: list[list[bytes]] = []
        previous = bytes(stride)
        for y in range(height):
            start = y * (stride + 1)
            scanline = bytearray(raw[start + 1 : start + 1 + stride])
            line = unfilter(raw[start], scanline, previous, size)
            rows.append([line[x : x + size] for x in range(0, stride, size)])
            previous = line
        return cls(width, height, rows)


def unfilter(kind: int, line: bytearray, previous: bytes, size: int) -> bytes:
    """Undo one PNG scanline filter (0 none, 1 sub, 2 up, 3 average, 4 Paeth)."""
    if kind == 0:
        return bytes(line)
    for x in range(len(line)):
        left = line[x - size] if x >= size else 0
        up = previous[x]
        if kind == 1:
            line[x] = (line[x] + left) & 0xFF
        elif kind == 2:
            line[x] = (line[x] + up) & 0xFF
        elif kind == 3:
            line[x] = (line[x] + (left + up) // 2) & 0xFF
        else:
            corner = previous[x - size] if x >= size else 0
            guess = left + up - corner
            nearest = min((abs(guess - left), 0, left), (abs(guess - up), 1, up),
                          (abs(guess - corner), 2, corner))[2]  # fmt: skip
            line[x] = (line[x] + nearest) & 0xFF
    return bytes(line)


class TestBrowser:
    def test_no_page_loads_anything_from_the_network(self, site: Path) -> None:
        """Scripts, styles and images all come from the site itself."""
        remote = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=\"(?:https?:)?//", re.I)
        offenders = [
            page.relative_to(site).as_posix()
            for page in site.rglob("*.html")
            if remote.search(page.read_text(encoding="utf-8"))
        ]
        assert [] == offenders

    @pytest.mark.parametrize(("page", "diagrams"), BROWSED.items())
    def test_a_page_renders_offline_with_navigation_and_diagrams(
        self, site: Path, tmp_path: Path, page: str, diagrams: int
    ) -> None:
        """The page's DOM, after its scripts ran, has the navigation and each diagram drawn."""
        result = browse(site / page, tmp_path / "profile", "--dump-dom")
        dom = result.stdout
        assert 0 == result.returncode, result.stderr
        sidebar = dom[dom.index('class="sidebar-tree"') : dom.index("<article")]
        linked = {
            (site / page).parent.joinpath(href).resolve().relative_to(site.resolve()).as_posix()
            for href in re.findall(r'href="([^"#:]+)"', sidebar)
        }
        expected = {"getting-started.html", "api/index.html", "explanation/architecture.html"}
        assert expected - {page} <= linked, "the navigation lacks the site's parts"
        drawn = re.findall(r'<pre class="mermaid"[^>]*data-processed="true"[^>]*>\s*<svg', dom)
        assert diagrams == len(re.findall(r'<pre class="mermaid"', dom))
        assert diagrams == len(drawn)
        assert "Syntax error in text" not in dom

    @pytest.mark.parametrize("page", BROWSED)
    def test_a_page_is_not_blank_on_screen(self, site: Path, tmp_path: Path, page: str) -> None:
        """A screenshot of the page shows text and colour, not an empty window."""
        shot = tmp_path / "page.png"
        result = browse(site / page, tmp_path / "profile", f"--screenshot={shot}")
        assert shot.exists(), result.stderr
        image = Png.read(shot)
        assert (1280, 1000) == (image.width, image.height)
        varied = sum(1 for row in image.rows if len(set(row)) > 1)
        assert varied > image.height // 4, "most rows of the screenshot are one flat colour"
        colours = {pixel for row in image.rows[::20] for pixel in row}
        assert len(colours) > 16, "the screenshot has hardly any colours"
