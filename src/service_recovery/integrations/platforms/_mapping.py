"""One help desk's statuses: what a case shows there, and what a status change there means."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from ..._errors import InvalidValue, RecoveryError
from ..._model._case import Case
from ..._model._commands import (
    AwaitCustomer,
    AwaitThirdParty,
    Close,
    Command,
    CompleteAction,
    Escalate,
    Reopen,
    Resume,
    Withdraw,
)
from ..._model._kinds import WaitingOn
from ..._model._refusals import Reason
from ..._model._stages import Stage
from ..._model._values import Actor, WithdrawalReason
from ..._workflow import Workflow


class StatusChangeRefused(RecoveryError):
    """A status set on the platform implies a command the workflow refuses (or none at all).

    Report it to whoever (or whatever automation) changed the status; the case is
    unchanged. A platform that closes solved tickets on its own, before the customer
    was followed up, is the usual source.

    Attributes:
        platform: the help desk's name.
        status: the status that was set there.
        command: the command the change implies, or ``None`` when it implies none
            the workflow could take.
        reasons: why the workflow refuses it, as :meth:`Workflow.explain` says.
    """

    def __init__(
        self, platform: str, status: str, command: Command | None, reasons: list[Reason]
    ) -> None:
        said = "; ".join(reason.message for reason in reasons)
        super().__init__(f"{platform} status '{status}' cannot be applied: {said}")
        self.platform = platform
        self.status = status
        self.command = command
        self.reasons = reasons


def _frozen_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value))


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _require_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(
            f"{attribute.name}: expected a non-empty status name, got {value!r}",
            field=attribute.name,
        )


@attrs.frozen
class StatusMap:
    """How one help desk names where a case stands, and what its status changes imply.

    Attributes:
        platform: the help desk's name, used in messages.
        new: the status of a case nobody has answered yet (``reported``).
        active: the status of any stage :attr:`by_stage` does not name.
        by_stage: the status of particular stages (resolved, closed, ...).
        waiting: the status while the case waits, by whom it waits on; a wait
            with no entry shows the stage's status.
        hold_reasons: the platform's reason for a hold, by whom the case waits on
            (ServiceNow's ``hold_reason``); empty where the platform has none.
        escalated: the status while an escalation waits for approval, if the
            platform has one.
        reopened: the status of a case working again after it was reopened, if
            the platform tells it apart.
        withdrawn: the status of a withdrawn case, by why it was withdrawn (the
            first reason of a status is the one a change to it means unless told);
            a reason with no entry shows the closed status.
        codes: each status's number in the platform's API, where it uses numbers.
        aliases: other names a status change may arrive as, and the status each
            stands for.
        sources: where the platform documents its statuses.

    >>> from service_recovery.integrations.platforms import SERVICENOW
    >>> SERVICENOW.code("On Hold"), SERVICENOW.statuses[:3]
    (3, ('New', 'In Progress', 'On Hold'))
    """

    platform: str = attrs.field(validator=_require_text)
    new: str = attrs.field(validator=_require_text)
    active: str = attrs.field(validator=_require_text)
    by_stage: Mapping[Stage, str] = attrs.field(converter=_frozen_mapping)
    waiting: Mapping[WaitingOn, str] = attrs.field(converter=_frozen_mapping)
    hold_reasons: Mapping[WaitingOn, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    escalated: str | None = None
    reopened: str | None = None
    withdrawn: Mapping[WithdrawalReason, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    codes: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_mapping)
    aliases: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_texts)

    def __attrs_post_init__(self) -> None:
        unknown = sorted(set(self.aliases.values()) - set(self.statuses))
        if unknown:
            raise InvalidValue(
                f"aliases: {', '.join(map(repr, unknown))} is no status of {self.platform}",
                field="aliases",
            )

    @property
    def statuses(self) -> tuple[str, ...]:
        """Every status the mapping shows, in the order a ticket meets them."""
        found = [self.new, self.active, *self.waiting.values()]
        found += [s for s in (self.escalated, self.reopened) if s is not None]
        found += [self.by_stage[stage] for stage in Stage if stage in self.by_stage]
        found += self.withdrawn.values()
        return tuple(dict.fromkeys(found))

    def status(self, case: Case) -> str:
        """The platform status for where *case* stands.

        A wait shows first (with its hold reason, see :meth:`hold_reason`), then a
        pending escalation, then the stage.
        """
        if case.paused is not None and case.paused.waiting_on in self.waiting:
            return self.waiting[case.paused.waiting_on]
        if case.escalation is not None and self.escalated is not None:
            return self.escalated
        if case.stage in self.by_stage:
            return self.by_stage[case.stage]
        if case.withdrawal is not None:
            found = self.withdrawn.get(WithdrawalReason(case.withdrawal.reason))
            return found if found is not None else self.by_stage.get(Stage.CLOSED, self.active)
        if case.stage is Stage.REPORTED:
            return self.new
        if self.reopened is not None and case.reopen_count > 0:  # works again since a reopen
            return self.reopened
        return self.active

    def hold_reason(self, case: Case) -> str | None:
        """The platform's reason for the hold *case* is on, or ``None``."""
        if case.paused is None:
            return None
        return self.hold_reasons.get(case.paused.waiting_on)

    def is_stopped(self, case: Case) -> bool:
        """Whether the platform's service clocks stand still: the case waits on someone.

        Salesforce's entitlement milestones call this *stopped*.
        """
        return case.paused is not None

    def is_closed(self, case: Case) -> bool:
        """Whether the platform counts *case* as closed (Salesforce's ``IsClosed``).

        A withdrawn case is closed there too.
        """
        return case.stage is Stage.CLOSED or case.stage is Stage.WITHDRAWN

    def code(self, status: str) -> int | None:
        """The number the platform's API gives *status*, if it numbers them."""
        return self.codes.get(self.canonical(status))

    def canonical(self, status: str) -> str:
        """*status* as the mapping names it (an alias resolved).

        Raises:
            InvalidValue: *status* is none of the platform's statuses.
        """
        if not isinstance(status, str):
            raise InvalidValue(
                f"status: expected a {self.platform} status name, got {type(status).__name__}",
                field="status",
            )
        found = self.aliases.get(status, status)
        if found not in self.statuses:
            choices = ", ".join(map(repr, (*self.statuses, *self.aliases)))
            raise InvalidValue(
                f"status: {status!r} is no {self.platform} status; expected one of {choices}",
                field="status",
            )
        return found

    def command_for(
        self,
        workflow: Workflow,
        case: Case,
        status: str,
        *,
        by: Actor,
        at: datetime,
        reason: str = "",
        hold_reason: str | None = None,
        withdrawal: WithdrawalReason | str | None = None,
        duplicate_of: str | None = None,
    ) -> Command | None:
        """The command a change of *case*'s ticket to *status* implies; ``None`` if none.

        The command is judged (:meth:`Workflow.explain`), never applied: apply it
        yourself (or through a Desk). A status that only renames where the case
        already stands implies nothing.

        Args:
            workflow: the workflow the case runs under.
            case: the case behind the ticket.
            status: the status set on the platform (or one of its aliases).
            by: who (or which automation) changed it.
            at: when.
            reason: what the platform said about it (becomes the wait's or the
                reopen's reason).
            hold_reason: the platform's hold reason, where one status stands for
                waiting on anyone (ServiceNow's ``On Hold``).
            withdrawal: why the complaint is withdrawn, where one status stands
                for several reasons (ServiceNow's ``Canceled``); its first reason if
                omitted.
            duplicate_of: the other case, for a duplicate or a merge.

        Raises:
            InvalidValue: *status* (or *hold_reason*) is not the platform's.
            StatusChangeRefused: the change implies a command the workflow refuses now.
        """
        target = self.canonical(status)
        if target in self.withdrawn.values() and target != self.by_stage.get(Stage.CLOSED):
            command: Command | None = self._withdraw(
                case, target, by=by, at=at, note=reason, why=withdrawal, other=duplicate_of
            )
        else:
            command = self._implied(case, target, by=by, at=at, reason=reason, hold=hold_reason)
        if command is None:
            return None
        reasons = workflow.explain(case, command)
        if reasons:
            raise StatusChangeRefused(self.platform, status, command, reasons)
        return command

    def customer_replied(
        self, workflow: Workflow, case: Case, *, by: Actor, at: datetime, note: str = ""
    ) -> Command | None:
        """The command a customer's reply on the ticket implies; ``None`` if none.

        A reply to a case waiting on the customer resumes it; a reply to a closed
        case reopens it (within the policy's reopen window); any other reply is the
        conversation going on, for the agent to hear.

        Raises:
            StatusChangeRefused: the reply implies a command the workflow refuses
                now (a reopen after the window: open a new case).
        """
        command: Command | None = None
        if case.paused is not None and case.paused.waiting_on is WaitingOn.CUSTOMER:
            command = Resume(by=by, at=at, note=note)
        elif case.stage is Stage.CLOSED:
            command = Reopen(
                by=by, at=at, reason=note or f"The customer replied on {self.platform}"
            )
        if command is None:
            return None
        reasons = workflow.explain(case, command)
        if reasons:
            raise StatusChangeRefused(self.platform, self.status(case), command, reasons)
        return command

    def _implied(
        self,
        case: Case,
        target: str,
        *,
        by: Actor,
        at: datetime,
        reason: str,
        hold: str | None,
    ) -> Command | None:
        waits_on = self._waits_on(target, hold)
        if target == self.status(case) and (
            waits_on is None or case.paused is None or case.paused.waiting_on is waits_on
        ):
            return None  # the ticket already shows where the case stands
        said = reason or f"{self.platform} status set to {target}"
        if waits_on is WaitingOn.CUSTOMER:
            return AwaitCustomer(by=by, at=at, reason=said)
        if waits_on is WaitingOn.THIRD_PARTY:
            return AwaitThirdParty(by=by, at=at, reason=said)
        if target == self.by_stage.get(Stage.CLOSED):
            return Close(by=by, at=at, note=reason)
        if target == self.escalated:
            return Escalate(by=by, at=at, reason=said)
        if target in (self.by_stage.get(Stage.RESOLVED), self.by_stage.get(Stage.FOLLOWED_UP)):
            return self._solved(case, target, by=by, at=at)
        if case.stage is Stage.CLOSED:
            return Reopen(by=by, at=at, reason=said)
        if case.paused is not None:
            return Resume(by=by, at=at, note=reason)
        return None  # another name for working on it: nothing for the workflow

    def _withdraw(
        self,
        case: Case,
        target: str,
        *,
        by: Actor,
        at: datetime,
        note: str,
        why: WithdrawalReason | str | None,
        other: str | None,
    ) -> Withdraw | None:
        """*target* withdraws the complaint: for the reason given, or the status's first."""
        if case.stage is Stage.WITHDRAWN and target == self.status(case):
            return None
        reasons = [found for found, status in self.withdrawn.items() if status == target]
        chosen = reasons[0] if why is None else WithdrawalReason(why)
        if chosen not in reasons:
            raise InvalidValue(
                f"withdrawal: {self.platform} '{target}' stands for "
                f"{', '.join(repr(r.value) for r in reasons)}, not {chosen.value!r}",
                field="withdrawal",
            )
        return Withdraw(by=by, at=at, reason=chosen, duplicate_of=other, note=note)

    def _waits_on(self, target: str, hold: str | None) -> WaitingOn | None:
        """Whom the case waits on once its ticket shows *target* (``None``: no wait)."""
        parties = [party for party, status in self.waiting.items() if status == target]
        if len(parties) <= 1:
            return parties[0] if parties else None
        by_reason = {name: party for party, name in self.hold_reasons.items()}
        if hold in by_reason and by_reason[hold] in parties:
            return by_reason[hold]
        choices = ", ".join(repr(self.hold_reasons[p]) for p in parties if p in self.hold_reasons)
        raise InvalidValue(
            f"hold_reason: {self.platform} '{target}' needs its hold reason to say whom the "
            f"case waits on; expected one of {choices}, got {hold!r}",
            field="hold_reason",
        )

    def _solved(self, case: Case, target: str, *, by: Actor, at: datetime) -> Command:
        """*target* says the promised work is done: the last open action completes."""
        if case.stage is Stage.RESOLVING and len(case.open_actions) == 1:
            (index,) = case.open_actions
            return CompleteAction(by=by, at=at, index=index)
        if case.stage is Stage.RESOLVING:
            open_ones = ", ".join(f"#{n}" for n in sorted(case.open_actions))
            message = (
                f"'{target}' means every promised action is done, but {open_ones} are still "
                "open: complete each one in the case"
            )
        else:
            message = (
                f"'{target}' means the agreed solution was carried out, but the case is "
                f"{case.stage.label}: no solution was agreed and carried out yet"
            )
        raise StatusChangeRefused(self.platform, target, None, [Reason("platform", message)])
