"""The environment inventory: list, summary, get (anyone signed in); create, replace, patch,
delete (admins)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response, status
from pydantic import Field

from envdeck.api.deps import (
    AdminPrincipal,
    EnvironmentFilesDep,
    EnvironmentsDep,
    EnvironmentViewsDep,
    ReservationsDep,
    ViewerPrincipal,
)
from envdeck.api.responses import SharedBody, json_response
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT
from envdeck.domain.environment import (
    Environment,
    EnvironmentListOptions,
    EnvironmentSort,
    HealthCheckConfig,
    HealthState,
)
from envdeck.domain.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from envdeck.domain.reservation import CurrentAndNext, Reservation, ReservationView
from envdeck.durations import parse_duration
from envdeck.services.inventory.environment_files import FILE_KIND, FILE_VERSION
from envdeck.services.reservations.service import ReservationService

router = APIRouter(prefix="/environments", tags=["environments"])


class EnvironmentConfig(Environment):
    """An environment's configuration. Server-set fields (id, status, systemInfo, timestamps,
    activeOperation, reservations) are accepted and ignored. Secret values (URL passwords;
    headers, query parameters, body and metadata fields whose name looks secret or is in
    secretNames) are sealed at rest; "********" in their place keeps the stored value."""

    reservations: dict[str, Any] | None = Field(
        default=None, exclude=True, json_schema_extra={"readOnly": True}
    )


class EnvironmentReservations(ApiModel):
    """The reservation holding the environment now, and the next one (read-only)."""

    current: ReservationView | None
    next: ReservationView | None


class HealthCheckPublic(HealthCheckConfig):
    """A health check as the API shows it: its configuration and the URL it requests."""

    resolved_endpoint: str | None = Field(
        default=None,
        description="The URL the check requests (read-only): the endpoint if it contains"
        " '://', else the endpoint path joined to environmentURL. Secrets read '********'.",
        json_schema_extra={"readOnly": True},
    )

    @classmethod
    def of(cls, env: Environment) -> "HealthCheckPublic":
        """Return env's health check with its resolved URL (env already masked, validated)."""
        config = env.health_check
        return cls.model_construct(
            _fields_set=config.model_fields_set | {"resolved_endpoint"},
            **dict(config),
            resolved_endpoint=env.health_check_url_or_none(),
        )


class EnvironmentPublic(Environment):
    """An environment as the API shows it: every secret value reads "********"."""

    health_check: HealthCheckPublic = Field(default_factory=HealthCheckPublic)
    reservations: EnvironmentReservations = Field(
        default_factory=lambda: EnvironmentReservations(current=None, next=None)
    )


class EnvironmentList(ApiModel):
    environments: list[EnvironmentPublic]
    pagination: Pagination


class EnvironmentSummary(ApiModel):
    total: int
    by_health: dict[str, int]
    by_tag: dict[str, int]


def public_environment(
    env: Environment,
    held: CurrentAndNext | None,
    view: Callable[[Reservation], ReservationView],
) -> EnvironmentPublic:
    """Return env as the API shows it, with its current and next reservation."""
    # The service already validated and masked it: re-type it without validating again.
    reservations = EnvironmentReservations.model_construct(
        current=view(held.current) if held is not None and held.current else None,
        next=view(held.next) if held is not None and held.next else None,
    )
    fields = dict(env) | {"health_check": HealthCheckPublic.of(env), "reservations": reservations}
    return EnvironmentPublic.model_construct(
        _fields_set=env.model_fields_set | {"reservations"}, **fields
    )


async def _public_one(env: Environment, reservations: ReservationService) -> EnvironmentPublic:
    held = await reservations.current_and_next([env.id])
    return public_environment(env, held.get(env.id), reservations.view)


@router.get(
    "", response_model=EnvironmentList, responses=error_responses(401), summary="List environments"
)
async def list_environments(
    request: Request,
    _viewer: ViewerPrincipal,
    views: EnvironmentViewsDep,
    reservations: ReservationsDep,
    status_: Annotated[HealthState | None, Query(alias="status", description="health")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=200, description="in name, description, URL")] = None,
    sort: EnvironmentSort = "name",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
    available: Annotated[
        bool | None, Query(description="true: free now (and for availableFor); false: reserved")
    ] = None,
    available_for: Annotated[
        str | None,
        Query(alias="availableFor", max_length=20, description='e.g. "2h": free that long'),
    ] = None,
) -> Response:
    options = EnvironmentListOptions(
        status=status_, tag=tag, q=q, sort=sort, page=page, limit=limit
    )
    span = _duration(available_for)

    def render(items: list[Environment], total: int, held: dict[str, CurrentAndNext]) -> SharedBody:
        return SharedBody.of(
            EnvironmentList.model_construct(
                environments=[public_environment(e, held.get(e.id), view) for e in items],
                pagination=pagination(page, limit, total),
            )
        )

    view = reservations.view
    if span is not None and available is None:
        available = True
    # One body (serialised and compressed once) serves every caller until the inventory or a
    # reservation changes.
    body = await views.list_environments(options, render, available, span)
    return body.response(request)


def _duration(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        value = parse_duration(text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"field": "availableFor"}) from None
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationFailed("availableFor must be a positive duration such as 2h")
    return value


