"""/api/v1/notifications: channels CRUD (admins only), their test message, the event list."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from envdeck.services.notifications.delivery import channel_url_context
from tests.integration.conftest import Personas
from tests.support.receiver import Receiver
from tests.support.server import free_port

CHANNELS = "/api/v1/notifications/channels"
SECRET = "s3cr3t-7d1f9a"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def channel_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ops hook",
        "url": f"json://127.0.0.1:{free_port()}/hooks/{SECRET}",
        "events": ["environment.unhealthy", "environment.recovered"],
        "scope": {"kind": "all"},
    }
    return body | overrides


def create(personas: Personas, **overrides: Any) -> dict[str, Any]:
    response = personas.client.post(
        CHANNELS, json=channel_body(**overrides), headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


class TestAccess:
    def test_anonymous_callers_are_unauthorized(self, personas: Personas) -> None:
        assert personas.client.get(CHANNELS).status_code == 401
        assert personas.client.post(CHANNELS, json=channel_body()).status_code == 401

    @pytest.mark.parametrize("who", ["viewer", "operator"])
    def test_viewers_and_users_are_forbidden_everywhere(self, personas: Personas, who: str) -> None:
        headers = getattr(personas, who).headers()
        channel = create(personas)
        calls = [
            ("GET", CHANNELS, None),
            ("POST", CHANNELS, channel_body(name="other")),
            ("GET", f"{CHANNELS}/{channel['id']}", None),
            ("PATCH", f"{CHANNELS}/{channel['id']}", {"enabled": False}),
            ("DELETE", f"{CHANNELS}/{channel['id']}", None),
            ("POST", f"{CHANNELS}/{channel['id']}/test", None),
            ("GET", "/api/v1/notifications/events", None),
        ]
        for method, url, body in calls:
            response = personas.client.request(method, url, json=body, headers=headers)
            assert response.status_code == 403, (method, url, response.text)
            assert response.json()["error"]["code"] == "FORBIDDEN"


class TestValidation:
    def test_unknown_channels_are_not_found(self, personas: Personas) -> None:
        missing = f"{CHANNELS}/6b05a2c33c0ca6934944ef1e"
        headers = personas.admin.headers()

        for method in ("GET", "PATCH", "DELETE"):
            body: dict[str, Any] | None = {} if method == "PATCH" else None
            response = personas.client.request(method, missing, json=body, headers=headers)
            assert response.status_code == 404, (method, response.text)
            assert response.json()["error"]["code"] == "NOT_FOUND"
        response = personas.client.post(f"{missing}/test", headers=headers)
        assert response.status_code == 404

    @pytest.mark.parametrize(
        "url",
        ["not a url", "nosuchservice://host/path", "slack://tooshort", "json://", ""],
    )
    def test_urls_apprise_refuses_are_422_without_echoing_them(
        self, personas: Personas, url: str
    ) -> None:
        response = personas.client.post(
            CHANNELS, json=channel_body(url=url), headers=personas.admin.headers()
        )

        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert "url" in error["message"]
        if url not in ("", "json://"):  # (the message's own examples start so)
            assert url not in response.text

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"events": []}, "events"),
            ({"events": ["environment.exploded"]}, "events"),
            ({"scope": {"kind": "tags", "tags": []}}, "scope"),
            ({"scope": {"kind": "environments", "environmentIds": ["nope"]}}, "scope"),
            ({"scope": {"kind": "everywhere"}}, "scope"),
            ({"unknown": 1}, "unknown"),
        ],
    )
    def test_invalid_fields_are_422(
        self, personas: Personas, overrides: dict[str, Any], field: str
    ) -> None:
        response = personas.client.post(
            CHANNELS, json=channel_body(**overrides), headers=personas.admin.headers()
        )

        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["message"]

    def test_a_duplicate_name_is_409(self, personas: Personas) -> None:
        create(personas, name="pager")
        other = create(personas, name="mail")

        duplicate = personas.client.post(
            CHANNELS, json=channel_body(name="pager"), headers=personas.admin.headers()
        )
        rename = personas.client.patch(
            f"{CHANNELS}/{other['id']}", json={"name": "pager"}, headers=personas.admin.headers()
        )

        assert duplicate.status_code == 409, duplicate.text
        assert rename.status_code == 409, rename.text
        assert duplicate.json()["error"]["details"] == {"field": "name"}

    def test_a_patch_with_a_refused_url_changes_nothing(self, personas: Personas) -> None:
        channel = create(personas)

        response = personas.client.patch(
            f"{CHANNELS}/{channel['id']}",
            json={"url": "nosuchservice://x", "name": "renamed"},
            headers=personas.admin.headers(),
        )

        assert response.status_code == 422
        stored = personas.client.get(
            f"{CHANNELS}/{channel['id']}", headers=personas.admin.headers()
        )
        assert stored.json()["name"] == "Ops hook"


class TestChannels:
    def test_create_returns_the_channel_without_its_url(self, personas: Personas) -> None:
        created = create(
            personas,
            scope={"kind": "tags", "tags": ["prod", "prod"]},
            events=["operation.failed", "operation.failed", "version.changed"],
        )

        assert set(created) == {
            "id",
            "name",
            "service",
            "events",
            "scope",
            "enabled",
            "createdBy",
            "createdAt",
            "updatedAt",
            "lastDelivery",
        }
        assert created["service"] == "json"
        assert created["events"] == ["operation.failed", "version.changed"]
        assert created["scope"] == {"kind": "tags", "tags": ["prod"], "environmentIds": []}
        assert created["enabled"] is True
        assert created["createdBy"]["username"] == "admin"
        assert created["lastDelivery"] is None
        assert SECRET not in str(created)

    def test_the_url_is_stored_sealed(self, personas: Personas) -> None:
        created = create(personas)
        services = personas.client.app.state.services  # type: ignore[attr-defined]

        stored = personas.client.portal.call(  # type: ignore[union-attr]
            services.storage.notification_channels.get_by_id, created["id"]
        )

        assert stored.url.startswith("enc:v2:")
        assert SECRET not in stored.url
        assert SECRET in services.box.open(stored.url, channel_url_context(stored.id))

    def test_list_get_patch_and_delete(self, personas: Personas) -> None:
        headers = personas.admin.headers()
        first = create(personas, name="b-hook")
        create(personas, name="a-hook", enabled=False)

        listed = personas.client.get(CHANNELS, headers=headers).json()
        enabled = personas.client.get(f"{CHANNELS}?enabled=true", headers=headers).json()
        patched = personas.client.patch(
            f"{CHANNELS}/{first['id']}",
            json={"events": ["version.changed"], "enabled": False},
            headers=headers,
        )
        deleted = personas.client.delete(f"{CHANNELS}/{first['id']}", headers=headers)
        gone = personas.client.get(f"{CHANNELS}/{first['id']}", headers=headers)

        assert [c["name"] for c in listed["channels"]] == ["a-hook", "b-hook"]
        assert listed["pagination"] == {"page": 1, "limit": 20, "total": 2, "totalPages": 1}
        assert [c["name"] for c in enabled["channels"]] == ["b-hook"]
        assert patched.status_code == 200, patched.text
        assert patched.json()["events"] == ["version.changed"]
        assert patched.json()["enabled"] is False
        assert patched.json()["service"] == "json"
        assert deleted.status_code == 204
        assert gone.status_code == 404

    def test_patch_without_url_keeps_it_and_with_one_replaces_it(
        self, personas: Personas, receiver: Receiver
    ) -> None:
        headers = personas.admin.headers()
        channel = create(personas, url=receiver.apprise_url("/hooks/first"))
        url = f"{CHANNELS}/{channel['id']}"

        personas.client.patch(url, json={"name": "kept", "url": ""}, headers=headers)
        personas.client.patch(url, json={"url": "********"}, headers=headers)
        personas.client.post(f"{url}/test", headers=headers)
        personas.client.patch(
            url, json={"url": receiver.apprise_url("/hooks/second")}, headers=headers
        )
        personas.client.post(f"{url}/test", headers=headers)

        paths = [message.path for message in receiver.wait_for(2)[-2:]]
        assert paths == ["/hooks/first", "/hooks/second"]

    def test_events_are_listed_with_descriptions(self, personas: Personas) -> None:
        response = personas.client.get(
            "/api/v1/notifications/events", headers=personas.admin.headers()
        )

        assert response.status_code == 200
        events = response.json()["events"]
        assert [e["name"] for e in events] == [
            "environment.unhealthy",
            "environment.recovered",
            "operation.failed",
            "operation.succeeded",
            "version.changed",
            "reservation.expiring",
            "reservation.ended",
            "reservation.broken",
            "environment.free",
            "promotion.awaiting_approval",
            "promotion.succeeded",
            "promotion.failed",
        ]
        assert all(e["description"] for e in events)

    def test_changes_are_in_the_activity_log_without_the_url(self, personas: Personas) -> None:
        channel = create(personas)
        personas.client.patch(
            f"{CHANNELS}/{channel['id']}",
            json={"url": f"json://127.0.0.1:{free_port()}/{SECRET}-2"},
            headers=personas.admin.headers(),
        )
        personas.client.delete(f"{CHANNELS}/{channel['id']}", headers=personas.admin.headers())

        entries = wait_for_entries(personas, "notification_channel_", 3)

        assert [e["action"] for e in entries] == [
            "notification_channel_delete",
            "notification_channel_update",
            "notification_channel_create",
        ]
        assert entries[1]["details"]["changed"] == ["url"]
        assert entries[0]["details"]["service"] == "json"
        assert SECRET not in str(entries)


class TestTestMessage:
    def test_a_test_message_is_sent_and_stored_as_the_last_delivery(
        self, personas: Personas, receiver: Receiver
    ) -> None:
        channel = create(personas, name="Test me", url=receiver.apprise_url("/hooks/test"))
        before = len(receiver.messages)

        response = personas.client.post(
            f"{CHANNELS}/{channel['id']}/test", headers=personas.admin.headers()
        )

        assert response.status_code == 200, response.text
        result = response.json()
        assert set(result) == {"at", "event", "status", "attempts", "error"}
        assert result["event"] == "test"
        assert result["status"] == "sent"
        assert result["attempts"] == 1
        assert result["error"] is None
        message = receiver.wait_for(before + 1)[-1]
        assert message.path == "/hooks/test"
        assert "Test notification" in message.title
        assert "Test me" in message.message
        stored = personas.client.get(
            f"{CHANNELS}/{channel['id']}", headers=personas.admin.headers()
        ).json()
        assert stored["lastDelivery"]["status"] == "sent"
        assert stored["lastDelivery"]["event"] == "test"
        entry = wait_for_entries(personas, "notification_sent", 1)[0]
        assert entry["username"] == "admin"
        assert entry["details"]["channel"] == "Test me"

    def test_a_failed_test_says_why_without_the_url(self, personas: Personas) -> None:
        channel = create(personas, url=f"json://127.0.0.1:{free_port()}/hooks/{SECRET}")

        response = personas.client.post(
            f"{CHANNELS}/{channel['id']}/test", headers=personas.admin.headers()
        )

        result = response.json()
        assert response.status_code == 200
        assert result["status"] == "failed"
        assert result["attempts"] == 1
        assert "Connection" in result["error"] or "refused" in result["error"]
        assert SECRET not in result["error"]
        assert "127.0.0.1" not in result["error"]
        entry = wait_for_entries(personas, "notification_failed", 1)[0]
        assert entry["type"] == "error"
        assert SECRET not in str(entry)


def wait_for_entries(personas: Personas, action: str, count: int) -> list[dict[str, Any]]:
    """Return the newest activity entries whose action starts with action, once count exist."""
    deadline = time.monotonic() + 10
    while True:
        response = personas.client.get("/api/v1/logs?limit=100", headers=personas.admin.headers())
        entries = [e for e in response.json()["logs"] if e["action"].startswith(action)]
        if len(entries) >= count or time.monotonic() > deadline:
            assert len(entries) >= count, entries
            return entries
        time.sleep(0.05)
