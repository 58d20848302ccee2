"""Pipelines: the stages a version goes through, their board and gates (docs/promotions.md).

Everyone signed in reads them; admins create, change and delete them; operators and admins
promote into a stage.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import Field

from envdeck.api.deps import AdminPrincipal, OperatorPrincipal, PromotionsDep, ViewerPrincipal
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.environment import HealthState
from envdeck.domain.operation import OperationType
from envdeck.domain.promotion import (
    Gate,
    GateCheck,
    Pipeline,
    PipelineListOptions,
    PipelineSpec,
    Promotion,
)
from envdeck.domain.reservation import CurrentAndNext
from envdeck.durations import format_duration
from envdeck.services.promotions.gates import Member, StageState

router = APIRouter(tags=["pipelines"])

Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)]
# Versions as upgrades accept them (services/operations/templates.py validates the rest).
VersionText = Annotated[str, Field(min_length=1, max_length=128)]


class PipelineList(ApiModel):
    items: list[Pipeline]
    pagination: Pagination


class PromotionRequest(ApiModel):
    """Promote `version`, or (left out) the version verified on the previous stage."""

    version: VersionText | None = None


class GatesAnswer(ApiModel):
    version: str | None
    passed: bool
    gates: list[Gate]


class ActiveOperationView(ApiModel):
    id: str
    type: OperationType


class BoardEnvironment(ApiModel):
    id: str
    name: str
    version: str
    health: HealthState
    healthy_since: UtcDatetime | None
    reached_at: UtcDatetime | None
    protected: bool
    active_operation: ActiveOperationView | None
    reserved_by: str | None


class BoardStage(ApiModel):
    name: str
    soak_time: str
    approvals_required: int
    environments: list[BoardEnvironment]
    verified_version: str | None
    verified_since: UtcDatetime | None
    soaked: bool
    next: GatesAnswer = Field(description="What a promotion into this stage meets now")
    active_promotion: Promotion | None


class VersionPlace(ApiModel):
    version: str
    stages: list[str] = Field(description="The stages it is verified on now, in order")


class PipelineBoard(ApiModel):
    pipeline: Pipeline
    stages: list[BoardStage]
    versions: list[VersionPlace]


def _answer(check: GateCheck) -> GatesAnswer:
    return GatesAnswer(version=check.version, passed=check.passed, gates=check.gates)


def _environment(member: Member, reserved_by: str | None) -> BoardEnvironment:
    env = member.env
    active = env.active_operation
    return BoardEnvironment(
        id=env.id,
        name=env.name,
        version=env.system_info.app_version,
        health=env.status.health,
        healthy_since=member.verified_since,
        reached_at=member.reached_at,
        protected=env.protected,
        active_operation=ActiveOperationView(id=active.id, type=active.type) if active else None,
        reserved_by=reserved_by,
    )


@router.get(
    "/pipelines",
    response_model=PipelineList,
    responses=error_responses(401),
    summary="Pipelines, by name",
)
async def list_pipelines(
    _viewer: ViewerPrincipal, promotions: PromotionsDep, page: Page = 1, limit: Limit = 50
) -> PipelineList:
    items, total = await promotions.list_pipelines(PipelineListOptions(page=page, limit=limit))
    return PipelineList(items=items, pagination=pagination(page, limit, total))


@router.post(
    "/pipelines",
    response_model=Pipeline,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Create a pipeline (admins)",
)
async def create_pipeline(
    body: PipelineSpec, admin: AdminPrincipal, promotions: PromotionsDep
) -> Pipeline:
    return await promotions.create_pipeline(admin, Pipeline(**body.model_dump()))


@router.get(
    "/pipelines/{pipeline_id}",
    response_model=Pipeline,
    responses=error_responses(401, 404),
    summary="Get a pipeline",
)
async def get_pipeline(
    pipeline_id: str, _viewer: ViewerPrincipal, promotions: PromotionsDep
) -> Pipeline:
    return await promotions.get_pipeline(pipeline_id)


@router.put(
    "/pipelines/{pipeline_id}",
    response_model=Pipeline,
    responses=error_responses(401, 403, 404, 409),
    summary="Replace a pipeline's name, description and stages (admins)",
)
async def replace_pipeline(
    pipeline_id: str, body: PipelineSpec, admin: AdminPrincipal, promotions: PromotionsDep
) -> Pipeline:
    return await promotions.update_pipeline(admin, Pipeline(id=pipeline_id, **body.model_dump()))


@router.delete(
    "/pipelines/{pipeline_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409),
    summary="Delete a pipeline (admins; its promotions stay in the history)",
)
async def delete_pipeline(
    pipeline_id: str, admin: AdminPrincipal, promotions: PromotionsDep
) -> None:
    await promotions.delete_pipeline(admin, pipeline_id)


@router.get(
    "/pipelines/{pipeline_id}/board",
    response_model=PipelineBoard,
    responses=error_responses(401, 404),
    summary="Each stage's environments, verified version and the gates of the next promotion",
)
async def pipeline_board(
    pipeline_id: str, _viewer: ViewerPrincipal, promotions: PromotionsDep
) -> PipelineBoard:
    board, checks, open_promotions = await promotions.board(pipeline_id)
    now = promotions.now()
    stages: list[BoardStage] = []
    for state, check in zip(board.stages, checks, strict=True):
        stages.append(_stage(state, check, board.reservations, open_promotions, now))
    versions: dict[str, list[str]] = {}
    for state in board.stages:
        version = state.common_version
        if version is not None and state.verified_since(version) is not None:
            versions.setdefault(version, []).append(state.stage.name)
    return PipelineBoard(
        pipeline=board.pipeline,
        stages=stages,
        versions=[VersionPlace(version=v, stages=s) for v, s in versions.items()],
    )


def _stage(
    state: StageState,
    check: GateCheck,
    reservations: dict[str, CurrentAndNext],
    open_promotions: list[Promotion],
    now: datetime,
) -> BoardStage:
    version = state.common_version
    since = state.verified_since(version) if version is not None else None
    reserved = {
        env_id: found.current.holder.username
        for env_id, found in reservations.items()
        if found.current is not None
    }
    active = next((p for p in open_promotions if p.stage == state.stage.name), None)
    return BoardStage(
        name=state.stage.name,
        soak_time=format_duration(state.stage.soak_time),
        approvals_required=state.stage.approvals_required(state.environments),
        environments=[_environment(m, reserved.get(m.env.id)) for m in state.members],
        verified_version=version if since is not None else None,
        verified_since=since,
        soaked=since is not None and now - since >= state.stage.soak_time,
        next=_answer(check),
        active_promotion=active,
    )


@router.get(
    "/pipelines/{pipeline_id}/stages/{stage}/gates",
    response_model=GatesAnswer,
    responses=error_responses(401, 404),
    summary="The gates a promotion into a stage would meet now (nothing is promoted)",
)
async def stage_gates(
    pipeline_id: str,
    stage: str,
    viewer: ViewerPrincipal,
    promotions: PromotionsDep,
    version: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> GatesAnswer:
    return _answer(await promotions.gates(viewer, pipeline_id, stage, version))


@router.post(
    "/pipelines/{pipeline_id}/stages/{stage}/promotions",
    response_model=Promotion,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Promote a version into a stage (422 GATE_NOT_MET says which gate failed)",
)
async def promote(
    pipeline_id: str,
    stage: str,
    user: OperatorPrincipal,
    promotions: PromotionsDep,
    body: PromotionRequest | None = None,
) -> Promotion:
    version = body.version if body is not None else None
    return await promotions.promote(user, pipeline_id, stage, version)
