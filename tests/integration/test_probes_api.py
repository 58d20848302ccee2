"""System-info refresh and connection test over the real app, against a real OpenSSH sshd."""

import os
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from envdeck.domain.log import LogListOptions
from envdeck.services.container import Services
from tests.integration.conftest import Personas
from tests.support import sshd as ssh_servers
from tests.support.sshd import OpenSshServer, SshAccount

# The SSH server fixtures (a real OpenSSH sshd on loopback).
ssh_account = ssh_servers.ssh_account
sshd = ssh_servers.sshd
own_sshd = ssh_servers.own_sshd

ABSENT_ID = "6b05a2c33c0ca6934944ef1e"


def refresh_url(environment_id: str) -> str:
    return f"/api/v1/environments/{environment_id}/system-info/refresh"


def connection_url(environment_id: str) -> str:
    return f"/api/v1/environments/{environment_id}/test-connection"


def create_credential(personas: Personas, account: SshAccount) -> str:
    secret = bytes(account.keys.plain.export_private_key("openssh")).decode()
    response = personas.client.post(
        "/api/v1/credentials",
        json={"name": "probe-key", "type": "key", "username": account.username, "secret": secret},
        headers=personas.admin.headers(),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def create_environment(personas: Personas, name: str, **fields: Any) -> dict[str, Any]:
    response = personas.client.post(
        "/api/v1/environments", json={"name": name, **fields}, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def ssh_environment(
    personas: Personas,
    server: OpenSshServer,
    name: str = "box",
    policy: str = "tofu",
    host_key: str = "",
) -> dict[str, Any]:
    credential_id = create_credential(personas, server.account)
    return create_environment(
        personas,
        name,
        target={
            "host": "127.0.0.1",
            "port": server.port,
            "hostKeyPolicy": policy,
            "hostKey": host_key,
        },
        credentials={"type": "key", "username": server.account.username, "keyId": credential_id},
    )


def get_environment(personas: Personas, environment_id: str) -> dict[str, Any]:
    response = personas.client.get(
        f"/api/v1/environments/{environment_id}", headers=personas.viewer.headers()
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def activity(personas: Personas) -> list[Any]:
    services: Services = personas.client.app.state.services  # type: ignore[attr-defined]
    assert personas.client.portal is not None
    personas.client.portal.call(services.activity.flush)
    entries, _ = personas.client.portal.call(services.storage.logs.list, LogListOptions(limit=200))
    return entries


def fingerprint(key: asyncssh.SSHKey) -> str:
    return str(key.get_fingerprint("sha256"))


def os_release_pretty_name() -> str:
    for path in (Path("/etc/os-release"), Path("/usr/lib/os-release")):
        if path.exists():
            for line in path.read_text().splitlines():
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    return ""


class TestRefreshSystemInfo:
    def test_anonymous_callers_are_refused(self, personas: Personas) -> None:
        assert personas.client.post(refresh_url(ABSENT_ID)).status_code == 401

    def test_viewers_are_refused(self, personas: Personas) -> None:
        response = personas.client.post(refresh_url(ABSENT_ID), headers=personas.viewer.headers())
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"

    def test_a_missing_environment_is_not_found(self, personas: Personas) -> None:
        response = personas.client.post(refresh_url(ABSENT_ID), headers=personas.operator.headers())
        assert response.status_code == 404

    def test_an_http_only_environment_is_refused_clearly(self, personas: Personas) -> None:
        env = create_environment(
            personas,
            "http-only",
            commands={"type": "http", "restart": {"enabled": True, "url": "http://127.0.0.1:9/r"}},
        )
        response = personas.client.post(refresh_url(env["id"]), headers=personas.operator.headers())
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["message"].startswith("http-only is not reachable over SSH: it has no target")
        assert error["details"] == {"field": "target.host"}

    def test_it_fills_the_os_version_kernel_and_uptime(
        self, personas: Personas, sshd: OpenSshServer
    ) -> None:
        env = ssh_environment(personas, sshd)
        response = personas.client.post(refresh_url(env["id"]), headers=personas.operator.headers())
        assert response.status_code == 200, response.text
        info = response.json()
        assert info["osVersion"] == os_release_pretty_name()
        assert info["osVersion"]  # "Debian GNU/Linux 12 (bookworm)" on these machines
        assert info["kernel"] == os.uname().release
        assert info["uptime"] > 0
        assert info["lastUpdated"] is not None
        stored = get_environment(personas, env["id"])["systemInfo"]
        assert stored["osVersion"] == info["osVersion"]
        assert stored["kernel"] == info["kernel"]
        # The first connection learned the host key under TOFU, as an operation would.
        assert get_environment(personas, env["id"])["target"]["hostKey"] == sshd.host_key_line
        entries = [e for e in activity(personas) if e.action == "system_info"]
        assert entries
        assert entries[0].username == "olive"

    def test_a_changed_host_key_is_refused(
        self, personas: Personas, own_sshd: OpenSshServer
    ) -> None:
        env = ssh_environment(personas, own_sshd, policy="pin", host_key=own_sshd.host_key_line)
        own_sshd.restart(new_host_key=True)
        response = personas.client.post(refresh_url(env["id"]), headers=personas.operator.headers())
        assert response.status_code == 502
        error = response.json()["error"]
        assert error["code"] == "HOST_KEY_MISMATCH"
        assert fingerprint(own_sshd.host_key) in error["message"]
        assert get_environment(personas, env["id"])["systemInfo"]["osVersion"] == ""
        failures = [e for e in activity(personas) if e.action == "system_info"]
        assert failures[0].level == "error"
        assert failures[0].details == {"code": "HOST_KEY_MISMATCH"}

    def test_users_may_not_probe_an_unverified_host(
        self, personas: Personas, sshd: OpenSshServer
    ) -> None:
        env = ssh_environment(personas, sshd, name="insecure", policy="off")
        response = personas.client.post(refresh_url(env["id"]), headers=personas.operator.headers())
        assert response.status_code == 403
        assert "policy 'off'" in response.json()["error"]["message"]


class TestTestConnection:
    def test_anonymous_callers_are_refused(self, personas: Personas) -> None:
        assert personas.client.post(connection_url(ABSENT_ID)).status_code == 401

    @pytest.mark.parametrize("role", ["viewer", "operator"])
    def test_only_admins_may_test(self, personas: Personas, role: str) -> None:
        headers = getattr(personas, role).headers()
        response = personas.client.post(connection_url(ABSENT_ID), headers=headers)
        assert response.status_code == 403

    def test_a_missing_environment_is_not_found(self, personas: Personas) -> None:
        response = personas.client.post(connection_url(ABSENT_ID), headers=personas.admin.headers())
        assert response.status_code == 404

    def test_an_environment_without_a_credential_is_refused_clearly(
        self, personas: Personas
    ) -> None:
        env = create_environment(personas, "keyless", target={"host": "127.0.0.1"})
        response = personas.client.post(connection_url(env["id"]), headers=personas.admin.headers())
        assert response.status_code == 422
        assert response.json()["error"]["message"].startswith(
            "keyless is not reachable over SSH: it has no SSH credential"
        )

    def test_it_reports_the_host_key_user_and_latency_and_learns_the_key(
        self, personas: Personas, sshd: OpenSshServer
    ) -> None:
        env = ssh_environment(personas, sshd)
        first = personas.client.post(connection_url(env["id"]), headers=personas.admin.headers())
        assert first.status_code == 200, first.text
        report = first.json()
        assert report["fingerprint"] == fingerprint(sshd.host_key)
        assert report["fingerprint"].startswith("SHA256:")
        assert report["hostKey"] == sshd.host_key_line
        assert report["remoteUser"] == sshd.account.username
        assert report["latencyMs"] >= 0
        assert report["connectMs"] >= 0
        assert report["hostKeyPolicy"] == "tofu"
        assert report["learned"] is True
        assert report["insecure"] is False
        assert get_environment(personas, env["id"])["target"]["hostKey"] == sshd.host_key_line
        learned = [e for e in activity(personas) if e.action == "host_key_learned"]
        assert len(learned) == 1
        second = personas.client.post(connection_url(env["id"]), headers=personas.admin.headers())
        assert second.status_code == 200
        assert second.json()["learned"] is False

    def test_a_tofu_key_that_changes_is_refused(
        self, personas: Personas, own_sshd: OpenSshServer
    ) -> None:
        env = ssh_environment(personas, own_sshd)
        learned = personas.client.post(connection_url(env["id"]), headers=personas.admin.headers())
        assert learned.json()["learned"] is True
        old = fingerprint(own_sshd.host_key)
        own_sshd.restart(new_host_key=True)
        response = personas.client.post(connection_url(env["id"]), headers=personas.admin.headers())
        assert response.status_code == 502
        error = response.json()["error"]
        assert error["code"] == "HOST_KEY_MISMATCH"
        assert old in error["message"]
        assert fingerprint(own_sshd.host_key) in error["message"]
        # The recorded key stays: a mismatch never re-learns.
        assert get_environment(personas, env["id"])["target"]["hostKey"] != own_sshd.host_key_line
        failures = [e for e in activity(personas) if e.action == "test_connection"]
        assert failures[0].level == "error"

    def test_a_pinned_key_is_accepted_and_nothing_is_learned(
        self, personas: Personas, sshd: OpenSshServer
    ) -> None:
        env = ssh_environment(personas, sshd, policy="pin", host_key=sshd.host_key_line)
        response = personas.client.post(connection_url(env["id"]), headers=personas.admin.headers())
        assert response.status_code == 200, response.text
        assert response.json()["learned"] is False
        assert response.json()["hostKeyPolicy"] == "pin"

    def test_policy_off_is_reported_as_insecure(
        self, personas: Personas, sshd: OpenSshServer
    ) -> None:
        env = ssh_environment(personas, sshd, name="insecure", policy="off")
        response = personas.client.post(connection_url(env["id"]), headers=personas.admin.headers())
        assert response.status_code == 200, response.text
        assert response.json()["insecure"] is True
        warnings = [e for e in activity(personas) if e.action == "host_key_unverified"]
        assert warnings[0].level == "warning"


def test_a_password_credential_works_too(
    personas: Personas, sshd: OpenSshServer, ssh_account: SshAccount
) -> None:
    password = ssh_account.password_credential().password
    response = personas.client.post(
        "/api/v1/credentials",
        json={
            "name": "probe-password",
            "type": "password",
            "username": ssh_account.username,
            "secret": password,
        },
        headers=personas.admin.headers(),
    )
    assert response.status_code == 201, response.text
    env = create_environment(
        personas,
        "password-box",
        target={"host": "127.0.0.1", "port": sshd.port},
        credentials={
            "type": "password",
            "username": ssh_account.username,
            "keyId": response.json()["id"],
        },
    )
    refreshed = personas.client.post(refresh_url(env["id"]), headers=personas.admin.headers())
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["kernel"] == os.uname().release
    assert password is not None
    assert password not in refreshed.text
