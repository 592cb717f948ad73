"""How well a team recovers, measured across cases.

:func:`report` reads cases (any iterable, or every case of a store) once and
answers: how fast the first answer came against its target, per channel;
whether the practice was followed; how many recoveries ended well, reopened, or
kept their promises; which causes come back; what compensation cost.

>>> from datetime import datetime, timezone
>>> import service_recovery as sr
>>> from service_recovery import insights
>>> from service_recovery.testing import CaseFactory
>>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> make = CaseFactory(sr.Workflow(), sr.FixedClock(at))
>>> found = insights.report([make(sr.Stage.CLOSED), make(sr.Stage.RESOLVING)], as_of=at)
>>> found.cases, found.recovery_rate, found.causes
(2, 1.0, (('wrong_item', 2),))

Every rate is a share in ``[0, 1]`` of the cases it is about (named in its
docstring), ``0.0`` when there are none; see docs/guides/measure-recovery.md.
"""

from ._report import FirstResponse, Practice, Promises, Report, report

__all__ = ["FirstResponse", "Practice", "Promises", "Report", "report"]
