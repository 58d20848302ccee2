"""GET /system/instances: the instance registry as admins read it, over the real app."""

import os
from datetime import timedelta

from envdeck import __version__
from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.instance import Instance
from envdeck.services.container import Services
from tests.integration.conftest import Personas

URL = "/api/v1/system/instances"


def services_of(personas: Personas) -> Services:
    services: Services = personas.client.app.state.services  # type: ignore[attr-defined]
    return services


def record(personas: Personas, *, seen_ago: timedelta, stopped: bool = False) -> Instance:
    """Store another instance's record, last seen `seen_ago`."""
    now = utc_now()
    instance = Instance(
        id=new_id(),
        host="envdeck-2.internal",
        pid=31337,
        version="0.9.0",
        backend="sqlite",
        started_at=now - seen_ago - timedelta(minutes=5),
        last_seen=now - seen_ago,
    )
    repository = services_of(personas).storage.instances
    portal = personas.client.portal
    assert portal is not None
    portal.call(repository.upsert_heartbeat, instance)
    if stopped:
        portal.call(repository.mark_stopped, instance.id, now - seen_ago)
    return instance


def test_refuses_anonymous_callers(personas: Personas) -> None:
    response = personas.client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_refuses_users_and_viewers(personas: Personas) -> None:
    for persona in (personas.operator, personas.viewer):
        response = personas.client.get(URL, headers=persona.headers())
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"


def test_lists_this_instance_live_with_its_pid_and_version(personas: Personas) -> None:
    response = personas.client.get(URL, headers=personas.admin.headers())

    assert response.status_code == 200
    body = response.json()
    [me] = body["instances"]
    assert body["self"] == me["id"] == services_of(personas).instance_registry.instance_id
    # Alone on SQLite: no work shared, no shards counted.
    assert body["cluster"] is False
    assert me["healthShards"] is None
    assert set(me) == {
        "id",
        "host",
        "pid",
        "version",
        "backend",
        "startedAt",
        "lastSeen",
        "stoppedAt",
        "status",
        "healthShards",
    }
    assert me["pid"] == os.getpid()
    assert me["version"] == __version__
    assert me["backend"] == "sqlite"
    assert me["host"]
    assert me["status"] == "live"
    assert me["stoppedAt"] is None
    assert me["startedAt"] <= me["lastSeen"]


def test_lists_stopped_and_lost_instances_of_the_last_day_only(personas: Personas) -> None:
    stopped = record(personas, seen_ago=timedelta(minutes=1), stopped=True)
    lost = record(personas, seen_ago=timedelta(hours=2))
    record(personas, seen_ago=timedelta(hours=25))

    response = personas.client.get(URL, headers=personas.admin.headers())

    statuses = {i["id"]: i["status"] for i in response.json()["instances"]}
    me = services_of(personas).instance_registry.instance_id
    assert statuses == {me: "live", stopped.id: "stopped", lost.id: "lost"}
    by_id = {i["id"]: i for i in response.json()["instances"]}
    assert by_id[stopped.id]["stoppedAt"] == by_id[stopped.id]["lastSeen"]
    assert by_id[lost.id]["pid"] == 31337
