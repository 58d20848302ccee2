"""The SSH layer against a real OpenSSH sshd and asyncssh's in-process server, on loopback.

What runs on the host is checked on the host: processes with `pgrep`, files on disk.
"""

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest
import pytest_asyncio

from envdeck.adapters.ssh import PoolSettings, SshCredential, SshPool, SshRunner, SshTarget
from envdeck.domain.commands import OutputChunk, OutputStream, RunErrorCode, RunOutcome
from envdeck.domain.environment import HostKeyPolicy
from envdeck.domain.errors import HostKeyInvalid, HostKeyMismatch, SshAuthFailed
from tests.support import sshd as ssh_servers
from tests.support.sshd import AsyncsshServer, OpenSshServer, SilentServer, SshAccount

# The SSH server fixtures, shared with the injection corpus.
ssh_account = ssh_servers.ssh_account
sshd = ssh_servers.sshd
own_sshd = ssh_servers.own_sshd
asyncssh_server = ssh_servers.asyncssh_server
ssh_pool = ssh_servers.ssh_pool


@dataclass
class Server:
    """One SSH server under test, however it is implemented."""

    name: str
    target: SshTarget
    key: SshCredential
    passphrase_key: SshCredential
    password: SshCredential


@pytest.fixture(params=["openssh", "asyncssh"])
def server(request: pytest.FixtureRequest, ssh_account: SshAccount) -> Server:
    keys = ssh_account.keys
    if request.param == "openssh":
        real: OpenSshServer = request.getfixturevalue("sshd")
        return Server(
            "openssh",
            real.pinned(),
            keys.key_credential(),
            keys.passphrase_credential(),
            ssh_account.password_credential() if ssh_account.password else keys.key_credential(),
        )
    inproc: AsyncsshServer = request.getfixturevalue("asyncssh_server")
    return Server(
        "asyncssh",
        inproc.target(HostKeyPolicy.PIN, inproc.host_key_line),
        keys.key_credential(),
        keys.passphrase_credential(),
        inproc.password_credential(),
    )


@pytest_asyncio.fixture
async def runner(ssh_pool: SshPool) -> AsyncIterator[SshRunner]:
    yield SshRunner(ssh_pool, kill_grace=1.0)


def processes_matching(pattern: str) -> list[str]:
    done = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    return done.stdout.split()


async def wait_until_gone(pattern: str) -> list[str]:
    """Return the processes still matching after up to 10 s of waiting for them to end."""
    for _ in range(100):
        if not processes_matching(pattern):
            return []
        await asyncio.sleep(0.1)
    return processes_matching(pattern)


async def wait_until_running(pattern: str) -> list[str]:
    """Return the processes matching once there is one, waiting up to 10 s.

    The script's first output comes before the shell has started its next command: on a busy
    machine the sleep is not there yet when "started" arrives.
    """
    for _ in range(100):
        if found := processes_matching(pattern):
            return found
        await asyncio.sleep(0.1)
    return processes_matching(pattern)


def unique_sleep() -> str:
    # A sleep whose command line no other process has, so pgrep finds only ours.
    return f"sleep {secrets.randbelow(1000) + 100}.{secrets.randbelow(10**6):06d}"


