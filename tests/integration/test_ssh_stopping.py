"""Stopping a running script over SSH: cancel and timeout end the script's whole process group,
for root logins too, and a stop that cannot be confirmed is never reported as done.

As root, OpenSSH refuses the SSH "signal" request: the runner stops the process group the
wrapper reported through a second channel instead, and checks on the host that it is gone.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from envdeck.adapters.ssh import SshPool, SshRunner, SshTarget
from envdeck.domain.commands import OutputChunk, RunErrorCode, RunOutcome, RunResult
from envdeck.domain.environment import HostKeyPolicy
from tests.integration.test_ssh_runner import (
    unique_sleep,
    wait_until_gone,
    wait_until_running,
)
from tests.support import sshd as ssh_servers
from tests.support.faults import descendants, frozen
from tests.support.sshd import IS_ROOT, OpenSshServer, SshAccount, running_sshd

ssh_account = ssh_servers.ssh_account
own_sshd = ssh_servers.own_sshd
ssh_pool = ssh_servers.ssh_pool


@pytest.fixture(scope="module")
def root_sshd(ssh_account: SshAccount) -> Iterator[OpenSshServer]:
    """A real sshd that lets root log in with the test account's key."""
    if not IS_ROOT:
        pytest.skip("a root login needs the tests to run as root (CI does)")
    with running_sshd(ssh_account, allow_root=True) as server:
        yield server


@pytest_asyncio.fixture
async def runner(ssh_pool: SshPool) -> AsyncIterator[SshRunner]:
    yield SshRunner(ssh_pool, kill_grace=1.0)


def as_root(server: OpenSshServer) -> SshTarget:
    return SshTarget(
        host="127.0.0.1",
        port=server.port,
        username="root",
        host_key_policy=HostKeyPolicy.PIN,
        host_key=server.host_key_line,
    )


async def run_until_started(
    runner: SshRunner, target: SshTarget, account: SshAccount, sleeper: str, **kwargs: object
) -> "asyncio.Task[RunResult]":
    started = asyncio.Event()

    async def on_output(_chunk: OutputChunk) -> None:
        started.set()

    run = asyncio.create_task(
        runner.run_script(
            target,
            account.keys.key_credential(),
            f"echo started\n{sleeper}\necho never\n",
            on_output=on_output,
            **kwargs,  # type: ignore[arg-type]
        )
    )
    await started.wait()
    assert await wait_until_running(sleeper) != []
    return run


async def test_cancel_ends_a_root_logins_script(
    root_sshd: OpenSshServer, ssh_account: SshAccount, runner: SshRunner
) -> None:
    sleeper = unique_sleep()
    cancel = asyncio.Event()
    run = await run_until_started(
        runner, as_root(root_sshd), ssh_account, sleeper, timeout=60, cancel=cancel
    )
    cancel.set()
    result = await run
    assert result.outcome is RunOutcome.CANCELLED, result.error
    assert result.output == "started\n"  # the wrapper's process-group line is not output
    assert await wait_until_gone(sleeper) == []


async def test_a_timeout_ends_a_root_logins_script(
    root_sshd: OpenSshServer, ssh_account: SshAccount, runner: SshRunner
) -> None:
    sleeper = unique_sleep()
    result = await runner.run_script(
        as_root(root_sshd),
        ssh_account.keys.key_credential(),
        f"echo started\n{sleeper}\n",
        timeout=2,
    )
    assert result.outcome is RunOutcome.TIMED_OUT, result.error
    assert await wait_until_gone(sleeper) == []


async def test_cancelling_the_task_ends_a_root_logins_script(
    root_sshd: OpenSshServer, ssh_account: SshAccount, runner: SshRunner
) -> None:
    # What a server shutdown does to a running operation.
    sleeper = unique_sleep()
    run = await run_until_started(runner, as_root(root_sshd), ssh_account, sleeper, timeout=60)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert await wait_until_gone(sleeper) == []


async def test_a_stop_that_cannot_be_confirmed_says_so(
    own_sshd: OpenSshServer, ssh_account: SshAccount, runner: SshRunner
) -> None:
    sleeper = unique_sleep()
    cancel = asyncio.Event()
    run = await run_until_started(
        runner, own_sshd.pinned(), ssh_account, sleeper, timeout=60, cancel=cancel
    )
    assert own_sshd.process is not None
    # The whole host freezes: its session and its listener, so no second channel opens.
    with frozen([own_sshd.process.pid, *descendants(own_sshd.process.pid)]):
        cancel.set()
        result = await asyncio.wait_for(run, 60)
    assert result.outcome is RunOutcome.STOP_UNCONFIRMED
    assert result.error is not None
    assert result.error.code == RunErrorCode.STOP_UNCONFIRMED
    assert "may still run on the host" in result.error.message
