"""`GET /metrics`: Prometheus metrics in the text exposition format (docs/metrics.md).

Served at the root, where scrapers look, outside the JSON API and its OpenAPI schema. With
`metrics.requireToken` a scraper sends an API token (or a login token) of any role.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from envdeck.adapters.metrics import CONTENT_TYPE, Sample
from envdeck.api.deps import ServicesDep, SettingsDep, get_principal
from envdeck.domain.errors import StorageUnavailable
from envdeck.services.container import Services

router = APIRouter()

_bearer = HTTPBearer(auto_error=False)
_BY_HEALTH_KEY = ("metrics", "environments_by_health")


async def require_scrape_access(
    settings: SettingsDep,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Ask for a token of any role when metrics.requireToken is on (401 envelope otherwise)."""
    if settings.metrics.require_token:
        await get_principal(services, credentials)


async def _sample(services: Services) -> Sample:
    environments = services.storage.environments
    try:
        # Shared with the dashboard's counts until an environment changes (or a second passes).
        by_health = await services.environment_views.get(
            _BY_HEALTH_KEY, environments.count_by_health
        )
    except StorageUnavailable:
        by_health = None
    # Read after the call above, which may have probed storage and closed the breaker.
    breaker = services.storage_breaker
    return Sample(
        environments_by_health=by_health,
        websocket_connections=services.realtime.connection_count,
        activity_queue_depth=services.activity.pending,
        activity_write_failures=services.activity.write_failures,
        storage_breaker_open=breaker.is_open,
        storage_breaker_opens=breaker.trips,
    )


@router.get(
    "/metrics",
    include_in_schema=False,
    dependencies=[Depends(require_scrape_access)],
)
async def get_metrics(services: ServicesDep) -> Response:
    sample = await _sample(services)
    return Response(services.metrics.render(sample), media_type=CONTENT_TYPE)
