"""Guidance for the person handling a case: what to offer, and what to do and say next.

:func:`suggest` reads the policy's playbook for the case's cause and its
compensation ladder; :func:`guidance` gives coaching prompts for the stage the
case is in, in plain words a CRM can show next to the buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from .._model._case import Case
from .._model._stages import Stage
from .._model._values import Action, Actor, Compensation, CompensationKind
from .._rulebook._defaults import FALLBACK_PLAYBOOK
from .._rulebook._rules import Remedy, Step

if TYPE_CHECKING:
    from .._workflow import Workflow


@attrs.frozen
class Suggestion:
    """What the playbook and the ladder suggest offering for a case.

    Attributes:
        category: the cause whose playbook was used (``None`` before diagnosis,
            when the fallback playbook is used).
        remedies: what usually puts it right, those that fit the severity.
        compensation: the ladder's offer for the severity; ``None`` when an
            apology and the fix are the right size.
        alternatives: other kinds of compensation that fit the severity.
        advice: the playbook's advice for handling this kind of failure.
        needs_approval: whether the suggested compensation is above the
            authority of the actor asked about (false when none was named).
    """

    category: str | None
    remedies: tuple[Remedy, ...]
    compensation: Compensation | None
    alternatives: tuple[CompensationKind, ...]
    advice: str
    needs_approval: bool = False

    def actions(self, at: datetime) -> tuple[Action, ...]:
        """The remedies as promised actions of a plan agreed at *at*, each with its due date."""
        return tuple(Action(remedy.action, due=at + remedy.due_in) for remedy in self.remedies)


def suggest(workflow: Workflow, case: Case, by: Actor | None = None) -> Suggestion:
    """The playbook's remedies for *case*'s cause, scaled to its severity.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.EMAIL,
    ...     severity=sr.Severity.MAJOR, summary="Late",
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> offer = workflow.suggest(case, by=sr.Actor("ana", sr.Role.AGENT))
    >>> str(offer.compensation.amount), offer.needs_approval
    ('100 EUR', True)

    Args:
        workflow: whose policy holds the playbooks and the ladder.
        case: the case to suggest for.
        by: who would propose it; sets :attr:`Suggestion.needs_approval`.
    """
    policy = workflow.policy
    playbook = policy.playbook_for(case)
    category = case.cause.category if case.cause is not None else None
    if playbook is None:
        playbook = policy.playbooks.get(FALLBACK_PLAYBOOK)
    remedies = tuple(
        remedy
        for remedy in (playbook.remedies if playbook else ())
        if remedy.offered_for(case.severity)
    )
    compensation = policy.suggested_compensation(case)
    rung = policy.compensation.get(case.severity)
    kinds = rung.kinds if rung is not None else ()
    alternatives = tuple(
        kind
        for kind in kinds
        if kind is not CompensationKind.APOLOGY_ONLY
        and (compensation is None or kind is not compensation.kind)
    )
    needs_approval = False
    if by is not None and compensation is not None:
        limit = policy.authority_for(by)
        needs_approval = (
            limit.currency != compensation.amount.currency
            or compensation.amount.amount > limit.amount
        )
    return Suggestion(
        category,
        remedies,
        compensation,
        alternatives,
        playbook.advice if playbook is not None else "",
        needs_approval,
    )


@attrs.frozen
class Guidance:
    """What to do and say next at a case's stage, for a CRM to show.

    Attributes:
        stage: the stage the guidance is for.
        goal: what this stage is for, in one sentence.
        do: what to do now, most important first.
        say: phrases that work here (adapt them; never read them out).
        avoid: what makes things worse here.
        next: the titles of the commands that can be accepted now.
    """

    stage: Stage
    goal: str
    do: tuple[str, ...]
    say: tuple[str, ...]
    avoid: tuple[str, ...]
    next: tuple[str, ...]

    def __str__(self) -> str:
        parts = [f"{self.stage.label}: {self.goal}"]
        for title, items in (("Do", self.do), ("Say", self.say), ("Avoid", self.avoid)):
            parts += [f"{title}: {item}" for item in items]
        return "\n".join(parts)


@attrs.frozen
class _Coaching:
    goal: str
    do: tuple[str, ...]
    say: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()


_BLAME = "Blaming a colleague, a courier or the customer"
COACHING: Mapping[Stage, _Coaching] = MappingProxyType(
    {
        Stage.REPORTED: _Coaching(
            "Answer fast: the customer is waiting, and on social media so is everyone else.",
            ("Acknowledge the complaint now, even before you know the answer.",),
            ("Thank you for telling us. I'm looking into it now.",),
            ("Waiting until you have a full answer before replying.",),
        ),
        Stage.ACKNOWLEDGED: _Coaching(
            "Give the customer room to tell the whole story.",
            ("Invite them to tell you what happened, then listen.",),
            ("Tell me what happened; take your time.",),
            ("Jumping to a fix before they have finished.",),
        ),
        Stage.LISTENING: _Coaching(
            "Let the customer vent and feel heard.",
            (
                "Listen without interrupting; show you are listening.",
                "Reflect back what you heard, feelings included, and ask if you got it right.",
            ),
            ("So if I have this right, ... Is that it?", "That sounds really frustrating."),
            (
                "Interrupting, or offering a solution before they have said everything.",
                "Taking it personally or arguing about the facts.",
            ),
        ),
        Stage.UNDERSTOOD: _Coaching(
            "Own the failure.",
            ("Apologise sincerely and take ownership for the company.",),
            ("I'm sorry. We got this wrong, and I'm going to put it right.",),
            ("Excuses, 'policy says', or an apology that sounds like a form letter.", _BLAME),
        ),
        Stage.APOLOGIZED: _Coaching(
            "Find the real cause among everything the customer mentioned.",
            ("Identify the root cause so the fix addresses it, not a symptom.",),
            ("Let me check what went wrong on our side.",),
            (_BLAME + ".",),
        ),
        Stage.DIAGNOSED: _Coaching(
            "Work out the remedy with the customer.",
            (
                "Propose a concrete plan with dates, and compensation that fits the severity.",
                "Ask what would make it right for them.",
            ),
            ("Here is what I can do, and by when. Would that work for you?",),
            ("Vague promises without a date.", "Over-compensating to end the conversation."),
        ),
        Stage.SOLUTION_PROPOSED: _Coaching(
            "Agree the plan.",
            ("Check the customer accepts the plan; if not, work out another together.",),
            ("Does this put things right for you?",),
            ("Pressing them to accept.",),
        ),
        Stage.RESOLVING: _Coaching(
            "Keep every promise, and keep the customer informed.",
            ("Complete each promised action and tell the customer where things stand.",),
            ("Quick update: your replacement shipped today; you will get tracking by email.",),
            ("Going silent until everything is done.",),
        ),
        Stage.RESOLVED: _Coaching(
            "Check back that it worked.",
            ("Follow up: was it what they wanted, are they happy, do they need anything else?",),
            ("I wanted to check the replacement arrived and everything is right now.",),
            ("Closing without hearing from the customer.",),
        ),
        Stage.FOLLOWED_UP: _Coaching(
            "Close the loop and learn from it.",
            (
                "Thank the customer for raising it.",
                "Record what will change so it does not happen again, then close.",
            ),
            ("Thank you for telling us; it helps us fix this for everyone.",),
        ),
        Stage.CLOSED: _Coaching(
            "The case is closed.",
            ("If the customer comes back about it within the reopen window, reopen it.",),
        ),
    }
)
"""The coaching for each stage, in plain words."""

_STEP_DO: Mapping[Step, str] = MappingProxyType(
    {
        Step.APOLOGIZE: "Apologise and take ownership",
        Step.IDENTIFY_CAUSE: "Identify the root cause",
        Step.THANK: "Thank the customer for raising it",
        Step.RECORD_PREVENTION: "Record a prevention note: what will change so it does not recur",
    }
)


def guidance(workflow: Workflow, case: Case) -> Guidance:
    """What the person handling *case* should do and say next at its stage.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.SOCIAL,
    ...     severity=sr.Severity.MINOR, summary="Rude",
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> advice = workflow.guidance(case)
    >>> advice.do[0]
    'Acknowledge the complaint now, even before you know the answer.'
    """
    coaching = COACHING[case.stage]
    policy = workflow.policy
    do = list(coaching.do)
    if case.stage is Stage.LISTENING and case.summary_confirmed:
        do.append("They confirmed your summary: finish venting once they have said everything.")
    if case.escalation is not None:
        do.insert(0, f"An escalation is waiting for approval ({case.escalation.reason}).")
    paused = getattr(case, "paused", None)
    if paused is not None:
        do.insert(0, f"The case is waiting ({paused.reason}); resume when that arrives.")
    if case.stage is Stage.RESOLVED and not case.followed_up:
        needed = policy.follow_up_attempts_for(case)
        do.append(f"Unanswered follow-ups so far: {case.follow_up_attempts} of {needed}.")
    for requirement in policy.requirements_for(case):
        if not requirement.step.done(case) and requirement.before is not case.stage:
            do.append(
                f"{_STEP_DO[requirement.step]} before the case is {requirement.before.label}."
            )
    playbook = policy.playbook_for(case)
    if playbook is not None and playbook.advice and case.stage in _PLANNING:
        do.append(playbook.advice)
    return Guidance(
        case.stage,
        coaching.goal,
        tuple(do),
        coaching.say,
        coaching.avoid,
        tuple(kind.title for kind in workflow.allowed(case)),
    )


_PLANNING = frozenset({Stage.DIAGNOSED, Stage.SOLUTION_PROPOSED, Stage.APOLOGIZED})
