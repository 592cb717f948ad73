"""The case: an immutable value, and the fold that derives it from its events.

A case is its history plus the facts the guards read (venting finished?
follow-up done? actions still open?). The facts are a cache of the history:
:func:`fold` computes them from the events alone, with no policy and no
guards, which is what makes replay and ``from_dict`` fast and exact.
"""

from __future__ import annotations

import operator
import reprlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from itertools import repeat
from types import MappingProxyType
from typing import Any, cast

import attrs

from .._errors import InvalidHistory, InvalidValue
from ._commands import (
    AcceptSolution,
    Acknowledge,
    Apologize,
    Approve,
    AwaitCustomer,
    AwaitThirdParty,
    Close,
    Command,
    CompleteAction,
    DeclineSolution,
    Escalate,
    FinishVenting,
    FollowUp,
    IdentifyCause,
    Listen,
    Open,
    ProposeSolution,
    RecordBreach,
    RecordPrevention,
    ReflectBack,
    Reopen,
    Reschedule,
    Resume,
    SendUpdate,
    Thank,
    Withdraw,
)
from ._events import Event
from ._history import _STAGES, History, compact_history, event_problem
from ._slots import compile_copier
from ._stages import Stage
from ._values import Channel, Customer, FollowUpOutcome, Money, Role, Severity, instant


