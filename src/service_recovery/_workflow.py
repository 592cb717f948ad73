"""Workflow: applies commands to cases under a policy, running guards and hooks."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

import attrs

from ._decision._engine import Engine
from ._decision._guidance import Guidance, Suggestion, guidance, suggest
from ._decision._judge import Judge
from ._decision._loading import checked_fold
from ._errors import (
    IdempotencyConflict,
    InvalidHistory,
    InvalidValue,
    PolicyMismatch,
    RecoveryError,
)
from ._hooks import Hooks, HookSet, plan_after, plan_before, plan_breach, run_sync
from ._model._case import Case, applied_command, changes_of, check_history, fold, grow, seal
from ._model._commands import Command, Open, same_command
from ._model._events import Event
from ._model._history import History, compact_history
from ._model._refusals import Reason, TransitionNotAllowed
from ._model._values import SYSTEM, Actor, Channel, Customer, Severity, instant
from ._rulebook._policy import RecoveryPolicy
from ._time._breaches import record_breaches
from ._time._clock import Clock, check_clock, resolve_now
from ._time._deadlines import Deadline, Timekeeper, require_case
from ._time._due import DueList, due

_SEQUENCES: frozenset[type] = frozenset({History, tuple, list})
"""What :meth:`Workflow.replay` takes as it is; any other iterable is made a tuple."""


class Workflow:
    """Runs cases through the recovery practice a :class:`RecoveryPolicy` describes.

    Build one per policy at start-up and share it: it holds no case, so one
    workflow serves any number of cases and threads.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> case = workflow.open(
    ...     customer=sr.Customer("c-1", "Dana"), channel=sr.Channel.SOCIAL,
    ...     severity=sr.Severity.MODERATE, summary="Wrong jacket", at=now, id="case-1")
    >>> agent = sr.Actor("ana", sr.Role.AGENT)
    >>> case = workflow.apply(case, sr.Acknowledge(by=agent, at=now))
    >>> case.stage
    <Stage.ACKNOWLEDGED: 'acknowledged'>
    """

    __slots__ = (
        "_clock",
        "_engine",
        "_hooks",
        "_identity",
        "_judge",
        "_policy",
        "_timekeeper",
    )

    def __init__(self, policy: RecoveryPolicy | None = None, *, clock: Clock | None = None) -> None:
        """Build the workflow of *policy* (the default policy if omitted).

        Args:
            policy: the rules to enforce.
            clock: where :meth:`deadlines`, :meth:`tick` and :meth:`due` read
                the time when no ``now=`` is given (see :class:`Clock`);
                without one they need ``now=``. Commands always carry ``at``.
        """
        if policy is None:
            policy = RecoveryPolicy()
        if not isinstance(policy, RecoveryPolicy):
            raise InvalidValue(
                f"policy: expected a RecoveryPolicy, got {type(policy).__name__}", field="policy"
            )
        self._policy = policy
        self._hooks = Hooks()
        self._engine = Engine(policy.graph)
        self._clock = check_clock(clock)
        self._identity: str | None = None  # worked out when first needed: it writes the TOML
        self._timekeeper = Timekeeper(policy)
        self._judge = Judge(policy, self._engine)

    def __repr__(self) -> str:
        return f"<Workflow policy={self.policy.name!r}>"

    @property
    def judge(self) -> Judge:
        """The workflow's decision procedure, read-only: what ``apply`` asks before it acts.

        :func:`verify` and :func:`diagram` read the workflow through it, so
        they prove and draw exactly what :meth:`apply` does:

        >>> import service_recovery as sr
        >>> workflow = sr.Workflow()
        >>> workflow.judge.policy is workflow.policy
        True
        >>> [guard.name for guard in workflow.judge.guards.of(sr.FinishVenting)]
        ['summary confirmed', 'not waiting', 'summary current']
        """
        return self._judge

    # -- what it was built with (fixed: the engine and guards were built from them) ----

    @property
    def policy(self) -> RecoveryPolicy:
        """The rules this workflow enforces; fixed when it is built.

        >>> import service_recovery as sr
        >>> workflow = sr.Workflow(sr.presets.HEARD)
        >>> workflow.policy = sr.presets.LAST
        Traceback (most recent call last):
        ...
        AttributeError: Workflow.policy is fixed when the workflow is built (...): ...
        """
        return self._policy

    if not TYPE_CHECKING:  # read-only to type checkers; a helpful refusal at run time

        @policy.setter
        def policy(self, value: object) -> None:
            raise AttributeError(_fixed("policy", "its stage graph and guards come from it"))

        @policy.deleter
        def policy(self) -> None:
            raise AttributeError(_fixed("policy", "its stage graph and guards come from it"))

    @property
    def hooks(self) -> Hooks:
        """The host's hooks: attach them with its decorators (see :class:`Hooks`)."""
        return self._hooks

    if not TYPE_CHECKING:  # read-only to type checkers; a helpful refusal at run time

        @hooks.setter
        def hooks(self, value: object) -> None:
            raise AttributeError(_fixed("hooks", "attach hooks with its decorators instead"))

        @hooks.deleter
        def hooks(self) -> None:
            raise AttributeError(_fixed("hooks", "attach hooks with its decorators instead"))

    @property
    def clock(self) -> Clock | None:
        """Where :meth:`deadlines`, :meth:`tick` and :meth:`due` read the time, if anywhere."""
        return self._clock

    if not TYPE_CHECKING:  # read-only to type checkers; a helpful refusal at run time

        @clock.setter
        def clock(self, value: object) -> None:
            raise AttributeError(_fixed("clock", "pass now= to move a single call in time"))

        @clock.deleter
        def clock(self) -> None:
            raise AttributeError(_fixed("clock", "pass now= to move a single call in time"))

    @property
    def policy_identity(self) -> str:
        """The identity every case this workflow opens records: ``"name@fingerprint"``.

        The fingerprint hashes the policy's class and its rules (its TOML), so
        two workflows of equal policies share it and a changed rule changes it.
        :meth:`apply` refuses a case that records another identity.

        >>> import service_recovery as sr
        >>> sr.Workflow().policy_identity == sr.Workflow(sr.RecoveryPolicy()).policy_identity
        True
        >>> sr.Workflow(sr.presets.HEARD).policy_identity.startswith("heard@")
        True
        """
        if self._identity is None:
            self._identity = policy_identity(self.policy)
        return self._identity

    # -- opening ---------------------------------------------------------------

    def open(
        self,
        *,
        customer: Customer,
        channel: Channel | str,
        severity: Severity | str,
        summary: str,
        at: datetime,
        id: str | None = None,
        by: Actor = SYSTEM,
        reference: str | None = None,
        previous_case: str | None = None,
    ) -> Case:
        """Record a new complaint and return its case, at the graph's first stage.

        A complaint about a case closed past its reopen window opens a new case
        that succeeds it: ``previous_case`` names the old one, and the new case
        keeps the link (:attr:`Case.previous_case`) in its history, snapshots
        and store rows. The forward link (which case succeeded this one) is the
        host's to keep, next to its own ``reference``.

        >>> from datetime import datetime, timezone
        >>> import service_recovery as sr
        >>> case = sr.Workflow().open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
        ...     severity=sr.Severity.MINOR, summary="The jacket tore again",
        ...     at=datetime(2026, 6, 1, tzinfo=timezone.utc), id="case-2",
        ...     reference="ZD-4711", previous_case="case-1")
        >>> case.reference, case.previous_case
        ('ZD-4711', 'case-1')

        Args:
            customer: who complained.
            channel: where the complaint came in (a :class:`Channel` or its
                value, ``"email"``).
            severity: how bad the experience was (a :class:`Severity` or its
                value, ``"major"``).
            summary: the complaint in a sentence.
            at: when (timezone-aware).
            id: the case id; a random one if omitted.
            by: who recorded it (the system by default).
            reference: the host's own reference (its ticket id, say), carried as it is.
            previous_case: the id of the case this one succeeds, if any.

        Raises:
            InvalidValue: a field is malformed (a naive ``at``, a blank summary...).
            CommandVetoed, HookFailed: a host hook refused or failed.
        """
        if id is not None and not isinstance(id, str):
            raise InvalidValue(f"id: expected a str, got {type(id).__name__}", field="id")
        command = Open(
            by=by,
            at=at,
            case_id=uuid.uuid4().hex if id is None else id,
            customer=customer,
            channel=channel,
            severity=severity,
            summary=summary,
            policy=self.policy_identity,
            reference=reference,
            previous_case=previous_case,
        )
        hooks = self._run_before(None, command)
        case = fold((Event(command, self._engine.graph.initial),))
        self._run_after(hooks, None, case, command)
        return case

    # -- applying --------------------------------------------------------------

    def apply(self, case: Case, command: Command) -> Case:
        """Apply *command* to *case*; return the new case (*case* itself is untouched).

        A command whose ``id`` the case already holds is a no-op (same case back),
        even when it was re-sent with another ``at``. A command dated at most the
        policy's ``clock_skew`` before the case's last event is recorded at that
        event's time.

        Raises:
            PolicyMismatch: *case* was opened under another policy.
            TransitionNotAllowed: a guard or the stage graph refuses the command;
                ``.reasons`` says why, the same as :meth:`explain`.
            CommandVetoed: a before-hook raised :class:`Veto`.
            HookFailed: a hook raised. ``.accepted`` tells whether the event
                was recorded; ``.case`` is the case to keep either way.
            IdempotencyConflict: the command's id belongs to a different command.
            InvalidValue: *case* or *command* is not what it should be.
        """
        if type(case) is not Case or not isinstance(command, Command):  # exact type: one check
            _check_arguments(case, command)
        if not case._sealed:  # not made by the library: its facts must be its history's
            seal(case)
        recorded = _recorded_policy(case)
        if recorded is not None and recorded != (self._identity or self.policy_identity):
            raise PolicyMismatch(recorded, self.policy_identity)
        if command.id is not None and _already_applied(case, command):
            return case
        dest, reasons = self._judge.decide(case, command)
        if reasons or dest is None:
            raise TransitionNotAllowed(reasons, case, command)
        entered = command
        at, last_at = command.at, case.last_at
        if (at < last_at) if at.tzinfo is UTC is last_at.tzinfo else instant(at) < instant(last_at):
            # Within the clock skew: entered at the last event's time, so the history stays
            # in time order; hooks still see the command they were sent.
            entered = attrs.evolve(command, at=last_at)
        if not self.hooks:  # no hook attached: nothing to run before or after
            return grow(case, changes_of(case, entered, dest), entered, dest)
        hooks = self._run_before(case, command)
        new_case = grow(case, changes_of(case, entered, dest), entered, dest)
        self._run_after(hooks, case, new_case, command)
        return new_case

    def explain(self, case: Case, command: Command | type[Command]) -> list[Reason]:
        """Why :meth:`apply` would refuse *command* on *case*; ``[]`` when it would accept.

        Given a command type instead of a command, the reasons no command of
        that type can be accepted now, without building one: why a CRM's
        button is disabled. ``[]`` exactly when the type is among
        :meth:`allowed`; a concrete command may still be refused for its
        details (who, how much, which outcome).

        >>> from datetime import datetime, timezone
        >>> import service_recovery as sr
        >>> workflow = sr.Workflow()
        >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
        ...     severity=sr.Severity.MINOR, summary="Late parcel",
        ...     at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
        >>> [reason.guard for reason in workflow.explain(case, sr.Close)]
        ['followed up', 'step available']
        >>> workflow.explain(case, sr.Acknowledge)
        []

        A case opened under another policy gets one reason, ``same policy``,
        for a command and a type alike. Host before-hooks (vetoes) are not
        consulted: they may have side effects.

        Raises:
            InvalidValue: *case* is not a case, or *command* is neither a
                command nor a command type.
        """
        kind = isinstance(command, type) and issubclass(command, Command)
        if kind:
            _checked_case(case)
        else:
            _check_arguments(case, command)
        recorded = _recorded_policy(case)
        if recorded is not None and recorded != self.policy_identity:
            # apply would refuse any command of the case: every button is off.
            return [Reason("same policy", str(PolicyMismatch(recorded, self.policy_identity)))]
        if isinstance(command, type):
            return self._judge.refusals(case, command)
        if command.id is not None and _already_applied(case, command):
            return []
        return self._judge.decide(case, command)[1]

    def allowed(self, case: Case) -> tuple[type[Command], ...]:
        """The command types that can be accepted now: the buttons a CRM screen shows.

        Checks everything that does not depend on a command's details (who,
        how much, which outcome); :meth:`explain` then judges a concrete command.
        """
        if not isinstance(case, Case):
            raise InvalidValue(f"case: expected a Case, got {type(case).__name__}")
        return self._judge.allowed(case)

    def suggest(self, case: Case, by: Actor | None = None) -> Suggestion:
        """What to offer: the playbook's remedies for the cause, scaled to the severity.

        *by* (who would propose it) tells whether the compensation needs approval.
        See :func:`service_recovery.Suggestion`.
        """
        return suggest(self.policy, _checked_case(case), by)

    def guidance(self, case: Case) -> Guidance:
        """What to do and say next, for the step the case's graph takes next: coaching prompts."""
        checked = _checked_case(case)
        return guidance(self.policy, checked, self.allowed(checked))

    # -- replaying -------------------------------------------------------------

    def replay(self, history: Iterable[Event]) -> Case:
        """Rebuild the case *history* describes.

        Events are facts: a policy's own rules are not asked again. What is
        checked is the contract (each event's contract guards, on the case it
        found) and this workflow's graph: the first stage, each step, and each
        route choosing the recorded stage.

        Raises:
            InvalidHistory: the events cannot be a case's history under this
                workflow (listing every problem, each with its position).
        """
        events: Sequence[object]
        if type(history) in _SEQUENCES:  # the usual answer, found without an ABC's check
            events = cast(Sequence[object], history)
        elif isinstance(history, Iterable):
            events = tuple(history)
        else:
            raise InvalidHistory(
                [f"history: expected a sequence of Event, got {type(history).__name__}"]
            )
        compact = compact_history(events)
        problems = check_history(events if compact is None else compact)
        if problems:
            raise InvalidHistory(problems)
        assert compact is not None  # check_history found every item an event
        recorded = getattr(compact.commands[0], "policy", None)
        # A history recorded under other rules is still a fact: the contract is checked,
        # the graph and its routes only under the rules it was recorded by.
        own = recorded is None or recorded == self.policy_identity
        return checked_fold(compact, self._judge if own else None)

    # -- time ------------------------------------------------------------------

    def deadlines(self, case: Case, now: datetime | None = None) -> tuple[Deadline, ...]:
        """Every deadline of *case* at *now* (or the workflow clock's time), by due time.

        Met ones come with the time they were met; see docs/guides/deadlines-and-sla.md.

        Raises:
            InvalidValue: *case* is not a Case, or no aware time is available.
        """
        require_case(case)
        return self._timekeeper.deadlines(case, resolve_now(now, self.clock))

    def tick(self, case: Case, now: datetime | None = None) -> Case:
        """Record every breach of *case* not yet recorded at *now*; fire ``on_breach`` hooks.

        Returns *case* itself when there is nothing new, so ticking again, or
        replaying, records and fires nothing. For each breach, oldest due first,
        its ``on_breach`` hooks run, then ``after(RecordBreach)`` and
        ``on_command`` hooks, under the after-hooks' failure policy.

        Raises:
            HookFailed: a hook raised; ``.case`` holds every recorded breach.
            InvalidValue: *case* is not a Case, or no aware time is available.
        """
        require_case(case)
        hooks = self._hooks.snapshot()
        recorded = record_breaches(self._timekeeper, case, resolve_now(now, self._clock))
        plan = plan_breach(hooks, self, recorded)
        if plan is None:
            return case
        if plan.steps:
            run_sync(plan)
        return recorded[-1].after

    def due(
        self,
        cases: Iterable[Case],
        now: datetime | None = None,
        *,
        within: timedelta = timedelta(0),
        limit: int | None = None,
    ) -> DueList:
        """The cases needing attention at *now*, most urgent deadline first.

        Listed: a case with a deadline breached or past its first warning, or
        whose next deadline falls within *within* of *now*; at most *limit*.
        Each case is worked out once per case value and remembered, so a
        scan over the same live cases costs a read per case; the
        :class:`Due` items are built as they are read.

        Raises:
            InvalidValue: an item is not a Case, a bad *within* or *limit*, or
                no aware time is available.
        """
        return due(self._timekeeper, cases, resolve_now(now, self.clock), within, limit)

    # -- hooks -----------------------------------------------------------------

    def _run_before(self, case: Case | None, command: Command) -> HookSet:
        """Run the before-hooks of *command*; return the hooks this dispatch runs.

        The snapshot is taken here, as the command starts, so a hook attached
        while hooks run waits for the next command.
        """
        hooks = self._hooks.snapshot()
        if hooks.before:
            plan = plan_before(hooks, self, case, command)
            if plan.steps:
                run_sync(plan)
        return hooks

    def _run_after(
        self, hooks: HookSet, before: Case | None, after: Case, command: Command
    ) -> None:
        """Run the exit, enter, after and on-command hooks of the accepted *command*."""
        plan = plan_after(hooks, self, before, after, command)
        if plan.steps:
            run_sync(plan)


