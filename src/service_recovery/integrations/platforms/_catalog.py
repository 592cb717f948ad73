"""The help desks people run: each one's statuses as a :class:`StatusMap`.

Every mapping follows the platform's own default statuses, as its documentation
lists them (see each one's ``sources``); a desk with statuses of its own evolves
one of these or builds a new map.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..._model._kinds import WaitingOn
from ..._model._stages import Stage
from ..._model._values import WithdrawalReason
from ._mapping import StatusMap


def _done(solved: str, closed: str) -> dict[Stage, str]:
    """The statuses of a case whose solution was carried out (followed up or not), and closed."""
    return {Stage.RESOLVED: solved, Stage.FOLLOWED_UP: solved, Stage.CLOSED: closed}


_WITHDRAWN_FIRST = (
    WithdrawalReason.CUSTOMER_WITHDREW,
    WithdrawalReason.DUPLICATE,
    WithdrawalReason.MERGED,
    WithdrawalReason.SPAM,
)
"""Every reason a complaint is withdrawn, the one a bare cancel means first."""

ZENDESK = StatusMap(
    platform="Zendesk",
    new="new",
    active="open",
    by_stage=_done("solved", "closed"),
    waiting={WaitingOn.CUSTOMER: "pending", WaitingOn.THIRD_PARTY: "hold"},
    sources=(
        "https://support.zendesk.com/hc/en-us/articles/4408832800666-About-ticket-statuses",
        "https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/",
    ),
)
"""Zendesk Support: new, open, pending (on the requester), on-hold (on a third party),
solved, closed. Zendesk closes solved tickets on its own after a few days: that
``closed`` arrives before anyone followed up, and is refused."""

FRESHDESK = StatusMap(
    platform="Freshdesk",
    new="Open",
    active="Open",
    by_stage=_done("Resolved", "Closed"),
    waiting={WaitingOn.CUSTOMER: "Pending", WaitingOn.THIRD_PARTY: "Waiting on Third Party"},
    codes={
        "Open": 2,
        "Pending": 3,
        "Resolved": 4,
        "Closed": 5,
        "Waiting on Third Party": 7,
    },
    aliases={"Waiting on Customer": "Pending"},
    sources=(
        "https://developers.freshdesk.com/api/#tickets",
        "https://support.freshdesk.com/support/solutions/articles/37626-ticket-statuses",
    ),
)
"""Freshdesk: Open (2), Pending (3), Resolved (4), Closed (5), and the default custom
statuses Waiting on Customer (6, read as Pending) and Waiting on Third Party (7)."""

SALESFORCE = StatusMap(
    platform="Salesforce",
    new="New",
    active="Working",
    by_stage={Stage.CLOSED: "Closed"},
    waiting={},
    escalated="Escalated",
    sources=(
        "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/"
        "object_reference/sforce_api_objects_case.htm",
        "https://help.salesforce.com/s/articleView?id=sf.entitlements_milestones.htm",
    ),
)
"""Salesforce Service Cloud's default Case Status picklist: New, Working, Escalated,
Closed (``IsClosed``: :meth:`StatusMap.is_closed`). A wait keeps the status and stops
the entitlement milestones instead (:meth:`StatusMap.is_stopped`)."""

SERVICENOW = StatusMap(
    platform="ServiceNow",
    new="New",
    active="In Progress",
    by_stage=_done("Resolved", "Closed"),
    waiting={WaitingOn.CUSTOMER: "On Hold", WaitingOn.THIRD_PARTY: "On Hold"},
    hold_reasons={WaitingOn.CUSTOMER: "Awaiting Caller", WaitingOn.THIRD_PARTY: "Awaiting Vendor"},
    withdrawn=dict.fromkeys(_WITHDRAWN_FIRST, "Canceled"),
    codes={"New": 1, "In Progress": 2, "On Hold": 3, "Resolved": 6, "Closed": 7, "Canceled": 8},
    sources=(
        "https://docs.servicenow.com/bundle/washingtondc-it-service-management/page/"
        "product/incident-management/concept/c_IncidentManagementStateModel.html",
    ),
)
"""ServiceNow Incident states: New (1), In Progress (2), On Hold (3, with its hold
reason: Awaiting Caller or Awaiting Vendor), Resolved (6), Closed (7), Canceled (8, a
withdrawn complaint; the customer withdrew it unless told otherwise)."""

DJANGO_HELPDESK = StatusMap(
    platform="django-helpdesk",
    new="Open",
    active="Open",
    by_stage=_done("Resolved", "Closed"),
    waiting={},
    reopened="Reopened",
    withdrawn={WithdrawalReason.DUPLICATE: "Duplicate", WithdrawalReason.MERGED: "Duplicate"},
    codes={"Open": 1, "Reopened": 2, "Resolved": 3, "Closed": 4, "Duplicate": 5},
    sources=("https://django-helpdesk.readthedocs.io/en/latest/settings.html",),
)
"""django-helpdesk's ``Ticket.STATUS_CHOICES``: Open (1), Reopened (2), Resolved (3),
Closed (4), Duplicate (5, a complaint withdrawn as a duplicate or merged)."""

PLATFORMS: Mapping[str, StatusMap] = MappingProxyType(
    {
        mapping.platform: mapping
        for mapping in (ZENDESK, FRESHDESK, SALESFORCE, SERVICENOW, DJANGO_HELPDESK)
    }
)
"""Every mapping the library ships, by platform name."""
