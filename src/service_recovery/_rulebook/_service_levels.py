"""Service levels: how fast a complaint is answered, updated and followed up.

Each target is a duration on the policy's clock: wall-clock time, or working
time when a :class:`BusinessCalendar` is set (then ``timedelta(hours=8)`` is
one working day of 09:00-17:00, not ``timedelta(days=1)``). A case waiting
on the customer or a third party stops these clocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import attrs

from .._errors import InvalidPolicy
from .._model._values import Channel
from ._calendar import BusinessCalendar

FIRST_RESPONSE_TARGETS: Mapping[Channel, timedelta] = MappingProxyType(
    {
        Channel.PHONE: timedelta(minutes=5),
        Channel.IN_PERSON: timedelta(minutes=5),
        Channel.CHAT: timedelta(minutes=5),
        Channel.SOCIAL: timedelta(hours=1),
        Channel.EMAIL: timedelta(hours=24),
        Channel.WEB_FORM: timedelta(hours=24),
    }
)
"""Default first-response targets per channel, and where they come from.

- social: 1 hour. About two in three people who complain on social media
  expect an answer within two hours, and complaints there are public while
  they wait; aiming at half that leaves room to still make two hours.
- chat, phone, in person: 5 minutes. The customer is there, in the chat
  window, on the line or at the counter; the answer is part of the
  conversation (the target covers a call-back or a colleague taking over).
- email: 24 hours. Email complainants expect a reply within a (business)
  day; set 8 hours with a 09:00-17:00 calendar for "one working day".
- web form: 24 hours, as email. A form on the host's site is written and
  sent like an email, and its answer comes back by email; nobody is waiting
  on the page.
"""


def _targets(value: object) -> Mapping[Channel, timedelta]:
    if not isinstance(value, Mapping):
        raise InvalidPolicy(
            [
                "service_levels.first_response: expected a mapping of channel to timedelta, "
                f"got {value!r}"
            ]
        )
    problems: list[str] = []
    targets = dict(FIRST_RESPONSE_TARGETS)
    for key, target in value.items():
        try:
            channel = key if isinstance(key, Channel) else Channel(key)
        except ValueError:
            names = ", ".join(channel.value for channel in Channel)
            problems.append(f"service_levels.first_response: {key!r} is not a channel ({names})")
            continue
        if _positive(target):
            targets[channel] = target
        else:
            problems.append(
                f"service_levels.first_response.{channel.value}: expected a timedelta > 0, "
                f"got {target!r}"
            )
    if problems:
        raise InvalidPolicy(problems)
    return MappingProxyType(targets)


def _positive(value: object) -> bool:
    return isinstance(value, timedelta) and value > timedelta(0)


def _check_interval(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not _positive(value):
        raise InvalidPolicy(
            [f"service_levels.{attribute.name}: expected a timedelta > 0, got {value!r}"]
        )


def _fractions(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _check_fractions(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    ok = isinstance(value, tuple) and all(
        isinstance(fraction, float) and 0 < fraction < 1 for fraction in value
    )
    if not ok or list(value) != sorted(set(value)):  # type: ignore[call-overload]
        raise InvalidPolicy(
            [
                "service_levels.warning_fractions: expected rising fractions between 0 and 1 "
                f"such as (0.5, 0.75), got {value!r}"
            ]
        )


def _check_calendar(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, BusinessCalendar):
        raise InvalidPolicy(
            [f"service_levels.calendar: expected a BusinessCalendar or None, got {value!r}"]
        )


@attrs.frozen
class ServiceLevels:
    """The time rules of a policy: first response, updates, follow-up, warnings.

    >>> from datetime import timedelta
    >>> from service_recovery import Channel
    >>> levels = ServiceLevels(first_response={Channel.SOCIAL: timedelta(minutes=30)})
    >>> levels.first_response_for(Channel.SOCIAL), levels.first_response_for(Channel.EMAIL)
    (datetime.timedelta(seconds=1800), datetime.timedelta(days=1))

    Attributes:
        first_response: the time to a first answer, per channel; channels
            left out keep their default (:data:`FIRST_RESPONSE_TARGETS`).
        update_interval: while the plan is carried out, the longest the
            customer goes without news. Two days: long enough not to flood a
            customer during a 5-7 day refund, short enough that nobody wonders
            whether they were forgotten.
        follow_up_delay: how long after resolution to check back, and then
            between unanswered attempts. Three days: time for the fix to be
            tried, soon enough that the experience is fresh.
        warning_fractions: the shares of a deadline's time after which it
            shows as a warning (half and three quarters by default).
        calendar: when set, the targets above count working time only.

    Raises:
        InvalidPolicy: a target that is not a positive timedelta, an unknown
            channel, fractions out of order or outside (0, 1).
    """

    first_response: Mapping[Channel, timedelta] = attrs.field(
        default=FIRST_RESPONSE_TARGETS, converter=_targets
    )
    update_interval: timedelta = attrs.field(default=timedelta(days=2), validator=_check_interval)
    follow_up_delay: timedelta = attrs.field(default=timedelta(days=3), validator=_check_interval)
    warning_fractions: tuple[float, ...] = attrs.field(
        default=(0.5, 0.75), converter=_fractions, validator=_check_fractions
    )
    calendar: BusinessCalendar | None = attrs.field(default=None, validator=_check_calendar)

    def first_response_for(self, channel: Channel) -> timedelta:
        """The first-response target for a complaint that came in through *channel*."""
        return self.first_response[channel]


def check_service_levels(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Attrs validator for a policy's ``service_levels`` field."""
    if not isinstance(value, ServiceLevels):
        raise InvalidPolicy(
            [f"service_levels: expected a ServiceLevels, got {type(value).__name__} {value!r}"]
        )
