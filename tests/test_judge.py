"""The judge: one decision for apply, explain, allowed, verify and diagram."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_recovery as sr
from service_recovery._decision._judge import Judge
from service_recovery._decision._verify import Scene, _builder_of
from service_recovery._model._commands import COMMAND_TYPES
from tests.scenarios import (
    AGENT,
    T0,
    commands_for,
    later,
    next_step,
    open_case,
    proposal,
    reachable_cases,
    walk_to,
)

S = sr.Stage


@attrs.frozen(kw_only=True)
class WrapUpVenting(sr.FinishVenting):
    """A host's own name for finishing venting."""

    title: ClassVar[str] = "Wrap up venting"


@attrs.frozen(kw_only=True)
class SignOff(sr.Approve):
    """A host's own name for approving an escalation."""

    title: ClassVar[str] = "Sign off"


@attrs.frozen(kw_only=True)
class OfferFix(sr.ProposeSolution):
    """A host's own name for proposing a solution."""

    title: ClassVar[str] = "Offer a fix"


RENAMED = {sr.FinishVenting: WrapUpVenting, sr.ProposeSolution: OfferFix}

SUBCLASSED = attrs.evolve(
    sr.presets.DEFAULT,
    name="subclassed",
    graph=sr.StageGraph(
        (
            *(
                attrs.evolve(edge, command=RENAMED.get(edge.command, edge.command))
                for edge in sr.DEFAULT_GRAPH.edges
            ),
            sr.Edge(SignOff, S.REPORTED, S.REPORTED),
            sr.Edge(SignOff, S.DIAGNOSED, S.DIAGNOSED),
        )
    ),
)
"""The default graph with its own subclasses of three commands on the edges."""

WORKFLOW = sr.Workflow(SUBCLASSED)


def retyped(command: sr.Command, kind: type[sr.Command]) -> sr.Command:
    """*command* as an instance of its subclass *kind*, with the same fields."""
    fields = {f.name: getattr(command, f.name) for f in attrs.fields(type(command)) if f.init}
    return kind(**fields)


def step(case: sr.Case) -> sr.Command:
    """The happy path's next command, in the subclassed graph's own types."""
    command = next_step(case)
    kind = RENAMED.get(type(command))
    return command if kind is None else retyped(command, kind)


def walk(stage: S) -> sr.Case:
    """A case of the subclassed workflow walked along the happy path to *stage*."""
    case = open_case(WORKFLOW)
    while case.stage is not stage:
        case = WORKFLOW.apply(case, step(case))
    return case


def nobody_approves_their_own(case: sr.Case) -> bool:
    """No approval in the history was made by whoever escalated."""
    return all(asked.by.id != approved.by.id for asked, approved in case.approvals)


def proposals_within_authority(case: sr.Case) -> bool:
    """The compensation on the table is within its proposer's authority, or approved."""
    offer = case.proposal
    if offer is None or offer.compensation is None:
        return True
    amount = offer.compensation.amount
    limit = SUBCLASSED.authority_for(offer.by)
    cleared = case.approved_amount
    return amount.amount <= limit.amount or (
        cleared is not None and amount.amount <= cleared.amount
    )


def heard_before_venting_ends(case: sr.Case) -> bool:
    """Venting finishes only once a reflected summary was confirmed."""
    return not case.venting_finished or case.summary_confirmed


def guards_of(reasons: list[sr.Reason]) -> list[str]:
    return [reason.guard for reason in reasons]


