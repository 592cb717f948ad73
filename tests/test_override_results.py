"""What a policy's override methods return is checked where the library uses it.

A wrong return raises :class:`InvalidPolicy` naming the method, the value it
returned (shortened) and what was expected, before anything changes; an
exception the override raises itself reaches the caller as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery.stores import MemoryStore
from service_recovery.testing import CaseFactory
from tests.scenarios import AGENT, T0, later, proposal, walk_through, walk_to

S = sr.Stage


def make_case(policy: sr.RecoveryPolicy, stage: sr.Stage, **details: Any) -> sr.Case:
    """A case of *policy* at *stage*, every step taken at ``T0``."""
    return CaseFactory(sr.Workflow(policy), sr.FixedClock(T0))(stage, **details)


def close(case: sr.Case) -> sr.Close:
    return sr.Close(by=AGENT, at=later(case), note="All good")


def satisfied(case: sr.Case) -> sr.FollowUp:
    return sr.FollowUp(by=AGENT, at=later(case), outcome=sr.FollowUpOutcome.SATISFIED)


class TestChecksAlreadyInPlace:
    """The four overrides whose results were checked first."""

    def test_follow_up_attempts_for_returning_text(self) -> None:
        class Texty(sr.RecoveryPolicy):
            def follow_up_attempts_for(self, case: sr.Case) -> int:
                return "3"  # type: ignore[return-value]

        workflow = sr.Workflow(Texty())
        case = walk_to(S.RESOLVED, workflow)
        with pytest.raises(sr.InvalidPolicy, match=r"Texty\.follow_up_attempts_for.*'3'"):
            workflow.explain(case, sr.Close(by=AGENT, at=later(case)))

    def test_authority_for_returning_none(self) -> None:
        class Nobody(sr.RecoveryPolicy):
            def authority_for(self, actor: sr.Actor) -> sr.Money:
                return None  # type: ignore[return-value]

        workflow = sr.Workflow(Nobody())
        case = walk_through(workflow, S.DIAGNOSED)  # the factory would try approvals on the way
        offer = proposal(
            later(case),
            compensation=sr.Compensation(sr.CompensationKind.CREDIT, sr.Money(5, "EUR")),
        )
        with pytest.raises(sr.InvalidPolicy, match=r"Nobody\.authority_for.*None"):
            workflow.explain(case, offer)
        with pytest.raises(sr.InvalidPolicy, match=r"Nobody\.authority_for"):
            workflow.suggest(case, by=AGENT)

    def test_reopen_window_for_returning_a_number(self) -> None:
        class Numeric(sr.RecoveryPolicy):
            def reopen_window_for(self, case: sr.Case) -> timedelta:
                return 30  # type: ignore[return-value]

        workflow = sr.Workflow(Numeric())
        case = walk_to(S.CLOSED, workflow)
        with pytest.raises(sr.InvalidPolicy, match=r"Numeric\.reopen_window_for.*30"):
            workflow.explain(case, sr.Reopen(by=AGENT, at=later(case), reason="again"))
        with pytest.raises(sr.InvalidPolicy, match=r"Numeric\.reopen_window_for"):
            workflow.deadlines(case, now=later(case))

    def test_verify_reads_authority_through_the_check(self) -> None:
        """verify meets a wrong authority as apply does: an InvalidPolicy naming the method."""

        class Nobody(sr.RecoveryPolicy):
            def authority_for(self, actor: sr.Actor) -> sr.Money:
                return None  # type: ignore[return-value]

        with pytest.raises(sr.InvalidPolicy, match=r"Nobody\.authority_for.*None"):
            sr.verify(sr.Workflow(Nobody()), severities=[sr.Severity.MINOR])


class TestPlaybookFor:
    class ByName(sr.RecoveryPolicy):
        """Answers the cause's name where the playbook is expected."""

        def playbook_for(self, case: sr.Case) -> sr.Playbook | None:
            return None if case.cause is None else case.cause.category  # type: ignore[return-value]

    EXPECTED = r"ByName\.playbook_for: expected a Playbook or None, but it returned 'wrong_item'"

    def test_suggest_refuses_it(self) -> None:
        policy = self.ByName()
        case = make_case(policy, S.DIAGNOSED)
        with pytest.raises(sr.InvalidPolicy, match=self.EXPECTED):
            sr.Workflow(policy).suggest(case, by=AGENT)

    def test_guidance_refuses_it(self) -> None:
        policy = self.ByName()
        case = make_case(policy, S.DIAGNOSED)
        with pytest.raises(sr.InvalidPolicy, match=self.EXPECTED):
            sr.Workflow(policy).guidance(case)

    def test_the_default_requirements_read_it_checked(self) -> None:
        """Closing a critical case asks for the playbook's steps: refused, nothing ran."""
        policy = self.ByName()
        workflow = sr.Workflow(policy)
        entered: list[sr.Stage] = []
        workflow.hooks.on_enter(S.CLOSED)(lambda ctx: entered.append(ctx.case_after.stage))
        case = make_case(policy, S.FOLLOWED_UP, severity=sr.Severity.CRITICAL)
        with pytest.raises(sr.InvalidPolicy, match=self.EXPECTED):
            workflow.apply(case, close(case))
        assert [] == entered

    def test_none_and_a_playbook_are_accepted(self) -> None:
        """The two answers the method may give both work."""
        policy = self.ByName()

        class Booked(sr.RecoveryPolicy):
            def playbook_for(self, case: sr.Case) -> sr.Playbook | None:
                return sr.Playbook(advice="Replace it today")

        case = make_case(policy, S.APOLOGIZED)
        assert sr.Workflow(policy).suggest(case, by=AGENT).category is None
        booked = make_case(Booked(), S.DIAGNOSED)
        assert "Replace it today" in sr.Workflow(Booked()).guidance(booked).do


