"""Health history (anyone signed in): an environment's chart, uptime and recent checks, and the
dashboard cards' sparklines."""

import re
from typing import Annotated

from fastapi import APIRouter, Query

from envdeck.api.deps import HealthHistoryDep, ViewerPrincipal
from envdeck.api.schemas import ApiModel, error_responses
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.health import HealthPoint, HealthSample
from envdeck.services.health.history import (
    MAX_RECENT_CHECKS,
    MAX_SPARKLINE_IDS,
    HealthHistory,
    HistoryRange,
    Uptime,
)

router = APIRouter(tags=["health"])

_ID = re.compile(r"^[0-9a-f]{24}$")
# 200 ids of 24 characters and their commas.
_MAX_IDS_LENGTH = MAX_SPARKLINE_IDS * 25


class RecentChecks(ApiModel):
    checks: list[HealthSample]


class Sparklines(ApiModel):
    sparklines: dict[str, list[HealthPoint]]


def _parse_ids(ids: str) -> list[str]:
    parsed = [part.strip() for part in ids.split(",") if part.strip()]
    bad = [part for part in parsed if not _ID.match(part)]
    if bad:
        raise ValidationFailed(
            "ids must be environment ids (24 hex characters)", details={"field": "ids"}
        )
    return parsed


@router.get(
    "/environments/{environment_id}/health/history",
    response_model=HealthHistory,
    responses=error_responses(401, 404),
    summary="An environment's health over a time range (at most ~300 points)",
)
async def get_health_history(
    environment_id: str,
    _viewer: ViewerPrincipal,
    history: HealthHistoryDep,
    range_: Annotated[HistoryRange, Query(alias="range")] = HistoryRange.DAY,
) -> HealthHistory:
    """1h and 24h come from raw samples (12 s and 5 min buckets), 7d and 30d from hourly
    rollups (1 h and 3 h buckets). Empty buckets are left out."""
    return await history.history(environment_id, range_)


@router.get(
    "/environments/{environment_id}/uptime",
    response_model=Uptime,
    responses=error_responses(401, 404),
    summary="An environment's uptime over 24 h, 7 d, 30 d and 90 d",
)
async def get_uptime(
    environment_id: str, _viewer: ViewerPrincipal, history: HealthHistoryDep
) -> Uptime:
    """Percent of checks that found it healthy, per window of whole hours (null: no checks)."""
    return await history.uptime(environment_id)


@router.get(
    "/environments/{environment_id}/health/checks",
    response_model=RecentChecks,
    responses=error_responses(401, 404),
    summary="An environment's most recent checks, newest first",
)
async def list_recent_checks(
    environment_id: str,
    _viewer: ViewerPrincipal,
    history: HealthHistoryDep,
    limit: Annotated[int, Query(ge=1, le=MAX_RECENT_CHECKS)] = 20,
) -> RecentChecks:
    checks = await history.recent_checks(environment_id, limit)
    return RecentChecks(checks=checks)


@router.get(
    "/sparklines",
    response_model=Sparklines,
    responses=error_responses(401),
    summary="The last hour of several environments in 2-minute buckets (dashboard cards)",
)
async def get_sparklines(
    _viewer: ViewerPrincipal,
    history: HealthHistoryDep,
    ids: Annotated[
        str,
        Query(
            max_length=_MAX_IDS_LENGTH,
            description=f"comma-separated environment ids, at most {MAX_SPARKLINE_IDS}",
        ),
    ],
) -> Sparklines:
    """Unknown ids get an empty list."""
    points = await history.sparklines(_parse_ids(ids))
    return Sparklines(sparklines=points)