def _fixed(name: str, why: str) -> str:
    return (
        f"Workflow.{name} is fixed when the workflow is built ({why}): "
        "build another, sr.Workflow(policy)"
    )


def _checked_case(case: object) -> Case:
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a Case, got {type(case).__name__}", field="case")
    return case


def _check_arguments(case: object, command: object) -> None:
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a Case, got {type(case).__name__}", field="case")
    if not isinstance(command, Command):
        got = (
            f"the class {command.__name__}, which is no command type"
            if isinstance(command, type)
            else type(command).__name__
        )
        raise InvalidValue(
            f"command: expected a command such as sr.Acknowledge, got {got}", field="command"
        )


def policy_identity(policy: RecoveryPolicy) -> str:
    """``"name@fingerprint"`` of *policy*: its name, and a hash of its class and its rules."""
    kind = type(policy)
    try:
        rules = policy.to_toml()
    except RecoveryError:  # rules TOML cannot hold: the class alone tells them apart
        rules = ""
    text = f"{kind.__module__}.{kind.__qualname__}\n{rules}"
    return f"{policy.name}@{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _recorded_policy(case: Case) -> str | None:
    opening = case.history.commands[0]
    return opening.policy if type(opening) is Open else None


def _already_applied(case: Case, command: Command) -> bool:
    assert command.id is not None  # the callers ask only for commands with an id
    earlier = applied_command(case, command.id)
    if earlier is None:
        return False
    if same_command(earlier, command):
        return True
    raise IdempotencyConflict(
        f"command id {command.id!r} was already used by a different command "
        f"({type(earlier).__name__} at {earlier.at.isoformat()})"
    )