class TestScripts:
    async def test_runs_a_multi_line_script_as_one_script(
        self, server: Server, runner: SshRunner
    ) -> None:
        script = 'cd /tmp\npwd\nGREETING="hello there"\necho "$GREETING"\n'
        result = await runner.run_script(server.target, server.key, script, timeout=30)
        assert result.outcome is RunOutcome.SUCCEEDED
        assert result.exit_code == 0
        assert result.output == "/tmp\nhello there\n"

    async def test_stops_at_the_first_failing_command_with_its_status(
        self, server: Server, runner: SshRunner
    ) -> None:
        script = "echo one\nsh -c 'exit 4'\necho two\n"
        result = await runner.run_script(server.target, server.key, script, timeout=30)
        assert result.outcome is RunOutcome.FAILED
        assert result.exit_code == 4
        assert result.error is not None
        assert result.error.code == RunErrorCode.EXIT_STATUS
        assert result.output == "one\n"

    async def test_a_script_may_opt_out_of_stopping_on_errors(
        self, server: Server, runner: SshRunner
    ) -> None:
        script = "set +e\nfalse\necho still here\nexit 7\n"
        result = await runner.run_script(server.target, server.key, script, timeout=30)
        assert (result.exit_code, result.output) == (7, "still here\n")

    async def test_commands_cannot_read_the_rest_of_the_script(
        self, server: Server, runner: SshRunner
    ) -> None:
        script = 'read line || line="(end of input)"\necho "read: $line"\necho after\n'
        result = await runner.run_script(server.target, server.key, script, timeout=30)
        assert result.output == "read: (end of input)\nafter\n"

    async def test_streams_both_streams_in_order_with_sequence_numbers(
        self, server: Server, runner: SshRunner
    ) -> None:
        chunks: list[OutputChunk] = []

        async def collect(chunk: OutputChunk) -> None:
            chunks.append(chunk)

        script = "echo out1\nsleep 0.2\necho err1 >&2\nsleep 0.2\necho out2\n"
        result = await runner.run_script(
            server.target, server.key, script, timeout=30, on_output=collect
        )
        assert [c.seq for c in chunks] == list(range(1, len(chunks) + 1))
        assert [(c.stream, c.chunk) for c in chunks] == [
            (OutputStream.STDOUT, "out1\n"),
            (OutputStream.STDERR, "err1\n"),
            (OutputStream.STDOUT, "out2\n"),
        ]
        assert result.output == "out1\nerr1\nout2\n"

    async def test_keeps_only_the_tail_of_long_output(
        self, server: Server, ssh_pool: SshPool
    ) -> None:
        runner = SshRunner(ssh_pool, tail_limit=1000)
        script = "i=0\nwhile [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done\n"
        result = await runner.run_script(server.target, server.key, script, timeout=30)
        assert result.output_truncated
        assert len(result.output) == 1000
        assert result.output.endswith("line-499\n")


class TestAuthentication:
    async def test_logs_in_with_a_key(self, server: Server, runner: SshRunner) -> None:
        result = await runner.run_script(server.target, server.key, "echo ok", timeout=30)
        assert result.output == "ok\n"

    async def test_logs_in_with_a_passphrase_protected_key(
        self, server: Server, runner: SshRunner
    ) -> None:
        result = await runner.run_script(
            server.target, server.passphrase_key, "echo ok", timeout=30
        )
        assert result.output == "ok\n"

    async def test_logs_in_with_a_password(self, server: Server, runner: SshRunner) -> None:
        if server.password.password is None:
            pytest.skip("password login to sshd needs root to create a test account")
        result = await runner.run_script(server.target, server.password, "echo ok", timeout=30)
        assert result.output == "ok\n"

    async def test_a_wrong_password_fails_as_auth_failed(
        self, server: Server, runner: SshRunner
    ) -> None:
        wrong = SshCredential(credential_id="0" * 24, password="not-the-password")
        result = await runner.run_script(server.target, wrong, "echo ok", timeout=30)
        assert result.outcome is RunOutcome.FAILED
        assert result.error is not None
        assert result.error.code == SshAuthFailed.code
        assert "refused the credentials" in result.error.message
        assert "not-the-password" not in result.model_dump_json()

    async def test_a_wrong_passphrase_names_the_credential_problem(
        self, server: Server, runner: SshRunner
    ) -> None:
        good = server.passphrase_key
        wrong = SshCredential(
            credential_id=good.credential_id, private_key=good.private_key, passphrase="nope"
        )
        result = await runner.run_script(server.target, wrong, "echo ok", timeout=30)
        assert result.error is not None
        assert result.error.code == RunErrorCode.SSH_CREDENTIAL_INVALID
        assert "passphrase" in result.error.message


