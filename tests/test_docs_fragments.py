"""Every Python fragment of the docs is run, in the setting its page describes.

A ``python`` block is code to put into a project (a test module, a ``try`` around a call,
the start of a service), not a session, so it is no doctest. Each one is run here as it
stands on its page. A test module is written to a temporary folder and run by pytest in a
subprocess: it must pass, and a deliberately broken variant of it must fail, so the check
can fail. Other code runs in this process against real objects. What a fragment leaves to
its reader (a policy file, the database's address) is supplied in a way the page states. A
``python`` block that no test here runs fails :class:`TestEveryFragmentIsRun`.
"""

from __future__ import annotations

import doctest
import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest

import service_recovery as sr
from tests.test_docs_site import ROOT, Fence, fences


class Where(NamedTuple):
    """A fragment: the page it is on and some code only it has there."""

    page: str
    code: str

    def finds(self, fence: Fence) -> bool:
        return fence.page.relative_to(ROOT).as_posix() == self.page and self.code in fence.text


CATCHING = Where("docs/reference/errors.md", "except sr.HookFailed as failed:")
VERIFY_IN_CI = Where("docs/guides/prove-your-policy.md", "def test_our_policy_keeps_its_promises")
FIXTURES = Where("docs/how-to/property-test-your-workflow.md", "def recovery_workflow(")
NO_EXPLAIN = Where("docs/how-to/property-test-your-workflow.md", "Phase.explain")
POSTGRES = Where("docs/guides/persist-cases.md", 'PostgresStore(\n    os.environ["DATABASE_URL"]')
RUN_HERE = (CATCHING, VERIFY_IN_CI, FIXTURES, NO_EXPLAIN, POSTGRES)


@functools.cache
def every_block() -> tuple[Fence, ...]:
    return tuple(fences())


PYTHON = {"python", "python3", "py"}
# A Python sample may also be written as a directive, in MyST or in reStructuredText.
CODE_DIRECTIVE = re.compile(r"^\{(?:code-block|code|sourcecode|code-cell)\}\s+(\S+)")
RST_CODE = re.compile(r"^\s*\.\. (?:code-block|code|sourcecode)::\s+(\S+)", re.MULTILINE)


def is_python(fence: Fence) -> bool:
    """Whether *fence* shows Python code, as a plain block or through a directive."""
    directive = CODE_DIRECTIVE.match(fence.info)
    embedded = RST_CODE.findall(fence.text) if fence.info.startswith("{eval-rst}") else []
    return bool(
        fence.language in PYTHON
        or (directive and directive.group(1) in PYTHON)
        or PYTHON & set(embedded)
    )


def python_blocks() -> list[Fence]:
    return [fence for fence in every_block() if is_python(fence)]


def fragment(where: Where) -> Fence:
    """The one ``python`` block *where* names."""
    found = [fence for fence in python_blocks() if where.finds(fence)]
    assert 1 == len(found), f"{where}: expected one python block, found {[str(f) for f in found]}"
    return found[0]


def session_of(fence: Fence) -> str:
    """The code of a ``pycon`` block's examples, as one module."""
    return "".join(example.source for example in doctest.DocTestParser().get_examples(fence.text))


def unrun(blocks: Iterable[Fence]) -> list[str]:
    """Where the Python blocks among *blocks* that no test here runs are."""
    return [
        str(fence)
        for fence in blocks
        if is_python(fence) and not any(where.finds(fence) for where in RUN_HERE)
    ]


class TestEveryFragmentIsRun:
    def test_every_python_block_is_run_here(self) -> None:
        """Each ``python`` block of the site is one this module runs."""
        assert [] == unrun(every_block()), "run each of these in tests/test_docs_fragments.py"

    def test_each_fragment_run_here_is_on_its_page(self) -> None:
        """Each fragment the tests run names one block of its page: a test whose block went,
        or that matches two, fails."""
        for where in RUN_HERE:
            fragment(where)

    @pytest.mark.parametrize(
        ("info", "text"),
        [
            ("python", "print('a new sample')\n"),
            ("py", "print('a new sample')\n"),
            ("{code-block} python", "print('a new sample')\n"),
            ("{eval-rst}", ".. code-block:: python\n\n   print('a new sample')\n"),
        ],
    )
    def test_a_new_block_fails_the_check(self, info: str, text: str) -> None:
        """A Python block added to a page, in any of its spellings, is reported as not run."""
        added = Fence(ROOT / CATCHING.page, 999, info, text)
        assert [str(added)] == unrun([added])

    @pytest.mark.parametrize(
        ("info", "text"),
        [("pycon", ">>> 1 + 1\n2\n"), ("{eval-rst}", ".. automodule:: service_recovery\n")],
    )
    def test_other_blocks_are_left_to_their_own_checks(self, info: str, text: str) -> None:
        """A doctest session, or a directive that shows no Python code, is not a fragment."""
        assert [] == unrun([Fence(ROOT / CATCHING.page, 999, info, text)])


