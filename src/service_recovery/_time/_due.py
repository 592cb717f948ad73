"""Due: what needs doing across many cases, most urgent first.

Each case value remembers its most urgent running clock under a workflow
(the memo is computed the first time the case is looked at, and a case never
changes), so scanning a worker's live cases is a read and a comparison per
case: only the cases that changed since the last scan are worked out again.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import overload

import attrs

from .._errors import InvalidValue
from .._model._case import Case
from ._deadlines import Deadline, Timekeeper


@attrs.frozen
class Due:
    """A case that needs attention, with its most urgent deadline.

    Attributes:
        case: the case.
        deadline: its running deadline due first, as it stands at the moment asked.
    """

    case: Case
    deadline: Deadline

    def __str__(self) -> str:
        return f"{self.case.id}: {self.deadline}"


Picked = tuple[float, Case]


class DueList(Sequence[Due]):
    """The result of :meth:`Workflow.due`: cases most urgent first, each built when read.

    A scan over a hundred thousand cases may select tens of thousands; the
    :class:`Due` of each is worked out only when the host reads it (tens of
    microseconds), so taking the first page of a work queue costs the page,
    not the queue. ``len()`` is free.
    """

    __slots__ = ("_now", "_picked", "_timekeeper")

    def __init__(self, picked: list[Picked], now: datetime, timekeeper: Timekeeper) -> None:
        self._picked = picked
        self._now = now
        self._timekeeper = timekeeper

    def __len__(self) -> int:
        return len(self._picked)

    @overload
    def __getitem__(self, index: int) -> Due: ...

    @overload
    def __getitem__(self, index: slice) -> DueList: ...

    def __getitem__(self, index: int | slice) -> Due | DueList:
        if isinstance(index, slice):
            return DueList(self._picked[index], self._now, self._timekeeper)
        case = self._picked[index][1]
        deadline = self._timekeeper.most_urgent(case, self._now)
        assert deadline is not None  # picked: it has a running deadline
        return Due(case, deadline)

    def __repr__(self) -> str:
        return f"<DueList of {len(self)} case(s) at {self._now.isoformat()}>"


_first = itemgetter(0)


def due(
    timekeeper: Timekeeper,
    cases: Iterable[Case],
    now: datetime,
    within: timedelta,
    limit: int | None,
) -> DueList:
    """The cases needing attention at *now*, most urgent deadline first.

    A case is listed when one of its running deadlines is breached or past
    its first warning, or when its next deadline falls within *within* of
    *now*. At most *limit* cases when given.
    """
    if not isinstance(within, timedelta) or within < timedelta(0):
        raise InvalidValue(f"within: expected a timedelta >= 0, got {within!r}", field="within")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidValue(f"limit: expected a whole number >= 1, got {limit!r}", field="limit")
    if not isinstance(cases, Iterable):
        raise InvalidValue(f"cases: expected an iterable of Case, got {cases!r}", field="cases")
    instant = now.astimezone(UTC)
    now_ts = instant.timestamp()
    horizon = now_ts + within.total_seconds()
    token, schedule = timekeeper.token, timekeeper.schedule
    picked: list[Picked] = []
    append = picked.append
    case: object = None
    try:
        # The hot loop: a read and two comparisons per case whose memo is known.
        for case in cases:
            memo = case._schedule
            if memo is None or memo.token is not token:
                memo = schedule(case)
            if memo.attention_ts <= now_ts or memo.next_ts <= horizon:
                append((memo.next_ts, case))
    except AttributeError:
        if isinstance(case, Case):
            raise
        raise InvalidValue(
            f"cases: expected Case items, got {type(case).__name__} {case!r}", field="cases"
        ) from None
    if limit is None:
        picked.sort(key=_first)  # a stable sort: equal due times keep the input order
    else:
        picked = heapq.nsmallest(limit, picked, key=_first)
    return DueList(picked, instant, timekeeper)
