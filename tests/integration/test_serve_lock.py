"""The embedded SQLite mode is one instance: a second `envdeck serve` on the same data dir is
refused at once with one line naming the holder, and a crashed holder leaves no stale lock."""

import os
import signal
import subprocess
from pathlib import Path

from tests.support.server import ENVDECK, free_port, start_server


def second_serve(workdir: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    environ["PORT"] = str(free_port())
    return subprocess.run(
        [str(ENVDECK), "serve"],
        cwd=workdir,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_serve_on_the_same_data_dir_is_refused_naming_the_holder(
    tmp_path: Path,
) -> None:
    first = start_server(tmp_path)
    try:
        refused = second_serve(tmp_path)
    finally:
        first.stop()

    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert f"pid {first.process.pid}" in lines[0]
    assert "MongoDB" in lines[0]
    assert "docs/operations.md" in lines[0]
    assert "Envdeck" not in refused.stdout  # refused before the banner: nothing started


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()

    again = start_server(tmp_path)
    again.stop()
    assert again.process.returncode == 0
