"""Hypothesis strategies for actors, money, commands, whole cases and policies.

Two kinds of command strategies: :func:`commands` draws any well-formed command
(the noise a real system meets), :func:`plausible_commands` draws what someone
would sensibly try on a given case under a given workflow (so random sessions
actually get somewhere). Cases are never built by hand: :func:`cases` opens one
and applies plausible commands, so every case it draws is one the workflow
really produces.
"""

from __future__ import annotations

import enum
import functools
import types
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from .._convert._fields import init_fields
from .._errors import InvalidValue, RecoveryError
from .._model._case import Case
from .._model._commands import (
    COMMAND_TYPES,
    AcceptSolution,
    Acknowledge,
    Apologize,
    Approve,
    Close,
    Command,
    CompleteAction,
    DeclineSolution,
    Escalate,
    FinishVenting,
    FollowUp,
    IdentifyCause,
    Listen,
    ProposeSolution,
    ReflectBack,
    Reopen,
    Reschedule,
    Resume,
    SendUpdate,
    Withdraw,
)
from .._model._refusals import HookFailed
from .._model._stages import Stage
from .._model._values import (
    SYSTEM,
    Action,
    Actor,
    Channel,
    Compensation,
    CompensationKind,
    Customer,
    FollowUpOutcome,
    Money,
    Role,
    Severity,
    WithdrawalReason,
)
from .._rulebook._defaults import DEFAULT_PLAYBOOKS
from .._rulebook._graph import StageGraph
from .._rulebook._guard_types import MIN_FOLLOW_UP_ATTEMPTS
from .._rulebook._policy import RecoveryPolicy
from .._rulebook._practice import authority_of, reopen_window_of, suggested_compensation_of
from .._workflow import Workflow

DEFAULT_TEAM: tuple[Actor, ...] = (
    Actor("agent-1", Role.AGENT),
    Actor("agent-2", Role.AGENT),
    Actor("supervisor-1", Role.SUPERVISOR),
    Actor("supervisor-2", Role.SUPERVISOR),
    Actor("manager-1", Role.MANAGER),
    Actor("manager-2", Role.MANAGER),
    SYSTEM,
)
"""Who acts in generated commands: a few people per role, so the same person comes
back (nobody may approve their own escalation) and a second one is at hand."""

ZONES = (
    UTC,
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
)
CAUSES = (*DEFAULT_PLAYBOOKS, "lost parcel")
"""Root-cause categories of generated diagnoses: each default playbook's, and one that no
playbook names (it falls back to the ``other`` playbook)."""

_words = st.sampled_from(
    ("Wrong jacket", "Still waiting", "Refund, please", "The app crashed", "Thanks", "x")
)
_texts = _words | st.text(min_size=1, max_size=30).filter(str.strip)


