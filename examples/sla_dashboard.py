"""An SLA dashboard for a care team: what needs doing now, across all open complaints.

Run it with ``python examples/sla_dashboard.py``. A Berlin care team works
Monday to Friday 08:00-18:00 and Saturday 10:00-14:00; five complaints came
in over the weekend and this Monday morning. Every minute the host would tick
each case (recording new breaches once and paging on them) and show the
queue that ``Workflow.due`` returns, most urgent first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import service_recovery as sr

BERLIN = ZoneInfo("Europe/Berlin")

levels = sr.ServiceLevels(
    first_response={sr.Channel.EMAIL: timedelta(hours=8)},  # one working day
    update_interval=timedelta(hours=10),
    calendar=sr.BusinessCalendar(
        time_zone="Europe/Berlin",
        hours={
            "monday": "08:00-18:00",
            "tuesday": "08:00-18:00",
            "wednesday": "08:00-18:00",
            "thursday": "08:00-18:00",
            "friday": "08:00-18:00",
            "saturday": "10:00-14:00",
        },
        holidays=[date(2026, 4, 3), date(2026, 4, 6)],  # Good Friday, Easter Monday
    ),
)
clock = sr.FixedClock(datetime(2026, 3, 9, 10, 30, tzinfo=BERLIN))  # Monday 10:30
workflow = sr.Workflow(sr.RecoveryPolicy(service_levels=levels), clock=clock)
agent = sr.Actor("priya", sr.Role.AGENT)


@workflow.hooks.on_breach()
def page_the_duty_lead(ctx: sr.HookContext) -> None:
    breach, case = ctx.command, ctx.case_after
    assert isinstance(breach, sr.RecordBreach)
    assert case is not None
    print(f"  on_breach: paging the duty lead: {case.id} missed {breach.ref}")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026, Berlin time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


def complaint(case_id: str, channel: sr.Channel, when: datetime, summary: str) -> sr.Case:
    return workflow.open(
        customer=sr.Customer(f"cust-{case_id}"),
        channel=channel,
        severity=sr.Severity.MODERATE,
        summary=summary,
        at=when,
        id=case_id,
    )


def agree(case: sr.Case, when: datetime, action: str, due: datetime) -> sr.Case:
    """Hear the customer out and agree a one-action plan, all at *when*."""
    for command in (
        sr.Acknowledge(by=agent, at=when),
        sr.Listen(by=agent, at=when, note="Told us the whole story"),
        sr.ReflectBack(by=agent, at=when, summary="What went wrong", confirmed=True),
        sr.FinishVenting(by=agent, at=when),
        sr.Apologize(by=agent, at=when, message="We are sorry; this is on us"),
        sr.IdentifyCause(by=agent, at=when, category="delivery delay"),
        sr.ProposeSolution(by=agent, at=when, plan=action, actions=[sr.Action(action, due=due)]),
        sr.AcceptSolution(by=agent, at=when),
    ):
        case = workflow.apply(case, command)
    return case


cases = [
    complaint("C-101", sr.Channel.SOCIAL, at(7, 19, 5), "Public post: parcel lost"),
    complaint("C-102", sr.Channel.EMAIL, at(6, 15, 0), "Charged twice"),
    complaint("C-103", sr.Channel.EMAIL, at(9, 7, 45), "Wrong size delivered"),
    agree(
        complaint("C-104", sr.Channel.CHAT, at(6, 16, 0), "Refund not received"),
        at(6, 16, 3),
        "Issue the refund",
        at(8, 12, 0),
    ),
    agree(
        complaint("C-105", sr.Channel.PHONE, at(6, 11, 0), "Broken lamp"),
        at(6, 11, 2),
        "Courier collects the lamp",
        at(10, 18, 0),
    ),
]
cases[4] = workflow.apply(
    cases[4], sr.AwaitCustomer(by=agent, at=at(7, 10, 30), reason="Photo of the damage")
)


def span(length: timedelta) -> str:
    hours, seconds = divmod(int(length.total_seconds()), 3600)
    return f"{hours} h {seconds // 60:02d} min"


def show_queue() -> None:
    now = clock.now()
    print(f"Queue at {now:%a %d %b %H:%M} (Berlin), most urgent first:")
    for item in workflow.due(cases, within=timedelta(hours=4)):
        deadline = item.deadline
        when = deadline.due_at.astimezone(BERLIN)
        gap = (
            f"{span(deadline.overdue)} overdue" if deadline.late else f"{span(deadline.left)} left"
        )
        print(
            f"  {item.case.id}  {item.case.channel.value:<6} {deadline.label:<37} "
            f"{deadline.status.value:<8} due {when:%a %H:%M}  ({gap})"
        )


print("Ticking every case (new breaches are recorded once and page the lead):")
cases = [workflow.tick(case) for case in cases]
print()
show_queue()

print()
print("Ten minutes later: C-101 answered, ticked again (nothing is paged twice).")
clock.advance(timedelta(minutes=10))
cases[0] = workflow.apply(cases[0], sr.Acknowledge(by=agent, at=clock.now()))
cases = [workflow.tick(case) for case in cases]
show_queue()

print()
print("Every clock of C-105 (waiting on the customer):")
for deadline in workflow.deadlines(cases[4]):
    print(f"  {deadline}")
