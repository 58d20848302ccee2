"""SSH operations benchmark: the pooled runner against bare asyncssh, in the same run.

1. Fan-out: N environments (100; `--quick`: 20), each its own SSH server on loopback (asyncssh
   servers in a separate process), "restarted" at once: each command sleeps 0.5 s on the
   server. Measured cold (connections opened as part of the run) through `SshRunner` (pool,
   host-key pinning, the one-script wrapper, output streaming) and through bare asyncssh
   (`connect` + `run` per environment), each in its own round.
2. Sequential: M commands (1,000; `--quick`: 200) one after another on one pooled
   connection, against bare asyncssh's `conn.run` on one open connection.

The server process answers every exec request as a shell would after reading the script
from stdin: it sleeps when the script says `sleep S`, prints "ok" and exits 0. No processes
are spawned, so the figures are the client's and the protocol's costs.

    python bench/operations.py [--quick] [--environments N] [--commands M]

Targets: fan-out total <= 1.2 x bare and < 3 s; sequential overhead per command <= 5 ms.
"""

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_line

from envdeck.adapters.ssh import PoolSettings, SshCredential, SshPool, SshRunner, SshTarget
from envdeck.domain.environment import HostKeyPolicy

SLEEP = re.compile(rb"sleep ([0-9.]+)")
USER = "bench"


# ---- the server process -----------------------------------------------------------------


class _Session(asyncssh.SSHServerSession[bytes]):
    def __init__(self) -> None:
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._script = b""

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:  # type: ignore[override]
        self._chan = chan

    def exec_requested(self, command: str) -> bool:
        self._script = command.encode()
        return True

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self._script += data

    def eof_received(self) -> bool:
        asyncio.get_running_loop().create_task(self._finish())
        return True

    async def _finish(self) -> None:
        match = SLEEP.search(self._script)
        if match:
            await asyncio.sleep(float(match.group(1)))
        assert self._chan is not None
        self._chan.write(b"ok\n")
        self._chan.exit(0)


