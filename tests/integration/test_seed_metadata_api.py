"""The original's SSH settings in `metadata`, sent to the API: stored the Envdeck way.

`password` / `privateKey` become a vault credential the environment references, `hostKey` a
pinned host key, `insecureSkipHostKeyVerification: true` the policy `off`; none of them is
kept, shown or exported as metadata.
"""

from typing import Any

import asyncssh
import httpx
import yaml

from tests.support.live_app import Account, LiveApp, admin_fixture, live_app_fixture

live = live_app_fixture("seed-metadata")
admin = admin_fixture()

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


def api(live: LiveApp, admin: Account, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {admin.token}"} | kwargs.pop("headers", {})
    return httpx.request(method, f"{live.url}/api/v1{path}", headers=headers, **kwargs)


def seed_environment(name: str, metadata: dict[str, Any], kind: str = "password") -> dict[str, Any]:
    return {
        "name": name,
        "target": {"host": "10.0.0.7", "port": 22},
        "credentials": {"type": kind, "username": "deploy"},
        "commands": {
            "type": "ssh",
            "restart": {"enabled": True, "command": "systemctl restart app"},
        },
        "metadata": metadata,
    }


def credential(live: LiveApp, admin: Account, credential_id: str) -> httpx.Response:
    return api(live, admin, "GET", f"/credentials/{credential_id}")


def test_a_password_in_metadata_becomes_a_credential_never_shown(
    live: LiveApp, admin: Account
) -> None:
    metadata = {"password": "hunter2-metadata", "hostKey": HOST_KEY, "team": "qa"}

    created = api(live, admin, "POST", "/environments", json=seed_environment("pw-env", metadata))

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["metadata"] == {"team": "qa"}
    assert body["target"]["hostKeyPolicy"] == "pin"
    assert body["target"]["hostKey"] == HOST_KEY
    stored = credential(live, admin, body["credentials"]["keyId"]).json()
    assert (stored["name"], stored["type"], stored["username"]) == (
        "pw-env ssh",
        "password",
        "deploy",
    )
    exported = api(live, admin, "GET", "/environments/export").text
    listed = api(live, admin, "GET", "/environments").text
    for text in (created.text, exported, listed, str(stored)):
        assert "hunter2-metadata" not in text


def test_a_private_key_and_the_skip_flag_are_moved_on_update(live: LiveApp, admin: Account) -> None:
    created = api(live, admin, "POST", "/environments", json=seed_environment("key-env", {}))
    env_id = created.json()["id"]
    key = asyncssh.generate_private_key("ssh-ed25519").export_private_key("openssh").decode()
    metadata = {"privateKey": key, "insecureSkipHostKeyVerification": True}

    replaced = api(
        live,
        admin,
        "PUT",
        f"/environments/{env_id}",
        json=seed_environment("key-env", metadata, "key"),
    )

    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert body["metadata"] == {}
    assert body["target"]["hostKeyPolicy"] == "off"
    stored = credential(live, admin, body["credentials"]["keyId"]).json()
    assert stored["type"] == "key"
    assert stored["fingerprint"].startswith("SHA256:")
    assert "PRIVATE KEY" not in replaced.text + str(stored)


def test_a_private_key_that_does_not_open_is_a_422(live: LiveApp, admin: Account) -> None:
    config = seed_environment("bad-key", {"privateKey": "not a key"}, "key")

    response = api(live, admin, "POST", "/environments", json=config)

    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("metadata.privateKey: ")
    names = [c["name"] for c in api(live, admin, "GET", "/credentials").json()["credentials"]]
    assert "bad-key ssh" not in names


def test_deleting_the_environment_deletes_the_credential_made_from_its_metadata(
    live: LiveApp, admin: Account
) -> None:
    config = seed_environment("gone-env", {"password": "temporary-pass-1"})
    created = api(live, admin, "POST", "/environments", json=config).json()

    deleted = api(live, admin, "DELETE", f"/environments/{created['id']}")

    assert deleted.status_code == 204
    assert credential(live, admin, created["credentials"]["keyId"]).status_code == 404


def test_an_imported_file_with_metadata_secrets_is_stored_the_same_way(
    live: LiveApp, admin: Account
) -> None:
    config = seed_environment("imported-env", {"password": "imported-pass-9", "team": "ops"})
    text = yaml.safe_dump({"apiVersion": "envdeck/v1", "environments": [config]})

    response = api(
        live,
        admin,
        "POST",
        "/environments/import",
        content=text.encode(),
        headers={"Content-Type": "application/yaml"},
    )

    assert response.status_code == 200, response.text
    envs = api(live, admin, "GET", "/environments", params={"q": "imported-env"}).json()
    env = envs["environments"][0]
    assert env["metadata"] == {"team": "ops"}
    stored = credential(live, admin, env["credentials"]["keyId"]).json()
    assert (stored["name"], stored["type"]) == ("imported-env ssh", "password")
    assert "imported-pass-9" not in api(live, admin, "GET", "/environments/export").text


def test_the_migration_route_reports_documents_of_another_shape(
    live: LiveApp, admin: Account
) -> None:
    deep: dict[str, Any] = {}
    for _ in range(40):
        deep = {"a": deep}
    documents = {
        "dryRun": True,
        "environments": [
            {"_id": "64b7f0a1c2d3e4f5a6b7cf01", "name": "odd", "target": [], "commands": "x"},
            {"_id": "64b7f0a1c2d3e4f5a6b7cf02", "name": "deep", "metadata": deep},
        ],
        "users": [{"_id": 7, "username": ["x"]}],
        "logs": [{"_id": "64b7f0a1c2d3e4f5a6b7cf03", "timestamp": "yesterday"}],
        "auditLog": [{"type": "restart", "actor": "nobody"}],
    }

    response = api(live, admin, "POST", "/migrations/environment-manager", json=documents)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["environments"] == {"created": 1, "updated": 0, "skipped": 1}
    assert body["counts"]["users"] == {"created": 0, "updated": 0, "skipped": 1}
    assert any(line.startswith("environment deep: metadata") for line in body["notCarried"])
    assert (
        api(live, admin, "GET", "/environments", params={"q": "odd"}).json()["environments"] == []
    )
