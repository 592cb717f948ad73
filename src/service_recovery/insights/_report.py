"""One pass over cases, every figure of the report gathered on the way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

import attrs

from .._desk._store import Store
from .._errors import InvalidValue
from .._model._case import Case
from .._model._commands import (
    Apologize,
    Close,
    Command,
    Escalate,
    FinishVenting,
    FollowUp,
    ProposeSolution,
    ReflectBack,
    Reopen,
    Thank,
)
from .._model._kinds import DeadlineKind
from .._model._stages import Stage
from .._model._values import Channel, FollowUpOutcome, Severity
from .._time._clock import aware, resolve_now
from .._time._deadlines import Timer, read_timers
from .._workflow import Workflow


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@attrs.frozen
class FirstResponse:
    """First answers on one channel.

    Attributes:
        cases: cases on the channel.
        answered: those a person answered.
        due: those whose first-response deadline has come (answered, or overdue).
        met: those answered on time.
        met_share: ``met / due``: the share answered within the target.
        median: the median time to the first answer (``None``: nobody answered).
        p90: the time within which nine in ten first answers came.
    """

    cases: int
    answered: int
    due: int
    met: int
    median: timedelta | None
    p90: timedelta | None

    @property
    def met_share(self) -> float:
        """The share of due first answers that came on time, in ``[0, 1]``."""
        return _share(self.met, self.due)


@attrs.frozen
class Practice:
    """Whether the practice was followed: each a share of the cases it applies to.

    Attributes:
        vented_first: of cases with a proposal, those where venting had finished first.
        summary_confirmed: of cases where venting finished, those with a confirmed
            reflect-back.
        apologized: of cases with a proposal, those with an apology.
        thanked: of closed cases, those where the customer was thanked.
        followed_up: of closed cases, those followed up before each close.
    """

    vented_first: float
    summary_confirmed: float
    apologized: float
    thanked: float
    followed_up: float


@attrs.frozen
class Promises:
    """The promised actions of accepted plans, as of the report's time.

    Attributes:
        kept: completed by their date.
        kept_late: completed after it.
        broken: not completed, and their date has passed.
        open: not completed, and not yet due.
    """

    kept: int
    kept_late: int
    broken: int
    open: int

    @property
    def kept_share(self) -> float:
        """Of the promises whose date has come, the share kept on time."""
        return _share(self.kept, self.kept + self.kept_late + self.broken)


@attrs.frozen
class Report:
    """What :func:`report` found. See each attribute.

    Attributes:
        cases: how many cases the report is about (after the filters).
        first_response: first answers per channel (channels with cases only).
        practice: whether each step of the practice was followed.
        recovery_rate: of closed cases, those closed after a satisfied follow-up and
            not reopened since.
        reopen_rate: of cases ever closed, those reopened at least once.
        promises: the promised actions, kept, late, broken or open.
        median_time_to_resolution: from opening to the last promised action done.
        causes: ``(category, count)`` of root causes, most frequent first.
        escalated_share: the share of cases escalated at least once.
        compensation: the compensation of accepted plans, summed by
            ``(kind, severity, currency)``.
    """

    cases: int
    first_response: Mapping[Channel, FirstResponse]
    practice: Practice
    recovery_rate: float
    reopen_rate: float
    promises: Promises
    median_time_to_resolution: timedelta | None
    causes: tuple[tuple[str, int], ...]
    escalated_share: float
    compensation: Mapping[tuple[str, Severity, str], Decimal]


def report(
    cases: Iterable[Case] | Store,
    *,
    workflow: Workflow | None = None,
    as_of: datetime | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: Channel | None = None,
    severity: Severity | None = None,
    cause: str | None = None,
    agent: str | None = None,
) -> Report:
    """Measure *cases* (an iterable of cases, or every case a store holds).

    Args:
        cases: the cases, or a store to read them all from.
        workflow: whose policy sets the targets (the default workflow if omitted).
        as_of: the time the report is made at (the workflow clock's if omitted):
            what is overdue, broken or still open is judged then.
        since: only cases opened at or after this time.
        until: only cases opened before this time.
        channel: only cases on this channel.
        severity: only cases of this severity.
        cause: only cases whose root cause has this category.
        agent: only cases where the actor with this id acted.

    Raises:
        InvalidValue: an argument is not what it should be (a time without a zone,
            an item that is not a case).
    """
    workflow = workflow or Workflow()
    now = resolve_now(aware("as_of", as_of) if as_of is not None else None, workflow.clock)
    keep = _Filter(
        since=aware("since", since) if since is not None else None,
        until=aware("until", until) if until is not None else None,
        channel=channel,
        severity=severity,
        cause=cause,
        agent=agent,
    )
    tally = _Tally(workflow, now.astimezone(UTC))
    for case in _cases_of(cases):
        if keep(case):
            tally.add(case)
    return tally.report()


def _cases_of(cases: Iterable[Case] | Store) -> Iterable[Case]:
    if isinstance(cases, Store):
        store = cases
        return (store.load(summary.case_id) for summary in store.cases())
    if not isinstance(cases, Iterable):
        raise InvalidValue(
            f"cases: expected cases or a store, got {type(cases).__name__}", field="cases"
        )
    return cases


@attrs.frozen
class _Filter:
    since: datetime | None
    until: datetime | None
    channel: Channel | None
    severity: Severity | None
    cause: str | None
    agent: str | None

    def __call__(self, case: object) -> bool:
        if not isinstance(case, Case):
            raise InvalidValue(f"cases: expected a Case, got {type(case).__name__}", field="cases")
        if self.since is not None and case.opened_at < self.since:
            return False
        if self.until is not None and case.opened_at >= self.until:
            return False
        if self.channel is not None and case.channel is not self.channel:
            return False
        if self.severity is not None and case.severity is not self.severity:
            return False
        if self.cause is not None and (case.cause is None or case.cause.category != self.cause):
            return False
        return self.agent is None or any(c.by.id == self.agent for c in case.history.commands)


class _Tally:
    """The running counts of one report."""

    def __init__(self, workflow: Workflow, now: datetime) -> None:
        self.policy = workflow.policy
        self.now = now
        self.cases = 0
        self.answers: dict[Channel, list[timedelta]] = {}
        self.first: dict[Channel, list[int]] = {}  # cases, due, met
        self.proposed = self.vented_first = self.apologized = 0
        self.vented = self.confirmed = 0
        self.closed = self.thanked = self.followed_up = self.recovered = 0
        self.ever_closed = self.reopened = 0
        self.promises = [0, 0, 0, 0]  # kept, kept late, broken, open
        self.resolution: list[timedelta] = []
        self.causes: Counter[str] = Counter()
        self.escalated = 0
        self.compensation: dict[tuple[str, Severity, str], Decimal] = {}

    def add(self, case: Case) -> None:
        self.cases += 1
        commands = case.history.commands
        self._timers(case, read_timers(self.policy, case))
        self._practice(case, commands)
        self._outcomes(case, commands)
        if case.cause is not None:
            self.causes[case.cause.category] += 1
        if any(isinstance(command, Escalate) for command in commands):
            self.escalated += 1
        if case.plan is not None and case.plan.compensation is not None:
            paid = case.plan.compensation
            key = (paid.kind.value, case.severity, paid.amount.currency)
            self.compensation[key] = self.compensation.get(key, Decimal(0)) + paid.amount.amount

    def _timers(self, case: Case, timers: list[Timer]) -> None:
        counts = self.first.setdefault(case.channel, [0, 0, 0])
        counts[0] += 1
        for timer in timers:
            if timer.kind is DeadlineKind.FIRST_RESPONSE:
                if timer.met_at is not None:
                    answered = timer.met_at.astimezone(UTC) - case.opened_at.astimezone(UTC)
                    self.answers.setdefault(case.channel, []).append(answered)
                if timer.met_at is not None or (timer.due is not None and self.now > timer.due):
                    counts[1] += 1
                    counts[2] += not timer.breached_by(self.now)
            elif timer.kind is DeadlineKind.PROMISE and timer.due is not None:
                if timer.met_at is not None:
                    self.promises[0 if not timer.breached_by(self.now) else 1] += 1
                else:
                    self.promises[2 if timer.breached_by(self.now) else 3] += 1

    def _practice(self, case: Case, commands: tuple[Command, ...]) -> None:
        kinds = [type(command) for command in commands]
        if ProposeSolution in kinds:
            self.proposed += 1
            first = kinds.index(ProposeSolution)
            self.vented_first += FinishVenting in kinds[:first]
            self.apologized += Apologize in kinds[:first]
        if FinishVenting in kinds:
            self.vented += 1
            self.confirmed += any(
                isinstance(command, ReflectBack) and command.confirmed for command in commands
            )

    def _outcomes(self, case: Case, commands: tuple[Command, ...]) -> None:
        closes = [n for n, command in enumerate(commands) if isinstance(command, Close)]
        if closes:
            self.ever_closed += 1
            self.reopened += any(isinstance(command, Reopen) for command in commands)
        if case.stage is not Stage.CLOSED:
            return
        self.closed += 1
        self.thanked += any(isinstance(command, Thank) for command in commands)
        starts = [0, *(n + 1 for n in closes[:-1])]
        self.followed_up += all(
            any(isinstance(c, FollowUp) for c in commands[start:end])
            for start, end in zip(starts, closes, strict=True)
        )
        follow_ups = [c for c in commands[: closes[-1]] if isinstance(c, FollowUp)]
        self.recovered += bool(follow_ups) and follow_ups[-1].outcome is FollowUpOutcome.SATISFIED
        resolved = next(
            (
                command.at
                for command, stage in zip(commands, case.history.stages, strict=True)
                if stage is Stage.RESOLVED
            ),
            None,
        )
        if resolved is not None:
            self.resolution.append(resolved.astimezone(UTC) - case.opened_at.astimezone(UTC))

    def report(self) -> Report:
        first = {
            channel: FirstResponse(
                cases=counts[0],
                answered=len(self.answers.get(channel, ())),
                due=counts[1],
                met=counts[2],
                median=_median(self.answers.get(channel)),
                p90=_quantile(self.answers.get(channel), 0.9),
            )
            for channel, counts in sorted(self.first.items(), key=lambda item: item[0].value)
        }
        return Report(
            cases=self.cases,
            first_response=MappingProxyType(first),
            practice=Practice(
                vented_first=_share(self.vented_first, self.proposed),
                summary_confirmed=_share(self.confirmed, self.vented),
                apologized=_share(self.apologized, self.proposed),
                thanked=_share(self.thanked, self.closed),
                followed_up=_share(self.followed_up, self.closed),
            ),
            recovery_rate=_share(self.recovered, self.closed),
            reopen_rate=_share(self.reopened, self.ever_closed),
            promises=Promises(*self.promises),
            median_time_to_resolution=_median(self.resolution),
            causes=tuple(sorted(self.causes.items(), key=lambda item: (-item[1], item[0]))),
            escalated_share=_share(self.escalated, self.cases),
            compensation=MappingProxyType(dict(sorted(self.compensation.items(), key=str))),
        )


def _median(spans: list[timedelta] | None) -> timedelta | None:
    """The middle span (the mean of the two middle ones for an even count)."""
    if not spans:
        return None
    ordered = sorted(spans)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _quantile(spans: list[timedelta] | None, share: float) -> timedelta | None:
    """The smallest span with at least *share* of the spans at or below it (nearest rank)."""
    if not spans:
        return None
    ordered = sorted(spans)
    rank = max(1, -(-len(ordered) * int(share * 100) // 100))
    return ordered[rank - 1]
