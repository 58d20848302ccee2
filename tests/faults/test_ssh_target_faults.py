"""SSH targets that freeze mid-command, reset the connection, or change their host key.

Real OpenSSH on loopback (tests/support/sshd.py). Each fault ends the operation failed or timed
out with an error that says what happened, releases the environment's claim, and leaves the
connection pool able to serve the next operation.
"""

import secrets
import time
from typing import Any

import pytest

from tests.faults.conftest import api, fault_settings
from tests.support import sshd as ssh_servers
from tests.support.faults import TcpProxy, descendants, frozen
from tests.support.live_app import Account, LiveApp, live_app_fixture
from tests.support.operations import FINISHED
from tests.support.sshd import OpenSshServer, SshAccount

ssh_account = ssh_servers.ssh_account
own_sshd = ssh_servers.own_sshd

TIMEOUT = 3  # seconds: the script's timeout where a fault should end in one


live = live_app_fixture(
    "ssh-faults",
    lambda data: fault_settings(
        data,
        ENVDECK_HEALTH__ENABLED="false",
        ENVDECK_SSH__KILL_GRACE="1s",
        ENVDECK_SSH__CONNECT_TIMEOUT="3s",
    ),
)


@pytest.fixture(scope="module")
def credential(live: LiveApp, admin: Account, ssh_account: SshAccount) -> str:
    secret = ssh_account.keys.key_credential().private_key
    body = api(
        live, admin, "POST", "/credentials", json={"name": "key", "type": "key", "secret": secret}
    )
    return str(body["id"])


def ssh_environment(
    live: LiveApp, admin: Account, server: OpenSshServer, credential: str, port: int | None = None
) -> str:
    script = 'echo started\nsleep "${SLEEP:-0}"\necho "done $(date +%s%N)"\n'
    body = api(
        live,
        admin,
        "POST",
        "/environments",
        json={
            "name": f"ssh-{secrets.token_hex(4)}",
            "target": {"host": "127.0.0.1", "port": port or server.port, "hostKeyPolicy": "tofu"},
            "credentials": {
                "type": "key",
                "username": server.account.username,
                "keyId": credential,
            },
            "commands": {
                "type": "ssh",
                "restart": {"enabled": True, "command": script, "timeout": TIMEOUT},
            },
        },
    )
    return str(body["id"])


def set_script(live: LiveApp, admin: Account, env_id: str, sleep: int) -> None:
    script = f'echo started\nsleep {sleep}\necho "done $(date +%s%N)"\n'
    env = api(live, admin, "GET", f"/environments/{env_id}")
    restart = {**env["commands"]["restart"], "command": script}
    api(
        live,
        admin,
        "PATCH",
        f"/environments/{env_id}",
        json={"commands": {**env["commands"], "restart": restart}},
    )


def restart(live: LiveApp, admin: Account, env_id: str) -> str:
    return str(api(live, admin, "POST", f"/environments/{env_id}/restart")["operationId"])


def operation(live: LiveApp, admin: Account, op_id: str) -> dict[str, Any]:
    body: dict[str, Any] = api(live, admin, "GET", f"/operations/{op_id}")
    return body


def finished(live: LiveApp, admin: Account, op_id: str, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while (op := operation(live, admin, op_id))["status"] not in FINISHED:
        if time.monotonic() > deadline:
            pytest.fail(f"operation still {op['status']} after {seconds} s")
        time.sleep(0.1)
    return op


def wait_for_output(live: LiveApp, admin: Account, op_id: str, text: str) -> None:
    deadline = time.monotonic() + 20
    while text not in (op := operation(live, admin, op_id))["output"]:
        if op["status"] in FINISHED or time.monotonic() > deadline:
            pytest.fail(f"output never showed {text!r}: {op}")
        time.sleep(0.1)


def claim_released(live: LiveApp, admin: Account, env_id: str) -> bool:
    return api(live, admin, "GET", f"/environments/{env_id}")["activeOperation"] is None


def test_a_host_that_freezes_mid_command_times_out_and_the_next_run_gets_a_fresh_connection(
    live: LiveApp, admin: Account, own_sshd: OpenSshServer, credential: str
) -> None:
    env_id = ssh_environment(live, admin, own_sshd, credential)
    # A first run records the host key (TOFU): the runs below share one pooled connection.
    assert finished(live, admin, restart(live, admin, env_id))["status"] == "succeeded"
    set_script(live, admin, env_id, sleep=30)
    op_id = restart(live, admin, env_id)
    wait_for_output(live, admin, op_id, "started")
    assert own_sshd.process is not None
    sessions = descendants(own_sshd.process.pid)  # the listener itself keeps accepting

    with frozen(sessions):
        op = finished(live, admin, op_id)
        assert op["status"] == "timed_out"
        assert op["error"] == {"code": "TIMED_OUT", "message": f"timed out after {TIMEOUT} s"}
        assert claim_released(live, admin, env_id)

        # The frozen session's connection is not lent again: the next run opens a new one.
        set_script(live, admin, env_id, sleep=0)
        opened = live.services.ssh_pool.connections_opened
        again = finished(live, admin, restart(live, admin, env_id))
        assert live.services.ssh_pool.connections_opened == opened + 1
        assert again["status"] == "succeeded", again
        assert "done " in again["output"]


def test_a_connection_reset_mid_command_fails_clearly_and_the_next_run_reconnects(
    live: LiveApp, admin: Account, own_sshd: OpenSshServer, credential: str
) -> None:
    with TcpProxy(own_sshd.port) as proxy:
        env_id = ssh_environment(live, admin, own_sshd, credential, port=proxy.port)
        set_script(live, admin, env_id, sleep=30)
        op_id = restart(live, admin, env_id)
        wait_for_output(live, admin, op_id, "started")

        proxy.reset()
        op = finished(live, admin, op_id)

        assert op["status"] == "failed"
        assert op["error"]["code"] == "SSH_CONNECTION_LOST"
        assert "outcome on the host is unknown" in op["error"]["message"]
        assert claim_released(live, admin, env_id)
        set_script(live, admin, env_id, sleep=0)
        again = finished(live, admin, restart(live, admin, env_id))
        assert again["status"] == "succeeded", again
        assert proxy.connections >= 2


def test_a_changed_host_key_is_refused_until_an_admin_accepts_the_new_one(
    live: LiveApp, admin: Account, own_sshd: OpenSshServer, credential: str
) -> None:
    env_id = ssh_environment(live, admin, own_sshd, credential)
    first = finished(live, admin, restart(live, admin, env_id))
    assert first["status"] == "succeeded"
    recorded = api(live, admin, "GET", f"/environments/{env_id}")["target"]["hostKey"]

    own_sshd.restart(new_host_key=True)
    refused = finished(live, admin, restart(live, admin, env_id))

    assert refused["status"] == "failed"
    assert refused["error"]["code"] == "HOST_KEY_MISMATCH"
    assert "host key mismatch" in refused["error"]["message"]
    assert "started" not in refused["output"]  # nothing ran
    assert claim_released(live, admin, env_id)
    env = api(live, admin, "GET", f"/environments/{env_id}")
    assert env["target"]["hostKey"] == recorded  # TOFU did not silently take the new key

    # An admin who checked the new key pins it: the pool connects again.
    target = {**env["target"], "hostKey": own_sshd.host_key_line, "hostKeyPolicy": "pin"}
    api(live, admin, "PATCH", f"/environments/{env_id}", json={"target": target})
    accepted = finished(live, admin, restart(live, admin, env_id))
    assert accepted["status"] == "succeeded", accepted
