"""The first minutes in a terminal: what `envdeck` prints at start, as a user sees it.

No library deprecation warning, the original's variables honoured with one warning each, and
process logs readable on a terminal, JSON elsewhere (log.format).
"""

import json
import os
import pty
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import ENVDECK, RunningServer, free_port

LOG_SCRIPT = """
import structlog
from envdeck.config import LogSettings
from envdeck.logsetup import configure_logging

configure_logging(LogSettings(format="{format}"))
structlog.get_logger("envdeck.test").info("hello_there", answer=42)
"""


def clean_environ(**extra: str) -> dict[str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ENVDECK_", "MONGODB_")) and k not in ("PORT", "PYTHONWARNINGS")
    }
    return environ | extra


def start_with_original_variables(workdir: Path, port: int) -> RunningServer:
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (RunningServer closes it with the process)
    process = subprocess.Popen(
        [str(ENVDECK), "serve"],
        cwd=workdir,
        env=clean_environ(SERVER_HOST="127.0.0.1", SERVER_PORT=str(port), MONGO_ROOT_USER="admin"),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = RunningServer(process, f"http://127.0.0.1:{port}", workdir, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"envdeck serve exited early:\n{server.output()}")
        try:
            httpx.get(f"{server.url}/api/v1/health", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"envdeck serve did not answer:\n{server.output()}")


def test_serve_listens_on_server_port_and_warns_once_per_original_variable(
    tmp_path: Path,
) -> None:
    port = free_port()
    server = start_with_original_variables(tmp_path, port)
    try:
        assert httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200
    finally:
        output = server.output()
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    notices = [e for e in events if e["event"] == "original_config_name"]
    assert [(e["name"], e["kind"], e["use"], e["level"]) for e in notices] == [
        ("SERVER_HOST", "renamed", "ENVDECK_SERVER__HOST", "warning"),
        ("SERVER_PORT", "renamed", "PORT", "warning"),
        ("MONGO_ROOT_USER", "ignored", None, "warning"),
    ]
    assert f"URL:       http://127.0.0.1:{port}" in output
    assert "DeprecationWarning" not in output
    assert "DSA" not in output


@pytest.mark.parametrize("command", [[str(ENVDECK)], [sys.executable, "-m", "envdeck"]])
def test_a_command_that_loads_asyncssh_prints_no_deprecation_warning(
    tmp_path: Path, command: list[str]
) -> None:
    # `users unlock` opens the storage and builds the services, importing asyncssh.
    result = subprocess.run(
        [*command, "users", "unlock", "nobody"],
        cwd=tmp_path,
        env=clean_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "envdeck: error: user not found\n"


def log_output(log_format: str, *, terminal: bool) -> str:
    """Return what one log event looks like on stderr, a pipe or a terminal."""
    script = LOG_SCRIPT.format(format=log_format)
    if not terminal:
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=clean_environ(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stderr
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", script], env=clean_environ(), stderr=follower
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
        return b"".join(chunks).decode()
    finally:
        os.close(leader)


def test_log_format_json_writes_one_json_object_per_line() -> None:
    (line,) = log_output("json", terminal=True).splitlines()
    event = json.loads(line)
    assert (event["event"], event["answer"], event["level"]) == ("hello_there", 42, "info")


def test_log_format_console_writes_readable_lines() -> None:
    output = log_output("console", terminal=False)
    assert "hello_there" in output
    assert "answer=42" in output
    assert not output.lstrip().startswith("{")
    assert "\x1b[" not in output  # no colour codes into a file or a pipe


def test_log_format_auto_is_readable_on_a_terminal_and_json_elsewhere() -> None:
    on_terminal = log_output("auto", terminal=True)
    assert "hello_there" in on_terminal
    assert not on_terminal.lstrip().startswith("{")
    piped = json.loads(log_output("auto", terminal=False))
    assert piped["event"] == "hello_there"
