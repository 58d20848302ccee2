"""Reservations: who holds an environment until when (docs/reservations.md).

Anyone signed in reads them; users and admins reserve, claim, extend and release (their own;
admins any); only admins break someone's reservation.
"""

from datetime import timedelta
from typing import Annotated, Any, Self

from fastapi import APIRouter, Query, status
from pydantic import BeforeValidator, Field, model_validator

from envdeck.api.deps import (
    AdminPrincipal,
    OperatorPrincipal,
    ReservationsDep,
    ViewerPrincipal,
)
from envdeck.api.routes.environments import EnvironmentPublic, public_environment
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.maintenance import ScopeEnvironmentIds, ScopeTags
from envdeck.domain.reservation import ReservationListOptions, ReservationView
from envdeck.durations import parse_duration

router = APIRouter(tags=["reservations"])

Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)]

# "2h", "90m", "1h30m" (or a number of seconds).
DurationText = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    Field(json_schema_extra={"type": "string", "examples": ["2h", "90m"]}),
]


class ReservationPublic(ReservationView):
    """A reservation; `status` is derived from the clock when answered."""


class ReservationCreate(ApiModel):
    """Reserve from `start` (default: now) until `end`, or for `duration`: exactly one."""

    purpose: str = Field(min_length=1, max_length=200)
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    duration: DurationText | None = None

    @model_validator(mode="after")
    def _end_or_duration(self) -> Self:
        if (self.end is None) == (self.duration is None):
            raise ValueError("give exactly one of end and duration")
        return self


class ReservationChange(ApiModel):
    end: UtcDatetime


class ReservationBreak(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class ClaimRequest(ApiModel):
    """Reserve one free matching environment now: by tags (all of them) or among ids."""

    tags: ScopeTags | None = None
    environment_ids: ScopeEnvironmentIds | None = None
    duration: DurationText
    purpose: str = Field(min_length=1, max_length=200)
    require_healthy: bool = True

    @model_validator(mode="after")
    def _tags_or_ids(self) -> Self:
        if self.tags and self.environment_ids:
            raise ValueError("give tags or environmentIds, not both")
        return self


class ClaimResult(ApiModel):
    reservation: ReservationPublic
    environment: EnvironmentPublic


class ReservationList(ApiModel):
    items: list[ReservationPublic]
    pagination: Pagination


def _public(reservations: ReservationsDep, reservation: Any) -> ReservationPublic:
    return ReservationPublic.model_validate(reservations.view(reservation).model_dump())


def _page(
    reservations: ReservationsDep, items: list[Any], page: int, limit: int, total: int
) -> ReservationList:
    return ReservationList(
        items=[_public(reservations, r) for r in items], pagination=pagination(page, limit, total)
    )


@router.post(
    "/environments/{environment_id}/reservations",
    response_model=ReservationPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 404, 409),
    summary="Reserve an environment (409 RESERVED names the holder and the end)",
)
async def create_reservation(
    environment_id: str,
    body: ReservationCreate,
    user: OperatorPrincipal,
    reservations: ReservationsDep,
) -> ReservationPublic:
    created = await reservations.create_reservation(
        user, environment_id, body.purpose, start=body.start, end=body.end, duration=body.duration
    )
    return _public(reservations, created)


@router.get(
    "/environments/{environment_id}/reservations",
    response_model=ReservationList,
    responses=error_responses(401),
    summary="An environment's reservations, newest start first",
)
async def list_environment_reservations(
    environment_id: str,
    _viewer: ViewerPrincipal,
    reservations: ReservationsDep,
    page: Page = 1,
    limit: Limit = 20,
) -> ReservationList:
    options = ReservationListOptions(environment_id=environment_id, page=page, limit=limit)
    items, total = await reservations.list_reservations(options)
    return _page(reservations, items, page, limit, total)


@router.post(
    "/environments/{environment_id}/reservations/watch",
    response_model=ReservationPublic,
    responses=error_responses(401, 404),
    summary="Be told (event environment.free) when the current reservation stops holding",
)
async def watch_environment(
    environment_id: str, viewer: ViewerPrincipal, reservations: ReservationsDep
) -> ReservationPublic:
    return _public(reservations, await reservations.watch(viewer, environment_id))


@router.get(
    "/reservations",
    response_model=ReservationList,
    responses=error_responses(401),
    summary="Reservations, newest start first, with filters",
)
async def list_reservations(
    _viewer: ViewerPrincipal,
    reservations: ReservationsDep,
    environment_id: Annotated[str | None, Query(alias="environmentId", max_length=64)] = None,
    holder: Annotated[
        str | None, Query(max_length=64, description="a user id or a username")
    ] = None,
    active: Annotated[bool | None, Query(description="holding its environment now")] = None,
    from_: Annotated[UtcDatetime | None, Query(alias="from")] = None,
    to: UtcDatetime | None = None,
    page: Page = 1,
    limit: Limit = 20,
) -> ReservationList:
    options = ReservationListOptions(
        environment_id=environment_id, active=active, from_=from_, to=to, page=page, limit=limit
    )
    items, total = await reservations.list_reservations(options, holder=holder)
    return _page(reservations, items, page, limit, total)


@router.post(
    "/reservations/claim",
    response_model=ClaimResult,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Reserve one free (healthy) matching environment now, atomically",
)
async def claim_environment(
    body: ClaimRequest, user: OperatorPrincipal, reservations: ReservationsDep
) -> ClaimResult:
    """409 NONE_AVAILABLE (details.nextFreeAt) when every match is taken or unhealthy."""
    reservation, env = await reservations.claim(
        user,
        body.purpose,
        body.duration,
        tags=body.tags or [],
        environment_ids=body.environment_ids or [],
        require_healthy=body.require_healthy,
    )
    held = await reservations.current_and_next([env.id])
    return ClaimResult(
        reservation=_public(reservations, reservation),
        environment=public_environment(env, held.get(env.id), reservations.view),
    )


@router.get(
    "/reservations/{reservation_id}",
    response_model=ReservationPublic,
    responses=error_responses(401, 404),
    summary="Get a reservation",
)
async def get_reservation(
    reservation_id: str, _viewer: ViewerPrincipal, reservations: ReservationsDep
) -> ReservationPublic:
    return _public(reservations, await reservations.get_reservation(reservation_id))


@router.patch(
    "/reservations/{reservation_id}",
    response_model=ReservationPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Extend or shorten a reservation (its holder or an admin)",
)
async def change_reservation(
    reservation_id: str,
    body: ReservationChange,
    user: OperatorPrincipal,
    reservations: ReservationsDep,
) -> ReservationPublic:
    return _public(reservations, await reservations.set_end(user, reservation_id, body.end))


@router.post(
    "/reservations/{reservation_id}/release",
    response_model=ReservationPublic,
    responses=error_responses(401, 403, 404),
    summary="Release a reservation early (its holder or an admin)",
)
async def release_reservation(
    reservation_id: str, user: OperatorPrincipal, reservations: ReservationsDep
) -> ReservationPublic:
    return _public(reservations, await reservations.release(user, reservation_id))


@router.post(
    "/reservations/{reservation_id}/break",
    response_model=ReservationPublic,
    responses=error_responses(401, 403, 404),
    summary="Break someone's reservation, with a reason (admins; the holder is notified)",
)
async def break_reservation(
    reservation_id: str,
    body: ReservationBreak,
    admin: AdminPrincipal,
    reservations: ReservationsDep,
) -> ReservationPublic:
    broken = await reservations.break_reservation(admin, reservation_id, body.reason)
    return _public(reservations, broken)
