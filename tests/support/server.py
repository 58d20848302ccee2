"""Start the real `envdeck serve` as a subprocess on a free port, and stop it."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ENVDECK = Path(sys.executable).with_name("envdeck")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    url: str
    workdir: Path
    # A file, not a pipe: nobody reads a pipe while the server runs, and a server that has
    # printed a full pipe's worth (64 KiB of access log) blocks on its next line.
    log: IO[str]

    def output(self) -> str:
        """Stop the server (if still running) and return everything it printed."""
        self.stop()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                # A graceful stop in cluster mode hands its shards back and flushes what it
                # holds; on a loaded CI machine that took over 15 s once.
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    workdir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    ready_within: float = 30,
    envdeck: Path = ENVDECK,
) -> RunningServer:
    """Run `envdeck serve` in workdir (so ./data lands there) and wait until it answers.

    envdeck: the command, the test venv's by default (another venv's, for an installed wheel).
    """
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    environ |= {"PORT": str(port), **(env or {})}
    log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (lives as the server does)
    process = subprocess.Popen(
        [str(envdeck), "serve", *args],
        cwd=workdir,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = RunningServer(process, f"http://127.0.0.1:{port}", workdir, log)
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"envdeck serve exited early:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"envdeck serve did not answer in {ready_within:g} s:\n{server.output()}")


@dataclass
class DemoServer:
    """`envdeck serve --demo`: the server and the simulated fleet it runs on loopback."""

    server: RunningServer
    fleet_url: str


def start_demo_server(workdir: Path, *, count: int = 12) -> DemoServer:
    """Run `envdeck serve --demo` with the fleet on a known free port."""
    fleet_port = free_port()
    server = start_server(
        workdir, "--demo", "--demo-count", str(count), "--demo-port", str(fleet_port)
    )
    return DemoServer(server, f"http://127.0.0.1:{fleet_port}")
