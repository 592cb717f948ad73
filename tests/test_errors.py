"""Errors: one base, specific subclasses that carry the data a host acts on."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery import _errors
from service_recovery._model._commands import COMMAND_TYPES
from tests.scenarios import AGENT, later, open_case

WORKFLOW = sr.Workflow()

PUBLIC_ERRORS = [
    value
    for name, value in vars(sr).items()
    if inspect.isclass(value) and issubclass(value, Exception) and name in sr.__all__
]


class TestHierarchy:
    def test_every_library_error_has_one_base(self) -> None:
        """Everything the library raises derives from RecoveryError; Veto is the host's."""
        assert {sr.Veto} == {
            error for error in PUBLIC_ERRORS if not issubclass(error, sr.RecoveryError)
        }

    @pytest.mark.parametrize(
        ("error", "bases"),
        [
            (sr.InvalidValue, (sr.RecoveryError, ValueError)),
            (sr.InvalidSnapshot, (sr.RecoveryError, ValueError)),
            (sr.InvalidHistory, (sr.RecoveryError, ValueError)),
            (sr.InvalidPolicy, (sr.RecoveryError, ValueError)),
            (sr.TransitionNotAllowed, (sr.RecoveryError,)),
            (sr.CommandVetoed, (sr.TransitionNotAllowed,)),
            (sr.HookFailed, (sr.RecoveryError,)),
            (sr.IdempotencyConflict, (sr.RecoveryError,)),
        ],
    )
    def test_subclasses(self, error: type[Exception], bases: tuple[type[Exception], ...]) -> None:
        """Each error is catchable by its base, and bad-data errors also as ValueError."""
        assert all(issubclass(error, base) for base in bases)

    def test_veto_is_not_an_error_of_ours(self) -> None:
        """A veto is what the host raises; the library answers it with CommandVetoed."""
        veto = sr.Veto("Not on Fridays")
        assert ("Not on Fridays", "Not on Fridays") == (veto.reason, str(veto))
        assert not isinstance(veto, sr.RecoveryError)


class TestCarriedData:
    def test_transition_not_allowed(self) -> None:
        """The refusal carries reasons, case and command; its message joins the reasons."""
        case = open_case()
        command = sr.Close(by=AGENT, at=later(case))
        reasons = [sr.Reason("a", "First do this"), sr.Reason("b", "then that")]
        error = sr.TransitionNotAllowed(reasons, case, command)
        assert (tuple(reasons), case, command) == (error.reasons, error.case, error.command)
        assert "First do this; then that" == str(error)

    def test_problems_are_listed_one_a_line(self) -> None:
        """Errors about data list each problem on its own line, with a count."""
        error = sr.InvalidSnapshot(["history[0].at: bad", "stage: unknown"])
        assert ("history[0].at: bad", "stage: unknown") == error.problems
        assert (
            "invalid case snapshot (2 problem(s)):\n  - history[0].at: bad\n  - stage: unknown"
            == str(error)
        )

    @pytest.mark.parametrize(
        ("error", "what"),
        [
            (sr.InvalidSnapshot, "case snapshot"),
            (sr.InvalidHistory, "history"),
            (sr.InvalidPolicy, "policy"),
        ],
    )
    def test_each_problem_error_names_what_was_invalid(
        self, error: type[sr.InvalidSnapshot], what: str
    ) -> None:
        """The message says what kind of thing was invalid."""
        assert str(error(["x"])).startswith(f"invalid {what} (1 problem(s)):")

    def test_invalid_value_names_its_field(self) -> None:
        """A bad value error says which field, when there is one."""
        assert ("amount", None) == (
            sr.InvalidValue("amount: bad", field="amount").field,
            sr.InvalidValue("bad").field,
        )

    def test_hook_failed(self) -> None:
        """A hook failure carries the case to keep, whether it was accepted, and each error."""
        case = open_case()

        def notify() -> None:
            return None

        boom = RuntimeError("mail server down")
        error = sr.HookFailed(case, accepted=False, errors=[(notify, boom)])
        assert (case, False, ((notify, boom),)) == (error.case, error.accepted, error.errors)
        assert (
            "1 hook(s) failed (nothing changed): "
            "TestCarriedData.test_hook_failed.<locals>.notify raised RuntimeError: "
            "mail server down"
        ) == str(error)

    def test_hook_failed_names_hooks_without_qualname(self) -> None:
        """A callable object without a qualified name is shown by its repr."""

        class Notifier:
            def __call__(self, ctx: sr.HookContext) -> None:
                return None

            def __repr__(self) -> str:
                return "<Notifier>"

        error = sr.HookFailed(None, accepted=True, errors=[(Notifier(), OSError("x"))])
        assert "<Notifier> raised OSError: x" in str(error)


garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.just(sr.Stage.CLOSED),
    st.just(AGENT),
    st.builds(open_case),
)
"""Anything a careless caller might pass where the library expects something else."""


def refusal(call: Callable[[], object]) -> sr.RecoveryError | None:
    """The RecoveryError *call* raises, or None; any other exception fails the test."""
    try:
        call()
    except sr.RecoveryError as refused:
        return refused
    return None


class TestNoBareErrors:
    @given(st.sampled_from(COMMAND_TYPES), st.data())
    def test_commands_refuse_garbage_by_name(
        self, kind: type[sr.Command], data: st.DataObject
    ) -> None:
        """A command built from arbitrary values is valid or refused naming a field."""
        values = {field.name: data.draw(garbage, label=field.name) for field in attrs.fields(kind)}
        refused = refusal(lambda: kind(**values))
        if refused is not None:
            assert isinstance(refused, sr.InvalidValue)
            assert refused.field in values or refused.field is None

    @given(garbage, garbage)
    def test_workflow_refuses_garbage(self, case: Any, command: Any) -> None:
        """apply, explain and allowed refuse garbage with a RecoveryError, never anything else."""
        for call in (
            lambda: WORKFLOW.apply(case, command),
            lambda: WORKFLOW.explain(case, command),
            lambda: WORKFLOW.allowed(case),
            lambda: WORKFLOW.replay(case),
        ):
            refused = refusal(call)
            assert refused is None or str(refused)

    @given(garbage)
    def test_snapshots_refuse_garbage(self, data: Any) -> None:
        """from_dict refuses garbage with InvalidSnapshot (InvalidValue if not a mapping)."""
        with pytest.raises(
            sr.InvalidValue if not isinstance(data, Mapping) else sr.InvalidSnapshot
        ):
            sr.from_dict(data)
        if not isinstance(data, sr.Case):
            with pytest.raises(sr.InvalidValue):
                sr.to_dict(data)


def drawn_tree(text: str) -> dict[str, tuple[str, bool]]:
    """The error tree drawn in *text*: each class name with its parent and its ValueError mark."""
    tree: dict[str, tuple[str, bool]] = {}
    parents: list[str] = []
    for line in text.splitlines():
        match = re.match(r"^(?P<indent>[\s│]*)(?:[├└]── )?(?P<name>[A-Z]\w+)(?P<rest>.*)$", line)
        if match is None or not ("──" in line or match["name"] == "Exception"):
            continue
        depth = len(match["indent"]) // 4
        del parents[depth:]
        if parents:
            tree[match["name"]] = (parents[-1], "+ ValueError" in match["rest"])
        parents.append(match["name"])
    return tree


def tree_block(text: str) -> str:
    """The lines of the first drawn tree in *text*, from its ``Exception`` root."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == "Exception")
    block = []
    for line in lines[start:]:
        if not line.strip() or line.startswith("```"):
            break
        block.append(line.strip("\n"))
    return "\n".join(line[len(lines[start]) - len(lines[start].lstrip()) :] for line in block)


class TestDrawnHierarchy:
    def test_the_drawn_tree_is_the_real_one(self) -> None:
        """Each error drawn in the _errors docstring sits under its nearest drawn ancestor."""
        tree = drawn_tree(_errors.__doc__ or "")
        assert {error.__name__ for error in PUBLIC_ERRORS} == set(tree)
        for name, (parent, value_error) in tree.items():
            error = getattr(sr, name)
            drawn_ancestors = [base for base in error.__mro__[1:] if base.__name__ in tree]
            nearest = drawn_ancestors[0].__name__ if drawn_ancestors else "Exception"
            assert (parent, value_error) == (nearest, issubclass(error, ValueError)), name

    def test_the_reference_draws_the_same_tree(self) -> None:
        """docs/reference/errors.md shows the tree the module docstring draws."""
        page = (Path(__file__).parent.parent / "docs" / "reference" / "errors.md").read_text()
        assert tree_block(_errors.__doc__ or "") == tree_block(page)


class TestLazyMessages:
    def test_hook_failed_formats_when_read(self) -> None:
        """Building a HookFailed never formats its errors: that happens when it is printed."""

        class Loud(Exception):
            def __str__(self) -> str:
                raise AssertionError("formatted too early")

        error = sr.HookFailed(None, accepted=True, errors=[(print, Loud())])
        assert "print raised Loud: <its str() failed>" in str(error)
