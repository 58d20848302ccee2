"""Pure parts of notifications: URL masking, scopes, the words of messages, what is wanted."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from envdeck.domain.alerting import AlertState
from envdeck.domain.environment import HealthState
from envdeck.domain.notification import ChannelScope, NotificationChannelSpec, NotificationEvent
from envdeck.services.notifications.alert_state import RECHECK, AlertStates
from envdeck.services.notifications.flap_damping import FlapDamping
from envdeck.services.notifications.messages import Messages, format_duration
from envdeck.services.notifications.reminders import Reminders
from envdeck.services.notifications.sender import mask_url, service_of
from tests.fakes.alerting import FakeAlertStateRepository

ENV = "6b05a2c33c0ca6934944ef1a"
T0 = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)


class TestMasking:
    @pytest.mark.parametrize(
        ("url", "secrets"),
        [
            ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnl", ["T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnl"]),
            ("mailto://ops:hunter22@mail.example.com", ["hunter22", "mail.example.com"]),
            ("json://hooks.example.com:8443/in/s3cr3t?token=abc123", ["s3cr3t", "abc123"]),
            ("discord://4174216/JHMHI8qBe7bk2Z", ["4174216", "JHMHI8qBe7bk2Z"]),
        ],
    )
    def test_every_part_of_the_url_is_masked(self, url: str, secrets: list[str]) -> None:
        text = f"Failed to send to {url}; host {secrets[0].lower()} said no ({secrets[-1]})"

        masked = mask_url(text, url)

        for secret in secrets:
            assert secret.lower() not in masked.lower()
        assert "Failed to send to" in masked

    def test_a_percent_encoded_part_is_masked_in_both_spellings(self) -> None:
        url = "json://host.example.com/p%40ss-word-1"

        masked = mask_url("posting to /p@ss-word-1 and /p%40ss-word-1", url)

        assert "p@ss-word-1" not in masked
        assert "p%40ss-word-1" not in masked

    def test_the_service_is_the_scheme(self) -> None:
        assert service_of("Slack://a/b/c") == "slack"
        assert service_of("mailtos://x") == "mailtos"


class TestScope:
    def test_all_tags_and_environments(self) -> None:
        assert ChannelScope().covers(ENV, [])
        assert ChannelScope(kind="tags", tags=["prod"]).covers(ENV, ["eu", "prod"])
        assert not ChannelScope(kind="tags", tags=["prod"]).covers(ENV, ["qa"])
        assert ChannelScope(kind="environments", environment_ids=[ENV]).covers(ENV, [])
        assert not ChannelScope(kind="environments", environment_ids=[ENV]).covers("x" * 24, [])

    @pytest.mark.parametrize(
        "scope",
        [
            {"kind": "tags"},
            {"kind": "environments"},
            {"kind": "environments", "environmentIds": ["nope"]},
            {"kind": "tags", "tags": ["white space"]},
        ],
    )
    def test_a_scope_that_names_nothing_or_something_invalid_is_refused(
        self, scope: dict[str, object]
    ) -> None:
        with pytest.raises(ValidationError):
            ChannelScope.model_validate(scope)

    def test_names_are_trimmed_and_events_deduplicated(self) -> None:
        spec = NotificationChannelSpec(
            name="  Ops  ",
            events=["version.changed", "version.changed"],  # type: ignore[list-item]
        )

        assert spec.name == "Ops"
        assert spec.events == [NotificationEvent.VERSION_CHANGED]


class TestMessages:
    @pytest.mark.parametrize(
        ("seconds", "text"),
        [(42, "42 s"), (300, "5 min"), (3900, "1 h 5 min"), (7200, "2 h"), (183600, "2 d 3 h")],
    )
    def test_durations_read_naturally(self, seconds: int, text: str) -> None:
        assert format_duration(timedelta(seconds=seconds)) == text

    def test_links_point_at_the_environment_page_only_with_a_public_url(self) -> None:
        with_link = Messages("https://deck.example.com").unhealthy(ENV, "shop", T0, "HTTP 503")
        without = Messages("").unhealthy(ENV, "shop", T0, "HTTP 503")

        assert f"https://deck.example.com/environments/{ENV}" in with_link.body
        assert "Open:" not in without.body
        assert "since 2026-05-01 22:00:00 UTC" in without.body
        assert "HTTP 503" in without.body

    def test_a_reminder_says_for_how_long(self) -> None:
        message = Messages().reminder(ENV, "shop", T0, "", T0 + timedelta(minutes=65))

        assert message.title == "[Envdeck] shop is still unhealthy"
        assert "(1 h 5 min)" in message.body


class TestWanted:
    def test_unhealthy_is_wanted_once_and_recovered_only_after_it(self) -> None:
        state = AlertState(environment_id=ENV, name="shop")

        state.health = HealthState.UNHEALTHY
        assert state.wanted() is NotificationEvent.ENVIRONMENT_UNHEALTHY
        state.announced = HealthState.UNHEALTHY
        assert state.wanted() is None
        state.health = HealthState.HEALTHY
        assert state.wanted() is NotificationEvent.ENVIRONMENT_RECOVERED
        state.health, state.announced = HealthState.UNKNOWN, HealthState.HEALTHY
        assert state.wanted() is None


class TestDue:
    """When the tick must look at a stored state (it reads only the states due)."""

    states = AlertStates(
        FakeAlertStateRepository(),
        Reminders(timedelta(minutes=2)),
        FlapDamping(timedelta(minutes=1)),
    )

    def test_nothing_waiting_is_never_due(self) -> None:
        calm = AlertState(environment_id=ENV, health=HealthState.HEALTHY, quiet_seen_at=T0)

        assert self.states.due_at(calm, T0) is None

    def test_the_next_reminder_or_the_end_of_the_window_whichever_comes_first(self) -> None:
        down = AlertState(
            environment_id=ENV,
            health=HealthState.UNHEALTHY,
            announced=HealthState.UNHEALTHY,
            last_alert_at=T0,
        )
        assert self.states.due_at(down, T0) == T0 + timedelta(minutes=2)

        down.window_start = T0
        assert self.states.due_at(down, T0) == T0 + timedelta(minutes=1)

    def test_an_unhealthy_environment_is_looked_at_again_every_few_minutes(self) -> None:
        states = AlertStates(
            FakeAlertStateRepository(), Reminders(timedelta(0)), FlapDamping(timedelta(0))
        )
        down = AlertState(environment_id=ENV, health=HealthState.UNHEALTHY)

        assert states.due_at(down, T0) == T0 + RECHECK

    def test_a_change_pending_the_end_of_quiet_is_due_at_every_tick(self) -> None:
        pending = AlertState(environment_id=ENV, health=HealthState.UNHEALTHY, pending=True)
        later = T0 + timedelta(seconds=7)

        assert self.states.due_at(pending, T0) == T0
        pending.due_at = T0
        assert self.states.due_at(pending, later) == T0  # still waiting: nothing to rewrite
