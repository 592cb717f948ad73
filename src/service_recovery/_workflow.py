"""Workflow: applies commands to cases under a policy, running guards and hooks."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import attrs

from ._decision._engine import Engine
from ._decision._guards import CONTRACT_GUARDS, STEP_GUARDS
from ._decision._guidance import Guidance, Suggestion, guidance, suggest
from ._errors import (
    CommandVetoed,
    HookFailed,
    IdempotencyConflict,
    InvalidHistory,
    InvalidValue,
    PolicyMismatch,
    RecoveryError,
    TransitionNotAllowed,
    Veto,
)
from ._hooks import Hook, HookContext, Hooks
from ._model._case import Case, changes_of, check_history, fold, grow
from ._model._commands import COMMAND_TYPES, Command, Open, same_command
from ._model._events import Event, new_event
from ._model._history import History, compact_history
from ._model._stages import Stage
from ._model._values import SYSTEM, Actor, Channel, Customer, Severity, instant
from ._rulebook._guard_types import Guard, Reason
from ._rulebook._policy import RecoveryPolicy
from ._time._breaches import record_breaches, run_breach_hooks
from ._time._clock import Clock, check_clock, resolve_now
from ._time._deadlines import Deadline, Timekeeper, require_case
from ._time._due import DueList, due

log = logging.getLogger("service_recovery")


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
        "_by_command",
        "_by_entering",
        "_engine",
        "_guards_on",
        "_guards_without_command",
        "_identity",
        "_timekeeper",
        "clock",
        "hooks",
        "policy",
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
            raise InvalidValue(f"policy: expected a RecoveryPolicy, got {type(policy).__name__}")
        self.policy = policy
        self.hooks = Hooks()
        self._engine = Engine(policy.graph)
        self.clock = check_clock(clock)
        self._identity: str | None = None  # worked out when first needed: it writes the TOML
        self._timekeeper = Timekeeper(policy)
        guards = (*CONTRACT_GUARDS, *STEP_GUARDS, *policy.guards())
        self._by_command: dict[type[Command], tuple[Guard, ...]] = {
            kind: tuple(g for g in guards if kind in g.commands) for kind in COMMAND_TYPES
        }
        # What allowed() runs: the guards that judge a command type before its details.
        self._guards_without_command: dict[type[Command], tuple[Guard, ...]] = {
            kind: tuple(g for g in found if not g.needs_command)
            for kind, found in self._by_command.items()
        }
        self._by_entering: dict[Stage, tuple[Guard, ...]] = {
            stage: tuple(g for g in guards if stage in g.entering) for stage in Stage
        }
        # The guards of each (command, destination name) pair, worked out once here
        # rather than on every apply; keyed by name because hashing a Stage is slow.
        self._guards_on: dict[tuple[type[Command], str], tuple[Guard, ...]] = {
            (kind, stage.value): self._guards_entering(kind, stage)
            for kind in COMMAND_TYPES
            for stage in Stage
        }

    def __repr__(self) -> str:
        return f"<Workflow policy={self.policy.name!r}>"

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
        channel: Channel,
        severity: Severity,
        summary: str,
        at: datetime,
        id: str | None = None,
        by: Actor = SYSTEM,
    ) -> Case:
        """Record a new complaint and return its case, at the graph's first stage.

        Args:
            customer: who complained.
            channel: where the complaint came in.
            severity: how bad the experience was.
            summary: the complaint in a sentence.
            at: when (timezone-aware).
            id: the case id; a random one if omitted.
            by: who recorded it (the system by default).

        Raises:
            InvalidValue: a field is malformed (a naive ``at``, a blank summary...).
            CommandVetoed, HookFailed: a host hook refused or failed.
        """
        command = Open(
            by=by,
            at=at,
            case_id=uuid.uuid4().hex if id is None else id,
            customer=customer,
            channel=channel,
            severity=severity,
            summary=summary,
            policy=self.policy_identity,
        )
        self._run_before(None, command)
        event = Event(command, self._engine.graph.initial)
        case = fold((event,))
        self._run_after(None, case, command, event)
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
        recorded = _recorded_policy(case)
        if recorded is not None and recorded != (self._identity or self.policy_identity):
            raise PolicyMismatch(recorded, self.policy_identity)
        if command.id is not None and _already_applied(case, command):
            return case
        dest, reasons = self._evaluate(case, command)
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
        self._run_before(case, command)
        new_case = grow(case, changes_of(case, entered, dest), entered, dest)
        self._run_after(case, new_case, command, new_event(entered, dest))
        return new_case

    def explain(self, case: Case, command: Command) -> list[Reason]:
        """Why :meth:`apply` would refuse *command* on *case*; ``[]`` when it would accept.

        Host before-hooks (vetoes) are not consulted: they may have side effects.
        """
        if not isinstance(command, Command):
            return [Reason("is a command", f"{command!r} is not a command")]
        _check_arguments(case, command)
        recorded = _recorded_policy(case)
        if recorded is not None and recorded != self.policy_identity:
            return [Reason("same policy", str(PolicyMismatch(recorded, self.policy_identity)))]
        if command.id is not None and _already_applied(case, command):
            return []
        return self._evaluate(case, command)[1]

    def allowed(self, case: Case) -> tuple[type[Command], ...]:
        """The command types that can be accepted now: the buttons a CRM screen shows.

        Checks everything that does not depend on a command's details (who,
        how much, which outcome); :meth:`explain` then judges a concrete command.
        """
        if not isinstance(case, Case):
            raise InvalidValue(f"case: expected a Case, got {type(case).__name__}")
        policy = self.policy
        accepted = []
        for kind in self._engine.commands_at(case.stage):
            for guard in self._guards_without_command.get(kind, ()):
                if guard.check(policy, case, None) is not None:
                    break
            else:
                accepted.append(kind)
        return tuple(accepted)

    def suggest(self, case: Case, by: Actor | None = None) -> Suggestion:
        """What to offer: the playbook's remedies for the cause, scaled to the severity.

        *by* (who would propose it) tells whether the compensation needs approval.
        See :func:`service_recovery.Suggestion`.
        """
        return suggest(self, _checked_case(case), by)

    def guidance(self, case: Case) -> Guidance:
        """What to do and say next at the case's stage: coaching prompts a CRM can show."""
        return guidance(self, _checked_case(case))

    def _evaluate(self, case: Case, command: Command) -> tuple[Stage | None, list[Reason]]:
        """Where *command* would take *case*, and every reason to refuse it.

        Guard reasons come first: they say what to do, where the stage
        reason only says it is not the time.
        """
        kind = type(command)
        step_reason = None
        # The engine's move answers ``None`` for an Open and for a command that is no
        # step here, so the common case asks the engine once; the reason is found after.
        dest = None if isinstance(command, Open) else self._engine.move(case, command)
        if dest is not None:
            found = self._guards_on.get((kind, dest._value_))
            guards = self._guards_entering(kind, dest) if found is None else found
        else:
            guards = self._by_command.get(kind, ())
            if isinstance(command, Open):
                step_reason = Reason("step available", "A case is opened once, with Workflow.open")
            elif not self._engine.has_step(case.stage, kind):
                step_reason = self._not_a_step(case, kind)
            else:
                step_reason = Reason(
                    "step available",
                    f"{kind.title} with these details leads nowhere from "
                    f"'{case.stage.label}' under the {self.policy.name} policy",
                )
        policy = self.policy
        reasons = []
        for guard in guards:
            message = guard.check(policy, case, command)  # Guard.reason, without a call per guard
            if message is not None:
                reasons.append(Reason(guard.name, message))
        extra = policy.extra_reasons(case, command)
        if extra:
            reasons.extend(Reason("policy", str(message)) for message in extra)
        if step_reason is not None:
            reasons.append(step_reason)
        at = command.at
        last_at = case.history.commands[-1].at
        # Two UTC times compare as they are: instant() is only called for other zones.
        # A command may be dated up to the policy's clock_skew before the last event.
        if at.tzinfo is UTC is last_at.tzinfo:
            late = at < last_at and at < last_at - policy.clock_skew
        else:
            late = instant(at) < instant(last_at) - policy.clock_skew
        if late:
            reasons.append(
                Reason(
                    "in time order",
                    f"{kind.title} is dated {command.at.isoformat()}, before the case's last "
                    f"event ({case.last_at.isoformat()}): commands apply in time order",
                )
            )
        return dest, reasons

    def _guards_entering(self, kind: type[Command], dest: Stage) -> tuple[Guard, ...]:
        """The guards of *kind*, then those protecting *dest* that are not among them."""
        guards = self._by_command.get(kind, ())
        return guards + tuple(g for g in self._by_entering[dest] if g not in guards)

    def _not_a_step(self, case: Case, kind: type[Command]) -> Reason:
        possible = ", ".join(k.title for k in self.allowed(case)) or "nothing"
        return Reason(
            "step available",
            f"{kind.title} is not a step while the case is {case.stage.label}; "
            f"possible now: {possible}",
        )

    # -- replaying -------------------------------------------------------------

    def replay(self, history: Iterable[Event]) -> Case:
        """Rebuild the case *history* describes. Events are facts: guards do not run.

        Raises:
            InvalidHistory: the events cannot be a case's history under this
                workflow's graph (listing every problem).
        """
        if not isinstance(history, Iterable):
            raise InvalidHistory(
                [f"history: expected a sequence of Event, got {type(history).__name__}"]
            )
        events = history if isinstance(history, History | tuple | list) else tuple(history)
        compact = compact_history(events)
        problems = check_history(events if compact is None else compact)
        if problems:
            raise InvalidHistory(problems)
        assert compact is not None  # check_history found every item an event
        recorded = getattr(compact.commands[0], "policy", None)
        if recorded is None or recorded == self.policy_identity:
            # A history recorded under other rules is still a fact: only its shape is checked.
            problems = self._off_graph(compact)
            if problems:
                raise InvalidHistory(problems)
        return fold(compact)

    def _off_graph(self, history: History) -> list[str]:
        commands, stages = history.commands, history.stages
        initial = self._engine.graph.initial
        if stages[0] is initial and self._engine.are_steps(stages, commands):
            return []
        problems = []
        if stages[0] is not initial:
            problems.append(
                f"history[0]: a case opens at '{self._engine.graph.initial.value}', "
                f"not '{stages[0].value}'"
            )
        is_step = self._engine.is_step
        for position in range(1, len(commands)):
            source, kind, dest = stages[position - 1], type(commands[position]), stages[position]
            if not is_step(source, kind, dest):
                problems.append(
                    f"history[{position}]: {kind.__name__} does not lead from '{source.value}' "
                    f"to '{dest.value}' under the {self.policy.name} policy"
                )
        return problems

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
        replaying, records and fires nothing.

        Raises:
            HookFailed: a hook raised; ``.case`` holds every recorded breach.
            InvalidValue: *case* is not a Case, or no aware time is available.
        """
        require_case(case)
        recorded = record_breaches(self._timekeeper, case, resolve_now(now, self.clock))
        if not recorded:
            return case
        run_breach_hooks(self, recorded)
        return recorded[-1][1]

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

    def _run_before(self, case: Case | None, command: Command) -> None:
        if not self.hooks:
            return
        context = HookContext("before", command, case, None, None, self)
        for hook in self.hooks.selected("before", type(command)):
            try:
                hook(context)
            except Veto as veto:
                raise CommandVetoed([Reason("host veto", veto.reason)], case, command) from veto
            except Exception as err:
                log.exception("before-hook %r failed; nothing changed", hook)
                raise HookFailed(case, accepted=False, errors=[(hook, err)]) from err

    def _run_after(self, before: Case | None, after: Case, command: Command, event: Event) -> None:
        if not self.hooks:
            return
        errors: list[tuple[Hook, Exception]] = []
        moved = before is None or before.stage is not after.stage
        plan: list[tuple[str, object]] = []
        if moved and before is not None:
            plan.append(("exit", before.stage))
        if moved:
            plan.append(("enter", after.stage))
        plan += [("after", type(command)), ("any", None)]
        for point, key in plan:
            context = HookContext(point, command, before, after, event, self)
            for hook in self.hooks.selected(point, key):
                try:
                    hook(context)
                except Exception as err:
                    log.exception("%s-hook %r failed; the event was kept", point, hook)
                    errors.append((hook, err))
        if errors:
            raise HookFailed(after, accepted=True, errors=errors) from errors[0][1]


def _checked_case(case: object) -> Case:
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a Case, got {type(case).__name__}", field="case")
    return case


def _check_arguments(case: object, command: object) -> None:
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a Case, got {type(case).__name__}", field="case")
    if not isinstance(command, Command):
        raise InvalidValue(
            f"command: expected a command such as sr.Acknowledge, got {type(command).__name__}",
            field="command",
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
    for earlier in case.history.commands:
        if earlier.id == command.id:
            if same_command(earlier, command):
                return True
            raise IdempotencyConflict(
                f"command id {command.id!r} was already used by a different command "
                f"({type(earlier).__name__} at {earlier.at.isoformat()})"
            )
    return False