# -- code run against real objects ------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANA = sr.Actor("ana", sr.Role.AGENT)


def execute(fence: Fence, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run *fence* in *namespace* (tracebacks name the page and line); the namespace after."""
    exec(compile(fence.text, str(fence), "exec"), namespace)
    return namespace


class Catching:
    """The page's ``try`` around ``workflow.apply``, with the host's two functions recorded."""

    def __init__(self, workflow: sr.Workflow) -> None:
        self.workflow = workflow
        self.case = workflow.open(
            customer=sr.Customer("c-1"),
            channel=sr.Channel.EMAIL,
            severity=sr.Severity.MINOR,
            summary="Late parcel",
            at=T0,
        )
        self.retried: list[Any] = []
        self.shown: list[list[str]] = []

    def apply(self, command: sr.Command) -> sr.Case:
        """Run the fragment on the opened case; the case it leaves in ``case``."""
        namespace = {
            "sr": sr,
            "workflow": self.workflow,
            "case": self.case,
            "command": command,
            "retry_later": self.retried.append,
            "show_to_agent": self.shown.append,
        }
        case: sr.Case = execute(fragment(CATCHING), namespace)["case"]
        return case


def failing(ctx: sr.HookContext) -> None:
    raise RuntimeError("mail server down")


class TestCatchingErrors:
    def test_an_accepted_command_gives_the_new_case(self) -> None:
        """No error: the case moves on and neither of the host's functions is called."""
        catching = Catching(sr.Workflow())
        case = catching.apply(sr.Acknowledge(by=ANA, at=T0))
        assert sr.Stage.ACKNOWLEDGED is case.stage
        assert ([], []) == (catching.retried, catching.shown)

    def test_a_failed_side_effect_keeps_the_new_case_and_is_retried(self) -> None:
        """An after-hook failed: the case with the event is kept, the failures go to the retry."""
        workflow = sr.Workflow()
        workflow.hooks.after(sr.Acknowledge)(failing)
        catching = Catching(workflow)
        case = catching.apply(sr.Acknowledge(by=ANA, at=T0))
        assert (sr.Stage.ACKNOWLEDGED, 2) == (case.stage, case.version)
        [errors] = catching.retried
        assert [(failing, "mail server down")] == [(hook, str(err)) for hook, err in errors]
        assert [] == catching.shown

    def test_a_failed_before_hook_is_raised_again(self) -> None:
        """A before-hook failed: nothing happened, and the error goes on up."""
        workflow = sr.Workflow()
        workflow.hooks.before(sr.Acknowledge)(failing)
        catching = Catching(workflow)
        with pytest.raises(sr.HookFailed) as raised:
            catching.apply(sr.Acknowledge(by=ANA, at=T0))
        assert not raised.value.accepted
        assert ([], []) == (catching.retried, catching.shown)

    def test_a_refused_command_shows_the_reasons_and_keeps_the_case(self) -> None:
        """The agent is shown each reason the command was refused; the case is as it was."""
        catching = Catching(sr.Workflow())
        case = catching.apply(sr.Close(by=ANA, at=T0))
        assert catching.case == case
        expected = [str(reason) for reason in catching.workflow.explain(catching.case, sr.Close)]
        assert [expected] == catching.shown
        assert expected  # a refusal gives reasons
        assert [] == catching.retried


class TestPostgresStore:
    def test_the_store_opens_on_the_address_from_the_environment(
        self, postgres: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With ``DATABASE_URL`` set, as the page says, the fragment makes its tables on that
        database, serves a Desk and closes."""
        import psycopg
        import psycopg_pool

        monkeypatch.setenv("DATABASE_URL", postgres)
        namespace = execute(fragment(POSTGRES), {})
        assert isinstance(namespace["desk"], sr.Desk)
        with psycopg.connect(postgres) as connection:
            tables = {name for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )}  # fmt: skip
        assert {"sr_cases", "sr_events", "sr_outbox", "sr_schema"} <= tables
        with pytest.raises(psycopg_pool.PoolClosed):
            namespace["store"].load("case-1")


# -- test modules, run by pytest --------------------------------------------------------------


class Run(NamedTuple):
    outcome: dict[str, int]  # passed, failed, error -> how many
    output: str


def run_pytest(folder: Path, files: Mapping[str, str]) -> Run:
    """Run pytest on *files* written to *folder*.

    The folder has a configuration of its own, so neither the project's options nor its
    ``conftest.py`` apply: the files run as they would in a project of their own, with the
    library installed (and so its pytest plugin).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n")
    for name, text in files.items():
        (folder / name).write_text(text)
    environment = {name: value for name, value in os.environ.items() if name != "PYTEST_ADDOPTS"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    counts = re.findall(r"(\d+) (passed|failed|error)", lines[-1] if lines else "")
    return Run({word: int(count) for count, word in counts}, result.stdout + result.stderr)


GOOD_POLICY = 'name = "ours"\n'
# A prevention note required before diagnosing, which the graph takes only once resolved:
# every case is stuck, as in the page's own example.
STUCK_POLICY = """\
name = "ours"
requirements = [{ step = "record_prevention", before = "diagnosed" }]
"""


class TestVerifyInCI:
    def test_the_test_passes_for_a_policy_that_keeps_its_promises(self, tmp_path: Path) -> None:
        """The module, beside a sound ``policy.toml``, is one passing test."""
        files = {"test_our_policy.py": fragment(VERIFY_IN_CI).text, "policy.toml": GOOD_POLICY}
        run = run_pytest(tmp_path, files)
        assert {"passed": 1} == run.outcome, run.output

    def test_the_test_fails_for_a_policy_that_leaves_cases_stuck(self, tmp_path: Path) -> None:
        """Beside a policy that breaks a promise, it fails and the report names the promise."""
        files = {"test_our_policy.py": fragment(VERIFY_IN_CI).text, "policy.toml": STUCK_POLICY}
        run = run_pytest(tmp_path, files)
        assert {"failed": 1} == run.outcome, run.output
        assert "BROKEN closed is reachable from every reachable state" in run.output


# The mistake the fixture test is there to catch: a workflow built without the hook.
FORGOT_THE_HOOK = """

@pytest.fixture
def recovery_workflow(recovery_clock, outbox):
    return sr.Workflow(clock=recovery_clock)
"""


class TestFixtures:
    def test_the_test_passes(self, tmp_path: Path) -> None:
        """The module, with only the library installed, is one passing test."""
        run = run_pytest(tmp_path, {"test_closing.py": fragment(FIXTURES).text})
        assert {"passed": 1} == run.outcome, run.output

    def test_the_test_fails_when_the_workflow_forgets_the_hook(self, tmp_path: Path) -> None:
        """With ``recovery_workflow`` overridden by one without the hook, it fails."""
        run = run_pytest(tmp_path, {"test_closing.py": fragment(FIXTURES).text + FORGOT_THE_HOOK})
        assert {"failed": 1} == run.outcome, run.output
        assert "assert [] == ['Thank you']" in run.output


# Few, short sessions, so that the suite stays quick; settings() builds on this profile.
QUICK_PROFILE = """\
from hypothesis import settings

settings.register_profile("quick", max_examples=5, stateful_step_count=10)
settings.load_profile("quick")
"""
# A promise broken in every session: a hook that always fails.
MAIL_SERVER_DOWN = """

def make_failing_workflow(self):
    workflow = sr.Workflow()

    @workflow.hooks.on_enter(sr.Stage.ACKNOWLEDGED)
    def mail_server_down(ctx):
        raise RuntimeError("mail server down")

    return workflow


MyWorkflowMachine.make_workflow = make_failing_workflow
"""
# What hypothesis's explain phase adds to a failure report.
EXPLAINED = "# or any other generated value"


def the_stateful_test() -> str:
    """The page's ``TestMyWorkflow``, whose settings the fragment changes, as a module."""
    [machine] = [
        fence for fence in every_block()
        if fence.page.relative_to(ROOT).as_posix() == NO_EXPLAIN.page
        and fence.language == "pycon" and "TestMyWorkflow = " in fence.text
    ]  # fmt: skip
    return session_of(machine)


class TestWithoutTheExplainPhase:
    def test_the_settings_leave_out_only_the_explain_phase(self) -> None:
        """Run after the page's session, the fragment drops the explain phase and keeps the
        others."""
        from hypothesis import Phase

        namespace: dict[str, Any] = {}
        exec(compile(the_stateful_test(), NO_EXPLAIN.page, "exec"), namespace)
        before = set(namespace["TestMyWorkflow"].settings.phases)
        after = set(execute(fragment(NO_EXPLAIN), namespace)["TestMyWorkflow"].settings.phases)
        assert Phase.explain in before
        assert before - {Phase.explain} == after

    def test_the_stateful_test_still_passes(self, tmp_path: Path) -> None:
        """The page's stateful test with the fragment after it is one passing test."""
        module = the_stateful_test() + fragment(NO_EXPLAIN).text
        run = run_pytest(tmp_path, {"conftest.py": QUICK_PROFILE, "test_my_workflow.py": module})
        assert {"passed": 1} == run.outcome, run.output

    def test_a_broken_promise_is_reported_without_the_explain_phase(self, tmp_path: Path) -> None:
        """Under a workflow whose hook always fails, the test fails on the broken promise, and
        the report has none of the explain phase's notes."""
        module = the_stateful_test() + fragment(NO_EXPLAIN).text + MAIL_SERVER_DOWN
        run = run_pytest(tmp_path, {"conftest.py": QUICK_PROFILE, "test_my_workflow.py": module})
        assert {"failed": 1} == run.outcome, run.output
        assert "BrokenPromise: hooks do not fail" in run.output
        assert EXPLAINED not in run.output
