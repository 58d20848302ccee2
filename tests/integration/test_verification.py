"""Verifier against the demo fleet (a separate process on loopback): an upgrade is verified
only when the environment is healthy on the target version."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from envdeck.adapters.outbound_http import OutboundHttp
from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.environment import Environment
from envdeck.services.health import HealthChecker
from envdeck.services.operations.verification import NO_HEALTH_CHECK, Verifier
from tests.support.fleet import FleetProcess, fleet_fixture

fleet = fleet_fixture(scope="module", transition_seconds=1.0)


def _now() -> datetime:
    return datetime.now(UTC)


@pytest_asyncio.fixture
async def verifier() -> AsyncIterator[Verifier]:
    http = OutboundHttp(max_connections=10, max_body_bytes=1 << 20, max_redirects=0)
    box = SecretBox(b"k" * 32)
    yield Verifier(HealthChecker(http, box, _now), box, poll_interval=0.2)
    await http.close()


def environment(fleet: FleetProcess, name: str, **check: Any) -> Environment:
    health_check = {
        "enabled": True,
        "endpoint": fleet.health_url(name),
        "timeout": 2,
        "validation": {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}},
        "versionJsonPath": "$.version",
    }
    return Environment.model_validate(
        {"id": "0" * 24, "name": name, "healthCheck": health_check | check}
    )


def upgrade(fleet: FleetProcess, name: str, version: str) -> None:
    response = httpx.post(f"{fleet.env_url(name)}/upgrade", json={"version": version})
    assert response.status_code == 202, response.text


def restart(fleet: FleetProcess, name: str) -> None:
    response = httpx.post(f"{fleet.env_url(name)}/restart")
    assert response.status_code == 200, response.text


async def test_an_upgrade_is_verified_once_the_new_version_is_reported(
    fleet: FleetProcess, verifier: Verifier
) -> None:
    upgrade(fleet, "shop-prod", "2.4.1")
    lines: list[str] = []

    async def progress(line: str) -> None:
        lines.append(line)

    outcome = await verifier.verify(
        environment(fleet, "shop-prod"), target_version="2.4.1", timeout=30, on_progress=progress
    )
    assert outcome.verified, outcome
    assert outcome.health == "healthy"
    assert outcome.version == "2.4.1"
    assert outcome.attempts == len(lines)
    assert outcome.message.startswith("healthy on version 2.4.1 after")
    # The fleet answers 503 "upgrading" right after the call: verification waited it out.
    assert "unhealthy" in lines[0]
    assert lines[-1].startswith(f"verify #{outcome.attempts}: healthy, version 2.4.1")


async def test_an_upgrade_that_never_changes_the_version_is_not_verified(
    fleet: FleetProcess, verifier: Verifier
) -> None:
    fleet.configure("billing-dev", upgradeApplies=False)
    upgrade(fleet, "billing-dev", "1.7.2")
    outcome = await verifier.verify(
        environment(fleet, "billing-dev"), target_version="1.7.2", timeout=3
    )
    assert not outcome.verified
    assert outcome.health == "healthy"
    assert outcome.version == "1.8.0"
    assert outcome.attempts > 1
    assert outcome.message.startswith("healthy, but still reports version 1.8.0, not 1.7.2")
    assert fleet.state("billing-dev")["version"] == "1.8.0"


async def test_health_that_never_returns_times_out(fleet: FleetProcess, verifier: Verifier) -> None:
    fleet.set_behaviour("search-staging", "down")
    outcome = await verifier.verify(
        environment(fleet, "search-staging"), target_version=None, timeout=1.5
    )
    assert not outcome.verified
    assert outcome.health == "unhealthy"
    assert outcome.attempts >= 1
    assert outcome.message.startswith("never healthy within 1.5 s")
    assert "$.status" in outcome.message or "expected" in outcome.message


async def test_a_hanging_target_ends_at_the_verify_timeout(
    fleet: FleetProcess, verifier: Verifier
) -> None:
    fleet.set_behaviour("search-prod", "hang")
    try:
        outcome = await verifier.verify(
            environment(fleet, "search-prod", timeout=30), target_version=None, timeout=1
        )
    finally:
        fleet.set_behaviour("search-prod", "healthy")
    assert not outcome.verified
    assert outcome.attempts == 1
    assert "did not finish before verification ended" in outcome.message


async def test_a_restart_is_verified_after_health_comes_back(
    fleet: FleetProcess, verifier: Verifier
) -> None:
    fleet.configure("shop-qa", restartDownSeconds=1.5)
    restart(fleet, "shop-qa")
    outcome = await verifier.verify(environment(fleet, "shop-qa"), target_version=None, timeout=30)
    assert outcome.verified
    assert outcome.attempts > 1
    assert outcome.message.startswith("healthy after")


async def test_a_restart_that_outlasts_the_verify_timeout_is_not_verified(
    fleet: FleetProcess, verifier: Verifier
) -> None:
    fleet.configure("shop-staging", restartDownSeconds=60)
    restart(fleet, "shop-staging")
    outcome = await verifier.verify(
        environment(fleet, "shop-staging"), target_version=None, timeout=1
    )
    assert not outcome.verified
    assert outcome.health == "unhealthy"
    assert outcome.message.startswith("never healthy within 1 s")


async def test_the_version_is_ignored_without_a_version_path(
    fleet: FleetProcess, verifier: Verifier
) -> None:
    outcome = await verifier.verify(
        environment(fleet, "search-dev", versionJsonPath=None), target_version="9.9.9", timeout=5
    )
    assert outcome.verified
    assert outcome.message == "healthy after 1 check"


async def test_a_version_path_that_finds_nothing_says_so(
    fleet: FleetProcess, verifier: Verifier
) -> None:
    outcome = await verifier.verify(
        environment(fleet, "search-qa", versionJsonPath="$.build.version"),
        target_version="3.2.0",
        timeout=0.5,
    )
    assert not outcome.verified
    assert outcome.version is None
    assert "reports no version" in outcome.message


@pytest.mark.parametrize("check", [{"enabled": False}, {"enabled": False, "endpoint": None}])
async def test_an_environment_without_a_health_check_is_verified_as_such(
    fleet: FleetProcess, verifier: Verifier, check: dict[str, Any]
) -> None:
    outcome = await verifier.verify(
        environment(fleet, "shop-dev", **check), target_version="2.5.0", timeout=5
    )
    assert outcome.verified
    assert outcome.attempts == 0
    assert outcome.message == NO_HEALTH_CHECK