@attrs.frozen(repr=False, weakref_slot=False)  # 100k live cases: every byte counts
class Case:
    """One complaint, as it stands after its history.

    Cases are values: :meth:`Workflow.apply` returns a *new* case and never
    changes the one it was given. Build them with :meth:`Workflow.open`,
    :meth:`Workflow.replay` or :func:`from_dict`, not by hand.

    Attributes:
        id, customer, channel, severity, summary, opened_at: what was reported.
        stage: where the case stands.
        history: every accepted event, oldest first.
        acknowledged_at: when a person first answered the customer (see
            :func:`answers_customer`); an automatic reply by the ``SYSTEM``
            role is recorded but is not that answer.
        summary_confirmed: the latest reflected summary was confirmed.
        venting_finished: the customer has said everything.
        apologized: an apology was made in this conversation.
        cause: the identified root cause, if any.
        proposal: the plan on the table, awaiting the customer's answer.
        plan: the plan the customer accepted; its actions are promises.
        open_actions: indexes of promised actions not yet completed.
        escalation: the pending escalation, if any.
        approved_amount: the compensation an approver has cleared.
        follow_up_attempts: unanswered follow-ups since resolution.
        followed_up: the customer confirmed they are satisfied.
        closed_at: when the case was closed, while it is closed.
        paused: the wait (:class:`AwaitCustomer` or :class:`AwaitThirdParty`)
            the case is in, if any; service-level clocks stop meanwhile.
        breaches: the refs of the deadlines whose breach is recorded
            (:meth:`Workflow.tick` records each once).
        thanked: the customer was thanked in this conversation.
        prevention_note: what will change so the cause does not recur, once
            recorded for the current cause.
        solution_accepted: the customer accepted a solution at some point (it
            stays true when the conversation starts over): the case can no
            longer be withdrawn.
    """

    id: str
    customer: Customer
    channel: Channel
    severity: Severity
    summary: str
    opened_at: datetime
    stage: Stage
    history: History
    acknowledged_at: datetime | None = None
    summary_confirmed: bool = False
    venting_finished: bool = False
    apologized: bool = False
    cause: IdentifyCause | None = None
    proposal: ProposeSolution | None = None
    plan: ProposeSolution | None = None
    open_actions: frozenset[int] = frozenset()
    escalation: Escalate | None = None
    approved_amount: Money | None = None
    follow_up_attempts: int = 0
    followed_up: bool = False
    closed_at: datetime | None = None
    paused: AwaitCustomer | AwaitThirdParty | None = None
    breaches: frozenset[str] = frozenset()
    thanked: bool = False
    prevention_note: str | None = None
    solution_accepted: bool = False
    # A memo of the case's next deadline under one workflow (see _deadlines.py):
    # derived, never part of ==, repr or a snapshot, and rebuilt for every new case.
    _schedule: Any = attrs.field(default=None, init=False, eq=False, repr=False)
    # Whether the facts are known to be the fold of the history: set by fold and grow only,
    # so a case made any other way (attrs.evolve, by hand, unpickled) is checked once (seal).
    _sealed: bool = attrs.field(default=False, init=False, eq=False, repr=False)
    # Where each command id first appears in the history (see applied_command): built once,
    # then shared with the cases grown from this one, each adding its command's id.
    _command_ids: dict[str, int] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )

    @property
    def version(self) -> int:
        """How many events the case has; stores use it for optimistic concurrency."""
        return len(self.history)

    @property
    def last_at(self) -> datetime:
        """When the latest event happened; the next command may not be earlier."""
        return self.history.commands[-1].at

    @property
    def paused_since(self) -> datetime | None:
        """When the current wait began; ``None`` while the clocks run."""
        return None if self.paused is None else self.paused.at

    @property
    def approvals(self) -> tuple[tuple[Escalate, Approve], ...]:
        """Who approved what: each approval in the history with the escalation it cleared.

        The :class:`Escalate` carries who asked, why and for how much; the
        :class:`Approve` who approved it, when and with which note.
        """
        pairs: list[tuple[Escalate, Approve]] = []
        pending: Escalate | None = None
        for command in self.history.commands:
            if isinstance(command, Escalate):
                pending = command
            elif isinstance(command, Approve) and pending is not None:
                pairs.append((pending, command))
                pending = None
            elif starts_over(command):
                pending = None  # a restart drops the pending escalation (see the fold)
        return tuple(pairs)

    @property
    def reopen_count(self) -> int:
        """How many times the case was reopened, counted from its history.

        Counted when asked rather than kept as a fact: no guard reads it, and a
        fact would cost every live case a slot (and :func:`verify` a copy of
        each state per reopen).
        """
        return sum(map(isinstance, self.history.commands, repeat(Reopen)))

    @property
    def reference(self) -> str | None:
        """The host's own reference for the complaint (``Workflow.open(reference=...)``)."""
        return getattr(self.history.commands[0], "reference", None)

    @property
    def previous_case(self) -> str | None:
        """The id of the case this one succeeds (``Workflow.open(previous_case=...)``)."""
        return getattr(self.history.commands[0], "previous_case", None)

    @property
    def withdrawal(self) -> Withdraw | None:
        """The :class:`Withdraw` that ended the case, while it is withdrawn."""
        if self.stage is not Stage.WITHDRAWN:
            return None
        last = self.history.commands[-1]
        return last if isinstance(last, Withdraw) else None

    @property
    def escalation_pending(self) -> bool:
        """Whether an escalation awaits approval."""
        return self.escalation is not None

    def __repr__(self) -> str:
        return (
            f"<Case {self.id!r} {self.stage.value} v{self.version} "
            f"{self.severity.value} via {self.channel.value}>"
        )

    def __getstate__(self) -> dict[str, Any]:
        # The facts only: memos are worked out again, and a seal is no fact a pickle can vouch for.
        return dict(zip(FIELDS, _read_all(self), strict=True))

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in FIELDS:
            if name in state:  # as attrs does: a pickle of an older layout lacks newer fields
                _set_slot(self, name, state[name])
        for name, default in _MEMOS:
            _set_slot(self, name, default)


FIELDS: tuple[str, ...] = tuple(field.name for field in attrs.fields(Case) if field.init)
_read_all = operator.attrgetter(*FIELDS)
_copy = compile_copier(Case)
_set_slot = object.__setattr__
_MEMOS: tuple[tuple[str, Any], ...] = tuple(
    (field.name, field.default) for field in attrs.fields(Case) if not field.init
)
_EQ_FIELDS: tuple[str, ...] = tuple(field.name for field in attrs.fields(Case) if field.eq)

_NO_ACTIONS: frozenset[int] = frozenset()
"""The one empty set of open actions: each new empty frozenset would cost a case 216 bytes."""

Facts = dict[str, Any]
"""The case's fields while an event is folded in; frozen into a :class:`Case` after."""


def _opened(facts: Facts, command: Open) -> None:
    facts.update(
        id=command.case_id,
        customer=command.customer,
        channel=command.channel,
        severity=command.severity,
        summary=command.summary,
        opened_at=command.at,
    )


ANSWERING: tuple[type[Command], ...] = (
    Acknowledge,
    Listen,
    ReflectBack,
    Apologize,
    ProposeSolution,
    SendUpdate,
    Reschedule,
    FollowUp,
)
"""Commands that speak to the customer: the first one by a person is the first answer."""


