"""Helpers for operation tests: environments wired to the demo fleet, waiting for an outcome."""

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from envdeck.config import Settings
from tests.support.fleet import FleetProcess
from tests.support.live_app import app_settings

FINISHED = {"succeeded", "failed", "cancelled", "timed_out", "stop_unconfirmed", "interrupted"}


def operation_settings(data_dir: Path, **environ: str) -> Settings:
    """Settings for operation tests: fast verification polls, no background health checks."""
    base = {
        "ENVDECK_HEALTH__ENABLED": "false",
        "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
        "ENVDECK_OPERATIONS__OUTPUT_FLUSH_INTERVAL": "200ms",
    }
    return app_settings(data_dir, **(base | environ))


def fleet_environment(
    fleet: FleetProcess,
    name: str,
    *,
    versioned: bool = True,
    verify_timeout: int = 10,
    rollback: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """Return the configuration of an environment restarted/upgraded over HTTP on the fleet."""
    health: dict[str, Any] = {
        "enabled": True,
        "endpoint": fleet.health_url(name),
        "interval": 3600,
        "timeout": 5,
        "validation": {"type": "statusCode", "value": 200},
    }
    if versioned:
        health["versionJsonPath"] = "$.version"
    return {
        "name": name,
        "healthCheck": health,
        "commands": {
            "type": "http",
            "restart": {"enabled": True, "url": f"{fleet.env_url(name)}/restart"},
        },
        "upgradeConfig": {
            "enabled": True,
            "type": "http",
            "versionListURL": fleet.versions_url(name),
            "jsonPathResponse": "$.versions[*]",
            "upgradeCommand": {
                "url": f"{fleet.env_url(name)}/upgrade",
                "method": "POST",
                "body": {"version": "{VERSION}"},
            },
            "verifyTimeout": verify_timeout,
            "rollbackOnFailure": rollback,
        },
        **extra,
    }


def wait_for_operation(
    client: TestClient, headers: dict[str, str], operation_id: str, seconds: float = 60
) -> dict[str, Any]:
    """Poll GET /operations/{id} until it has finished; return it."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(f"/api/v1/operations/{operation_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in FINISHED:
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"operation {operation_id} still {body['status']} after {seconds} s")
        time.sleep(0.1)


def wait_for_status(
    client: TestClient, headers: dict[str, str], operation_id: str, status: str
) -> dict[str, Any]:
    """Poll until the operation has this (non-final) status, e.g. running."""
    deadline = time.monotonic() + 30
    while True:
        body: dict[str, Any] = client.get(
            f"/api/v1/operations/{operation_id}", headers=headers
        ).json()
        if body["status"] == status:
            return body
        if body["status"] in FINISHED or time.monotonic() > deadline:
            pytest.fail(f"operation {operation_id} is {body['status']}, not {status}")
        time.sleep(0.05)
