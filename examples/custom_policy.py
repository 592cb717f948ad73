"""A business's own policy: a subclass adding rules on top of a preset, proven with verify.

Run it: ``python examples/custom_policy.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import attrs

import service_recovery as sr

VIP_LIMIT = sr.Money(150, "EUR")


@attrs.frozen
class AcmePolicy(sr.RecoveryPolicy):
    """HEARD, plus Acme's own rules: VIP agents grant more, VIP cases get more tries."""

    vip_agents: frozenset[str] = frozenset({"priya"})

    def authority_for(self, actor: sr.Actor) -> sr.Money:
        if actor.role is sr.Role.AGENT and actor.id in self.vip_agents:
            return VIP_LIMIT
        return super().authority_for(actor)

    def follow_up_attempts_for(self, case: sr.Case) -> int:
        serious = case.severity in (sr.Severity.MAJOR, sr.Severity.CRITICAL)
        return self.follow_up_attempts + 2 if serious else self.follow_up_attempts

    def extra_reasons(self, case: sr.Case, command: sr.Command) -> Iterable[str]:
        social = case.channel is sr.Channel.SOCIAL
        if isinstance(command, sr.Close) and social and not command.note:
            yield "Social cases close with a public reply: put it in the close note"


POLICY = AcmePolicy(
    **{
        field.name: getattr(sr.presets.HEARD, field.name)
        for field in attrs.fields(sr.RecoveryPolicy)
    }
)


def main() -> sr.VerificationReport:
    """Show one rule at work, then prove the policy keeps every promise."""
    workflow = sr.Workflow(attrs.evolve(POLICY, name="acme"))
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    case = workflow.open(
        customer=sr.Customer("c-7", "Robin"),
        channel=sr.Channel.SOCIAL,
        severity=sr.Severity.MAJOR,
        summary="Double charged",
        at=now,
    )
    priya, ana = sr.Actor("priya", sr.Role.AGENT), sr.Actor("ana", sr.Role.AGENT)
    print(
        "priya may grant", POLICY.authority_for(priya), "- ana may grant", POLICY.authority_for(ana)
    )
    print("unanswered follow-ups before closing a major case:", POLICY.follow_up_attempts_for(case))
    report = sr.verify(workflow, severities=(sr.Severity.MAJOR,), channels=(sr.Channel.SOCIAL,))
    print(report)
    return report


if __name__ == "__main__":
    main()