def answers_customer(command: Command) -> bool:
    """Whether *command* is an answer to the customer by a person.

    The first one sets ``acknowledged_at`` and meets the first-response clock.
    An automatic reply (any command by the ``SYSTEM`` role) is not an answer.
    """
    return isinstance(command, ANSWERING) and command.by.role is not Role.SYSTEM


def starts_over(command: Command) -> bool:
    """Whether *command* starts the conversation over: a reopen, or an unsatisfied follow-up.

    The fold then forgets the conversation's venting, apology, plan, escalation
    and follow-ups (see ``_restart_conversation``); deadlines drop the old plan.
    """
    return isinstance(command, Reopen) or (
        isinstance(command, FollowUp) and command.outcome is FollowUpOutcome.UNSATISFIED
    )


def _answered(update: Callable[[Facts, Any], None]) -> Callable[[Facts, Any], None]:
    """The fold *update*, after noting the first answer by a person."""
    if update is _nothing_else:
        return _fold_answer_only

    def fold_answer(facts: Facts, command: Any) -> None:
        if facts["acknowledged_at"] is None and command.by.role is not Role.SYSTEM:
            facts["acknowledged_at"] = command.at
        update(facts, command)

    return fold_answer


def _nothing_else(facts: Facts, command: Command) -> None:
    """An answering command with no fact of its own (Listen, SendUpdate)."""


def _fold_answer_only(facts: Facts, command: Any) -> None:
    """The fold of an answer with no fact of its own: one call per such event, not two."""
    if facts["acknowledged_at"] is None and command.by.role is not Role.SYSTEM:
        facts["acknowledged_at"] = command.at


def _reflected(facts: Facts, command: ReflectBack) -> None:
    facts["summary_confirmed"] = command.confirmed


def _vented(facts: Facts, command: FinishVenting) -> None:
    facts["venting_finished"] = True


def _apologized(facts: Facts, command: Apologize) -> None:
    facts["apologized"] = True


def _diagnosed(facts: Facts, command: IdentifyCause) -> None:
    facts.update(cause=command, prevention_note=None)


def _thanked(facts: Facts, command: Thank) -> None:
    facts["thanked"] = True


def _prevention_recorded(facts: Facts, command: RecordPrevention) -> None:
    facts["prevention_note"] = command.note


def _proposed(facts: Facts, command: ProposeSolution) -> None:
    facts["proposal"] = command


def _declined(facts: Facts, command: DeclineSolution) -> None:
    facts["proposal"] = None


def _accepted(facts: Facts, command: AcceptSolution) -> None:
    plan = facts["proposal"]
    facts.update(
        plan=plan,
        proposal=None,
        open_actions=frozenset(range(len(plan.actions))) if plan is not None else _NO_ACTIONS,
        solution_accepted=True,
    )


def _rescheduled(facts: Facts, command: Reschedule) -> None:
    plan = facts["plan"]
    # The guards refuse a reschedule of nothing; a loaded history is folded as it says.
    if plan is None or not 0 <= command.index < len(plan.actions):
        return
    actions = list(plan.actions)
    actions[command.index] = attrs.evolve(actions[command.index], due=command.due)
    facts["plan"] = attrs.evolve(plan, actions=tuple(actions))


def _completed(facts: Facts, command: CompleteAction) -> None:
    facts["open_actions"] = facts["open_actions"] - {command.index} or _NO_ACTIONS


def _escalated(facts: Facts, command: Escalate) -> None:
    facts["escalation"] = command


def _approved(facts: Facts, command: Approve) -> None:
    escalation = facts["escalation"]
    facts["escalation"] = None
    if escalation is not None and escalation.amount is not None:
        facts["approved_amount"] = escalation.amount


def _followed_up(facts: Facts, command: FollowUp) -> None:
    if starts_over(command):
        _restart_conversation(facts)
    elif command.outcome is FollowUpOutcome.SATISFIED:
        facts["followed_up"] = True
    elif command.outcome is FollowUpOutcome.NO_ANSWER:
        facts["follow_up_attempts"] += 1


def _closed(facts: Facts, command: Close) -> None:
    facts["closed_at"] = command.at


def _reopened(facts: Facts, command: Reopen) -> None:
    _restart_conversation(facts)


