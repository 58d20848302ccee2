"""`GET /metrics`: Prometheus metrics in the text exposition format (docs/metrics.md).

Served at the root, where scrapers look, outside the JSON API and its OpenAPI schema. With
`metrics.requireToken` a scraper sends an API token (or a login token) of any role.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import HTTPAuthorizationCredentials

from envdeck.adapters.metrics import CONTENT_TYPE
from envdeck.api.deps import (
    AuthDep,
    BearerOrBareToken,
    MetricsScrapeDep,
    SettingsDep,
    get_principal,
)

router = APIRouter()

_bearer = BearerOrBareToken(auto_error=False, scheme_name="HTTPBearer")


async def require_scrape_access(
    settings: SettingsDep,
    auth: AuthDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Ask for a token of any role when metrics.requireToken is on (401 envelope otherwise)."""
    if settings.metrics.require_token:
        await get_principal(auth, credentials)


@router.get(
    "/metrics",
    include_in_schema=False,
    dependencies=[Depends(require_scrape_access)],
)
async def get_metrics(scrape: MetricsScrapeDep) -> Response:
    return Response(await scrape.render(), media_type=CONTENT_TYPE)