def aware_datetimes(
    min_value: datetime = datetime(2000, 1, 1),
    max_value: datetime = datetime(2100, 1, 1),
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes between two naive bounds, in UTC and a few offsets.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(aware_datetimes())
    ... def test_aware(moment):
    ...     assert moment.utcoffset() is not None
    >>> test_aware()
    """
    return st.builds(
        lambda naive, zone: naive.replace(tzinfo=zone),
        st.datetimes(min_value=min_value, max_value=max_value),
        st.sampled_from(ZONES),
    )


def actors(roles: Iterable[Role] | None = None) -> st.SearchStrategy[Actor]:
    """Actors of *roles* (every role if omitted), from a small team so people recur.

    >>> from hypothesis import given, settings
    >>> from service_recovery import Role
    >>> @settings(max_examples=5)
    ... @given(actors([Role.MANAGER]))
    ... def test_managers_only(actor):
    ...     assert actor.role is Role.MANAGER
    >>> test_managers_only()

    Raises:
        InvalidValue: no role was given.
    """
    wanted = set(Role) if roles is None else set(roles)
    pool = [actor for actor in DEFAULT_TEAM if actor.role in wanted]
    if not pool:
        raise InvalidValue(f"roles: expected one or more sr.Role members, got {roles!r}")
    return st.sampled_from(pool)


def customers() -> st.SearchStrategy[Customer]:
    """Customers with short ids and any printable name (JSON must carry it intact)."""
    return st.builds(
        Customer,
        id=st.from_regex(r"c-[0-9]{1,6}", fullmatch=True),
        name=st.text(max_size=20),
    )


def money(
    currencies: Sequence[str] = ("EUR", "USD", "GBP"),
    *,
    max_amount: Decimal | int | str = 10_000,
) -> st.SearchStrategy[Money]:
    """Exact amounts from 0 to *max_amount*, in cents, in one of *currencies*.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(money(["EUR"], max_amount=50))
    ... def test_small_euro_amounts(amount):
    ...     assert amount.currency == "EUR" and amount.amount <= 50
    >>> test_small_euro_amounts()
    """
    return st.builds(
        Money,
        st.decimals(min_value=0, max_value=Decimal(max_amount), places=2),
        st.sampled_from(tuple(currencies)),
    )


# -- any command ---------------------------------------------------------------


def commands(
    kinds: Iterable[type[Command]] | None = None,
    *,
    at: st.SearchStrategy[datetime] | None = None,
    by: st.SearchStrategy[Actor] | None = None,
) -> st.SearchStrategy[Command]:
    """Any well-formed command of *kinds* (every command type if omitted).

    Fields are drawn from their declared types, so new command types are
    covered as soon as they exist. Most such commands are refused by a
    workflow: that is the point, refusals must change nothing.

    >>> from hypothesis import given, settings
    >>> from service_recovery import Close
    >>> @settings(max_examples=5)
    ... @given(commands([Close]))
    ... def test_closes(command):
    ...     assert isinstance(command, Close)
    >>> test_closes()

    Raises:
        InvalidValue: *kinds* holds something that is not a command type.
    """
    chosen = tuple(COMMAND_TYPES if kinds is None else kinds)
    for kind in chosen:
        if not (isinstance(kind, type) and issubclass(kind, Command)):
            raise InvalidValue(f"kinds: expected command types like sr.Close, got {kind!r}")
    when = aware_datetimes() if at is None else at
    who = actors() if by is None else by
    return st.sampled_from(chosen).flatmap(lambda kind: _built(kind, at=when, by=who))


@st.composite
def _built(
    draw: st.DrawFn,
    kind: type[Command],
    *,
    at: st.SearchStrategy[datetime],
    by: st.SearchStrategy[Actor],
) -> Command:
    """A *kind* command by *by* at *at*, its other fields drawn from their types."""
    fields: dict[str, Any] = {"by": draw(by), "at": draw(at)}
    for name, strategy in _field_strategies(kind).items():
        fields[name] = draw(strategy)
    try:
        return kind(**fields)
    except InvalidValue:
        # A field checked beyond its type (a reference to a known name, say).
        assume(False)
        raise  # pragma: no cover - assume() does not return


_FIELDS: dict[type[Command], dict[str, st.SearchStrategy[Any]]] = {}


_KNOWN_VALUES: dict[tuple[type[Command], str], st.SearchStrategy[Any]] = {
    (Withdraw, "reason"): st.sampled_from(WithdrawalReason),
}
"""Fields typed ``str`` that take only some texts: drawn from those (by class and field)."""


def _field_strategies(kind: type[Command]) -> dict[str, st.SearchStrategy[Any]]:
    """How to draw each field of *kind* but ``by``, ``at`` and ``id``, from its type."""
    if kind not in _FIELDS:
        known = {
            name: strategy
            for (base, name), strategy in _KNOWN_VALUES.items()
            if issubclass(kind, base)
        }
        _FIELDS[kind] = {
            field.name: known[field.name] if field.name in known else _for_type(field.type)
            for field in init_fields(kind)
            if field.name not in ("by", "at", "id")
        }
    return _FIELDS[kind]


@functools.cache
def _simple_types() -> dict[Any, st.SearchStrategy[Any]]:
    return {
        str: _texts,
        bool: st.booleans(),
        int: st.integers(-1, 6),
        datetime: aware_datetimes(),
        Decimal: st.decimals(min_value=0, max_value=10_000, places=2),
        timedelta: st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
        Money: money(),
        Actor: actors(),
        Customer: customers(),
    }


def _for_type(kind: Any) -> st.SearchStrategy[Any]:
    """A strategy for values of the declared type *kind* of a command field."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(kind) if option is not type(None)]
        drawn = st.one_of([_for_type(option) for option in options])
        return st.none() | drawn if type(None) in get_args(kind) else drawn
    if origin is tuple:
        return st.lists(_for_type(get_args(kind)[0]), max_size=3).map(tuple)
    simple = _simple_types()
    if kind in simple:
        return simple[kind]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from(kind)
    if isinstance(kind, type) and attrs.has(kind):
        return st.builds(kind, **{field.key: _for_type(field.type) for field in init_fields(kind)})
    return st.from_type(kind)


# -- plausible commands --------------------------------------------------------

_STEPS = tuple(
    timedelta(seconds=seconds) for seconds in (0, 60, 15 * 60, 2 * 3600, 86400, 3 * 86400)
)
"""How long after the last event someone acts: mostly soon, sometimes days later."""

_DETOUR = st.sampled_from((False,) * 7 + (True,))
"""About one plausible command in eight is a detour every stage allows (a wait, an
escalation); the common case first, where generation leans and shrinking goes."""


def plausible_commands(
    workflow: Workflow,
    case: Case,
    *,
    team: Sequence[Actor] = DEFAULT_TEAM,
    toward: Stage = Stage.CLOSED,
) -> st.SearchStrategy[Command]:
    """Commands someone would sensibly try on *case* now, under *workflow*.

    The command types are the ones :meth:`~service_recovery.Workflow.allowed`
    offers: what unblocks the case first (resuming a wait, approving an
    escalation), then the steps that bring it closer to *toward*, then the
    stage's other steps; the detours every stage allows (waits, escalations)
    now and then. So random sessions reach the end, and a reopen, within a
    few dozen steps. The fields suit the case: a confirmed summary more often
    than not, promised actions due after the command, compensation within the
    proposer's authority, the approved amount or the policy's suggestion, an
    approver whose authority covers the escalation, the index of an action still
    open (to complete, or to reschedule to a date mostly ahead), a withdrawal
    naming another case where its reason needs one, a reopen inside the window
    (or just outside). A withdrawal is offered only when *toward* is
    ``withdrawn``: it would end every other session early. Most are accepted; the
    rest are near misses worth trying.

    >>> from datetime import datetime, timezone
    >>> from hypothesis import given, settings
    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.CHAT,
    ...     severity=sr.Severity.MINOR, summary="Late",
    ...     at=datetime(2026, 1, 5, tzinfo=timezone.utc))
    >>> @settings(max_examples=5)
    ... @given(plausible_commands(workflow, case))
    ... def test_offered(command):
    ...     assert type(command) in workflow.allowed(case)
    >>> test_offered()

    Raises:
        InvalidValue: *workflow*, *case* or *team* is not what it should be.
    """
    if not isinstance(workflow, Workflow):
        raise InvalidValue(f"workflow: expected a sr.Workflow, got {type(workflow).__name__}")
    if not isinstance(case, Case):
        raise InvalidValue(f"case: expected a sr.Case, got {type(case).__name__}")
    if not team:
        raise InvalidValue("team: expected at least one sr.Actor")
    return _plausible(workflow, case, tuple(team), toward)


Draw = Callable[..., Any]
"""What draws a value from a strategy: ``st.composite``'s ``draw`` or ``data.draw``."""


def _pick(draw: Draw, options: Sequence[Any], label: str) -> Any:
    """One of *options*, the earlier ones favoured (and shrunk toward)."""
    return options[draw(st.integers(0, len(options) - 1), label=label)]


@st.composite
def _plausible(
    draw: st.DrawFn, workflow: Workflow, case: Case, team: tuple[Actor, ...], toward: Stage
) -> Command:
    return draw_plausible(draw, workflow, case, team, toward)


def draw_plausible(
    draw: Draw, workflow: Workflow, case: Case, team: tuple[Actor, ...], toward: Stage
) -> Command:
    """Draw a plausible command with *draw* (no strategy object built: steps are many)."""
    main, detours = _ranked_kinds(workflow, case, toward)
    detour = bool(detours) and (not main or draw(_DETOUR, label="detour"))
    kind: type[Command] = _pick(draw, detours if detour else main, "kind")
    at = case.last_at + _pick(draw, _STEPS, "after")
    fill = _FILLERS.get(kind)
    if fill is None:
        built: Command = draw(_built(kind, at=st.just(at), by=st.sampled_from(team)))
        return built
    context = _Context(workflow.policy, case, team, at)
    fields = fill(draw, context)
    fields.setdefault("by", _pick(draw, team, "by"))
    fields.setdefault("at", at)
    return kind(**fields)


def _ranked_kinds(
    workflow: Workflow, case: Case, toward: Stage
) -> tuple[tuple[type[Command], ...], tuple[type[Command], ...]]:
    """The allowed command types: the stage's own, weighted by repeats, and the detours.

    First what unblocks the case (resuming a wait, approving the escalation),
    then the steps leading toward *toward*, the steps of the stage itself and
    the steps leading away; apart, the moves every stage allows (waits,
    escalations), which would otherwise crowd out the stage's own work.
    """
    graph = workflow.policy.graph
    allowed = workflow.allowed(case) or graph.commands_at(case.stage)
    if not allowed:
        return (Listen,), ()  # a dead end for this case: anything is refused, and that is fine
    unblock = [
        kind
        for kind in allowed
        if (kind is Resume and case.paused is not None)
        or (kind is Approve and case.escalation is not None)
        or (kind is Withdraw and toward is Stage.WITHDRAWN)  # the one way there
    ]
    declared = _declared(graph)
    own = [kind for kind in allowed if (kind, case.stage) in declared and kind not in unblock]
    # Withdrawing ends the case: taken only on the way to withdrawn, never as a detour.
    detours = tuple(
        kind for kind in allowed if kind not in own and kind not in unblock and kind is not Withdraw
    )
    distance = _distances(graph, toward)
    here = distance.get(case.stage, len(Stage))
    nearest: dict[type[Command], int] = {}
    for edge in graph.edges:
        if edge.source is case.stage and edge.command in own:
            there = distance.get(edge.dest, len(Stage))
            nearest[edge.command] = min(there, nearest.get(edge.command, there))
    closer = [kind for kind in own if nearest[kind] < here]
    level = [kind for kind in own if nearest[kind] == here]
    away = [kind for kind in own if nearest[kind] > here]
    return (*unblock * 4, *closer * 3, *level * 2, *away), detours


@functools.lru_cache(maxsize=64)
def _declared(graph: StageGraph) -> frozenset[tuple[type[Command], Stage]]:
    """The (command, stage) pairs *graph* declares, as opposed to the loops it adds."""
    return frozenset((edge.command, edge.source) for edge in graph.edges)


@functools.lru_cache(maxsize=64)
def _distances(graph: StageGraph, target: Stage) -> dict[Stage, int]:
    """How many moves each stage is from *target* along *graph*."""
    sources: dict[Stage, set[Stage]] = defaultdict(set)
    for edge in graph.all_edges():
        sources[edge.dest].add(edge.source)
    distance = {target: 0}
    todo = deque([target])
    while todo:
        stage = todo.popleft()
        for source in sources[stage]:
            if source not in distance:
                distance[source] = distance[stage] + 1
                todo.append(source)
    return distance


@attrs.frozen
class _Context:
    """What the field fillers may read: the rules, the case, the people, the time."""

    policy: RecoveryPolicy
    case: Case
    team: tuple[Actor, ...]
    at: datetime

    def authority(self, actor: Actor) -> Money:
        return authority_of(self.policy, actor)

    def by_authority(self) -> list[Actor]:
        """The people of the team (the system aside, if anyone else), least empowered first."""
        people = [actor for actor in self.team if actor.role is not Role.SYSTEM] or list(self.team)
        return sorted(people, key=lambda actor: self.authority(actor).amount)


Filler = Callable[[Draw, _Context], dict[str, Any]]


def _texts_for(*names: str) -> Filler:
    return lambda draw, context: {name: draw(_texts) for name in names}


def _up_to(draw: Draw, limit: Money) -> Money:
    """An amount from 0 to *limit*, in cents, in its currency."""
    cents = int(limit.amount * 100)
    return Money(Decimal(draw(st.integers(0, max(cents, 0)))) / 100, limit.currency)


def _proposal(draw: Draw, context: _Context) -> dict[str, Any]:
    by = _pick(draw, context.team, "by")
    count = draw(st.integers(1, 3), label="actions")
    actions = tuple(
        Action(f"Promised step {n}", due=context.at + timedelta(hours=draw(st.integers(1, 336))))
        for n in range(count)
    )
    options: list[Compensation | None] = [None]
    suggested = suggested_compensation_of(context.policy, context.case)
    if suggested is not None:
        options.append(suggested)
    if context.case.approved_amount is not None:
        options.append(Compensation(CompensationKind.CREDIT, context.case.approved_amount))
    options.append(Compensation(CompensationKind.CREDIT, _up_to(draw, context.authority(by))))
    return {
        "by": by,
        "plan": draw(_texts),
        "actions": actions,
        "compensation": _pick(draw, options, "compensation"),
    }


def _escalation(draw: Draw, context: _Context) -> dict[str, Any]:
    ranked = context.by_authority()
    ceiling = context.authority(ranked[-1])
    amount = _up_to(draw, ceiling) if draw(st.booleans()) else None
    return {"by": _pick(draw, ranked[:2], "by"), "reason": draw(_texts), "amount": amount}


def _approval(draw: Draw, context: _Context) -> dict[str, Any]:
    ranked = context.by_authority()[::-1]
    escalation = context.case.escalation
    if escalation is not None:
        ranked = [actor for actor in ranked if actor.id != escalation.by.id] or ranked
    return {"by": _pick(draw, ranked[:2], "by"), "note": draw(_texts)}


def _completion(draw: Draw, context: _Context) -> dict[str, Any]:
    still_open = sorted(context.case.open_actions)
    if still_open and draw(st.integers(0, 3)) > 0:
        return {"index": _pick(draw, still_open, "index")}
    return {"index": draw(st.integers(-1, 3), label="index")}


def _reschedule(draw: Draw, context: _Context) -> dict[str, Any]:
    still_open = sorted(context.case.open_actions)
    index = (
        _pick(draw, still_open, "index")
        if still_open and draw(st.integers(0, 3)) > 0
        else draw(st.integers(-1, 3), label="index")
    )
    # Mostly a date ahead; now and then one already past, which is refused.
    hours = draw(st.integers(-2, 336), label="hours ahead")
    return {
        "index": index,
        "due": context.at + timedelta(hours=hours or 1),
        "reason": draw(_texts),
    }


def _withdrawal(draw: Draw, context: _Context) -> dict[str, Any]:
    reason: WithdrawalReason = _pick(draw, tuple(WithdrawalReason), "reason")
    other = f"{context.case.id}-original" if reason.needs_other_case else None
    return {"reason": reason, "duplicate_of": other, "note": draw(_texts)}


def _follow_up(draw: Draw, context: _Context) -> dict[str, Any]:
    # A customer who did not answer once often does not answer the next time either.
    silent = context.case.follow_up_attempts > 0
    first = FollowUpOutcome.NO_ANSWER if silent else FollowUpOutcome.SATISFIED
    return {"outcome": _pick(draw, (first, *FollowUpOutcome), "outcome"), "note": draw(_texts)}


def _reopening(draw: Draw, context: _Context) -> dict[str, Any]:
    window = reopen_window_of(context.policy, context.case)
    closed_at = context.case.closed_at or context.case.last_at
    if draw(st.integers(0, 4)) == 0:
        at = closed_at + window + timedelta(seconds=1)  # just too late
    else:
        at = closed_at + window * draw(st.integers(0, 100)) / 100
    return {"reason": draw(_texts), "at": max(at, context.at)}


_FILLERS: dict[type[Command], Filler] = {
    Acknowledge: _texts_for("message"),
    Listen: _texts_for("note"),
    ReflectBack: lambda draw, context: {
        "summary": draw(_texts),
        "confirmed": _pick(draw, (True, True, False), "confirmed"),
    },
    FinishVenting: lambda draw, context: {},
    Apologize: _texts_for("message"),
    IdentifyCause: lambda draw, context: {
        "category": _pick(draw, CAUSES, "category"),
        "detail": draw(_texts),
    },
    ProposeSolution: _proposal,
    AcceptSolution: lambda draw, context: {},
    DeclineSolution: _texts_for("reason"),
    Escalate: _escalation,
    Approve: _approval,
    CompleteAction: _completion,
    SendUpdate: _texts_for("message"),
    Reschedule: _reschedule,
    FollowUp: _follow_up,
    Close: _texts_for("note"),
    Reopen: _reopening,
    Withdraw: _withdrawal,
}
"""How to fill each documented command type sensibly; other types get typed fields."""


# -- whole cases ---------------------------------------------------------------

_CUSTOMERS = customers()
_CHANNELS = st.sampled_from(Channel)
_SEVERITIES = st.sampled_from(Severity)
_OPENED_AT = aware_datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1))