def _awaited(facts: Facts, command: AwaitCustomer | AwaitThirdParty) -> None:
    facts["paused"] = command


def _resumed(facts: Facts, command: Resume) -> None:
    facts["paused"] = None


def _breached(facts: Facts, command: RecordBreach) -> None:
    facts["breaches"] = facts["breaches"] | {command.ref}


def _restart_conversation(facts: Facts) -> None:
    """An unhappy customer is heard again from the start: new venting, new plan."""
    facts.update(
        summary_confirmed=False,
        venting_finished=False,
        apologized=False,
        proposal=None,
        plan=None,
        open_actions=_NO_ACTIONS,
        escalation=None,
        approved_amount=None,
        follow_up_attempts=0,
        followed_up=False,
        closed_at=None,
        thanked=False,
    )


_FOLDS: dict[type[Command], Callable[[Facts, Any], None]] = {
    Open: _opened,
    Acknowledge: _nothing_else,
    Listen: _nothing_else,
    SendUpdate: _nothing_else,
    ReflectBack: _reflected,
    FinishVenting: _vented,
    Apologize: _apologized,
    IdentifyCause: _diagnosed,
    ProposeSolution: _proposed,
    DeclineSolution: _declined,
    AcceptSolution: _accepted,
    CompleteAction: _completed,
    Escalate: _escalated,
    Approve: _approved,
    FollowUp: _followed_up,
    Close: _closed,
    Reopen: _reopened,
    Reschedule: _rescheduled,
    AwaitCustomer: _awaited,
    AwaitThirdParty: _awaited,
    Resume: _resumed,
    RecordBreach: _breached,
    Thank: _thanked,
    RecordPrevention: _prevention_recorded,
}
_FOLDS.update({kind: _answered(_FOLDS[kind]) for kind in ANSWERING})


_Fold = Callable[[Facts, Any], None]
_FOLD_OF: dict[type[Command], _Fold | None] = {}


def _fold_for(kind: type[Command]) -> _Fold | None:
    """The fold of *kind*, or of its nearest base that has one (looked up once per type)."""
    try:
        return _FOLD_OF[kind]
    except KeyError:
        update = next((_FOLDS[base] for base in kind.__mro__ if base in _FOLDS), None)
        _FOLD_OF[kind] = update
        return update


class _Changes(dict[str, Any]):
    """The facts one event changes; any other fact reads through to the case before it.

    :func:`advance` runs on every accepted command: folding into this, rather than
    into a copy of all the case's fields, keeps its work to what the event changes.
    Folds read ``facts[name]`` and write ``facts[name] = ...`` or ``facts.update``.
    """

    __slots__ = ("before",)
    before: Case

    def __missing__(self, name: str) -> Any:
        return getattr(self.before, name)


def advance(case: Case, event: Event) -> Case:
    """Return *case* with one more *event* folded in (the same case :func:`fold` builds)."""
    return grow(case, changes_of(case, event.command, event.stage), event.command, event.stage)


def changes_of(case: Case, command: Command, stage: Stage) -> Facts:
    """The facts of *case* that accepting *command* into *stage* changes, by field name.

    The history is not among them: :func:`grow` adds the event.
    """
    update = _fold_for(type(command))
    if update is None:
        changes: Facts = {}
    else:
        changes = _Changes()
        changes.before = case
        update(changes, command)
    changes["stage"] = stage
    return changes


def grow(case: Case, changes: Facts, command: Command, stage: Stage) -> Case:
    """The case after *case* with *changes* (from :func:`changes_of`) and the event recorded.

    *changes* is used up: the grown history is added to it.
    """
    history = case.history
    changes["history"] = history._appended(command, stage)
    if case._sealed:  # the fold of a fold's history and one more event
        changes["_sealed"] = True
    ids = case._command_ids
    if ids is not None:
        # Shared only while it can hold this command's id at this position: a case grown from
        # the same one may have put the id elsewhere (the new case then builds its own index).
        command_id = command.id
        if command_id is None:
            changes["_command_ids"] = ids
        else:
            position = len(history.commands)
            if ids.setdefault(command_id, position) == position:
                changes["_command_ids"] = ids
    if _copy is not None:
        return _copy(case, changes)
    memos = [(name, changes.pop(name)) for name, _ in _MEMOS if name in changes]
    new = Case(**(dict(zip(FIELDS, _read_all(case), strict=True)) | changes))
    for name, value in memos:
        _set_slot(new, name, value)
    return new


