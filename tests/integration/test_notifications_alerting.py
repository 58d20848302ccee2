"""Alerts through the real app to a local webhook (Apprise `json://`): what is sent, and when not.

Health transitions are driven by "check now" against targets on loopback (the background
engine is off, so every check is one the test made); operations run on the demo fleet.
`settle()` waits until alerting has handled what the bus holds and every queued delivery has
ended, so "nothing was sent" is checked after the app has finished deciding, not after a sleep.
"""

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from envdeck.config import Settings, load_settings
from envdeck.domain.clock import utc_now
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.live_app import Account, LiveApp, set_up_admin
from tests.support.operations import FINISHED, fleet_environment
from tests.support.receiver import Received, Receiver
from tests.support.targets import Target

fleet = fleet_fixture(transition_seconds=1.0)

WAIT = 20.0


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


class Deck:
    """A running Envdeck with its admin, and helpers that speak its API."""

    def __init__(self, app: LiveApp, admin: Account) -> None:
        self.app = app
        self.client = httpx.Client(
            base_url=app.url, headers={"Authorization": f"Bearer {admin.token}"}, timeout=30
        )

    def post(self, path: str, body: Any = None) -> dict[str, Any]:
        response = self.client.post(f"/api/v1{path}", json=body)
        assert response.status_code in (200, 201, 202), response.text
        data: dict[str, Any] = response.json()
        return data

    def environment(self, name: str, endpoint: str, **extra: Any) -> str:
        body = {
            "name": name,
            "tags": ["prod"],
            "healthCheck": {"enabled": True, "endpoint": endpoint, "interval": 60, "timeout": 2},
            **extra,
        }
        return str(self.post("/environments", body)["id"])

    def channel(self, url: str, **extra: Any) -> dict[str, Any]:
        body = {
            "name": extra.pop("name", "hook"),
            "url": url,
            "events": [
                "environment.unhealthy",
                "environment.recovered",
                "operation.failed",
                "operation.succeeded",
                "version.changed",
            ],
            "scope": {"kind": "all"},
            **extra,
        }
        return self.post("/notifications/channels", body)

    def check(self, environment_id: str) -> str:
        return str(self.post(f"/environments/{environment_id}/check-health")["health"])

    def settle(self) -> None:
        self.app.run(self.app.services.notifications.settle()).result(timeout=WAIT)

    def entries(self, action: str) -> list[dict[str, Any]]:
        response = self.client.get("/api/v1/logs", params={"action": action, "limit": 100})
        assert response.status_code == 200, response.text
        logs: list[dict[str, Any]] = response.json()["logs"]
        return logs

    def wait_for_entries(self, action: str, count: int) -> list[dict[str, Any]]:
        deadline = time.monotonic() + WAIT
        while len(entries := self.entries(action)) < count:
            assert time.monotonic() < deadline, f"{action}: {len(entries)} of {count}"
            time.sleep(0.05)
        return entries


@pytest.fixture
def start_deck(tmp_path: Path) -> Iterator[Callable[..., Deck]]:
    apps: list[LiveApp] = []

    def start(**environ: str) -> Deck:
        base = {
            "ENVDECK_DATA_DIR": str(tmp_path / f"data{len(apps)}"),
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            "ENVDECK_HEALTH__ENABLED": "false",
            "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
            "ENVDECK_NOTIFICATIONS__RETRY_BASE_DELAY": "100ms",
            "ENVDECK_NOTIFICATIONS__SEND_TIMEOUT": "3s",
            "ENVDECK_SERVER__PUBLIC_URL": "https://envdeck.example.com/",
        }
        settings: Settings = load_settings(environ=base | environ)
        app = LiveApp(settings).start()
        apps.append(app)
        return Deck(app, set_up_admin(app))

    yield start
    for app in apps:
        app.stop()


def at(receiver: Receiver, path: str) -> list[Received]:
    return [message for message in receiver.messages if message.path == path]


def titles(receiver: Receiver, path: str) -> list[str]:
    return [message.title for message in at(receiver, path)]


def wait_for_titles(receiver: Receiver, path: str, count: int) -> list[str]:
    deadline = time.monotonic() + WAIT
    while len(found := titles(receiver, path)) < count:
        assert time.monotonic() < deadline, f"expected {count} messages, got {found}"
        time.sleep(0.05)
    return found


