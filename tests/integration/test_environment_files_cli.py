"""`envdeck export` and `envdeck import`, on the local data dir and against a running server."""

import os
import subprocess
from pathlib import Path

import httpx
import yaml

from tests.integration.conftest import ADMIN_PASSWORD
from tests.support.server import ENVDECK, start_server

FILE = {
    "apiVersion": "envdeck/v1",
    "environments": [
        {"name": "qa", "tags": ["eu"], "description": "QA"},
        {
            "name": "prod",
            "protected": True,
            "healthCheck": {
                "enabled": True,
                "endpoint": "https://prod.example.com/health",
                "headers": {"X-Api-Key": "prod-key-123456"},
            },
        },
    ],
}


def envdeck(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    return subprocess.run(
        [str(ENVDECK), *args],
        cwd=cwd,
        env=environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_import_then_export_on_the_local_data_dir(tmp_path: Path) -> None:
    (tmp_path / "envs.yaml").write_text(yaml.safe_dump(FILE))
    dry = envdeck("import", "envs.yaml", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "create    qa" in dry.stdout
    assert "nothing was changed" in dry.stdout
    assert "qa" not in envdeck("export", cwd=tmp_path).stdout

    applied = envdeck("import", "envs.yaml", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    exported = envdeck("export", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    document = yaml.safe_load(exported.stdout)
    assert [e["name"] for e in document["environments"]] == ["prod", "qa"]
    assert "prod-key-123456" not in exported.stdout

    again = envdeck("import", "envs.yaml", cwd=tmp_path)
    assert "unchanged qa" in again.stdout


def test_import_reports_each_problem_and_imports_nothing(tmp_path: Path) -> None:
    broken = {
        "apiVersion": "envdeck/v1",
        "environments": [{"name": "ok-one"}, {"name": "bad name"}],
    }
    (tmp_path / "envs.yaml").write_text(yaml.safe_dump(broken))
    result = envdeck("import", "envs.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "bad name" in result.stderr
    assert "Traceback" not in result.stderr
    assert "ok-one" not in envdeck("export", cwd=tmp_path).stdout


def test_import_and_export_through_a_running_server(tmp_path: Path) -> None:
    server = start_server(
        tmp_path, env={"ENVDECK_ADMIN_USERNAME": "admin", "ENVDECK_ADMIN_PASSWORD": ADMIN_PASSWORD}
    )
    try:
        login = httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": "admin", "password": ADMIN_PASSWORD},
            timeout=10,
        ).json()
        token = httpx.post(
            f"{server.url}/api/v1/tokens",
            json={"name": "cli"},
            headers={"Authorization": f"Bearer {login['token']}"},
            timeout=10,
        ).json()["secret"]
        (tmp_path / "envs.yaml").write_text(yaml.safe_dump(FILE))
        remote = {"ENVDECK_TOKEN": token}
        applied = envdeck("import", "envs.yaml", "--url", server.url, cwd=tmp_path, env=remote)
        assert applied.returncode == 0, applied.stderr
        exported = envdeck("export", "--url", server.url, "--tag", "eu", cwd=tmp_path, env=remote)
        assert exported.returncode == 0, exported.stderr
        assert [e["name"] for e in yaml.safe_load(exported.stdout)["environments"]] == ["qa"]
        refused = envdeck(
            "export", "--url", server.url, cwd=tmp_path, env={"ENVDECK_TOKEN": "edk_nope"}
        )
        assert refused.returncode == 2
        assert "invalid token" in refused.stderr
    finally:
        server.stop()


def test_a_server_that_does_not_answer_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "envs.yaml").write_text(yaml.safe_dump(FILE))
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback
    for args in (("export",), ("import", "envs.yaml")):
        result = envdeck(*args, "--url", closed, "--token", "edk_x", cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout)
        assert result.stderr.startswith("envdeck: error: no answer from http://127.0.0.1:9")
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