class Returns(sr.RecoveryPolicy):
    """Returns whatever a test puts in ``Returns.value``, from the method it names."""

    value: ClassVar[object] = None
    method: ClassVar[str] = ""

    def playbook_for(self, case: sr.Case) -> sr.Playbook | None:
        if self.method == "playbook_for" and case.cause is not None:
            return self.value  # type: ignore[return-value]
        return super().playbook_for(case)

    def suggested_compensation(self, case: sr.Case) -> sr.Compensation | None:
        if self.method == "suggested_compensation":
            return self.value  # type: ignore[return-value]
        return super().suggested_compensation(case)


RETURNS = Returns()
DIAGNOSED = make_case(RETURNS, S.DIAGNOSED, severity=sr.Severity.MAJOR)
WRONG = st.one_of(
    st.integers(),
    st.text(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=3),
    st.builds(sr.Money, st.integers(0, 100), st.just("EUR")),
    st.builds(object),
)
"""Values no override that answers a Playbook or a Compensation (or None) may return."""


class TestWrongValuesOfAnyKind:
    @given(st.sampled_from(["playbook_for", "suggested_compensation"]), WRONG)
    def test_every_wrong_value_is_named(self, method: str, value: object) -> None:
        """Whatever the wrong value, the error names the method and quotes the value."""
        Returns.method, Returns.value = method, value
        try:
            with pytest.raises(sr.InvalidPolicy) as caught:
                sr.Workflow(RETURNS).suggest(DIAGNOSED, by=AGENT)
        finally:
            Returns.method, Returns.value = "", None
        (problem,) = caught.value.problems
        assert problem.startswith(f"Returns.{method}: expected a ")
        assert "but it returned " in problem
        assert len(problem) < 200


class TestRequirementsFor:
    THANK = sr.Requirement(sr.Step.THANK, S.CLOSED)

    def policy(self, returned: object) -> sr.RecoveryPolicy:
        class Custom(sr.RecoveryPolicy):
            def requirements_for(self, case: sr.Case) -> tuple[sr.Requirement, ...]:
                return returned  # type: ignore[return-value]

        return Custom()

    def test_one_requirement_not_in_a_collection(self) -> None:
        policy = self.policy(self.THANK)
        case = make_case(policy, S.FOLLOWED_UP)
        with pytest.raises(
            sr.InvalidPolicy,
            match=r"Custom\.requirements_for: expected an iterable of Requirement, "
            r"but it returned Requirement\(",
        ):
            sr.Workflow(policy).apply(case, close(case))

    def test_a_string_is_refused_whole(self) -> None:
        """A string is refused as it is, not read character by character."""
        policy = self.policy("thank")
        case = make_case(policy, S.FOLLOWED_UP)
        with pytest.raises(sr.InvalidPolicy, match=r"but it returned 'thank' \(a bare string"):
            sr.Workflow(policy).explain(case, close(case))

    def test_an_item_that_is_not_a_requirement(self) -> None:
        policy = self.policy([self.THANK, sr.Step.THANK])
        case = make_case(policy, S.FOLLOWED_UP)
        with pytest.raises(
            sr.InvalidPolicy,
            match=r"Custom\.requirements_for: expected an iterable of Requirement, "
            r"but item 1 of what it returned is <Step\.THANK: 'thank'>",
        ):
            sr.Workflow(policy).guidance(case)

    @pytest.mark.parametrize("kind", [tuple, list, iter], ids=["tuple", "list", "iterator"])
    def test_any_iterable_of_requirements_is_accepted(
        self, kind: type[Iterable[sr.Requirement]]
    ) -> None:
        """A list or an iterator serves as a tuple does: the step is required."""

        class Required(sr.RecoveryPolicy):
            def requirements_for(self, case: sr.Case) -> tuple[sr.Requirement, ...]:
                return kind([TestRequirementsFor.THANK])  # type: ignore[call-arg, return-value]

        policy = Required()
        workflow = sr.Workflow(policy)
        case = make_case(policy, S.FOLLOWED_UP)
        reasons = workflow.explain(case, close(case))
        assert ["required steps"] == [reason.guard for reason in reasons]
        assert "thank the customer" in str(reasons[0])


