"""The built UI at / with SPA fallback; /api never falls back; cache headers by kind."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from envdeck.api.ui import mount_ui
from envdeck.app import create_app
from envdeck.config import Settings

INDEX = "<!doctype html><title>Envdeck</title><div id=root></div>"


@pytest.fixture
def ui_client(tmp_path: Path, make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text(INDEX)
    (static / "assets" / "index-abc123.js").write_text("console.log('envdeck')")
    (static / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("do not serve")
    app = create_app(make_settings(), serve_ui=False)
    mount_ui(app, static)
    with TestClient(app) as client:
        yield client


def test_serves_the_app_at_the_root(ui_client: TestClient) -> None:
    response = ui_client.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


def test_deep_links_return_the_app(ui_client: TestClient) -> None:
    response = ui_client.get("/environments/abc")
    assert response.status_code == 200
    assert response.text == INDEX


def test_hashed_assets_are_cached_for_a_year(ui_client: TestClient) -> None:
    response = ui_client.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert "max-age=31536000" in response.headers["cache-control"]


def test_other_static_files_revalidate(ui_client: TestClient) -> None:
    assert ui_client.get("/favicon.svg").headers["cache-control"] == "no-cache"


def test_a_missing_asset_is_404_not_the_app(ui_client: TestClient) -> None:
    assert ui_client.get("/assets/gone-123.js").status_code == 404


def test_api_paths_never_return_the_app(ui_client: TestClient) -> None:
    response = ui_client.get("/api/v1/no-such-resource/abc")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_an_unknown_api_path_is_404_for_every_method(ui_client: TestClient, method: str) -> None:
    for path in ("/api/v1/no-such-resource", "/api/v1/environments/abc/no-such-action", "/api"):
        response = ui_client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_known_api_path_with_another_method_stays_405(ui_client: TestClient) -> None:
    response = ui_client.delete("/api/v1/environments")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_never_serves_files_outside_the_static_dir(ui_client: TestClient) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
        assert "do not serve" not in ui_client.get(path).text
