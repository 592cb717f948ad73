"""The named recovery models as policies: the data behind ``service_recovery.presets``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .._errors import InvalidPolicy
from .._model._stages import Stage
from .._model._values import Severity
from ._defaults import DEFAULT_PLAYBOOKS
from ._policy import RecoveryPolicy
from ._preset_graphs import (
    BLAST_GRAPH,
    HEARD_GRAPH,
    ISO_10002_GRAPH,
    LAST_GRAPH,
    LATTE_GRAPH,
    LEARN_GRAPH,
)
from ._rules import Playbook, Requirement, Step

_SERIOUS = (Severity.MAJOR, Severity.CRITICAL)


def _remedies_only(playbooks: Mapping[str, Playbook]) -> Mapping[str, Playbook]:
    """The playbooks without their required steps, for models with no learning step."""
    return {name: attrs.evolve(book, requirements=()) for name, book in playbooks.items()}


DEFAULT = RecoveryPolicy()
"""The full practice: acknowledge fast, let the customer vent and confirm a summary,
apologise, find the cause, agree a plan within authority, keep them informed,
follow up, close, and learn (a prevention note before closing a critical case,
or a major one with a systemic cause)."""

HEARD = attrs.evolve(
    DEFAULT,
    name="heard",
    graph=HEARD_GRAPH,
    requirements=(Requirement(Step.RECORD_PREVENTION, Stage.CLOSED, _SERIOUS),),
    description=(
        "HEARD (Disney Institute): Hear, Empathize, Apologize, Resolve, Diagnose. "
        "The diagnosis comes after the resolution and feeds a prevention note."
    ),
)
"""HEARD: Hear, Empathize, Apologize, Resolve, Diagnose (Disney Institute)."""

LAST = attrs.evolve(
    DEFAULT,
    name="last",
    graph=LAST_GRAPH,
    playbooks=_remedies_only(DEFAULT_PLAYBOOKS),
    requirements=(Requirement(Step.THANK, Stage.CLOSED),),
    description="LAST: Listen, Apologize, Solve, Thank. Thanking is required before closing.",
)
"""LAST: Listen, Apologize, Solve, Thank."""

BLAST = attrs.evolve(
    DEFAULT,
    name="blast",
    graph=BLAST_GRAPH,
    playbooks=_remedies_only(DEFAULT_PLAYBOOKS),
    requirements=(Requirement(Step.THANK, Stage.CLOSED),),
    description=(
        "BLAST: Believe, Listen, Apologize, Satisfy, Thank. The first answer "
        "acknowledges the customer's account as true; thanking is required before closing."
    ),
)
"""BLAST: Believe, Listen, Apologize, Satisfy, Thank."""

LATTE = attrs.evolve(
    DEFAULT,
    name="latte",
    graph=LATTE_GRAPH,
    playbooks=_remedies_only(DEFAULT_PLAYBOOKS),
    requirements=(Requirement(Step.THANK, Stage.DIAGNOSED),),
    description=(
        "LATTE: Listen, Acknowledge, Take action, Thank, Explain. The complaint is "
        "acknowledged once heard; the customer is thanked, then told what caused it."
    ),
)
"""LATTE: Listen, Acknowledge, Take action, Thank, Explain."""

LEARN = attrs.evolve(
    DEFAULT,
    name="learn",
    graph=LEARN_GRAPH,
    requirements=(Requirement(Step.RECORD_PREVENTION, Stage.CLOSED),),
    description=(
        "LEARN: Listen, Empathize, Apologize, React, Notify. Notify the organisation "
        "of what went wrong: a prevention note is required before closing any case."
    ),
)
"""LEARN: Listen, Empathize, Apologize, React, Notify."""

ISO_10002 = attrs.evolve(
    DEFAULT,
    name="iso_10002",
    graph=ISO_10002_GRAPH,
    requirements=(Requirement(Step.RECORD_PREVENTION, Stage.CLOSED),),
    description=(
        "ISO 10002 complaint handling: receipt, tracking, acknowledgement, initial "
        "assessment, investigation, response, communicating the decision, closing; "
        "every case feeds continual improvement with a prevention note."
    ),
)
"""ISO 10002: the organisational complaint-handling process."""

PRESETS: Mapping[str, RecoveryPolicy] = MappingProxyType(
    {policy.name: policy for policy in (DEFAULT, HEARD, LAST, BLAST, LATTE, LEARN, ISO_10002)}
)
"""Every preset by its name."""


def by_name(name: str) -> RecoveryPolicy:
    """The preset called *name* (case-insensitive).

    Raises:
        InvalidPolicy: there is no such preset; the message lists them.
    """
    policy = PRESETS.get(name.lower()) if isinstance(name, str) else None
    if policy is None:
        names = ", ".join(PRESETS)
        raise InvalidPolicy([f"preset: expected one of {names}, got {name!r}"])
    return policy
