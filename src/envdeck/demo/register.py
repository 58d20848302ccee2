"""Register the demo fleet's environments in Envdeck, idempotently, by name.

Each simulated environment becomes an Envdeck environment tagged `demo`, with a health check
every 10 s (`$.status` equals "ok", version from `$.version`), HTTP restart and upgrade commands
and a version list, all pointing at the fleet. Running it again changes nothing, or brings a
demo environment back to the demo's configuration, including a new fleet port. Environments are
created and updated through the EnvironmentService, so they are audited and announced live like
any other change. An environment of the same name that is not tagged `demo` is left alone.
"""

from dataclasses import dataclass, field
from typing import Any

import structlog

from envdeck.domain.auth import Principal, TokenKind
from envdeck.domain.environment import Environment
from envdeck.domain.errors import EnvironmentNotFound
from envdeck.domain.user import Role, User
from envdeck.services.container import Services
from envdeck.services.inventory.environments import configuration_diff, masked

log = structlog.get_logger(__name__)

DEMO_TAG = "demo"
DEMO_ACTOR = "demo"
CHECK_INTERVAL_SECONDS = 10
CHECK_TIMEOUT_SECONDS = 5


@dataclass
class Registration:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # same name, not a demo environment

    def summary(self) -> str:
        parts = [
            f"{len(names)} {word}"
            for names, word in (
                (self.created, "created"),
                (self.updated, "updated"),
                (self.unchanged, "unchanged"),
                (self.skipped, "skipped (not tagged demo)"),
            )
            if names
        ]
        return ", ".join(parts) or "nothing to register"


def demo_principal() -> Principal:
    """The system actor the demo's changes are recorded under."""
    user = User(id="", username=DEMO_ACTOR, role=Role.ADMIN)
    return Principal(user=user, role=Role.ADMIN, kind=TokenKind.API, token_id="", expires_at=None)


def demo_config(
    name: str,
    base: str,
    *,
    interval: int = CHECK_INTERVAL_SECONDS,
    verify_timeout: int = 60,
) -> dict[str, Any]:
    """Return one simulated environment as the API takes it: a JSON health check of the fleet's
    environment at `base` every `interval` s, HTTP restart and upgrade commands on it."""
    product, _, stage = name.partition("-")
    tags = [DEMO_TAG, *(t for t in (product, stage) if t and product != "env")]
    # The dashboard's swimlanes group by metadata: an application a row, a stage a column.
    metadata = {"app": product, "stage": stage} if stage and product != "env" else {}
    return {
        "name": name,
        "description": f"Simulated by the Envdeck demo fleet ({product or name}).",
        "environmentURL": base,
        "tags": tags,
        "metadata": metadata,
        "healthCheck": {
            "enabled": True,
            "endpoint": "/health",  # the seed's form: resolved against environmentURL
            "interval": interval,
            "timeout": CHECK_TIMEOUT_SECONDS,
            "validation": {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}},
            "failureThreshold": 1,
            "versionJsonPath": "$.version",
        },
        "commands": {
            "type": "http",
            "restart": {"enabled": True, "url": f"{base}/restart", "method": "POST"},
        },
        "upgradeConfig": {
            "enabled": True,
            "type": "http",
            "versionListURL": f"{base}/versions",
            "jsonPathResponse": "$.versions[*]",
            "upgradeCommand": {
                "url": f"{base}/upgrade",
                "method": "POST",
                "body": {"version": "{VERSION}"},
            },
            "verifyTimeout": verify_timeout,
        },
    }


def demo_environment(name: str, fleet_url: str) -> Environment:
    """Return the configuration Envdeck keeps for one simulated environment."""
    base = f"{fleet_url.rstrip('/')}/envs/{name}"
    return Environment.model_validate(demo_config(name, base))


async def register_fleet(services: Services, fleet_url: str, names: list[str]) -> Registration:
    """Create or update one demo environment per name; return what was done to each."""
    actor = demo_principal()
    repository = services.storage.environments
    result = Registration()
    for name in names:
        desired = demo_environment(name, fleet_url)
        try:
            stored = await repository.get_by_name(name)
        except EnvironmentNotFound:
            stored = None
        # A background producer waits for the activity log instead of overrunning it.
        await services.activity.wait_for_room()
        if stored is None:
            await services.environments.create_environment(actor, desired)
            result.created.append(name)
        elif DEMO_TAG not in stored.tags:
            result.skipped.append(name)
        elif configuration_diff(masked(stored), desired):
            await services.environments.replace_environment(actor, stored.id, desired)
            result.updated.append(name)
        else:
            result.unchanged.append(name)
    log.info(
        "demo_fleet_registered",
        created=len(result.created),
        updated=len(result.updated),
        unchanged=len(result.unchanged),
        skipped=len(result.skipped),
    )
    return result
