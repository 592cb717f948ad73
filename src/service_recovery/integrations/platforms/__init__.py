"""Help-desk status mappings: a case's stage as a platform's ticket status, and back.

Each mapping says which status a help desk shows for where a case stands (its
stage, whether it waits and on whom, a pending escalation), and which command a
status change made on the platform implies. A change the workflow would refuse
(an automation closing a ticket before anyone followed up) is reported as
:class:`StatusChangeRefused` with the workflow's reasons, never applied.

>>> from datetime import datetime, timezone
>>> import service_recovery as sr
>>> from service_recovery.integrations.platforms import ZENDESK
>>> workflow = sr.Workflow()
>>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
...     severity=sr.Severity.MINOR, summary="Wrong size", at=at)
>>> ZENDESK.status(case)
'new'

Mappings are data: a host whose desk names things its own way changes a field
(``attrs.evolve(ZENDESK, active="in progress")``) or builds its own
:class:`StatusMap`.
"""

from ._catalog import DJANGO_HELPDESK, FRESHDESK, PLATFORMS, SALESFORCE, SERVICENOW, ZENDESK
from ._mapping import StatusChangeRefused, StatusMap

__all__ = [
    "DJANGO_HELPDESK",
    "FRESHDESK",
    "PLATFORMS",
    "SALESFORCE",
    "SERVICENOW",
    "ZENDESK",
    "StatusChangeRefused",
    "StatusMap",
]