class TestStopping:
    async def test_a_timeout_kills_the_remote_process(
        self, server: Server, runner: SshRunner
    ) -> None:
        sleeper = unique_sleep()
        result = await runner.run_script(
            server.target, server.key, f"echo started\n{sleeper}\necho never\n", timeout=2
        )
        assert result.outcome is RunOutcome.TIMED_OUT, result.error
        assert result.error is not None
        assert result.error.code == RunErrorCode.TIMED_OUT
        assert result.output == "started\n"
        assert await wait_until_gone(sleeper) == []

    async def test_cancel_kills_the_remote_process(self, server: Server, runner: SshRunner) -> None:
        sleeper = unique_sleep()
        cancel = asyncio.Event()
        started = asyncio.Event()

        async def on_output(chunk: OutputChunk) -> None:
            started.set()

        run = asyncio.create_task(
            runner.run_script(
                server.target,
                server.key,
                f"echo started\n{sleeper}\necho never\n",
                timeout=60,
                on_output=on_output,
                cancel=cancel,
            )
        )
        await started.wait()
        assert await wait_until_running(sleeper) != []
        cancel.set()
        result = await run
        assert result.outcome is RunOutcome.CANCELLED
        assert result.output == "started\n"
        assert await wait_until_gone(sleeper) == []

    async def test_cancelling_the_task_kills_the_remote_process(
        self, server: Server, runner: SshRunner
    ) -> None:
        sleeper = unique_sleep()
        started = asyncio.Event()

        async def on_output(chunk: OutputChunk) -> None:
            started.set()

        run = asyncio.create_task(
            runner.run_script(
                server.target, server.key, f"echo go\n{sleeper}\n", timeout=60, on_output=on_output
            )
        )
        await started.wait()
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
        assert await wait_until_gone(sleeper) == []


class TestPooling:
    async def test_reuses_one_connection_for_twenty_commands(
        self, server: Server, runner: SshRunner, ssh_pool: SshPool
    ) -> None:
        for i in range(20):
            result = await runner.run_script(server.target, server.key, f"echo {i}", timeout=30)
            assert result.output == f"{i}\n"
        assert ssh_pool.connections_opened == 1
        assert ssh_pool.open_connections(server.target) == 1

    async def test_parallel_commands_share_a_capped_number_of_connections(
        self, server: Server
    ) -> None:
        pool = SshPool(PoolSettings(max_connections_per_host=2, max_sessions_per_connection=4))
        runner = SshRunner(pool)
        try:
            results = await asyncio.gather(
                *(
                    runner.run_script(server.target, server.key, f"sleep 0.2; echo {i}", timeout=60)
                    for i in range(20)
                )
            )
        finally:
            await pool.close()
        assert [r.output for r in results] == [f"{i}\n" for i in range(20)]
        assert pool.connections_opened <= 2

    async def test_a_new_secret_gets_a_new_connection(
        self, server: Server, runner: SshRunner, ssh_pool: SshPool
    ) -> None:
        await runner.run_script(server.target, server.key, "true", timeout=30)
        await runner.run_script(server.target, server.passphrase_key, "true", timeout=30)
        assert ssh_pool.connections_opened == 2