class TestSuggestedCompensation:
    def test_an_amount_instead_of_a_compensation(self) -> None:
        class JustMoney(sr.RecoveryPolicy):
            def suggested_compensation(self, case: sr.Case) -> sr.Compensation | None:
                return sr.Money(20, "EUR")  # type: ignore[return-value]

        case = make_case(JustMoney(), S.DIAGNOSED)
        with pytest.raises(
            sr.InvalidPolicy,
            match=r"JustMoney\.suggested_compensation: expected a Compensation or None, "
            r"but it returned Money\(",
        ):
            sr.Workflow(JustMoney()).suggest(case, by=AGENT)

    def test_the_property_test_toolkit_reads_it_checked(self) -> None:
        """The stateful toolkit's ladder check meets the same error, not an AttributeError."""

        class JustMoney(sr.RecoveryPolicy):
            def suggested_compensation(self, case: sr.Case) -> sr.Compensation | None:
                return sr.Money(20, "EUR")  # type: ignore[return-value]

        class Machine(sr.testing.WorkflowStateMachine):
            def make_workflow(self) -> sr.Workflow:
                return sr.Workflow(JustMoney())

        machine = Machine()
        machine.case = make_case(JustMoney(), S.DIAGNOSED)
        with pytest.raises(sr.InvalidPolicy, match=r"JustMoney\.suggested_compensation"):
            machine.ladder_fits_the_policy()


def no_closing(policy: sr.RecoveryPolicy, case: sr.Case, command: object) -> str | None:
    return "Not today"


NO_CLOSING = sr.Guard("not today", no_closing, commands=(sr.Close,))


class TestGuards:
    """A policy's guards are read once, when the workflow is built: so is the error."""

    def policy(self, returned: object) -> sr.RecoveryPolicy:
        class Guarded(sr.RecoveryPolicy):
            def guards(self) -> Iterable[sr.Guard]:
                return returned  # type: ignore[return-value]

        return Guarded()

    def test_one_guard_not_in_a_collection(self) -> None:
        with pytest.raises(
            sr.InvalidPolicy,
            match=r"Guarded\.guards: expected an iterable of Guard, but it returned Guard\(",
        ):
            sr.Workflow(self.policy(NO_CLOSING))

    def test_a_check_not_wrapped_in_a_guard(self) -> None:
        with pytest.raises(
            sr.InvalidPolicy,
            match=r"Guarded\.guards: expected an iterable of Guard, "
            r"but item 0 of what it returned is <function no_closing",
        ):
            sr.Workflow(self.policy([no_closing]))

    def test_a_string_is_refused_whole(self) -> None:
        with pytest.raises(sr.InvalidPolicy, match=r"returned 'not today' \(a bare string"):
            sr.Workflow(self.policy("not today"))

    def test_a_generator_keeping_the_defaults(self) -> None:
        """The documented way: yield from super().guards(), then one's own."""

        class Guarded(sr.RecoveryPolicy):
            def guards(self) -> Iterator[sr.Guard]:
                yield from super().guards()
                yield NO_CLOSING

        workflow = sr.Workflow(Guarded())
        case = make_case(Guarded(), S.FOLLOWED_UP, severity=sr.Severity.CRITICAL)
        assert ["required steps", "not today"] == [
            reason.guard for reason in workflow.explain(case, close(case))
        ]


