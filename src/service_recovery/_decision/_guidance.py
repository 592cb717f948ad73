"""Guidance for the person handling a case: what to offer, and what to do and say next.

:func:`suggest` reads the policy's playbook for the case's cause and its
compensation ladder; :func:`guidance` gives coaching prompts for the step the
case's own stage graph takes next, in plain words a CRM can show next to the
buttons. Coaching is keyed by that step, not by the stage's name, so a model
that reorders the practice (HEARD diagnoses after resolving, LATTE acknowledges
after hearing) is coached for what it actually does next.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from .._model._case import Case
from .._model._commands import (
    AcceptSolution,
    Acknowledge,
    Apologize,
    Close,
    Command,
    CompleteAction,
    FinishVenting,
    FollowUp,
    IdentifyCause,
    Listen,
    ProposeSolution,
    Reopen,
    Reschedule,
    Withdraw,
)
from .._model._stages import Stage
from .._model._values import Action, Actor, Compensation, CompensationKind
from .._rulebook._defaults import FALLBACK_PLAYBOOK
from .._rulebook._practice import (
    authority_of,
    covers,
    playbook_of,
    required_follow_ups,
    requirements_of,
    suggested_compensation_of,
)
from .._rulebook._rules import Remedy, Step
from .._time._promises import broken_promises

if TYPE_CHECKING:
    from .._rulebook._graph import StageGraph
    from .._rulebook._policy import RecoveryPolicy


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


def suggest(policy: RecoveryPolicy, case: Case, by: Actor | None = None) -> Suggestion:
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
        policy: the rules holding the playbooks, the ladder and the authority.
        case: the case to suggest for.
        by: who would propose it; sets :attr:`Suggestion.needs_approval`.
    """
    playbook = playbook_of(policy, case)
    category = case.cause.category if case.cause is not None else None
    if playbook is None:
        playbook = policy.playbooks.get(FALLBACK_PLAYBOOK)
    remedies = tuple(
        remedy
        for remedy in (playbook.remedies if playbook else ())
        if remedy.offered_for(case.severity)
    )
    compensation = suggested_compensation_of(policy, case)
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
        needs_approval = not covers(authority_of(policy, by), compensation.amount)
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
COACHING: Mapping[type[Command], _Coaching] = MappingProxyType(
    {
        Acknowledge: _Coaching(
            "Answer fast: the customer is waiting, and on social media so is everyone else.",
            ("Acknowledge the complaint now, even before you know the answer.",),
            ("Thank you for telling us. I'm looking into it now.",),
            ("Waiting until you have a full answer before replying.",),
        ),
        Listen: _Coaching(
            "Give the customer room to tell the whole story.",
            ("Invite them to tell you what happened, then listen.",),
            ("Tell me what happened; take your time.",),
            ("Jumping to a fix before they have finished.",),
        ),
        FinishVenting: _Coaching(
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
        Apologize: _Coaching(
            "Own the failure.",
            ("Apologise sincerely and take ownership for the company.",),
            ("I'm sorry. We got this wrong, and I'm going to put it right.",),
            ("Excuses, 'policy says', or an apology that sounds like a form letter.", _BLAME),
        ),
        IdentifyCause: _Coaching(
            "Find the real cause among everything the customer mentioned.",
            ("Identify the root cause so the fix addresses it, not a symptom.",),
            ("Let me check what went wrong on our side.",),
            (_BLAME + ".",),
        ),
        ProposeSolution: _Coaching(
            "Work out the remedy with the customer.",
            (
                "Propose a concrete plan with dates, and compensation that fits the severity.",
                "Ask what would make it right for them.",
            ),
            ("Here is what I can do, and by when. Would that work for you?",),
            ("Vague promises without a date.", "Over-compensating to end the conversation."),
        ),
        AcceptSolution: _Coaching(
            "Agree the plan.",
            ("Check the customer accepts the plan; if not, work out another together.",),
            ("Does this put things right for you?",),
            ("Pressing them to accept.",),
        ),
        CompleteAction: _Coaching(
            "Keep every promise, and keep the customer informed.",
            ("Complete each promised action and tell the customer where things stand.",),
            ("Quick update: your replacement shipped today; you will get tracking by email.",),
            ("Going silent until everything is done.",),
        ),
        FollowUp: _Coaching(
            "Check back that it worked.",
            ("Follow up: was it what they wanted, are they happy, do they need anything else?",),
            ("I wanted to check the replacement arrived and everything is right now.",),
            ("Closing without hearing from the customer.",),
        ),
        Close: _Coaching(
            "Close the loop and learn from it.",
            (
                "Thank the customer for raising it.",
                "Record what will change so it does not happen again, then close.",
            ),
            ("Thank you for telling us; it helps us fix this for everyone.",),
        ),
        Reopen: _Coaching(
            "The case is closed.",
            (
                "If the customer comes back about it within the reopen window, reopen it.",
                "Past the window, open a new case that succeeds this one (previous_case).",
            ),
        ),
        Reschedule: _Coaching(
            "Own a promise that slipped, and give a date you can keep.",
            (
                "Tell the customer before they have to chase you, say why, and agree a new date.",
                "Pick a date with room to spare: a second missed date costs more than the first.",
            ),
            (
                "I'm sorry, the refund did not go out on Friday as I promised. It will by "
                "Tuesday, and I will email you the moment it has.",
            ),
            ("Moving the date without telling the customer.", "Another vague 'soon'."),
        ),
        Withdraw: _Coaching(
            "The complaint ended without a recovery: nothing more is owed on this case.",
            (
                "If it duplicates or was merged into another case, carry on there.",
                "If the customer took it back, thank them for letting you know.",
            ),
            ("Thanks for letting us know; we have closed this request.",),
            ("Withdrawing a real complaint to get it off the queue.",),
        ),
    }
)
"""The coaching for each step of the practice, in plain words, keyed by its command."""

_FIRST_ANSWER = "Nobody has answered the customer yet: a person should reply now."


def next_step(graph: StageGraph, stage: Stage) -> type[Command] | None:
    """The step of the practice the case takes next from *stage* on *graph*.

    The first command (in the order the graph declares its edges) that leads
    out of *stage* and has coaching: declining a proposal leads out too, but
    the practice's step is agreeing one.

    >>> from service_recovery import presets
    >>> next_step(presets.DEFAULT.graph, Stage.RESOLVED).__name__
    'FollowUp'
    >>> next_step(presets.HEARD.graph, Stage.RESOLVED).__name__
    'IdentifyCause'
    """
    for edge in graph.edges:
        if edge.source is stage and edge.dest is not stage:
            coached = _coached(edge.command)
            if coached is not None:
                return coached
    return None


def _coached(kind: type[Command]) -> type[Command] | None:
    """*kind*, or the nearest base of it that has coaching."""
    return next((base for base in kind.__mro__ if base in COACHING), None)


def _fallback(graph: StageGraph, stage: Stage) -> _Coaching:
    """For a stage whose ways out are all custom steps: name them."""
    titles = tuple(dict.fromkeys(e.command.title for e in graph.edges if e.source is stage))
    return _Coaching(f"Move the case on from {stage.label}.", ("Next: " + ", ".join(titles) + ".",))


_STEP_DO: Mapping[Step, str] = MappingProxyType(
    {
        Step.APOLOGIZE: "Apologise and take ownership",
        Step.IDENTIFY_CAUSE: "Identify the root cause",
        Step.THANK: "Thank the customer for raising it",
        Step.RECORD_PREVENTION: "Record a prevention note: what will change so it does not recur",
    }
)


def guidance(policy: RecoveryPolicy, case: Case, allowed: tuple[type[Command], ...]) -> Guidance:
    """What the person handling *case* should do and say next, for its graph's next step.

    >>> from datetime import datetime, timezone
    >>> import service_recovery as sr
    >>> workflow = sr.Workflow()
    >>> case = workflow.open(customer=sr.Customer("c-1"), channel=sr.Channel.SOCIAL,
    ...     severity=sr.Severity.MINOR, summary="Rude",
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> advice = workflow.guidance(case)
    >>> advice.do[0]
    'Acknowledge the complaint now, even before you know the answer.'

    Args:
        policy: the rules: the stage graph, required steps, playbooks, follow-ups.
        case: the case to coach for.
        allowed: the command types that can be accepted now (the buttons).
    """
    step = Withdraw if case.stage.terminal else next_step(policy.graph, case.stage)
    coaching = COACHING[step] if step is not None else _fallback(policy.graph, case.stage)
    do = list(coaching.do)
    withdrawal = case.withdrawal
    if withdrawal is not None and withdrawal.duplicate_of is not None:
        do.insert(0, f"Carry on in case {withdrawal.duplicate_of!r}.")
    say = coaching.say
    broken = broken_promises(case, case.last_at)  # as of the case's last event
    if broken:
        do[:0] = [f"{promise.advice} (Reschedule)." for promise in broken]
        say = (*COACHING[Reschedule].say, *say)
    if step is FinishVenting and case.summary_confirmed:
        do.append("They confirmed your summary: finish venting once they have said everything.")
    if case.acknowledged_at is None and step is not Acknowledge:
        do.insert(0, _FIRST_ANSWER)
    if case.escalation is not None:
        do.insert(0, f"An escalation is waiting for approval ({case.escalation.reason}).")
    if case.paused is not None:
        do.insert(0, f"The case is waiting ({case.paused.reason}); resume when that arrives.")
    if step is FollowUp and not case.followed_up:
        needed = required_follow_ups(policy, case)
        do.append(f"Unanswered follow-ups so far: {case.follow_up_attempts} of {needed}.")
    for requirement in requirements_of(policy, case):
        if not requirement.step.done(case) and requirement.before is not case.stage:
            do.append(
                f"{_STEP_DO[requirement.step]} before the case is {requirement.before.label}."
            )
    playbook = playbook_of(policy, case)
    if playbook is not None and playbook.advice and step in _PLANNING:
        do.append(playbook.advice)
    return Guidance(
        case.stage,
        coaching.goal,
        tuple(do),
        say,
        coaching.avoid,
        tuple(kind.title for kind in allowed),
    )


_PLANNING: frozenset[type[Command] | None] = frozenset(
    {IdentifyCause, ProposeSolution, AcceptSolution}
)
"""Steps where the playbook's advice for the cause helps."""
