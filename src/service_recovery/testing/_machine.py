"""WorkflowStateMachine: the stateful test base an integrator subclasses.

Each example opens a case and lets random people act on it, mostly sensibly
(:func:`plausible_commands`), sometimes not (:func:`commands`), re-delivering a
command now and then. Every command goes through :meth:`attempt`, which checks
the promises in the table of :class:`WorkflowStateMachine`; invariants check the
case after every step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from .._errors import IdempotencyConflict, InvalidHistory, InvalidSnapshot, InvalidValue
from .._io._snapshot import from_dict, to_dict
from .._model._case import Case
from .._model._commands import Command, Listen, ProposeSolution, RecordBreach
from .._model._kinds import DeadlineStatus
from .._model._refusals import CommandVetoed, HookFailed, TransitionNotAllowed
from .._model._stages import Stage
from .._model._values import Action, Actor, Channel, Compensation, Money, Severity
from .._rulebook._practice import authority_of, suggested_compensation_of
from .._workflow import Workflow
from . import _contract
from ._recorder import HookRecorder, tap
from ._strategies import DEFAULT_TEAM, aware_datetimes, commands, customers, draw_plausible

_MOVES = ("plausible",) * 6 + (
    "plausible with an id",
    "anything",
    "anything",
    "redeliver",
    "reuse an id",
    "time passes",
)
"""What happens at each step, and how often: mostly sensible work, some noise, and now
and then time passes and the workflow ticks."""

_WAITS = tuple(
    timedelta(seconds=seconds) for seconds in (60, 2 * 3600, 86400, 3 * 86400, 10 * 86400)
)
"""How much time passes before a tick: from a minute to days past every promise."""

_ids = st.uuids().map(lambda value: f"cmd-{value.hex[:12]}")


class BrokenPromise(AssertionError):
    """A workflow broke one of the promises :class:`WorkflowStateMachine` checks.

    Attributes:
        promise: which one, as named in the table of :class:`WorkflowStateMachine`.
        detail: what happened, with the command and the case.
    """

    def __init__(self, promise: str, detail: str) -> None:
        super().__init__(f"{promise}: {detail}")
        self.promise = promise
        self.detail = detail


def _values(case: Case) -> tuple[Any, ...]:
    """What makes up *case* (what ``==`` compares), to see that nothing changed it."""
    return tuple(getattr(case, field.name) for field in attrs.fields(Case) if field.eq)


def _around(moment: datetime) -> st.SearchStrategy[datetime]:
    """Times near *moment*, a little before it included (those must be refused)."""
    seconds = st.sampled_from((0, -1, 60, 86400)) | st.integers(-86400, 40 * 86400)
    return seconds.map(lambda offset: moment + timedelta(seconds=offset))


class WorkflowStateMachine(RuleBasedStateMachine):
    """Random sessions on a case of your workflow, checking every promise at every step.

    Subclass it, return your workflow (your policy, your hooks) from
    :meth:`make_workflow`, add ``@invariant()`` or ``@rule()`` methods that read
    ``self.case`` if you like, and collect ``TestCase``::

        class MyWorkflowMachine(sr.testing.WorkflowStateMachine):
            def make_workflow(self):
                return build_my_workflow()

        TestMyWorkflow = MyWorkflowMachine.TestCase

    What every step checks (a failure raises :class:`BrokenPromise` naming it):

    =============================  ==================================================
    promise                        what is checked
    =============================  ==================================================
    ``contract``                   no event proposes a solution before venting finished,
                                   closes without a satisfied follow-up or enough
                                   unanswered ones, or grants compensation above the
                                   proposer's authority without an approval covering
                                   it by someone else, or withdraws a case whose
                                   customer had accepted a solution (read off the
                                   history)
    ``refusal changes nothing``    a refused or vetoed command leaves the case as it
                                   was, and the error carries that very case
    ``explain matches apply``      ``explain`` is empty exactly when ``apply`` accepts,
                                   with the same reasons; accepted command types are
                                   among ``allowed``; a veto is a finding unless
                                   :meth:`expected_veto` says so, and it gives a reason
    ``history``                    an accepted command adds exactly its event; the
                                   stage is the last event's; ``version`` counts
                                   events; a re-delivered command returns the same case
    ``round trip``                 ``from_dict(to_dict(case)) == case`` and
                                   ``workflow.replay(case.history) == case``
    ``hook order``                 before → (exit old, enter new, when the stage
                                   changes) → after → on_command; no hook runs for a
                                   refused or re-delivered command
    ``hook context``               before-hooks see ``case_after`` and ``event`` None;
                                   the others see the case ``apply`` returned and its
                                   last event; every hook sees the case it was given
    ``hooks leave cases alone``    no hook changed the case it was given
    ``hooks do not fail``          no hook raised
    ``ladder fits the policy``     what ``policy.suggested_compensation(case)`` offers,
                                   the policy's own rules accept
    ``time``                       as time passes, ``tick`` records only breaches, each
                                   of a deadline breached by then and not recorded
                                   before, and nothing when ticked again; a withdrawn
                                   case records nothing at all
    =============================  ==================================================

    Attributes:
        workflow: the workflow under test, from :meth:`make_workflow`.
        case: the case as it stands after the accepted commands.
        hook_calls: the hook points the last command ran (see :func:`record_hooks`).
        team: the people who act (a class attribute; override it to use your own).
    """

    team: ClassVar[Sequence[Actor]] = DEFAULT_TEAM

    def __init__(self) -> None:
        super().__init__()
        workflow = self.make_workflow()
        if not isinstance(workflow, Workflow):
            raise InvalidValue(
                f"make_workflow() must return a sr.Workflow, got {type(workflow).__name__}"
            )
        self.workflow = workflow
        self.hook_calls = HookRecorder()
        tap(workflow).listeners.append(self.hook_calls)
        self.case: Case
        self._with_ids: list[Command] = []
        self._round_tripped: tuple[Any, ...] = ()

    # -- what a subclass overrides ---------------------------------------------

    def make_workflow(self) -> Workflow:
        """The workflow under test; called once per example, so hooks may keep state.

        The default is ``sr.Workflow()`` with the default policy.
        """
        return Workflow()

    def opening(self) -> st.SearchStrategy[dict[str, Any]]:
        """The keyword arguments of :meth:`Workflow.open` for each example's case."""
        return st.fixed_dictionaries(
            {
                "customer": customers(),
                "channel": st.sampled_from(Channel),
                "severity": st.sampled_from(Severity),
                "summary": st.just("Received the wrong item"),
                "at": aware_datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1)),
            }
        )

    def expected_veto(self, case: Case | None, command: Command, vetoed: CommandVetoed) -> bool:
        """Whether a before-hook's veto of *command* on *case* is intended.

        By default no veto is: ``explain`` and ``allowed`` cannot see vetoes, so a
        screen would offer a step that then fails. Return true for the vetoes your
        host means (the veto must still give a reason).
        """
        return False

    # -- the steps -------------------------------------------------------------

    @initialize(data=st.data())
    def open_case(self, data: st.DataObject) -> None:
        """Open the case every step then works on."""
        arguments = data.draw(self.opening(), label="open")
        self.hook_calls.clear()
        try:
            case = self.workflow.open(**arguments)
        except CommandVetoed as vetoed:
            opening = vetoed.command
            assert isinstance(opening, Command)
            self._judge_veto(None, opening, vetoed)
            assume(False)  # an intended veto of every opening leaves nothing to test
            return  # pragma: no cover - assume() does not return
        except HookFailed as failed:
            raise BrokenPromise("hooks do not fail", str(failed)) from failed
        expected = ["before Open", f"enter {case.stage.value}", "after Open", "on_command"]
        self._check_labels(expected, f"opening {case!r}")
        for call in self.hook_calls:
            context = call.context
            if context.case_before is not None or (
                call.point == "before" and context.case_after is not None
            ):
                raise BrokenPromise(
                    "hook context",
                    f"the {call.label} hooks of opening a case were given case_before "
                    f"{context.case_before!r} and case_after {context.case_after!r}",
                )
        self.case = case

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        """Someone acts on the case: usually a sensible next step, sometimes anything.

        Now and then time passes instead, and the workflow ticks (see :meth:`tick`).
        """
        move = data.draw(st.sampled_from(_MOVES), label="move")
        command: Command
        if move == "time passes":
            wait = data.draw(st.sampled_from(_WAITS), label="wait")
            self.tick(self.case.last_at + wait)
            return
        if move == "redeliver" and self._with_ids:
            command = data.draw(st.sampled_from(self._with_ids), label="command")
        elif move == "reuse an id" and self._with_ids:
            # A bug in a caller: an id already used, on a different command.
            used = data.draw(st.sampled_from(self._with_ids), label="id of")
            command = Listen(by=used.by, at=self.case.last_at, id=used.id, note="Another id")
        elif move == "anything":
            everyone = st.sampled_from(tuple(self.team))
            noise = commands(at=_around(self.case.last_at), by=everyone)
            command = data.draw(noise, label="command")
        else:
            team, toward = tuple(self.team), Stage.CLOSED
            command = draw_plausible(data.draw, self.workflow, self.case, team, toward)
            if move == "plausible with an id":
                command = attrs.evolve(command, id=data.draw(_ids, label="id"))
        self.attempt(command)

    def attempt(self, command: Command) -> bool:
        """Apply *command* to :attr:`case`, checking every promise; return whether accepted.

        Call it from your own ``@rule()`` methods to drive the case your way.
        """
        before = self.case
        snapshot = _values(before)
        self.hook_calls.clear()
        try:
            reasons = self.workflow.explain(before, command)
        except IdempotencyConflict:
            self._check_conflict(before, snapshot, command)
            return False
        redelivered = command.id is not None and any(
            event.command.id == command.id for event in before.history
        )
        try:
            after = self.workflow.apply(before, command)
        except CommandVetoed as vetoed:
            self._check_refusal(before, snapshot, command, vetoed)
            if reasons:
                raise BrokenPromise(
                    "explain matches apply",
                    f"{command!r} on {before!r} reached the before-hooks (which vetoed it) "
                    f"although explain gave reasons: {_said(reasons)}",
                ) from vetoed
            self._judge_veto(before, command, vetoed)
            return False
        except TransitionNotAllowed as refused:
            self._check_refusal(before, snapshot, command, refused)
            if tuple(reasons) != refused.reasons:
                raise BrokenPromise(
                    "explain matches apply",
                    f"apply refused {command!r} on {before!r} saying {_said(refused.reasons)}, "
                    f"but explain said {_said(reasons)}",
                ) from refused
            return False
        except HookFailed as failed:
            if not failed.accepted:
                self._check_unchanged(before, snapshot, command)
            raise BrokenPromise(
                "hooks do not fail", f"{failed} (applying {command!r} to {before!r})"
            ) from failed
        self._check_unchanged(before, snapshot, command)
        if reasons:
            raise BrokenPromise(
                "explain matches apply",
                f"apply accepted {command!r} on {before!r} although explain said {_said(reasons)}",
            )
        if not redelivered and type(command) not in self.workflow.allowed(before):
            raise BrokenPromise(
                "explain matches apply",
                f"apply accepted {command!r} on {before!r}, a step allowed() did not offer",
            )
        if redelivered:
            self._check_redelivery(before, after, command)
            return True
        self._check_growth(before, after, command)
        self._check_hooks(before, after, command)
        breaches = _contract.breaches(self.workflow.policy, before, after)
        if breaches:
            raise BrokenPromise("contract", "; ".join(breaches))
        self.case = after
        if command.id is not None:
            self._with_ids.append(command)
        return True

    def tick(self, now: datetime) -> Case:
        """Tick :attr:`case` at *now*, checking the ``time`` promise; return the new case.

        Call it from your own ``@rule()`` methods to let time pass your way.
        """
        before = self.case
        snapshot = _values(before)
        self.hook_calls.clear()
        try:
            after = self.workflow.tick(before, now=now)
        except HookFailed as failed:
            raise BrokenPromise("hooks do not fail", f"{failed} (ticking {before!r})") from failed
        if _values(before) != snapshot:
            raise BrokenPromise("hooks leave cases alone", f"ticking changed {before!r}")
        added = after.history[len(before.history) :]
        if after.history[: len(before.history)] != before.history:
            raise BrokenPromise("time", f"ticking {before!r} changed its history")
        due = {
            deadline.ref
            for deadline in self.workflow.deadlines(before, now=now)
            if deadline.status is DeadlineStatus.BREACHED or deadline.late
        }
        for event in added:
            command = event.command
            if not isinstance(command, RecordBreach) or event.stage is not before.stage:
                raise BrokenPromise("time", f"tick recorded {event!r}, which is no breach")
            if command.ref in before.breaches or command.ref not in due:
                raise BrokenPromise(
                    "time",
                    f"tick recorded a breach of {command.ref!r} on {before!r}, which was "
                    "recorded already or not breached by then",
                )
        if before.stage.terminal and added:
            raise BrokenPromise("time", f"tick recorded breaches on the ended {before!r}")
        if self.workflow.tick(after, now=now) is not after:
            raise BrokenPromise("time", f"ticking {after!r} again at {now} recorded more")
        self.case = after
        return after

    # -- invariants ------------------------------------------------------------

    @invariant()
    def case_round_trips(self) -> None:
        """The snapshot and the replayed history both give back an equal case."""
        case = self.case
        values = _values(case)
        if self._round_tripped == values:
            return  # nothing new since the last check (a refusal, say)
        try:
            loaded = from_dict(to_dict(case))
            replayed = self.workflow.replay(case.history)
        except (InvalidSnapshot, InvalidHistory) as err:
            raise BrokenPromise("round trip", f"{case!r} cannot be rebuilt: {err}") from err
        for how, rebuilt in (("from_dict(to_dict(case))", loaded), ("replay", replayed)):
            if rebuilt != case:
                raise BrokenPromise(
                    "round trip",
                    f"{how} differs from the case in {_differences(case, rebuilt)}: the "
                    "case no longer is the fold of its history (did a hook change it?)",
                )
        self._round_tripped = values

    @invariant()
    def ladder_fits_the_policy(self) -> None:
        """What the compensation ladder suggests for the case, the policy's own rules accept."""
        case = self.case
        policy = self.workflow.policy
        suggested = suggested_compensation_of(policy, case)
        if suggested is None or ProposeSolution not in self.workflow.allowed(case):
            return
        # The most empowered person proposes, so authority is never what stands in the way.
        by = max(self.team, key=lambda actor: _amount(authority_of(policy, actor), suggested))
        at = case.last_at
        bare = ProposeSolution(
            by=by,
            at=at,
            plan="What the ladder suggests",
            actions=(Action("Put it right", due=at + timedelta(days=7)),),
        )
        offer = attrs.evolve(bare, compensation=suggested)
        unrelated = set(self.workflow.explain(case, bare))
        refused = [
            reason
            for reason in self.workflow.explain(case, offer)
            if reason not in unrelated and reason.guard != "within authority"
        ]
        if refused:
            raise BrokenPromise(
                "ladder fits the policy",
                f"the ladder suggests {suggested.kind.value} of {suggested.amount} for "
                f"{case!r}, but the policy refuses to propose it: {_said(refused)}",
            )

    def teardown(self) -> None:
        """Stop recording the workflow's hooks."""
        listeners = tap(self.workflow).listeners
        if self.hook_calls in listeners:
            listeners.remove(self.hook_calls)

    # -- the checks ------------------------------------------------------------

    def _check_unchanged(
        self,
        before: Case,
        snapshot: tuple[Any, ...],
        command: Command,
        promise: str = "hooks leave cases alone",
    ) -> None:
        if _values(before) != snapshot:
            changed = [
                field.name
                for field, old, new in zip(_eq_fields(), snapshot, _values(before), strict=True)
                if old != new
            ]
            raise BrokenPromise(
                promise,
                f"applying {command!r} changed the case it was given ({', '.join(changed)}): "
                "cases are values, nothing may change one",
            )

    def _check_refusal(
        self,
        before: Case,
        snapshot: tuple[Any, ...],
        command: Command,
        refused: TransitionNotAllowed,
    ) -> None:
        self._check_unchanged(before, snapshot, command, "refusal changes nothing")
        if refused.case is not before:
            raise BrokenPromise(
                "refusal changes nothing",
                f"refusing {command!r} carried {refused.case!r}, not the case it was given",
            )
        ran = [call.label for call in self.hook_calls if call.point != "before"]
        if ran:
            raise BrokenPromise(
                "hook order", f"hooks ran for the refused {command!r}: {', '.join(ran)}"
            )

    def _check_conflict(self, before: Case, snapshot: tuple[Any, ...], command: Command) -> None:
        try:
            self.workflow.apply(before, command)
        except IdempotencyConflict:
            self._check_unchanged(before, snapshot, command, "refusal changes nothing")
            return
        raise BrokenPromise(
            "explain matches apply",
            f"explain saw an id conflict in {command!r} on {before!r}, apply did not",
        )

    def _judge_veto(self, case: Case | None, command: Command, vetoed: CommandVetoed) -> None:
        said = " ".join(str(reason) for reason in vetoed.reasons).strip()
        if not self.expected_veto(case, command, vetoed):
            raise BrokenPromise(
                "explain matches apply",
                f"explain gave no reason to refuse {command!r} on {case!r}, but a before-hook "
                f"vetoed it ({said or 'without saying why'}). explain() and allowed() cannot "
                "see vetoes: put the rule in the policy (extra_reasons) so they tell it, or "
                "override expected_veto() if this veto is intended",
            ) from vetoed
        if not said:
            raise BrokenPromise(
                "explain matches apply",
                f"a before-hook vetoed {command!r} on {case!r} without saying why: "
                'raise sr.Veto("what to do instead")',
            ) from vetoed

    def _check_redelivery(self, before: Case, after: Case, command: Command) -> None:
        if after is not before:
            raise BrokenPromise(
                "history",
                f"re-delivering {command!r} returned {after!r}, not the same case {before!r}",
            )
        if self.hook_calls.calls:
            raise BrokenPromise(
                "hook order",
                f"hooks ran for the re-delivered {command!r}: {', '.join(self.hook_calls.labels)}",
            )

    def _check_growth(self, before: Case, after: Case, command: Command) -> None:
        problems = []
        if after is before:
            problems.append("apply returned the very case it was given")
        if after.history[:-1] != before.history:
            problems.append("the earlier events changed")
        if after.version != before.version + 1:
            problems.append(f"version went from {before.version} to {after.version}")
        last = after.history[-1]
        # Within the policy's clock_skew a command dated before the last event is recorded
        # at that event's time; otherwise the event holds the command exactly.
        recorded = command
        if command.at < before.last_at:
            recorded = attrs.evolve(command, at=before.last_at)
        if last.command != recorded:
            problems.append(f"the last event holds {last.command!r}")
        if last.stage is not after.stage:
            problems.append(f"the last event says {last.stage.value}, the case {after.stage.value}")
        if problems:
            raise BrokenPromise("history", f"accepting {command!r}: " + "; ".join(problems))

    def _check_hooks(self, before: Case, after: Case, command: Command) -> None:
        kind = type(command).__name__
        expected = [f"before {kind}"]
        if before.stage is not after.stage:
            expected += [f"exit {before.stage.value}", f"enter {after.stage.value}"]
        expected += [f"after {kind}", "on_command"]
        self._check_labels(expected, f"{command!r} on {before!r}")
        for call in self.hook_calls:
            context = call.context
            seen = (context.command, context.case_before, context.case_after, context.event)
            wanted: tuple[object, ...] = (command, before, None, None)
            if call.point != "before":
                wanted = (command, before, after, after.history[-1])
            # Cases and commands must be the very objects; the event is a value made
            # when a history is read, so an equal one is the same event.
            replaced = any(got is not want for got, want in zip(seen[:3], wanted[:3], strict=True))
            if replaced or seen[3] != wanted[3]:
                raise BrokenPromise(
                    "hook context",
                    f"the {call.label} hooks of {command!r} saw command, case_before, "
                    f"case_after, event = {seen!r}; expected {wanted!r} (did a hook replace "
                    "something in the context?)",
                )

    def _check_labels(self, expected: list[str], what: str) -> None:
        if self.hook_calls.labels != expected:
            raise BrokenPromise(
                "hook order",
                f"{what}: expected the hook points {expected}, they ran {self.hook_calls.labels}",
            )


def _eq_fields() -> list[attrs.Attribute[Any]]:
    return [field for field in attrs.fields(Case) if field.eq]


def _differences(case: Case, other: Case) -> str:
    return ", ".join(
        field.name
        for field in _eq_fields()
        if getattr(case, field.name) != getattr(other, field.name)
    )


def _amount(limit: Money, wanted: Compensation) -> Decimal:
    """How much of *wanted* an authority of *limit* covers, for ranking people."""
    return limit.amount if limit.currency == wanted.amount.currency else Decimal(-1)


def _said(reasons: Sequence[object]) -> str:
    return "; ".join(str(reason) for reason in reasons) or "nothing"
