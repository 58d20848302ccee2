"""`envdeck serve` as a subprocess with its stdout (the banner) and stderr (the log) apart."""

import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from tests.support.server import ENVDECK, free_port


@dataclass
class LoggedServer:
    process: subprocess.Popen[str]
    url: str
    workdir: Path
    stdout: IO[str]
    stderr: IO[str]

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def banner(self) -> str:
        """Stop the server; return what it printed on stdout (the start-up banner)."""
        self.stop()
        self.stdout.seek(0)
        return self.stdout.read()

    def log(self) -> str:
        """Stop the server; return its process log (stderr)."""
        self.stop()
        self.stderr.seek(0)
        return self.stderr.read()

    def log_records(self) -> list[dict[str, Any]]:
        """Stop the server; return every line of its log, each parsed as JSON (or fail)."""
        records = []
        for number, line in enumerate(self.log().splitlines(), 1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                raise AssertionError(f"log line {number} is not JSON: {line!r}") from None
        return records


def start_logged_server(workdir: Path, env: dict[str, str]) -> LoggedServer:
    """Run `envdeck serve` in workdir with JSON logs at debug level; wait until it answers."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    environ |= {
        "PORT": str(port),
        "ENVDECK_AUTH__BCRYPT_COST": "4",
        "ENVDECK_LOG__FORMAT": "json",
        "ENVDECK_LOG__LEVEL": "debug",
        **env,
    }
    stdout = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (lives with the server)
    stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(
        [str(ENVDECK), "serve"], cwd=workdir, env=environ, stdout=stdout, stderr=stderr, text=True
    )
    server = LoggedServer(process, f"http://127.0.0.1:{port}", workdir, stdout, stderr)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"envdeck serve exited early:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"envdeck serve did not answer in 30 s:\n{server.log()}")