def _summary_body(total: int, by_health: dict[str, int], by_tag: dict[str, int]) -> SharedBody:
    return SharedBody.of(EnvironmentSummary(total=total, by_health=by_health, by_tag=by_tag))


@router.get(
    "/summary",
    response_model=EnvironmentSummary,
    responses=error_responses(401),
    summary="Counts by health and by tag",
)
async def environment_summary(
    request: Request, _viewer: ViewerPrincipal, views: EnvironmentViewsDep
) -> Response:
    body = await views.summary(_summary_body)
    return body.response(request)


# The YAML document of an export, as a client that parses it sees it.
EXPORT_FILE_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "environments"],
    "properties": {
        "apiVersion": {"type": "string", "enum": [FILE_VERSION]},
        "kind": {"type": "string", "enum": [FILE_KIND]},
        "environments": {"type": "array", "items": {"type": "object"}},
        "pipelines": {"type": "array", "items": {"type": "object"}},
    },
}


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {"content": {"application/yaml": {"schema": EXPORT_FILE_SCHEMA}}},
        **error_responses(401),
    },
    summary="The environments as a YAML file (secrets masked, credentials by name)",
)
async def export_environments(
    _viewer: ViewerPrincipal,
    files: EnvironmentFilesDep,
    status_: Annotated[HealthState | None, Query(alias="status")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    options = EnvironmentListOptions(status=status_, tag=tag, q=q)
    text = await files.export_yaml(options)
    disposition = 'attachment; filename="environments.yaml"'
    return Response(
        text, media_type="application/yaml", headers={"Content-Disposition": disposition}
    )


class PlannedChangePublic(ApiModel):
    name: str
    action: Literal["create", "update", "unchanged"]
    fields: list[str]


class PlannedPipelinePublic(ApiModel):
    name: str
    action: Literal["create", "update", "unchanged"]


class ImportResult(ApiModel):
    dry_run: bool
    applied: bool
    changes: list[PlannedChangePublic]
    pipelines: list[PlannedPipelinePublic] = Field(
        default_factory=list, description="The file's pipelines (matched by name)"
    )


MAX_IMPORT_BYTES = 5 * 1024 * 1024
_YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/plain"}


@router.post(
    "/import",
    response_model=ImportResult,
    responses=error_responses(401, 403, 413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
    summary="Import a YAML file of environments: a diff with dryRun, else all-or-nothing",
)
async def import_environments(
    request: Request,
    admin: AdminPrincipal,
    files: EnvironmentFilesDep,
    dry_run: Annotated[bool, Query(alias="dryRun")] = False,
) -> ImportResult:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _YAML_TYPES:
        raise UnsupportedMediaType("send the file as application/yaml")
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the file is not UTF-8 text") from None
    plan = await files.plan(text)
    if not dry_run:
        await files.apply(admin, plan)
    return ImportResult(
        dry_run=dry_run,
        applied=not dry_run,
        changes=[
            PlannedChangePublic(name=c.name, action=c.action, fields=c.fields)
            for c in plan.environments
        ],
        pipelines=[PlannedPipelinePublic(name=p.name, action=p.action) for p in plan.pipelines],
    )


@router.post(
    "",
    response_model=EnvironmentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Create an environment",
)
async def create_environment(
    body: EnvironmentConfig,
    admin: AdminPrincipal,
    environments: EnvironmentsDep,
    reservations: ReservationsDep,
) -> EnvironmentPublic:
    return await _public_one(await environments.create_environment(admin, body), reservations)


@router.get(
    "/{environment_id}",
    response_model=EnvironmentPublic,
    responses=error_responses(401, 404),
    summary="Get an environment",
)
async def get_environment(
    environment_id: str,
    _viewer: ViewerPrincipal,
    environments: EnvironmentsDep,
    reservations: ReservationsDep,
) -> Response:
    env = await environments.get_environment(environment_id)
    return json_response(await _public_one(env, reservations))


@router.put(
    "/{environment_id}",
    response_model=EnvironmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Replace an environment's configuration",
)
async def replace_environment(
    environment_id: str,
    body: EnvironmentConfig,
    admin: AdminPrincipal,
    environments: EnvironmentsDep,
    reservations: ReservationsDep,
) -> EnvironmentPublic:
    env = await environments.replace_environment(admin, environment_id, body)
    return await _public_one(env, reservations)


@router.patch(
    "/{environment_id}",
    response_model=EnvironmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Change part of an environment's configuration (JSON merge patch, RFC 7396)",
)
async def patch_environment(
    environment_id: str,
    patch: Annotated[dict[str, Any], Body(description="fields to change; null removes")],
    admin: AdminPrincipal,
    environments: EnvironmentsDep,
    reservations: ReservationsDep,
) -> EnvironmentPublic:
    env = await environments.patch_environment(admin, environment_id, patch)
    return await _public_one(env, reservations)


@router.delete(
    "/{environment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409),
    summary="Delete an environment (its activity log stays; refused while an operation runs)",
)
async def delete_environment(
    environment_id: str, admin: AdminPrincipal, environments: EnvironmentsDep
) -> Response:
    await environments.delete_environment(admin, environment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