def cases(
    workflow: Workflow | RecoveryPolicy | None = None,
    *,
    stage: Stage | None = None,
    max_steps: int = 40,
    team: Sequence[Actor] = DEFAULT_TEAM,
) -> st.SearchStrategy[Case]:
    """Real cases: opened and moved by plausible commands the workflow accepted.

    With *stage*, only cases standing there (the commands head for it); without,
    cases wherever up to *max_steps* commands took them, reopened ones included.
    The commands go through a bare workflow of the same policy, so drawing a
    case never runs the host's hooks.

    >>> from hypothesis import given, settings
    >>> import service_recovery as sr
    >>> @settings(max_examples=5)
    ... @given(cases(stage=sr.Stage.RESOLVED))
    ... def test_resolved(case):
    ...     assert case.stage is sr.Stage.RESOLVED
    >>> test_resolved()

    Raises:
        InvalidValue: an argument is not what it should be.
    """
    policy = workflow.policy if isinstance(workflow, Workflow) else workflow
    if policy is None:
        policy = RecoveryPolicy()
    if not isinstance(policy, RecoveryPolicy):
        raise InvalidValue(
            f"workflow: expected a sr.Workflow or sr.RecoveryPolicy, got {type(policy).__name__}"
        )
    if stage is not None and not isinstance(stage, Stage):
        raise InvalidValue(f"stage: expected a sr.Stage, got {stage!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 0:
        raise InvalidValue(f"max_steps: expected a whole number >= 0, got {max_steps!r}")
    return _cases(Workflow(policy), stage, max_steps, tuple(team))


@st.composite
def _cases(
    draw: st.DrawFn, bare: Workflow, stage: Stage | None, max_steps: int, team: tuple[Actor, ...]
) -> Case:
    case = bare.open(
        customer=draw(_CUSTOMERS),
        channel=draw(_CHANNELS),
        severity=draw(_SEVERITIES),
        summary=draw(_texts),
        at=draw(_OPENED_AT),
    )
    toward = Stage.CLOSED if stage is None else stage
    steps = max_steps if stage is not None else draw(st.integers(0, max_steps))
    for _ in range(steps):
        if case.stage is stage:
            break
        command = draw_plausible(draw, bare, case, team, toward)
        try:
            case = bare.apply(case, command)
        except HookFailed as failed:  # pragma: no cover - a bare workflow has no hooks
            case = failed.case if isinstance(failed.case, Case) else case
        except RecoveryError:
            continue
    assume(stage is None or case.stage is stage)
    return case


# -- policies ------------------------------------------------------------------


def _authorities(currency: str) -> st.SearchStrategy[dict[Role, Money]]:
    """Limits that rise with the role, as an approval ladder needs them to."""

    @st.composite
    def ladder(draw: st.DrawFn) -> dict[Role, Money]:
        cents = st.integers(1, 50_000)
        agent = draw(st.integers(0, 20_000))
        supervisor = agent + draw(cents)
        manager = supervisor + draw(cents)
        return {
            Role.SYSTEM: Money(0, currency),
            Role.AGENT: Money(Decimal(agent) / 100, currency),
            Role.SUPERVISOR: Money(Decimal(supervisor) / 100, currency),
            Role.MANAGER: Money(Decimal(manager) / 100, currency),
        }

    return ladder()


POLICY_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "follow_up_attempts": st.integers(MIN_FOLLOW_UP_ATTEMPTS, 6),
    "reopen_window": st.integers(0, 90).map(lambda days: timedelta(days=days)),
    "authority": st.sampled_from(("EUR", "USD", "GBP")).flatmap(_authorities),
}
"""The :class:`~service_recovery.RecoveryPolicy` fields :func:`policies` varies, and how."""