def fold(events: Iterable[Event]) -> Case:
    """Build the case that *events* describe; the first event must be an ``Open``.

    The caller checks the shape of the history first (see
    :func:`check_history`); this function trusts it.
    """
    items = events if isinstance(events, Sequence) else tuple(events)
    history = compact_history(items)
    if history is None:
        history = History(items)  # raises, saying which item is no event
    facts: Facts = dict(_DEFAULTS)
    facts["history"] = history
    folds = _FOLD_OF
    for command in history.commands:
        kind = type(command)
        update = folds[kind] if kind in folds else _fold_for(kind)
        if update is not None:
            update(facts, command)
    facts["stage"] = history[-1].stage
    case = Case(**facts)
    _set_slot(case, "_sealed", True)
    return case


def seal(case: Case) -> None:
    """Make sure *case* is the fold of its history, and remember it on the case.

    A case from :func:`fold` or grown from one is sealed already; any other (one
    made with ``attrs.evolve``, by hand, copied or unpickled) is folded again here
    once, and sealed if its facts are those of its history.

    Raises:
        InvalidValue: the history is no :class:`History`, or a fact disagrees
            with what the history makes of it (each such fact named, with both values).
        InvalidHistory: the history cannot be a case's history.
    """
    history = case.history
    if type(history) is not History:
        raise InvalidValue(
            f"case.history: expected a History, got {type(history).__name__}", field="history"
        )
    problems = check_history(history)
    if problems:
        raise InvalidHistory(problems)
    folded = fold(history)
    if folded != case:
        names = [name for name in _EQ_FIELDS if getattr(case, name) != getattr(folded, name)]
        disagree = "; ".join(
            f"{name} is {_shortened(getattr(case, name))} where its history makes it "
            f"{_shortened(getattr(folded, name))}"
            for name in names
        )
        raise InvalidValue(
            f"case: its facts are not those of its history ({disagree}): "
            "make cases with Workflow.open, apply, replay or from_dict",
            field=names[0] if names else "case",
        )
    _set_slot(case, "_sealed", True)


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_shortened = _SHORT.repr
"""A value as a message quotes it: cut short (a long text is cut before it is quoted)."""


def applied_command(case: Case, command_id: str) -> Command | None:
    """The first command of *case*'s history whose id is *command_id*, or ``None``.

    The ids are indexed once per line of cases (the first time a case is asked,
    then grown along with it by :func:`grow`), so the answer costs the same at
    1,000 events as at 10.
    """
    ids = case._command_ids
    if ids is None:
        ids = {}
        for position, command in enumerate(case.history.commands):
            if command.id is not None:
                ids.setdefault(command.id, position)
        _set_slot(case, "_command_ids", ids)
    found = ids.get(command_id)
    if found is None:
        return None
    commands = case.history.commands
    # The index may hold ids of other cases grown from the same one: check this history has it.
    if found < len(commands) and commands[found].id == command_id:
        return commands[found]
    return None


class CaseFacts:
    """The facts of a case, read as attributes: a :class:`Case`'s fields, and nothing else.

    What :func:`fold_prefixes` gives for a prefix asked for as facts. The loading
    checks read a contract guard's answer off it without building a case for each
    event a guard judges (a case is some 30 slot stores). It is the fold's own facts
    dict, read live: it holds while its prefix is the one being looked at, until the
    fold goes on. Its ``history`` is made only when it is read. The generated copier
    also reads a case's fields from one.
    """

    __slots__ = ("__dict__", "_prefix")
    _prefix: tuple[History, int]

    def __init__(self, facts: Facts, history: History) -> None:
        self.__dict__ = facts
        self._prefix = (history, 0)

    def __getattr__(self, name: str) -> Any:
        # Only a name the facts lack comes here: the history of a prefix, made when read.
        if name != "history":
            raise AttributeError(name)
        whole, length = self._prefix
        history = self.__dict__["history"] = whole[:length]
        return history


_NO_CHANGES: Mapping[str, Any] = MappingProxyType({})
"""What the copier changes in a case it builds from a :class:`CaseFacts`: nothing."""


