"""Service levels: the targets a policy holds its cases to, and how they are checked."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

import service_recovery as sr
from service_recovery._rulebook._service_levels import FIRST_RESPONSE_TARGETS
from tests.timing_cases import DAY, HOUR, MINUTE, T0, open_case


class TestDefaults:
    def test_first_response_targets(self) -> None:
        """Social within an hour, email within a day, live channels within minutes."""
        levels = sr.ServiceLevels()
        expected = {
            sr.Channel.SOCIAL: HOUR,
            sr.Channel.EMAIL: 24 * HOUR,
            sr.Channel.CHAT: 5 * MINUTE,
            sr.Channel.PHONE: 5 * MINUTE,
            sr.Channel.IN_PERSON: 5 * MINUTE,
            sr.Channel.WEB_FORM: 24 * HOUR,
        }
        assert expected == {channel: levels.first_response_for(channel) for channel in sr.Channel}

    def test_a_web_form_is_answered_like_an_email(self) -> None:
        """A web form is written and read later, like an email: one day by default."""
        levels = sr.ServiceLevels()
        email = levels.first_response_for(sr.Channel.EMAIL)
        assert email == levels.first_response_for(sr.Channel.WEB_FORM)

    def test_social_leaves_room_before_two_hours(self) -> None:
        """The social target is well inside the two hours social complainants expect."""
        assert sr.ServiceLevels().first_response_for(sr.Channel.SOCIAL) < 2 * HOUR

    def test_other_clocks(self) -> None:
        """Updates every two days, follow-up after three, warnings at half and three quarters."""
        levels = sr.ServiceLevels()
        assert (2 * DAY, 3 * DAY, (0.5, 0.75), None) == (
            levels.update_interval,
            levels.follow_up_delay,
            levels.warning_fractions,
            levels.calendar,
        )

    def test_the_default_policy_carries_them(self) -> None:
        """RecoveryPolicy holds default service levels unless told otherwise."""
        assert sr.ServiceLevels() == sr.RecoveryPolicy().service_levels


class TestChanging:
    def test_a_channel_left_out_keeps_its_default(self) -> None:
        """Setting one channel's target leaves the others as they were."""
        levels = sr.ServiceLevels(first_response={sr.Channel.SOCIAL: 30 * MINUTE})
        assert 30 * MINUTE == levels.first_response_for(sr.Channel.SOCIAL)
        assert FIRST_RESPONSE_TARGETS[sr.Channel.EMAIL] == levels.first_response_for(
            sr.Channel.EMAIL
        )

    def test_channels_named_in_text(self) -> None:
        """Channels may be named by their value, as a file would."""
        levels = sr.ServiceLevels(first_response={"email": 8 * HOUR})
        assert 8 * HOUR == levels.first_response_for(sr.Channel.EMAIL)

    def test_fractions_given_as_a_list(self) -> None:
        """A list of warning fractions is kept as a tuple."""
        assert (0.9,) == sr.ServiceLevels(warning_fractions=[0.9]).warning_fractions

    def test_targets_cannot_be_changed_in_place(self) -> None:
        """The targets are a read-only mapping."""
        levels = sr.ServiceLevels()
        with pytest.raises(TypeError):
            levels.first_response[sr.Channel.SOCIAL] = MINUTE  # type: ignore[index]

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"first_response": {sr.Channel.SOCIAL: timedelta(0)}}, "first_response.social"),
            ({"first_response": {"fax": HOUR}}, "'fax' is not a channel"),
            ({"first_response": {sr.Channel.CHAT: 5}}, "first_response.chat"),
            ({"first_response": [HOUR]}, "expected a mapping"),
            ({"update_interval": -HOUR}, "update_interval"),
            ({"follow_up_delay": 3}, "follow_up_delay"),
            ({"warning_fractions": (0.75, 0.5)}, "rising fractions"),
            ({"warning_fractions": (0.5, 1.0)}, "rising fractions"),
            ({"warning_fractions": (0.5, 0.5)}, "rising fractions"),
            ({"warning_fractions": "half"}, "rising fractions"),
            ({"calendar": "office hours"}, "expected a BusinessCalendar"),
        ],
    )
    def test_bad_levels_are_refused(self, changes: dict[str, object], problem: str) -> None:
        """Each malformed setting raises InvalidPolicy naming it."""
        with pytest.raises(sr.InvalidPolicy) as refused:
            sr.ServiceLevels(**changes)  # type: ignore[arg-type]
        assert any(problem in line for line in refused.value.problems), refused.value.problems

    def test_every_bad_channel_at_once(self) -> None:
        """Every bad channel target is listed in one error."""
        with pytest.raises(sr.InvalidPolicy) as refused:
            sr.ServiceLevels(first_response={"fax": HOUR, sr.Channel.EMAIL: -HOUR})
        assert 2 == len(refused.value.problems)

    def test_a_policy_refuses_something_else(self) -> None:
        """A policy's service_levels must be a ServiceLevels."""
        with pytest.raises(sr.InvalidPolicy, match="service_levels"):
            sr.RecoveryPolicy(service_levels={"social": HOUR})  # type: ignore[arg-type]


class TestPolicyOverride:
    def test_first_response_target_can_be_overridden(self) -> None:
        """A policy subclass can give some cases a tighter first-response target."""

        class VipPolicy(sr.RecoveryPolicy):
            def first_response_target(self, case: sr.Case) -> timedelta:
                if case.customer.id.startswith("vip-"):
                    return 10 * MINUTE
                return super().first_response_target(case)

        workflow = sr.Workflow(VipPolicy())
        regular = open_case(workflow)
        vip = workflow.open(
            customer=sr.Customer("vip-7"),
            channel=sr.Channel.SOCIAL,
            severity=sr.Severity.MINOR,
            summary="Late",
            at=T0,
        )
        (regular_first,) = workflow.deadlines(regular, now=T0)
        (vip_first,) = workflow.deadlines(vip, now=T0)
        assert T0 + HOUR == regular_first.due_at
        assert T0 + 10 * MINUTE == vip_first.due_at

    def test_evolved_levels_take_effect(self) -> None:
        """attrs.evolve on a policy's service levels changes the deadlines it computes."""
        policy = sr.RecoveryPolicy()
        quick = attrs.evolve(
            policy,
            service_levels=sr.ServiceLevels(first_response={sr.Channel.SOCIAL: 15 * MINUTE}),
        )
        workflow = sr.Workflow(quick)
        (first,) = workflow.deadlines(open_case(workflow), now=T0)
        assert T0 + 15 * MINUTE == first.due_at
