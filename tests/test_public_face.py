"""The public face: fixed workflow parts, public module names, pickling, argument types."""

from __future__ import annotations

import inspect
import pickle
import traceback
import typing
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

import service_recovery as sr
from service_recovery._public import _resolve_annotations
from tests.scenarios import AGENT, T0, later, next_step, open_case, walk_to

PUBLIC = {name: getattr(sr, name) for name in sr.__all__ if name != "testing"}
"""Every public name of the package, but the lazily imported testing toolkit."""

DEFINED_HERE: dict[str, Any] = {
    name: value
    for name, value in PUBLIC.items()
    if (inspect.isclass(value) or inspect.isfunction(value))
    and value.__module__.startswith("service_recovery")
}
"""The public classes and functions the package defines (not re-exported from elsewhere)."""


def notify(ctx: sr.HookContext) -> None:
    """A module-level hook, so an error naming it can be pickled."""


class TestFixedParts:
    @pytest.mark.parametrize(
        ("part", "value"),
        [("policy", sr.presets.LAST), ("hooks", sr.Hooks()), ("clock", sr.SystemClock())],
    )
    def test_cannot_be_reassigned(self, part: str, value: object) -> None:
        """policy, hooks and clock are fixed when the workflow is built: the engine uses them."""
        workflow = sr.Workflow(sr.presets.HEARD)
        before = getattr(workflow, part)
        with pytest.raises(AttributeError, match=f"Workflow.{part} is fixed when the workflow"):
            setattr(workflow, part, value)
        with pytest.raises(AttributeError):
            delattr(workflow, part)
        assert before is getattr(workflow, part)

    def test_the_policy_stays_the_one_enforced(self) -> None:
        """After a refused reassignment, the workflow reports and enforces its own policy."""
        workflow = sr.Workflow(sr.presets.HEARD)
        with pytest.raises(AttributeError):
            workflow.policy = sr.presets.LAST  # type: ignore[misc]
        assert sr.presets.HEARD is workflow.policy

    def test_no_new_attributes(self) -> None:
        """A typo in an attribute name fails instead of adding a silent attribute."""
        with pytest.raises(AttributeError):
            sr.Workflow().polcy = sr.presets.LAST  # type: ignore[attr-defined]


class TestModuleNames:
    @pytest.mark.parametrize("name", sorted(DEFINED_HERE))
    def test_public_names_report_the_public_module(self, name: str) -> None:
        """sr.X reports service_recovery as its module, not the private one it lives in."""
        assert "service_recovery" == DEFINED_HERE[name].__module__

    def test_public_families_keep_their_own_modules(self) -> None:
        """The testing toolkit's names report their own public family, not the package."""
        assert sr.testing.CaseFactory.__module__.startswith("service_recovery.testing")

    def test_tracebacks_name_the_public_path(self) -> None:
        """A refusal prints as service_recovery.TransitionNotAllowed."""
        case = open_case()
        try:
            sr.Workflow().apply(case, sr.Close(by=AGENT, at=later(case)))
        except sr.TransitionNotAllowed as refused:
            line = traceback.format_exception_only(refused)[-1]
        assert line.startswith("service_recovery.TransitionNotAllowed: ")

    @pytest.mark.parametrize(
        "name", sorted(n for n, v in DEFINED_HERE.items() if inspect.isclass(v))
    )
    def test_members_report_the_module_of_their_class(self, name: str) -> None:
        """A class's own functions move with it, so docs tools find them together."""
        kind = DEFINED_HERE[name]
        for member in vars(kind).values():
            function = getattr(member, "fget", getattr(member, "__func__", member))
            if inspect.isfunction(function) and function.__module__.startswith("service_recovery"):
                assert kind.__module__ == function.__module__, function

    @pytest.mark.parametrize(
        "name", sorted(n for n, v in DEFINED_HERE.items() if attrs.has(v) and inspect.isclass(v))
    )
    def test_type_hints_still_resolve(self, name: str) -> None:
        """Annotations resolve although their names are not in the public module."""
        kind = DEFINED_HERE[name]
        hints = typing.get_type_hints(kind)
        assert {field.name for field in attrs.fields(kind)} <= set(hints)
        assert all(not isinstance(hint, str) for hint in hints.values())

    def test_annotations_that_do_not_resolve_stay_text(self) -> None:
        """A name only imported for type checkers is left as it was, and the rest resolves."""

        class Sample:
            known: int
            unknown: NotImportedHere  # type: ignore[name-defined]  # noqa: F821

        vars(Sample)["__annotations__"]["done"] = int
        _resolve_annotations(Sample, {"int": int})
        assert {"known": int, "unknown": "NotImportedHere", "done": int} == vars(Sample)[
            "__annotations__"
        ]

    def test_case_hints_are_the_real_types(self) -> None:
        """A resolved hint is the type itself, not a look-alike."""
        hints = typing.get_type_hints(sr.Case)
        assert (sr.Stage, datetime) == (hints["stage"], hints["opened_at"])