class TestExtraReasons:
    def policy(self, returned: object) -> sr.RecoveryPolicy:
        """A policy whose extra reasons for a follow-up are *returned* (none otherwise)."""

        class Reasoned(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                return returned if isinstance(command, sr.FollowUp) else ()  # type: ignore[return-value]

        return Reasoned()

    def test_a_bare_string_is_refused_not_read_per_character(self) -> None:
        policy = self.policy("Call back after nine")
        workflow = sr.Workflow(policy)
        case = make_case(policy, S.RESOLVED)
        expected = (
            r"Reasoned\.extra_reasons: expected an iterable of reasons \(non-blank strings\), "
            r"but it returned 'Call back after nine' \(a bare string"
        )
        with pytest.raises(sr.InvalidPolicy, match=expected):
            workflow.explain(case, satisfied(case))
        with pytest.raises(sr.InvalidPolicy, match=expected):
            workflow.apply(case, satisfied(case))

    @pytest.mark.parametrize(
        ("returned", "shown"),
        [
            (None, "it returned None"),
            (42, "it returned 42"),
            ([42], "item 0 of what it returned is 42"),
            (("Call back", "  "), "item 1 of what it returned is '  '"),
        ],
    )
    def test_what_is_not_reasons(self, returned: object, shown: str) -> None:
        policy = self.policy(returned)
        case = make_case(policy, S.RESOLVED)
        with pytest.raises(sr.InvalidPolicy) as caught:
            sr.Workflow(policy).explain(case, satisfied(case))
        assert caught.value.problems == (
            "Reasoned.extra_reasons: expected an iterable of reasons (non-blank strings), "
            f"but {shown}",
        )

    @pytest.mark.parametrize("kind", [tuple, list, iter], ids=["tuple", "list", "iterator"])
    def test_any_iterable_of_reasons_refuses(self, kind: type[Iterable[str]]) -> None:
        policy = self.policy(kind(["Call back after nine"]))  # type: ignore[call-arg]
        case = make_case(policy, S.RESOLVED)
        assert [sr.Reason("policy", "Call back after nine")] == sr.Workflow(policy).explain(
            case, satisfied(case)
        )

    def test_a_long_value_is_quoted_shortened(self) -> None:
        policy = self.policy("x" * 10_000)
        case = make_case(policy, S.RESOLVED)
        with pytest.raises(sr.InvalidPolicy) as caught:
            sr.Workflow(policy).explain(case, satisfied(case))
        assert len(str(caught.value)) < 300
        assert "xxx..." in str(caught.value)

    def test_a_value_whose_repr_fails_is_still_reported(self) -> None:
        class Opaque:
            def __repr__(self) -> str:
                raise RuntimeError("no repr")

        policy = self.policy(Opaque())
        case = make_case(policy, S.RESOLVED)
        with pytest.raises(sr.InvalidPolicy, match=r"returned <Opaque instance at "):
            sr.Workflow(policy).explain(case, satisfied(case))

    def test_a_refused_apply_changes_nothing(self) -> None:
        """Before-hooks never run and the store keeps the case as it was."""
        policy = self.policy("Call back after nine")
        workflow = sr.Workflow(policy)
        ran: list[str] = []
        workflow.hooks.before(sr.FollowUp)(lambda ctx: ran.append("before"))
        workflow.hooks.after(sr.FollowUp)(lambda ctx: ran.append("after"))
        store = MemoryStore()
        desk = sr.Desk(workflow, store)
        case = make_case(policy, S.RESOLVED)
        store.add(case)
        with pytest.raises(sr.InvalidPolicy, match=r"Reasoned\.extra_reasons"):
            desk.apply(case.id, satisfied(case))
        assert [] == ran
        assert case == store.load(case.id)


class TestAnOverrideThatRaises:
    """An exception the override raises itself is the host's own: it passes through as is."""

    def test_it_reaches_the_caller_unchanged_and_nothing_changes(self) -> None:
        failure = LookupError("customer not found in the CRM")

        class Lookup(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
                if isinstance(command, sr.FollowUp):
                    raise failure
                return ()

        store = MemoryStore()
        desk = sr.Desk(sr.Workflow(Lookup()), store)
        case = make_case(Lookup(), S.RESOLVED)
        store.add(case)
        with pytest.raises(LookupError) as caught:
            desk.apply(case.id, satisfied(case))
        assert caught.value is failure
        assert case == store.load(case.id)

    def test_a_generator_failing_half_way(self) -> None:
        """A generator of reasons that fails after one reason adds none of them."""

        class HalfWay(sr.RecoveryPolicy):
            def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterator[str]:
                if isinstance(command, sr.FollowUp):
                    yield "First reason"
                    raise RuntimeError("the rules service went away")

        workflow = sr.Workflow(HalfWay())
        case = make_case(HalfWay(), S.RESOLVED)
        with pytest.raises(RuntimeError, match="went away"):
            workflow.apply(case, satisfied(case))