class TestGuardsFollowTheClassHierarchy:
    def test_a_finish_venting_subclass_needs_a_confirmed_summary(self) -> None:
        """Finishing venting under another name still needs a confirmed summary."""
        case = walk(S.LISTENING)
        assert not case.summary_confirmed
        with pytest.raises(sr.TransitionNotAllowed) as refused:
            WORKFLOW.apply(case, WrapUpVenting(by=AGENT, at=later(case)))
        assert ["summary confirmed"] == guards_of(list(refused.value.reasons))

    def test_an_approve_subclass_cannot_approve_ones_own_escalation(self) -> None:
        """Approving under another name still needs someone other than who escalated."""
        case = walk(S.DIAGNOSED)
        case = WORKFLOW.apply(case, sr.Escalate(by=AGENT, at=later(case), reason="Goodwill"))
        with pytest.raises(sr.TransitionNotAllowed) as refused:
            WORKFLOW.apply(case, SignOff(by=AGENT, at=later(case)))
        assert ["approver qualified"] == guards_of(list(refused.value.reasons))

    def test_a_propose_subclass_stays_within_authority(self) -> None:
        """Proposing under another name still needs approval above the agent's authority."""
        case = walk(S.DIAGNOSED)
        refund = sr.Compensation(sr.CompensationKind.REFUND, sr.Money(1_000_000, "EUR"))
        offer = retyped(proposal(later(case), compensation=refund), OfferFix)
        with pytest.raises(sr.TransitionNotAllowed) as refused:
            WORKFLOW.apply(case, offer)
        assert ["within authority"] == guards_of(list(refused.value.reasons))

    def test_a_subclass_gets_every_guard_of_its_base(self) -> None:
        """Each guard of a base command type judges its subclasses too, in the same order."""
        guards = WORKFLOW.judge.guards
        for base, kind in (*RENAMED.items(), (sr.Approve, SignOff)):
            assert guards.of(base) == guards.of(kind)
            assert guards.without_command(base) == guards.without_command(kind)
            assert guards.on(base, S.SOLUTION_PROPOSED) == guards.on(kind, S.SOLUTION_PROPOSED)

    def test_a_guard_of_a_subclass_leaves_its_base_alone(self) -> None:
        """A policy guard for a subclass judges the subclass only."""

        class NoSignOffs(sr.RecoveryPolicy):
            def guards(self) -> tuple[sr.Guard, ...]:
                return (
                    *super().guards(),
                    sr.Guard("no sign-offs", lambda policy, case, command: "No", (SignOff,)),
                )

        judge = sr.Workflow(NoSignOffs(graph=SUBCLASSED.graph)).judge
        assert "no sign-offs" in [guard.name for guard in judge.guards.of(SignOff)]
        assert "no sign-offs" not in [guard.name for guard in judge.guards.of(sr.Approve)]

    def test_verify_proves_the_subclassed_graph_keeps_the_contract(self) -> None:
        """verify tries the subclasses with their base's payloads and finds no way round a guard."""

        report = sr.verify(
            WORKFLOW,
            [nobody_approves_their_own, proposals_within_authority, heard_before_venting_ends],
            severities=(sr.Severity.MINOR,),
        )
        assert report.ok, str(report)

    def test_verify_catches_a_judge_without_the_guards(self) -> None:
        """The same properties break, through the subclasses, when no guard runs."""

        class Unguarded(sr.Workflow):
            def __init__(self) -> None:
                super().__init__(SUBCLASSED)
                self._judge = Judge(SUBCLASSED, self._engine, guards=())

        report = sr.verify(
            Unguarded(),
            [heard_before_venting_ends, proposals_within_authority],
            severities=(sr.Severity.MINOR,),
            max_states=3000,
        )
        unheard, generous = report.results[-2:]
        assert unheard.counterexample is not None
        assert generous.counterexample is not None
        assert ["Acknowledge", "Listen", "WrapUpVenting"] == [
            move.label for move in unheard.counterexample.moves
        ]
        assert "OfferFix(with compensation above authority)" == (
            generous.counterexample.moves[-1].label
        )

    def test_the_diagram_names_the_guards_of_a_subclass_edge(self) -> None:
        """A subclass's edge is drawn with its base's guards."""
        lines = sr.diagram(WORKFLOW).splitlines()
        venting = next(line for line in lines if "WrapUpVenting" in line)
        assert "summary confirmed" in venting
        offer = next(line for line in lines if "OfferFix" in line)
        assert "venting finished" in offer
        assert "within authority" in offer