class TestPickling:
    def test_a_case_round_trips(self) -> None:
        """A case pickles and loads equal, and behaves the same."""
        case = walk_to(sr.Stage.RESOLVING)
        loaded = pickle.loads(pickle.dumps(case))
        assert case == loaded
        assert sr.Workflow().allowed(case) == sr.Workflow().allowed(loaded)

    def test_a_command_round_trips(self) -> None:
        """A command with nested values pickles and loads equal."""
        command = sr.ProposeSolution(
            by=AGENT,
            at=T0,
            plan="Refund",
            actions=(sr.Action("Refund", T0),),
            compensation=sr.Compensation(sr.CompensationKind.REFUND, sr.Money(Decimal(20), "EUR")),
        )
        assert command == pickle.loads(pickle.dumps(command))

    def test_a_refusal_round_trips(self) -> None:
        """TransitionNotAllowed keeps its reasons, case, command and message."""
        case = open_case()
        command = sr.Close(by=AGENT, at=later(case))
        with pytest.raises(sr.TransitionNotAllowed) as caught:
            sr.Workflow().apply(case, command)
        loaded = pickle.loads(pickle.dumps(caught.value))
        assert type(loaded) is sr.TransitionNotAllowed
        assert caught.value.reasons == loaded.reasons
        assert (case, command) == (loaded.case, loaded.command)
        assert str(caught.value) == str(loaded)

    @pytest.mark.parametrize(
        "error",
        [
            sr.InvalidValue("amount: bad", field="amount"),
            sr.InvalidSnapshot(["history[0].at: bad", "stage: unknown"]),
            sr.InvalidPolicy(["name: blank"]),
            sr.IdempotencyConflict("id reused"),
            sr.CommandVetoed([sr.Reason("host veto", "No")], None, None),
            sr.HookFailed(None, accepted=False, errors=[(notify, OSError("disk full"))]),
        ],
        ids=lambda error: type(error).__name__,
    )
    def test_errors_round_trip(self, error: sr.RecoveryError) -> None:
        """Every error pickles with the data it carries and the same message."""
        loaded = pickle.loads(pickle.dumps(error))
        assert type(error) is type(loaded)
        assert str(error) == str(loaded)
        assert vars(error).keys() == vars(loaded).keys()

    def test_a_default_veto_round_trips(self) -> None:
        """A veto without a reason pickles with the default one."""
        assert sr.Veto.DEFAULT_REASON == pickle.loads(pickle.dumps(sr.Veto())).reason


class TestArgumentTypes:
    @pytest.mark.parametrize(
        ("build", "field"),
        [
            (lambda: sr.Workflow("HEARD"), "policy"),  # type: ignore[arg-type]
            (lambda: sr.Workflow(clock="09:00"), "clock"),  # type: ignore[arg-type]
        ],
    )
    def test_building_a_workflow(self, build: Any, field: str) -> None:
        """A wrong policy or clock is an InvalidValue naming it."""
        with pytest.raises(sr.InvalidValue) as caught:
            build()
        assert field == caught.value.field

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("customer", "c-1"),
            ("channel", "CHAT"),  # a name; the value "chat" is the channel
            ("severity", 1),
            ("summary", None),
            ("at", "now"),
            ("id", 5),
            ("by", "ana"),
        ],
    )
    def test_opening(self, field: str, value: object) -> None:
        """Each argument of open is checked, and the error names the argument."""
        arguments: dict[str, Any] = {
            "customer": sr.Customer("c-1"),
            "channel": sr.Channel.CHAT,
            "severity": sr.Severity.MINOR,
            "summary": "Late parcel",
            "at": T0,
        }
        arguments[field] = value
        with pytest.raises(sr.InvalidValue) as caught:
            sr.Workflow().open(**arguments)
        assert field == caught.value.field

    @pytest.mark.parametrize(
        ("call", "field"),
        [
            (lambda w, case: w.tick("case-1", now=T0), "case"),
            (lambda w, case: w.tick(case, now="09:00"), "now"),
            (lambda w, case: w.tick(case), "now"),
            (lambda w, case: w.deadlines(case, now=5), "now"),
            (lambda w, case: w.due([case, "case-2"], now=T0), "cases"),
            (lambda w, case: w.due([case], now=T0, within=5), "within"),
        ],
    )
    def test_time_verbs(self, call: Any, field: str) -> None:
        """tick, deadlines and due name the argument that is wrong."""
        workflow = sr.Workflow()
        with pytest.raises(sr.InvalidValue) as caught:
            call(workflow, open_case(workflow))
        assert field == caught.value.field

    @pytest.mark.parametrize(
        "attach",
        [
            lambda hooks: hooks.before(sr.Stage.CLOSED),
            lambda hooks: hooks.after("Close"),
            lambda hooks: hooks.on_enter(sr.Close),
            lambda hooks: hooks.on_exit("closed"),
            lambda hooks: hooks.on_breach("promise"),
            lambda hooks: hooks.after()("notify"),
            lambda hooks: hooks.on_command(None),
        ],
    )
    def test_attaching_hooks(self, attach: Any) -> None:
        """A filter or hook of the wrong type is an InvalidValue when attached."""
        with pytest.raises(sr.InvalidValue):
            attach(sr.Workflow().hooks)

    def test_an_interrupted_next_step_still_applies(self) -> None:
        """The fixed parts change nothing about applying commands."""
        workflow = sr.Workflow()
        case = open_case(workflow)
        assert sr.Stage.ACKNOWLEDGED is workflow.apply(case, next_step(case)).stage
