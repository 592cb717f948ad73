"""The default rulebook: playbooks per root cause, the compensation ladder, required steps.

Each default is one a practitioner would defend; where it comes from is
written next to it (and in docs/reference/policy-toml.md). Every one of them
is data: change it with arguments, ``attrs.evolve`` or a policy file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType

from .._model._stages import Stage
from .._model._values import CompensationKind, Money, Severity
from ._rules import CompensationRung, Playbook, Remedy, Requirement, Step

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_SERIOUS = (Severity.MAJOR, Severity.CRITICAL)

LEARN_FROM_SERIOUS_FAILURES = Requirement(Step.RECORD_PREVENTION, Stage.CLOSED, _SERIOUS)
"""A prevention note before closing a major or critical case with a systemic cause."""

DEFAULT_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(Step.RECORD_PREVENTION, Stage.CLOSED, (Severity.CRITICAL,)),
)
"""Under the default policy every critical case ends with a prevention note: the
"learn" step of the practice (fix the process so it does not recur) is not
optional when the failure was that bad."""

DEFAULT_LADDER: Mapping[Severity, CompensationRung] = MappingProxyType(
    {
        Severity.MINOR: CompensationRung((CompensationKind.APOLOGY_ONLY,), Money(0, "EUR")),
        Severity.MODERATE: CompensationRung(
            (CompensationKind.DISCOUNT, CompensationKind.CREDIT), Money(20, "EUR")
        ),
        Severity.MAJOR: CompensationRung(
            (CompensationKind.CREDIT, CompensationKind.REFUND), Money(100, "EUR")
        ),
        Severity.CRITICAL: CompensationRung(
            (
                CompensationKind.REFUND,
                CompensationKind.COMPLIMENTARY_SERVICE,
                CompensationKind.UPGRADE,
            ),
            Money(500, "EUR"),
        ),
    }
)
"""Compensation scaled to severity: apology only, then a discount, then credit or a
refund, then complimentary service. A minor slip is put right with a sincere
apology and the fix (money for a small slip reads as buying silence); going
beyond expectations pays off for serious failures, but over-compensating costs,
so each rung has a ceiling. The moderate and major ceilings sit either side of
the agent's default authority (50 EUR): most cases stay with the front line,
the serious ones reach a supervisor."""

DEFAULT_PLAYBOOKS: Mapping[str, Playbook] = MappingProxyType(
    {
        "wrong_item": Playbook(
            remedies=(
                Remedy("Send the right item by express delivery", 2 * _DAY),
                Remedy("Collect the wrong item at our cost", 5 * _DAY),
                Remedy("Check the replacement by hand before it ships", _DAY, Severity.MAJOR),
            ),
            advice="Confirm size, colour and delivery address before shipping again.",
        ),
        "delivery_delay": Playbook(
            remedies=(
                Remedy("Trace the parcel and tell the customer where it is", 4 * _HOUR),
                Remedy("Ship again by express if the parcel is lost", 2 * _DAY, Severity.MODERATE),
                Remedy("Refund the delivery charge", 5 * _DAY, Severity.MODERATE),
            ),
            advice="Give a date you can keep, not the earliest one possible.",
        ),
        "damaged_or_defective": Playbook(
            remedies=(
                Remedy("Replace the item", 3 * _DAY),
                Remedy("Collect the damaged item at our cost", 5 * _DAY),
                Remedy("Refund in full if the customer prefers", 7 * _DAY, Severity.MODERATE),
            ),
            requirements=(LEARN_FROM_SERIOUS_FAILURES,),
            advice="Ask for a photo only if you need it to act; never to doubt the customer.",
        ),
        "software_bug": Playbook(
            remedies=(
                Remedy("Give a workaround the customer can use today", 4 * _HOUR),
                Remedy("Restore any lost data, orders or settings", _DAY, Severity.MAJOR),
                Remedy(
                    "Fix the bug and tell the customer when it is live",
                    14 * _DAY,
                    Severity.MODERATE,
                ),
            ),
            requirements=(LEARN_FROM_SERIOUS_FAILURES,),
            advice="Reproduce it with the customer's own steps; thank them for the report.",
        ),
        "sales_mistake": Playbook(
            remedies=(
                Remedy("Honour what the customer was told", 2 * _DAY),
                Remedy("Correct the order or the contract", 2 * _DAY),
            ),
            advice="Own it for the company; do not blame the colleague who made the sale.",
        ),
        "misrouted_call": Playbook(
            remedies=(
                Remedy("Call back from the team that owns the problem", 2 * _HOUR),
                Remedy("Give a direct contact for the rest of the case", _HOUR, Severity.MODERATE),
            ),
            advice="The customer should never have to tell the story a third time.",
        ),
        "customer_error": Playbook(
            remedies=(
                Remedy("Show, kindly, how to get the result they wanted", _HOUR),
                Remedy("Make a one-off exception as goodwill", 2 * _DAY, Severity.MODERATE),
            ),
            advice="No blame: if it was easy to get wrong, that is worth a prevention note too.",
        ),
        "other": Playbook(
            remedies=(Remedy("Agree with the customer what would put it right", 2 * _DAY),),
            advice="Ask what a good outcome looks like to them, then commit to a date.",
        ),
    }
)
"""One playbook per root cause seen in practice: a wrong item, a delivery delay, a
damaged or defective product, a software bug, a salesperson's mistake, a
mis-routed call, the customer's own error; ``other`` is used for any cause
without a playbook of its own. Systemic causes (defects, bugs) add a prevention
note before closing a major or critical case."""

FALLBACK_PLAYBOOK = "other"
"""The playbook used for a cause category that has none of its own."""
