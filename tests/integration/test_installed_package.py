"""The wheel as a user installs it: `python -m build`, a fresh venv, `pip install`, `envdeck serve`.

The venv sees neither the source tree nor Node, and the server runs in an empty folder with the
settings the Dockerfile gives it (data dir, bind address, port), so whatever it serves comes from
the installed package. The Dockerfile and docker-compose.yml take only the steps proven here: the
last tests hold them to the same commands.
"""

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from envdeck.api.ui import STATIC_DIR
from tests.support.server import RunningServer, start_server

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"

# The Dockerfile's HEALTHCHECK runs this with the image's python (no curl on a slim image).
HEALTHCHECK_CODE = (
    "import os, urllib.request; urllib.request.urlopen("
    "'http://127.0.0.1:%s/api/v1/health' % os.environ.get('PORT', '8080'), timeout=4)"
)
# Bound the steps that reach the package registry, so a registry that stops answering fails
# the test instead of hanging the run; each takes seconds when it answers.
STEP_TIMEOUT = 600


def require_built_ui() -> None:
    # `make test` builds the UI first (`make install`); in CI its absence is a failure.
    if not (STATIC_DIR / "index.html").is_file():
        why = f"the UI is not built ({STATIC_DIR}/index.html): run `make install`"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def outside_the_source_tree() -> dict[str, str]:
    """Return this process's environment less what would point a child at the source tree."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(*command: str | Path, cwd: Path) -> str:
    """Run a step to completion and return its output; fail the test with it if it fails."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=outside_the_source_tree(),
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


@dataclass
class Installed:
    wheel: Path
    venv: Path
    home: Path  # an empty folder, the working directory of everything run from the venv

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    require_built_ui()
    base = tmp_path_factory.mktemp("installed-package")
    dist, venv, home = base / "dist", base / "venv", base / "home"
    home.mkdir()
    # The Dockerfile's steps: build (sdist, then the wheel from it), a venv, pip install.
    run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=home)
    (wheel,) = dist.glob("envdeck-*.whl")
    run(sys.executable, "-m", "venv", venv, cwd=home)
    run(venv / "bin" / "pip", "install", wheel, cwd=home)
    return Installed(wheel, venv, home)


@pytest.fixture(scope="module")
def served(installed: Installed) -> Iterator[RunningServer]:
    data = installed.home / "data-volume"
    container_settings = {  # the Dockerfile's ENV, and never a path to the source tree
        "PYTHONPATH": "",
        "PYTHONUNBUFFERED": "1",
        "ENVDECK_DATA_DIR": str(data),
        "ENVDECK_SERVER__HOST": "0.0.0.0",  # noqa: S104
    }
    server = start_server(
        installed.home, env=container_settings, ready_within=60, envdeck=installed.bin("envdeck")
    )
    yield server
    server.stop()
    assert server.process.returncode == 0, f"SIGTERM did not stop it cleanly:\n{server.output()}"


def test_the_wheel_carries_every_file_of_the_built_ui(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    package = STATIC_DIR.parents[1]
    built = {
        f"envdeck/{path.relative_to(package).as_posix()}"
        for path in STATIC_DIR.rglob("*")
        if path.is_file()
    }
    assert "envdeck/web/static/index.html" in built
    assert built - names == set()


def test_the_venv_imports_envdeck_from_its_own_site_packages(installed: Installed) -> None:
    where = run(
        installed.bin("python"),
        "-c",
        "from envdeck.api.ui import STATIC_DIR as d; print(d, (d / 'index.html').is_file())",
        cwd=installed.home,
    ).rsplit(maxsplit=1)
    assert Path(where[0]).is_relative_to(installed.venv)
    assert where[1] == "True"


def test_serve_answers_health_on_the_container_settings(
    installed: Installed, served: RunningServer
) -> None:
    response = httpx.get(f"{served.url}/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert (installed.home / "data-volume" / "envdeck.db").is_file()
    assert not (installed.home / "data").exists()


def test_serve_answers_the_ui_index_and_its_assets(served: RunningServer) -> None:
    index = httpx.get(f"{served.url}/")
    assert index.status_code == 200
    assert index.text == (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index.text)
    assert assets
    for asset in assets:
        assert httpx.get(f"{served.url}{asset}").status_code == 200, asset
    assert httpx.get(f"{served.url}/api/docs").status_code == 200


def test_the_dockerfile_healthcheck_passes(installed: Installed, served: RunningServer) -> None:
    port = served.url.rsplit(":", 1)[1]
    done = subprocess.run(
        [str(installed.bin("python")), "-c", HEALTHCHECK_CODE],
        cwd=installed.home,
        env=outside_the_source_tree() | {"PORT": port},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# ---- the container files take the steps proven above ---------------------------------------------


def test_the_dockerfile_builds_installs_and_serves_as_above() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    steps = (
        "npm ci",
        "npm run build",
        "python -m build --outdir /dist .",
        "python -m venv /opt/envdeck",
        "/opt/envdeck/bin/pip install /dist/envdeck-*.whl",
        "ENVDECK_DATA_DIR=/data",
        "ENVDECK_SERVER__HOST=0.0.0.0",
        "PORT=8080",
        f'python -c "{HEALTHCHECK_CODE}"',
        'CMD ["envdeck", "serve"]',
        "USER envdeck",
        'VOLUME ["/data"]',
    )
    assert [step for step in steps if step not in dockerfile] == []


def test_compose_runs_the_image_on_a_replica_set_of_one() -> None:
    compose = COMPOSE.read_text(encoding="utf-8")
    parts = ("build: .", "--replSet", "rs.initiate", "mongodb://mongo:27017/?replicaSet=rs0")
    assert [part for part in parts if part not in compose] == []


def test_the_commands_that_reach_a_running_envdeck_work_from_the_venv(
    installed: Installed, served: RunningServer
) -> None:
    # `envdeck reserve` and `envdeck promote` send requests with httpx (and follow over
    # WebSockets): dependencies of the package, not only of its dev extras.
    for command in (["reserve", "release", "0" * 24], ["promote", "shop", "prod", "--wait"]):
        done = subprocess.run(
            [str(installed.bin("envdeck")), *command, "--url", served.url, "--token", "edk_nope"],
            cwd=installed.home,
            env=outside_the_source_tree(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("envdeck: error: "), done.stderr
        assert "(HTTP 401)" in done.stderr
    run(installed.bin("python"), "-c", "import websockets.sync.client", cwd=installed.home)