class TestHostKeys:
    async def test_tofu_records_the_first_key_and_refuses_a_changed_one(
        self, own_sshd: OpenSshServer, ssh_account: SshAccount, ssh_pool: SshPool
    ) -> None:
        runner = SshRunner(ssh_pool)
        key = ssh_account.keys.key_credential()
        marker = ssh_account.home / f"tofu-{secrets.token_hex(4)}"

        first = await runner.run_script(
            own_sshd.target(HostKeyPolicy.TOFU), key, "true", timeout=30
        )
        assert first.succeeded
        assert first.host_key is not None
        assert first.host_key.learned
        assert first.host_key.public_key == own_sshd.host_key_line
        recorded = own_sshd.target(HostKeyPolicy.TOFU, first.host_key.public_key)

        again = await runner.run_script(recorded, key, "true", timeout=30)
        assert again.succeeded
        assert again.host_key is not None
        assert not again.host_key.learned

        old_fingerprint = first.host_key.fingerprint
        own_sshd.restart(new_host_key=True)
        refused = await runner.run_script(recorded, key, f"touch {marker}", timeout=30)
        assert refused.outcome is RunOutcome.FAILED
        assert refused.error is not None
        assert refused.error.code == HostKeyMismatch.code
        assert old_fingerprint in refused.error.message
        assert own_sshd.host_key.get_fingerprint("sha256") in refused.error.message
        assert not await asyncio.to_thread(marker.exists)

    async def test_pin_refuses_a_different_key_before_running_anything(
        self, server: Server, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        marker = ssh_account.home / f"pin-{secrets.token_hex(4)}"
        other = asyncssh.generate_private_key("ssh-ed25519")
        line = bytes(other.export_public_key()).decode()
        target = SshTarget(
            host=server.target.host,
            port=server.target.port,
            username=server.target.username,
            host_key_policy=HostKeyPolicy.PIN,
            host_key=line,
        )
        result = await runner.run_script(target, server.key, f"touch {marker}", timeout=30)
        assert result.error is not None
        assert result.error.code == HostKeyMismatch.code
        assert other.get_fingerprint("sha256") in result.error.message
        assert not await asyncio.to_thread(marker.exists)

    async def test_pin_refuses_a_key_of_a_type_the_server_lacks(
        self, sshd: OpenSshServer, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        rsa = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
        target = sshd.target(HostKeyPolicy.PIN, bytes(rsa.export_public_key()).decode())
        result = await runner.run_script(
            target, ssh_account.keys.key_credential(), "true", timeout=30
        )
        assert result.error is not None
        assert result.error.code == HostKeyMismatch.code
        assert "(ssh-ed25519)" in result.error.message
        assert rsa.get_fingerprint("sha256") in result.error.message

    async def test_pin_without_a_key_is_a_configuration_error(
        self, sshd: OpenSshServer, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        result = await runner.run_script(
            sshd.target(HostKeyPolicy.PIN), ssh_account.keys.key_credential(), "true", timeout=30
        )
        assert result.error is not None
        assert result.error.code == HostKeyInvalid.code

    async def test_off_accepts_any_key_and_says_so(
        self, sshd: OpenSshServer, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        other = bytes(asyncssh.generate_private_key("ssh-ed25519").export_public_key()).decode()
        result = await runner.run_script(
            sshd.target(HostKeyPolicy.OFF, other),
            ssh_account.keys.key_credential(),
            "echo ok",
            timeout=30,
        )
        assert result.succeeded
        assert result.host_key is not None
        assert result.host_key.insecure
        assert result.host_key.public_key == sshd.host_key_line


class TestFailures:
    async def test_sshd_killed_mid_command_fails_with_a_clear_error(
        self, own_sshd: OpenSshServer, ssh_account: SshAccount, ssh_pool: SshPool
    ) -> None:
        runner = SshRunner(ssh_pool)
        started = asyncio.Event()

        async def on_output(chunk: OutputChunk) -> None:
            started.set()

        run = asyncio.create_task(
            runner.run_script(
                own_sshd.pinned(),
                ssh_account.keys.key_credential(),
                "echo started\nsleep 20\n",
                timeout=60,
                on_output=on_output,
            )
        )
        await started.wait()
        own_sshd.kill()
        result = await run
        assert result.outcome is RunOutcome.FAILED
        assert result.error is not None
        assert result.error.code == RunErrorCode.SSH_CONNECTION_LOST
        assert "lost while the script was running" in result.error.message
        assert result.output == "started\n"

    async def test_a_pooled_connection_dropped_while_idle_is_replaced(
        self, own_sshd: OpenSshServer, ssh_account: SshAccount, ssh_pool: SshPool
    ) -> None:
        runner = SshRunner(ssh_pool)
        key = ssh_account.keys.key_credential()
        assert (await runner.run_script(own_sshd.pinned(), key, "true", timeout=30)).succeeded
        own_sshd.kill()
        own_sshd.start()
        result = await runner.run_script(own_sshd.pinned(), key, "echo back", timeout=30)
        assert result.output == "back\n"

    async def test_a_refused_connection_names_the_address(
        self, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        with socket_bound_but_not_listening() as port:
            target = SshTarget(host="127.0.0.1", port=port, username="nobody")
            result = await runner.run_script(
                target, ssh_account.keys.key_credential(), "true", timeout=30
            )
        assert result.error is not None
        assert result.error.code == RunErrorCode.SSH_CONNECT_FAILED
        assert f"127.0.0.1:{port}" in result.error.message

    async def test_a_silent_host_times_out_at_connect(self, ssh_account: SshAccount) -> None:
        silent = SilentServer()
        await silent.start()
        pool = SshPool(PoolSettings(connect_timeout=1))
        try:
            target = SshTarget(host="127.0.0.1", port=silent.port, username="nobody")
            result = await SshRunner(pool).run_script(
                target, ssh_account.keys.key_credential(), "true", timeout=30
            )
        finally:
            await pool.close()
            await silent.stop()
        assert result.error is not None
        assert result.error.code == RunErrorCode.SSH_CONNECT_TIMEOUT

    async def test_a_silent_host_does_not_hold_up_another_host(
        self, sshd: OpenSshServer, ssh_account: SshAccount
    ) -> None:
        silent = SilentServer()
        await silent.start()
        pool = SshPool(PoolSettings(connect_timeout=60))
        runner = SshRunner(pool)
        key = ssh_account.keys.key_credential()
        stuck = asyncio.create_task(
            runner.run_script(
                SshTarget(host="127.0.0.1", port=silent.port, username="nobody"),
                key,
                "true",
                timeout=120,
            )
        )
        try:
            for i in range(3):
                result = await runner.run_script(sshd.pinned(), key, f"echo {i}", timeout=30)
                assert result.output == f"{i}\n"
            assert not stuck.done()
        finally:
            stuck.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stuck
            await pool.close()
            await silent.stop()


class TestProbes:
    async def test_system_info_reads_the_os_kernel_and_uptime(
        self, sshd: OpenSshServer, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        probe = await runner.system_info(sshd.pinned(), ssh_account.keys.key_credential())
        release = await asyncio.to_thread(Path("/etc/os-release").read_text)
        assert probe.os_pretty_name
        assert probe.os_pretty_name in release
        assert probe.summary == probe.os_pretty_name
        assert probe.kernel == os.uname().release
        assert probe.uptime_seconds is not None
        assert probe.uptime_seconds > 0

    async def test_test_connection_reports_user_fingerprint_and_latency(
        self, sshd: OpenSshServer, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        found = await runner.test_connection(sshd.pinned(), ssh_account.keys.key_credential())
        keygen = subprocess.run(  # noqa: ASYNC221 (a quick local check)
            ["ssh-keygen", "-lf", "-"],
            input=sshd.host_key_line,
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.remote_user == ssh_account.username
        assert found.host_key.fingerprint == keygen.stdout.split()[1]
        assert found.connect_ms > 0
        assert found.latency_ms > 0

    async def test_test_connection_raises_on_a_host_key_mismatch(
        self, sshd: OpenSshServer, runner: SshRunner, ssh_account: SshAccount
    ) -> None:
        other = bytes(asyncssh.generate_private_key("ssh-ed25519").export_public_key()).decode()
        with pytest.raises(HostKeyMismatch):
            await runner.test_connection(
                sshd.target(HostKeyPolicy.PIN, other), ssh_account.keys.key_credential()
            )


@contextlib.contextmanager
def socket_bound_but_not_listening() -> Iterator[int]:
    # Bound, so no one else takes the port; not listening, so connecting is refused.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
