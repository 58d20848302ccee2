"""Liveness and readiness on both backends."""

import socket
from collections.abc import Callable

from fastapi.testclient import TestClient
from pymongo import MongoClient

from envdeck import __version__
from envdeck.app import create_app
from envdeck.config import Settings
from tests.integration.conftest import read_setup_token


def test_health_answers_without_auth(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "version": __version__}


def test_ready_reports_the_sqlite_backend(client: TestClient) -> None:
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["storage"]["backend"] == "sqlite"
    assert body["storage"]["latencyMs"] >= 0


def test_ready_reports_the_mongodb_backend(
    make_settings: Callable[..., Settings], mongo_uri: str
) -> None:
    settings = make_settings(MONGODB_URI=mongo_uri, MONGODB_DATABASE="envdeck_ready_test")
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json()["storage"]["backend"] == "mongodb"


def test_ready_is_503_when_mongodb_answers_the_ping_with_an_error(
    make_settings: Callable[..., Settings], mongo_uri: str
) -> None:
    # A server shutting down or starting up answers with an error rather than not at all.
    settings = make_settings(MONGODB_URI=mongo_uri, MONGODB_DATABASE="envdeck_ready_error")
    with TestClient(create_app(settings)) as client, MongoClient(mongo_uri) as admin:
        admin.admin.command(
            "configureFailPoint",
            "failCommand",
            mode={"times": 1},
            data={"failCommands": ["ping"], "errorCode": 1, "appName": "envdeck"},
        )
        response = client.get("/api/v1/ready")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "UNAVAILABLE"
        assert client.get("/api/v1/ready").status_code == 200  # the error was once


def test_a_request_is_503_when_mongodb_says_it_cannot_serve_now(
    make_settings: Callable[..., Settings], mongo_uri: str
) -> None:
    settings = make_settings(MONGODB_URI=mongo_uri, MONGODB_DATABASE="envdeck_transient_error")
    with TestClient(create_app(settings)) as client, MongoClient(mongo_uri) as admin:
        setup = client.post(
            "/api/v1/setup",
            json={
                "token": read_setup_token(settings),
                "username": "admin",
                "password": "quartz-lantern-orbit-91",
            },
        )
        assert setup.status_code == 201, setup.text
        admin.admin.command(
            "configureFailPoint",
            "failCommand",
            mode={"times": 2},  # PyMongo retries a read once
            # ExceededTimeLimit: a server too busy to answer within its own limit.
            data={"failCommands": ["find", "aggregate"], "errorCode": 262, "appName": "envdeck"},
        )
        response = client.get(
            "/api/v1/environments", headers={"Authorization": f"Bearer {setup.json()['token']}"}
        )
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "UNAVAILABLE"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ready_is_503_when_storage_does_not_answer(
    make_settings: Callable[..., Settings],
) -> None:
    uri = f"mongodb://127.0.0.1:{_closed_port()}/?serverSelectionTimeoutMS=200"
    settings = make_settings(MONGODB_URI=uri)
    with TestClient(create_app(settings)) as client:
        # The app still starts and answers: liveness yes, readiness no.
        assert client.get("/api/v1/health").status_code == 200
        response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "UNAVAILABLE"
    assert response.json()["error"]["details"] == {"backend": "mongodb"}


def test_serves_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Envdeck"
    assert "/api/v1/ready" in spec["paths"]
    assert "ErrorResponse" in spec["components"]["schemas"]
    assert client.get("/api/docs").status_code == 200