class TestExplainAType:
    def test_reasons_a_button_is_off(self) -> None:
        """explain of a type gives the guards that need no details, then the step reason."""
        case = open_case()
        workflow = sr.Workflow()
        reasons = workflow.explain(case, sr.Close)
        assert ["followed up", "step available"] == guards_of(reasons)
        expected = ", ".join(kind.title for kind in workflow.allowed(case))
        assert f"Close is not a step while the case is reported; possible now: {expected}" == str(
            reasons[-1]
        )

    def test_an_allowed_type_has_no_reason(self) -> None:
        """A type that is allowed now has nothing against it, whatever a command's details."""
        case = walk_to(S.DIAGNOSED)
        assert [] == sr.Workflow().explain(case, sr.ProposeSolution)

    def test_open_is_never_a_button(self) -> None:
        """A case is opened once."""
        [reason] = sr.Workflow().explain(open_case(), sr.Open)
        assert "A case is opened once, with Workflow.open" == str(reason)

    def test_a_subclass_type_is_judged_by_its_base_guards(self) -> None:
        """The type form follows the class hierarchy too."""
        case = walk(S.LISTENING)
        assert ["summary confirmed"] == guards_of(WORKFLOW.explain(case, WrapUpVenting))

    @given(reachable_cases(), st.sampled_from(COMMAND_TYPES))
    def test_empty_exactly_when_allowed(self, case: sr.Case, kind: type[sr.Command]) -> None:
        """explain of a type is empty exactly when allowed offers it."""
        workflow = sr.Workflow()
        assert (not workflow.explain(case, kind)) == (kind in workflow.allowed(case))

    @given(reachable_cases(), st.sampled_from(COMMAND_TYPES))
    def test_a_type_reason_is_a_reason_of_every_command(
        self, case: sr.Case, kind: type[sr.Command]
    ) -> None:
        """A guard that turns a button off refuses any command of that type too."""
        workflow = sr.Workflow()
        for reason in workflow.explain(case, kind):
            if reason.guard != "step available":
                assert reason.guard in [g.name for g in workflow.judge.guards.of(kind)]

    def test_a_case_of_another_policy_has_every_button_off(self) -> None:
        """The type form refuses a case of another policy, as the command form does."""
        case = open_case()
        heard = sr.Workflow(sr.presets.HEARD)
        [reason] = heard.explain(case, sr.Acknowledge)
        command = sr.Acknowledge(by=sr.Actor("ana", sr.Role.AGENT), at=case.last_at)
        assert heard.explain(case, command) == [reason]
        assert "same policy" == reason.guard

    def test_a_class_that_is_no_command_type_is_named(self) -> None:
        """A class that is no command type is refused, naming the class."""
        with pytest.raises(sr.InvalidValue, match="got the class int, which is no command type"):
            sr.Workflow().explain(open_case(), int)  # type: ignore[arg-type]


class TestTheOneDecision:
    @given(reachable_cases(), st.data())
    def test_apply_and_the_judge_agree(self, case: sr.Case, data: st.DataObject) -> None:
        """apply accepts into the judge's destination exactly when the judge finds no reason."""
        workflow = sr.Workflow()
        command = attrs.evolve(data.draw(commands_for(case)), id=None)  # never a re-delivery
        dest, reasons = workflow.judge.decide(case, command)
        refused: tuple[sr.Reason, ...] = ()
        try:
            applied: sr.Stage | None = workflow.apply(case, command).stage
        except sr.TransitionNotAllowed as refusal:
            refused, applied = refusal.reasons, None
        assert tuple(reasons) == refused
        assert (applied, workflow.judge.destination(case, command)) == (
            None if reasons else dest,
            None if reasons else dest,
        )

    @pytest.mark.parametrize("policy", sr.presets.PRESETS.values(), ids=lambda p: p.name)
    def test_the_move_is_the_engines(self, policy: sr.RecoveryPolicy) -> None:
        """Where the judge moves a case is where the engine's trigger moves it, on every edge."""
        workflow = sr.Workflow(policy)
        case = open_case(workflow)
        for edge in policy.graph.all_edges():
            at_source = attrs.evolve(case, stage=edge.source)
            for command in _commands_of(edge.command, at_source):
                assert workflow._engine.move(at_source, command) == workflow.judge.move(
                    at_source, command
                )

    def test_time_order_is_one_check(self) -> None:
        """A command dated before the case's last event has one reason; at the same time, none."""
        case = open_case()
        judge = sr.Workflow().judge
        too_early = judge.policy.clock_skew + timedelta(seconds=1)
        early = sr.Acknowledge(by=AGENT, at=T0 - too_early)
        reason = judge.out_of_order(case, early)
        assert reason is not None
        assert "in time order" == reason.guard
        assert judge.out_of_order(case, sr.Acknowledge(by=AGENT, at=T0)) is None

    def test_verify_and_diagram_take_anything_with_a_judge(self) -> None:
        """verify and diagram read a workflow through its judge, and refuse what has none."""
        with pytest.raises(sr.InvalidValue, match="expected a Workflow"):
            sr.verify(object())  # type: ignore[arg-type]
        with pytest.raises(sr.InvalidValue, match="expected a Workflow"):
            sr.diagram(object())  # type: ignore[arg-type]

    def test_the_judge_cannot_be_replaced(self) -> None:
        """Workflow.judge is read-only."""
        workflow = sr.Workflow()
        with pytest.raises(AttributeError):
            workflow.judge = sr.Workflow().judge  # type: ignore[misc]


def _commands_of(kind: type[sr.Command], case: sr.Case) -> list[sr.Command]:
    """Commands of *kind* with the payloads verify tries: each route a graph may give it."""
    builder, _ = _builder_of(kind)
    scene = Scene(case, later(case), sr.presets.DEFAULT, ("delivery delay",))
    return [command for _, command in builder(scene, kind)]