class TestTransitions:
    def test_one_message_per_transition_with_what_where_since_and_a_link(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck()
        deck.channel(receiver.apprise_url("/transitions"))
        env = deck.environment("shop-prod", target.reply("/shop", status=200))

        deck.check(env)  # unknown → healthy: nothing to say
        target.reply("/shop", status=503, json_body={"status": "down"})
        deck.check(env)
        deck.check(env)  # still unhealthy: said already
        target.reply("/shop", status=200)
        deck.check(env)
        deck.check(env)
        deck.settle()

        messages = at(receiver, "/transitions")
        assert [m.title for m in messages] == [
            "[Envdeck] shop-prod is unhealthy",
            "[Envdeck] shop-prod recovered",
        ]
        unhealthy, recovered = messages
        assert "unhealthy since" in unhealthy.message
        assert "503" in unhealthy.message
        assert f"https://envdeck.example.com/environments/{env}" in unhealthy.message
        assert unhealthy.type == "failure"
        assert "healthy again since" in recovered.message
        assert recovered.type == "success"
        assert len(deck.wait_for_entries("notification_sent", 2)) == 2

    def test_a_channel_gets_its_messages_in_order_even_when_one_is_slow(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck()
        deck.channel(receiver.apprise_url("/ordered"))
        env = deck.environment("search-qa", target.reply("/search", status=200))
        deck.check(env)

        receiver.delay_next(1.0)  # "unhealthy" is answered late; "recovered" must wait for it
        target.reply("/search", status=503)
        deck.check(env)
        target.reply("/search", status=200)
        deck.check(env)
        deck.settle()

        assert titles(receiver, "/ordered") == [
            "[Envdeck] search-qa is unhealthy",
            "[Envdeck] search-qa recovered",
        ]

    def test_channels_get_only_their_events_and_scope(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck()
        deck.channel(
            receiver.apprise_url("/recoveries"), name="r", events=["environment.recovered"]
        )
        deck.channel(
            receiver.apprise_url("/qa-only"), name="qa", scope={"kind": "tags", "tags": ["qa"]}
        )
        deck.channel(receiver.apprise_url("/disabled"), name="off", enabled=False)
        deck.channel(receiver.apprise_url("/everything"), name="all")
        env = deck.environment("billing", target.reply("/billing", status=503))

        deck.check(env)
        target.reply("/billing", status=200)
        deck.check(env)
        deck.settle()

        assert titles(receiver, "/recoveries") == ["[Envdeck] billing recovered"]
        assert titles(receiver, "/qa-only") == []
        assert titles(receiver, "/disabled") == []
        assert len(titles(receiver, "/everything")) == 2

    def test_a_version_change_is_announced_once(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck()
        deck.channel(receiver.apprise_url("/versions"), events=["version.changed"])
        endpoint = target.reply("/versioned", json_body={"status": "ok", "version": "1.0.0"})
        env = deck.environment(
            "search",
            endpoint,
            healthCheck={
                "enabled": True,
                "endpoint": endpoint,
                "interval": 60,
                "timeout": 2,
                "versionJsonPath": "$.version",
            },
        )

        deck.check(env)  # the first version seen is no change
        target.reply("/versioned", json_body={"status": "ok", "version": "1.1.0"})
        deck.check(env)
        deck.check(env)
        deck.settle()

        messages = at(receiver, "/versions")
        assert [m.title for m in messages] == ["[Envdeck] search now runs 1.1.0"]
        assert "was 1.0.0" in messages[0].message


class TestMaintenance:
    def test_nothing_is_sent_during_a_window_and_checks_are_still_recorded(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck()
        deck.channel(receiver.apprise_url("/window"))
        env = deck.environment("shop-qa", target.reply("/window-env", status=200))
        deck.check(env)
        now = utc_now()
        deck.post(
            "/maintenance-windows",
            {
                "name": "patching",
                "kind": "one-off",
                "start": (now - timedelta(minutes=1)).isoformat(),
                "end": (now + timedelta(hours=1)).isoformat(),
                "scope": {"environmentIds": [env]},
            },
        )

        target.reply("/window-env", status=503)
        deck.check(env)
        target.reply("/window-env", status=200)
        deck.check(env)
        target.reply("/window-env", status=503)
        deck.check(env)
        deck.settle()
        deck.app.run(deck.app.services.notifications.alerting.run_once()).result(timeout=WAIT)
        deck.settle()

        assert titles(receiver, "/window") == []
        transitions = [e for e in deck.entries("check_health") if e["environmentId"] == env]
        assert len(transitions) == 4  # unknown→healthy, then three transitions, all recorded

    def test_still_unhealthy_after_a_window_is_announced_once_at_the_next_check(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck()
        deck.channel(receiver.apprise_url("/window-end"))
        env = deck.environment("shop-uat", target.reply("/window-end-env", status=200))
        deck.check(env)
        end = utc_now() + timedelta(seconds=4)
        deck.post(
            "/maintenance-windows",
            {
                "name": "short",
                "kind": "one-off",
                "start": (end - timedelta(minutes=5)).isoformat(),
                "end": end.isoformat(),
                "scope": {"tags": ["prod"]},
            },
        )
        target.reply("/window-end-env", status=503)
        deck.check(env)
        deck.settle()
        assert titles(receiver, "/window-end") == []

        while utc_now() < end + timedelta(seconds=1.5):  # the window ends; the tick sees it
            time.sleep(0.1)
        deck.check(env)  # still unhealthy: the first check after the window decides

        assert wait_for_titles(receiver, "/window-end", 1) == ["[Envdeck] shop-uat is unhealthy"]
        deck.check(env)
        deck.settle()
        assert len(titles(receiver, "/window-end")) == 1


class TestOperations:
    def test_a_restart_and_its_verification_are_quiet_and_its_success_is_sent(
        self, start_deck: Callable[..., Deck], receiver: Receiver, fleet: FleetProcess
    ) -> None:
        deck = start_deck()
        deck.channel(receiver.apprise_url("/restart"))
        env = deck.post("/environments", fleet_environment(fleet, "shop-qa"))["id"]
        assert deck.check(env) == "healthy"
        fleet.configure("shop-qa", restartDownSeconds=2)

        operation = deck.post(f"/environments/{env}/restart")["operationId"]
        wait_until(lambda: fleet.state("shop-qa")["busy"] == "restarting")
        assert deck.check(env) == "unhealthy"  # down while it restarts
        finished = wait_for_operation(deck, operation)
        assert finished["status"] == "succeeded"
        assert deck.check(env) == "healthy"
        deck.settle()
        deck.app.run(deck.app.services.notifications.alerting.run_once()).result(timeout=WAIT)
        deck.settle()

        messages = at(receiver, "/restart")
        assert [m.title for m in messages] == ["[Envdeck] restart of shop-qa succeeded"]
        assert "Requested by admin" in messages[0].message
        assert f"https://envdeck.example.com/environments/{env}" in messages[0].message

    def test_a_failed_restart_is_sent_and_its_outage_is_not_announced_twice(
        self, start_deck: Callable[..., Deck], receiver: Receiver, fleet: FleetProcess
    ) -> None:
        deck = start_deck()
        deck.channel(receiver.apprise_url("/failed-restart"))
        env = deck.post("/environments", fleet_environment(fleet, "billing-dev"))["id"]
        assert deck.check(env) == "healthy"

        operation = deck.post(f"/environments/{env}/restart")["operationId"]
        wait_until(lambda: fleet.state("billing-dev")["busy"] == "restarting")
        fleet.set_behaviour("billing-dev", "down")  # it does not come back
        assert deck.check(env) == "unhealthy"
        assert wait_for_operation(deck, operation)["status"] == "failed"  # verification: 10 s
        assert deck.check(env) == "unhealthy"  # still down after the operation failed
        deck.settle()
        deck.app.run(deck.app.services.notifications.alerting.run_once()).result(timeout=WAIT)
        deck.settle()
        assert titles(receiver, "/failed-restart") == ["[Envdeck] restart of billing-dev failed"]

        fleet.set_behaviour("billing-dev", "healthy")
        assert deck.check(env) == "healthy"
        assert wait_for_titles(receiver, "/failed-restart", 2)[1] == (
            "[Envdeck] billing-dev recovered"
        )


class TestReminders:
    def test_reminders_follow_at_the_interval_until_it_recovers(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck(ENVDECK_NOTIFICATIONS__REMINDER_INTERVAL="1s")
        deck.channel(receiver.apprise_url("/reminders"))
        env = deck.environment("search-qa", target.reply("/reminded", status=503))

        deck.check(env)
        found = wait_for_titles(receiver, "/reminders", 3)
        target.reply("/reminded", status=200)
        deck.check(env)
        deck.settle()

        assert found[:3] == [
            "[Envdeck] search-qa is unhealthy",
            "[Envdeck] search-qa is still unhealthy",
            "[Envdeck] search-qa is still unhealthy",
        ]
        reminders = [m for m in at(receiver, "/reminders") if "still" in m.title]
        assert "still unhealthy, since" in reminders[0].message
        recovered = wait_for_titles(receiver, "/reminders", len(found) + 1)
        assert recovered[-1] == "[Envdeck] search-qa recovered"
        sent = len(recovered)
        time.sleep(2.5)  # two more intervals: no reminder for a healthy environment
        deck.settle()
        assert len(titles(receiver, "/reminders")) == sent
        entry = next(e for e in deck.entries("notification_sent") if e["details"].get("reminder"))
        assert entry["details"]["event"] == "environment.unhealthy"


class TestFlapDamping:
    def test_one_pair_per_window_then_the_state_at_its_end(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck(ENVDECK_NOTIFICATIONS__FLAP_WINDOW="6s")
        deck.channel(receiver.apprise_url("/flaps"))
        env = deck.environment("billing-qa", target.reply("/flapping", status=200))
        deck.check(env)

        for status in (503, 200, 503, 200, 503):
            target.reply("/flapping", status=status)
            deck.check(env)
        deck.settle()
        within = titles(receiver, "/flaps")

        assert within == ["[Envdeck] billing-qa is unhealthy", "[Envdeck] billing-qa recovered"]
        after = wait_for_titles(receiver, "/flaps", 3)
        assert after[2] == "[Envdeck] billing-qa is unhealthy"
        deck.settle()
        assert len(titles(receiver, "/flaps")) == 3


class TestDelivery:
    def test_a_receiver_failing_twice_gets_the_third_attempt_and_one_entry(
        self, start_deck: Callable[..., Deck], receiver: Receiver, target: Target
    ) -> None:
        deck = start_deck()
        channel = deck.channel(receiver.apprise_url("/retried"))
        env = deck.environment("shop-dev", target.reply("/retry-env", status=503))
        receiver.fail_next(2)

        deck.check(env)
        deck.settle()

        requests = [r for r in receiver.requests if r.path == "/retried"]
        assert [r.status for r in requests] == [500, 500, 200]
        assert len({r.message for r in requests}) == 1  # the same message each time
        sent = deck.wait_for_entries("notification_sent", 1)
        assert len(sent) == 1
        assert sent[0]["details"]["attempts"] == 3
        assert sent[0]["environmentId"] == env
        assert deck.entries("notification_failed") == []
        stored = deck.client.get(f"/api/v1/notifications/channels/{channel['id']}").json()
        assert stored["lastDelivery"]["status"] == "sent"
        assert stored["lastDelivery"]["attempts"] == 3
        assert stored["lastDelivery"]["event"] == "environment.unhealthy"

    def test_a_receiver_that_is_down_ends_in_one_failure_entry(
        self, start_deck: Callable[..., Deck], target: Target
    ) -> None:
        down = Receiver().start()
        try:
            deck = start_deck()
            channel = deck.channel(down.apprise_url("/hooks/d0wn-s3cret"))
            env = deck.environment("search-dev", target.reply("/down-env", status=503))
            down.go_down()

            deck.check(env)
            deck.settle()

            failed = deck.wait_for_entries("notification_failed", 1)
            assert len(failed) == 1
            entry = failed[0]
            assert entry["type"] == "error"
            assert entry["level"] == "error"
            assert entry["details"]["attempts"] == 3
            assert entry["details"]["channel"] == "hook"
            assert entry["details"]["service"] == "json"
            assert "d0wn-s3cret" not in str(entry)
            assert (
                "refused" in entry["details"]["error"] or "onnection" in entry["details"]["error"]
            )
            assert deck.entries("notification_sent") == []
            stored = deck.client.get(f"/api/v1/notifications/channels/{channel['id']}").json()
            assert stored["lastDelivery"]["status"] == "failed"
            assert "d0wn-s3cret" not in str(stored)
            metrics = deck.client.get("/metrics").text
            assert 'envdeck_notification_deliveries_total{result="failed"} 1.0' in metrics
        finally:
            down.stop()


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def wait_for_operation(deck: Deck, operation_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT * 2
    while True:
        operation: dict[str, Any] = deck.client.get(f"/api/v1/operations/{operation_id}").json()
        if operation["status"] in FINISHED:
            return operation
        assert time.monotonic() < deadline, operation
        time.sleep(0.05)