class _Server(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def session_requested(self) -> _Session:
        return _Session()


async def serve(count: int, keys_dir: Path) -> None:
    host_key = asyncssh.read_private_key(keys_dir / "host_key")
    authorized = asyncssh.read_authorized_keys(str(keys_dir / "authorized_keys"))
    acceptors = [
        await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            authorized_client_keys=authorized,
            server_factory=_Server,
            encoding=None,
        )
        for _ in range(count)
    ]
    print(json.dumps([a.get_port() for a in acceptors]), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# ---- the client side --------------------------------------------------------------------


class Fixture:
    def __init__(self, keys_dir: Path, ports: list[int]) -> None:
        self.ports = ports
        self.host_key_line = (keys_dir / "host_key.pub").read_text().strip()
        self.client_key_text = (keys_dir / "client_key").read_text()
        self.client_key = asyncssh.import_private_key(self.client_key_text)
        self.credential = SshCredential(credential_id="b" * 24, private_key=self.client_key_text)

    def target(self, port: int) -> SshTarget:
        return SshTarget(
            host="127.0.0.1",
            port=port,
            username=USER,
            host_key_policy=HostKeyPolicy.PIN,
            host_key=self.host_key_line,
        )

    async def bare_connect(self, port: int) -> asyncssh.SSHClientConnection:
        return await asyncssh.connect(
            "127.0.0.1",
            port,
            username=USER,
            client_keys=[self.client_key],
            known_hosts=([asyncssh.import_public_key(self.host_key_line)], [], []),
            config=None,
            agent_path=None,
        )


async def fan_out_runner(fx: Fixture, count: int) -> float:
    pool = SshPool(PoolSettings())
    runner = SshRunner(pool)
    try:
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                runner.run_script(fx.target(port), fx.credential, "sleep 0.5", timeout=60)
                for port in fx.ports[:count]
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    assert all(r.succeeded for r in results), [r.error for r in results if not r.succeeded][:3]
    return elapsed


async def fan_out_bare(fx: Fixture, count: int) -> float:
    async def one(port: int) -> None:
        async with await fx.bare_connect(port) as conn:
            done = await conn.run(SCRIPT_WRAPPER_FOR_BARE, input="sleep 0.5", check=True)
            assert done.stdout == "ok\n"

    started = time.perf_counter()
    await asyncio.gather(*(one(port) for port in fx.ports[:count]))
    return time.perf_counter() - started


# Bare asyncssh sends the same text the runner sends, so the server does the same work.
SCRIPT_WRAPPER_FOR_BARE = "/bin/sh -c 'set -e; eval \"$(cat)\"'"


async def sequential_runner(fx: Fixture, commands: int) -> float:
    pool = SshPool(PoolSettings())
    runner = SshRunner(pool)
    target = fx.target(fx.ports[0])
    try:
        await runner.run_script(target, fx.credential, "true", timeout=30)  # connect first
        started = time.perf_counter()
        for _ in range(commands):
            result = await runner.run_script(target, fx.credential, "true", timeout=30)
            assert result.succeeded
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    return elapsed


async def sequential_bare(fx: Fixture, commands: int) -> float:
    async with await fx.bare_connect(fx.ports[0]) as conn:
        await conn.run(SCRIPT_WRAPPER_FOR_BARE, input="true", check=True)
        started = time.perf_counter()
        for _ in range(commands):
            await conn.run(SCRIPT_WRAPPER_FOR_BARE, input="true", check=True)
        return time.perf_counter() - started


def make_keys(directory: Path) -> None:
    host = asyncssh.generate_private_key("ssh-ed25519")
    client = asyncssh.generate_private_key("ssh-ed25519")
    host.write_private_key(directory / "host_key")
    host.write_public_key(directory / "host_key.pub")
    client.write_private_key(directory / "client_key")
    client.write_public_key(directory / "authorized_keys")


async def measure(args: argparse.Namespace, keys_dir: Path, ports: list[int]) -> list[str]:
    fx = Fixture(keys_dir, ports)
    n, m = args.environments, args.commands
    # Alternate, best of two rounds each: the machine is shared and noisy.
    fan_bare = fan_run = seq_bare = seq_run = float("inf")
    for _ in range(2):
        fan_bare = min(fan_bare, await fan_out_bare(fx, n))
        fan_run = min(fan_run, await fan_out_runner(fx, n))
        seq_bare = min(seq_bare, await sequential_bare(fx, m))
        seq_run = min(seq_run, await sequential_runner(fx, m))
    overhead_ms = (seq_run - seq_bare) / m * 1000
    print(f"fan-out of {n} x sleep 0.5 s: runner {fan_run:.3f} s, bare asyncssh {fan_bare:.3f} s")
    print(
        f"{m} sequential commands on one connection: runner {seq_run:.3f} s "
        f"({seq_run / m * 1000:.2f} ms each), bare {seq_bare:.3f} s "
        f"({seq_bare / m * 1000:.2f} ms each): overhead {overhead_ms:.2f} ms per command"
    )
    fan_ratio = fan_run / fan_bare
    return [
        bench_line(
            "operations",
            "fanout_total_s",
            fan_run,
            "s",
            baseline="bare_asyncssh_fanout_s",
            ratio=fan_ratio,
            target="ratio<=1.2 and total<3",
            ok=fan_ratio <= 1.2 and fan_run < 3,
        ),
        bench_line(
            "operations",
            "sequential_overhead_ms",
            max(overhead_ms, 0.001),
            "ms",
            baseline="bare_asyncssh_run_ms",
            ratio=seq_run / seq_bare,
            target="overhead<=5",
            ok=overhead_ms <= 5,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--environments", type=int)
    parser.add_argument("--commands", type=int)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keys", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.keys))
        return 0
    args.environments = args.environments or (20 if args.quick else 100)
    args.commands = args.commands or (200 if args.quick else 1000)
    with tempfile.TemporaryDirectory() as tmp:
        keys_dir = Path(tmp)
        make_keys(keys_dir)
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(args.environments), "--keys", tmp],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            ports = json.loads(server.stdout.readline())
            lines = asyncio.run(measure(args, keys_dir, ports))
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=30)
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