def fold_prefixes(
    history: History, lengths: Iterable[int], *, as_facts: Collection[int] = ()
) -> Iterator[Case | CaseFacts]:
    """The case each first *length* events of *history* make, for ascending *lengths*.

    Each is equal to the case :func:`fold` builds of ``history[:length]``, found
    in one pass: the events before a length are not folded again for the next,
    and each case is built from the facts folded so far (as :func:`grow` builds
    one, slot by slot). What checks a history event by event
    (``_decision/_loading.py``) reads the case each event found without paying a
    fold per event.

    A length in *as_facts* gives the :class:`CaseFacts` of that prefix instead, with
    no case built: read it before asking for the next prefix, which changes it.
    """
    commands, stage_bytes = history.commands, history._stages
    # Each event's fold, looked up for all of them at once (a type not seen yet, one by one).
    updates = list(map(_FOLD_OF.get, map(type, commands), repeat(_UNSEEN)))
    if _UNSEEN in updates:
        updates = [_fold_for(type(command)) for command in commands]
    facts: Facts = dict(_DEFAULTS)
    view = CaseFacts(facts, history)
    previous: Case | None = None
    done = 0
    for length in lengths:
        if length == done and previous is not None:
            yield previous
            continue
        for update, command in zip(updates[done:length], commands[done:length], strict=True):
            if update is not None:
                update(facts, command)
        done = length
        facts["stage"] = _STAGES[stage_bytes[length - 1]]
        if length in as_facts:
            facts.pop("history", None)
            view._prefix = (history, length)
            previous = None
            yield view
            continue
        # The prefix is the history's own tuple and bytes, sliced: no event is made.
        facts["history"] = History._of(commands[:length], stage_bytes[:length])
        previous = Case(**facts) if _copy is None else _copy(cast(Case, view), _NO_CHANGES)
        _set_slot(previous, "_sealed", True)  # equal to fold(history[:length]) by construction
        yield previous


_UNSEEN: Any = object()
"""What :data:`_FOLD_OF` answers for a command type it has not been asked about."""


_DEFAULTS: tuple[tuple[str, Any], ...] = tuple(
    (field.name, field.default) for field in attrs.fields(Case) if field.init
)


def check_history(events: Iterable[object]) -> list[str]:
    """List what makes *events* impossible as a case's history ([] if fine)."""
    items = events if isinstance(events, Sequence) else tuple(events)
    compact = compact_history(items)
    if compact is None:  # some item is no event: say which, and check the rest
        problems: list[str] = []
        return _commands_problems(_commands_of_events(items, problems), problems)
    commands = compact.commands
    if commands and _well_ordered(commands):
        return []  # the usual answer, found without a Python call per event
    return _commands_problems(enumerate(commands), [])


def _well_ordered(commands: tuple[Command, ...]) -> bool:
    """Open first and only first, and every command dated no earlier than the one before."""
    if not isinstance(commands[0], Open) or any(map(isinstance, commands[1:], repeat(Open))):
        return False
    times = list(map(_at_of, commands))
    if not all(map(isinstance, map(_zone_of, times), repeat(timezone))):
        times = list(map(instant, times))  # shared named zones compare by wall time
    return all(map(operator.le, times, times[1:]))


_at_of = operator.attrgetter("at")
_zone_of = operator.attrgetter("tzinfo")


def _commands_problems(numbered: Iterable[tuple[int, Command]], problems: list[str]) -> list[str]:
    """What is wrong with the commands of a history, by position, added to *problems*."""
    previous: datetime | None = None
    count = 0
    for position, command in numbered:
        count = position + 1
        where = f"history[{position}]"
        if position == 0 and not isinstance(command, Open):
            problems.append(f"{where}: a history starts with Open, not {type(command).__name__}")
        if position > 0 and isinstance(command, Open):
            problems.append(f"{where}: Open can only be the first event")
        if previous is not None and instant(command.at) < instant(previous):
            problems.append(
                f"{where}: at {command.at.isoformat()} is before the previous event "
                f"({previous.isoformat()})"
            )
        previous = command.at
    if count == 0 and not problems:
        problems.append("history: empty; a case's history starts with its Open event")
    return problems


def _commands_of_events(
    events: Iterable[object], problems: list[str]
) -> Iterator[tuple[int, Command]]:
    """Each event's position and command; what is no event goes into *problems* instead."""
    for position, event in enumerate(events):
        problem = event_problem(event)
        if problem is not None:
            problems.append(f"history[{position}]: {problem}")
        else:
            yield position, cast(Event, event).command