def policies(
    base: RecoveryPolicy | None = None, **fields: st.SearchStrategy[Any]
) -> st.SearchStrategy[RecoveryPolicy]:
    """Policies within sane bounds: *base* (the default policy) with fields varied.

    Each field of :data:`POLICY_FIELDS` is drawn from its strategy unless
    *fields* gives another one (``st.just(value)`` pins it). A subclass given as
    *base* stays that subclass, with its overridden rules.

    >>> from hypothesis import given, settings, strategies as st
    >>> @settings(max_examples=5)
    ... @given(policies(follow_up_attempts=st.just(4)))
    ... def test_four_attempts(policy):
    ...     assert policy.follow_up_attempts == 4
    >>> test_four_attempts()

    Raises:
        InvalidValue: a field name the policy does not have.
    """
    template = RecoveryPolicy() if base is None else base
    if not isinstance(template, RecoveryPolicy):
        raise InvalidValue(f"base: expected a sr.RecoveryPolicy, got {type(template).__name__}")
    known = {field.name for field in attrs.fields(type(template))}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise InvalidValue(
            f"policies: {', '.join(unknown)} not a field of {type(template).__name__}"
        )
    chosen = {**{k: v for k, v in POLICY_FIELDS.items() if k in known}, **fields}
    return st.fixed_dictionaries(chosen).map(lambda values: attrs.evolve(template, **values))
