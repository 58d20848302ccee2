"""SSH operations through the API against a real OpenSSH sshd on loopback.

The real server (uvicorn) runs the operations; a real WebSocket client watches the output; what
ran is checked on the host (files, processes).
"""

import asyncio
import secrets
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.test_injection_corpus import payloads
from tests.support import sshd as ssh_servers
from tests.support.live_app import (
    Account,
    LiveApp,
    account_fixture,
    admin_fixture,
    live_app_fixture,
    open_session,
    recv_frame,
    send_frame,
)
from tests.support.operations import FINISHED, operation_settings
from tests.support.sshd import OpenSshServer, SshAccount

ssh_account = ssh_servers.ssh_account
sshd = ssh_servers.sshd
own_sshd = ssh_servers.own_sshd


live = live_app_fixture(
    "ssh-ops", lambda data: operation_settings(data, ENVDECK_SSH__KILL_GRACE="1s")
)
admin = admin_fixture()
operator = account_fixture("olive", "user")


def auth(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


def api(live: LiveApp, account: Account, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{live.url}/api/v1{path}", headers=auth(account), **kwargs)


@pytest.fixture(scope="module")
def key_credential(live: LiveApp, admin: Account, ssh_account: SshAccount) -> str:
    secret = ssh_account.keys.key_credential().private_key
    response = api(
        live,
        admin,
        "POST",
        "/credentials",
        json={"name": "deploy-key", "type": "key", "secret": secret},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def ssh_environment(
    live: LiveApp,
    admin: Account,
    server: OpenSshServer,
    credential_id: str,
    script: str,
    *,
    kind: str = "key",
    timeout: int = 60,
    policy: str = "tofu",
    upgrade: str | None = None,
) -> str:
    config: dict[str, Any] = {
        "name": f"ssh-{secrets.token_hex(4)}",
        "target": {"host": "127.0.0.1", "port": server.port, "hostKeyPolicy": policy},
        "credentials": {
            "type": kind,
            "username": server.account.username,
            "keyId": credential_id,
        },
        "commands": {
            "type": "ssh",
            "restart": {"enabled": True, "command": script, "timeout": timeout},
        },
    }
    if upgrade is not None:
        config["upgradeConfig"] = {
            "enabled": True,
            "type": "ssh",
            "upgradeCommand": {"command": upgrade},
        }
    response = api(live, admin, "POST", "/environments", json=config)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def start(live: LiveApp, account: Account, env_id: str) -> str:
    response = api(live, account, "POST", f"/environments/{env_id}/restart")
    assert response.status_code == 202, response.text
    return str(response.json()["operationId"])


def finished(live: LiveApp, account: Account, op_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = api(live, account, "GET", f"/operations/{op_id}").json()
        if body["status"] in FINISHED:
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"operation still {body['status']}")
        time.sleep(0.1)


def output_shows(live: LiveApp, account: Account, op_id: str, text: str) -> dict[str, Any]:
    """Wait until the stored output tail (rewritten while running) contains text."""
    deadline = time.monotonic() + 30
    while True:
        body: dict[str, Any] = api(live, account, "GET", f"/operations/{op_id}").json()
        if text in body["output"]:
            return body
        if body["status"] in FINISHED or time.monotonic() > deadline:
            pytest.fail(f"output never showed {text!r}: {body}")
        time.sleep(0.1)


def logs(live: LiveApp, account: Account, env_id: str, **params: str) -> list[dict[str, Any]]:
    time.sleep(1.2)  # the activity log is written in batches (every second)
    body = api(
        live, account, "GET", "/logs", params={"environmentId": env_id, "limit": 50, **params}
    ).json()
    entries: list[dict[str, Any]] = body["logs"]
    return entries


def environment(live: LiveApp, account: Account, env_id: str) -> dict[str, Any]:
    body: dict[str, Any] = api(live, account, "GET", f"/environments/{env_id}").json()
    return body


def released(live: LiveApp, account: Account, env_id: str) -> bool:
    """Wait (up to 10 s) until the environment's claim is released; the final record is stored
    (and so seen) a moment before the claim goes."""
    deadline = time.monotonic() + 10
    while environment(live, account, env_id)["activeOperation"] is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class TestSshOperations:
    async def test_output_streams_live_and_the_first_host_key_is_recorded(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        sshd: OpenSshServer,
        ssh_account: SshAccount,
        key_credential: str,
    ) -> None:
        gate = ssh_account.home / f"gate-{secrets.token_hex(4)}"
        script = (
            f"echo first\nwhile [ ! -e {gate} ]; do sleep 0.05; done\necho second\necho third >&2\n"
        )
        env_id = ssh_environment(live, admin, sshd, key_credential, script)
        websocket = await open_session(live, operator.token)
        op_id = await asyncio.to_thread(start, live, operator, env_id)
        await send_frame(websocket, "subscribe", {"operations": [op_id]})
        await asyncio.to_thread(output_shows, live, operator, op_id, "first")
        gate.touch()

        chunks: list[dict[str, Any]] = []
        final: dict[str, Any] | None = None
        while final is None:
            frame = await recv_frame(websocket, 30)
            payload = frame.get("payload") or {}
            if frame["type"] == "operation_output" and payload["operationId"] == op_id:
                chunks.append(payload)
            update = payload.get("operation") if frame["type"] == "operation_update" else None
            if update and update["id"] == op_id and update["status"] in FINISHED:
                final = update
        await websocket.close()
        gate.unlink()

        assert final["status"] == "succeeded", final
        assert final["exitCode"] == 0
        streamed = "".join(c["chunk"] for c in chunks)
        assert "second\n" in streamed
        assert {"stream": "stderr", "chunk": "third\n"} in [
            {"stream": c["stream"], "chunk": c["chunk"]} for c in chunks
        ]
        seqs = [c["seq"] for c in chunks]
        assert seqs == sorted(seqs)
        assert len(set(seqs)) == len(seqs)
        stored = finished(live, operator, op_id)
        assert stored["output"].startswith("first\nsecond\n") or "first\n" in stored["output"]
        assert "third\n" in stored["output"]
        assert "no health check to verify" in stored["output"]
        env = environment(live, admin, env_id)
        assert env["target"]["hostKey"] == sshd.host_key_line
        learned = logs(live, admin, env_id, action="host_key_learned")
        assert len(learned) == 1
        assert learned[0]["details"]["fingerprint"].startswith("SHA256:")

    def test_password_logins_run_a_multi_line_script_as_one_script(
        self, live: LiveApp, admin: Account, operator: Account, sshd: OpenSshServer
    ) -> None:
        password = sshd.account.password_credential().password
        credential = api(
            live,
            admin,
            "POST",
            "/credentials",
            json={"name": f"pw-{secrets.token_hex(3)}", "type": "password", "secret": password},
        ).json()["id"]
        script = 'cd /tmp\nNAME="envdeck ops"\necho "hello $NAME from $(pwd)"\n'
        env_id = ssh_environment(live, admin, sshd, credential, script, kind="password")

        op = finished(live, operator, start(live, operator, env_id))

        assert op["status"] == "succeeded", op
        assert "hello envdeck ops from /tmp\n" in op["output"]

    def test_passphrase_protected_keys_log_in(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        sshd: OpenSshServer,
        ssh_account: SshAccount,
    ) -> None:
        protected = ssh_account.keys.passphrase_credential()
        credential = api(
            live,
            admin,
            "POST",
            "/credentials",
            json={
                "name": f"pp-{secrets.token_hex(3)}",
                "type": "key",
                "secret": protected.private_key,
                "passphrase": protected.passphrase,
            },
        ).json()["id"]
        env_id = ssh_environment(live, admin, sshd, credential, "id -un")

        op = finished(live, operator, start(live, operator, env_id))

        assert op["status"] == "succeeded", op
        assert op["output"].startswith(f"{ssh_account.username}\n")

    def test_a_non_zero_exit_status_fails_the_operation(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        sshd: OpenSshServer,
        key_credential: str,
    ) -> None:
        script = "echo about to fail\nexit 3\necho never\n"
        env_id = ssh_environment(live, admin, sshd, key_credential, script)

        op = finished(live, operator, start(live, operator, env_id))

        assert op["status"] == "failed"
        assert op["exitCode"] == 3
        assert op["error"]["code"] == "EXIT_STATUS"
        assert "never" not in op["output"]
        entries = logs(live, admin, env_id, action="restart")
        assert entries[0]["level"] == "error"
        assert entries[0]["details"]["exitCode"] == 3

    def test_a_script_running_past_its_timeout_is_timed_out_and_killed(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        sshd: OpenSshServer,
        key_credential: str,
    ) -> None:
        marker = f"sleep {600 + secrets.randbelow(300)}"
        env_id = ssh_environment(live, admin, sshd, key_credential, marker, timeout=1)

        op = finished(live, operator, start(live, operator, env_id))

        assert op["status"] == "timed_out"
        assert op["error"]["code"] == "TIMED_OUT"
        assert _gone(marker)
        assert logs(live, admin, env_id, action="restart")[0]["level"] == "error"

    def test_cancel_kills_the_remote_script(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        sshd: OpenSshServer,
        key_credential: str,
    ) -> None:
        marker = f"sleep {900 + secrets.randbelow(300)}"
        env_id = ssh_environment(
            live, admin, sshd, key_credential, f"echo started\n{marker}\necho after\n"
        )
        op_id = start(live, operator, env_id)
        output_shows(live, operator, op_id, "started")
        assert _running(marker)

        response = api(live, operator, "POST", f"/operations/{op_id}/cancel")

        # Answered at once, before the script is stopped: the outcome follows as updates.
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "running"
        op = finished(live, operator, op_id)
        assert op["status"] == "cancelled"
        assert op["error"]["message"] == f"cancelled by {operator.username}"
        assert "after" not in op["output"]
        assert _gone(marker)
        assert released(live, admin, env_id)

    def test_hostile_versions_are_refused_and_nothing_runs_on_the_host(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        sshd: OpenSshServer,
        ssh_account: SshAccount,
        key_credential: str,
    ) -> None:
        marker = ssh_account.home / f"pwned-{secrets.token_hex(4)}"
        record = ssh_account.home / f"upgraded-{secrets.token_hex(4)}"
        env_id = ssh_environment(
            live,
            admin,
            sshd,
            key_credential,
            "true",
            upgrade=f"echo upgrading {{VERSION}} >> {record}",
        )
        for payload in payloads(marker):
            response = api(
                live, operator, "POST", f"/environments/{env_id}/upgrade", json={"version": payload}
            )
            assert response.status_code == 422, payload
            assert response.json()["error"]["details"]["field"] == "version"
        listed = api(live, admin, "GET", f"/environments/{env_id}/operations").json()
        assert listed["pagination"]["total"] == 0
        assert not marker.exists()
        assert not record.exists()

        legal = "1.2.3+build.5"
        accepted = api(
            live, operator, "POST", f"/environments/{env_id}/upgrade", json={"version": legal}
        )
        op = finished(live, operator, accepted.json()["operationId"])
        assert op["status"] == "succeeded", op
        assert record.read_text() == f"upgrading {legal}\n"
        assert environment(live, admin, env_id)["systemInfo"] == {
            **environment(live, admin, env_id)["systemInfo"],
            "appVersion": legal,
            "versionUnverified": True,
        }

    def test_policy_off_is_for_admins_and_logged_as_insecure(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        sshd: OpenSshServer,
        key_credential: str,
    ) -> None:
        env_id = ssh_environment(live, admin, sshd, key_credential, "true", policy="off")

        refused = api(live, operator, "POST", f"/environments/{env_id}/restart")
        assert refused.status_code == 403
        op = finished(live, admin, start(live, admin, env_id))

        assert op["status"] == "succeeded"
        entries = logs(live, admin, env_id, action="host_key_unverified")
        assert entries[0]["level"] == "warning"
        assert environment(live, admin, env_id)["target"]["hostKey"] == ""


class TestHostFailures:
    def test_a_changed_host_key_is_refused_after_first_use(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        own_sshd: OpenSshServer,
        key_credential: str,
        tmp_path: Path,
    ) -> None:
        record = own_sshd.account.home / f"ran-{secrets.token_hex(4)}"
        env_id = ssh_environment(live, admin, own_sshd, key_credential, f"echo ran >> {record}")
        first = finished(live, operator, start(live, operator, env_id))
        assert first["status"] == "succeeded"
        recorded = environment(live, admin, env_id)["target"]["hostKey"]
        assert recorded == own_sshd.host_key_line

        own_sshd.restart(new_host_key=True)
        second = finished(live, operator, start(live, operator, env_id))

        assert second["status"] == "failed"
        assert second["error"]["code"] == "HOST_KEY_MISMATCH"
        assert "host key mismatch" in second["error"]["message"]
        assert record.read_text() == "ran\n"  # the second script never ran
        assert environment(live, admin, env_id)["target"]["hostKey"] == recorded
        entries = logs(live, admin, env_id, action="restart")
        assert entries[0]["level"] == "error"
        assert entries[0]["details"]["error"]["code"] == "HOST_KEY_MISMATCH"

    def test_sshd_killed_mid_operation_fails_it_with_a_clear_error(
        self,
        live: LiveApp,
        admin: Account,
        operator: Account,
        own_sshd: OpenSshServer,
        key_credential: str,
    ) -> None:
        env_id = ssh_environment(
            live, admin, own_sshd, key_credential, "echo started\nsleep 60\necho after\n"
        )
        op_id = start(live, operator, env_id)
        output_shows(live, operator, op_id, "started")

        own_sshd.kill()
        op = finished(live, operator, op_id)

        assert op["status"] == "failed"
        assert op["error"]["code"] == "SSH_CONNECTION_LOST"
        assert "lost" in op["error"]["message"]
        assert environment(live, admin, env_id)["activeOperation"] is None


def _remote_process(pattern: str) -> bool:
    done = subprocess.run(["pgrep", "-f", pattern], capture_output=True, check=False)
    return done.returncode == 0


def _running(pattern: str) -> bool:
    # "started" is printed before the shell starts the next command: give it up to 10 s.
    deadline = time.monotonic() + 10
    while not _remote_process(pattern):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _gone(pattern: str) -> bool:
    deadline = time.monotonic() + 10
    while _remote_process(pattern):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
