"""Promotions: the history, one promotion, and approving, rejecting or cancelling one
(docs/promotions.md). Promoting is under /pipelines (routes/pipelines.py)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from envdeck.api.deps import AdminPrincipal, OperatorPrincipal, PromotionsDep, ViewerPrincipal
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT
from envdeck.domain.promotion import Promotion, PromotionListOptions, PromotionStatus

router = APIRouter(tags=["promotions"])

Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)]


class PromotionList(ApiModel):
    items: list[Promotion]
    pagination: Pagination


class PromotionRejection(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


@router.get(
    "/promotions",
    response_model=PromotionList,
    responses=error_responses(401),
    summary="Promotions, newest first: the history of what reached which stage",
)
async def list_promotions(
    _viewer: ViewerPrincipal,
    promotions: PromotionsDep,
    pipeline_id: Annotated[str | None, Query(alias="pipelineId", max_length=64)] = None,
    stage: Annotated[str | None, Query(max_length=40)] = None,
    status: PromotionStatus | None = None,
    version: Annotated[str | None, Query(max_length=128)] = None,
    page: Page = 1,
    limit: Limit = 20,
) -> PromotionList:
    options = PromotionListOptions(
        pipeline_id=pipeline_id, stage=stage, status=status, version=version, page=page, limit=limit
    )
    items, total = await promotions.list_promotions(options)
    return PromotionList(items=items, pagination=pagination(page, limit, total))


@router.get(
    "/promotions/{promotion_id}",
    response_model=Promotion,
    responses=error_responses(401, 404),
    summary="Get a promotion",
)
async def get_promotion(
    promotion_id: str, _viewer: ViewerPrincipal, promotions: PromotionsDep
) -> Promotion:
    return await promotions.get_promotion(promotion_id)


@router.post(
    "/promotions/{promotion_id}/approve",
    response_model=Promotion,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Approve a promotion (an admin other than its requester); it starts when approved",
)
async def approve_promotion(
    promotion_id: str, admin: AdminPrincipal, promotions: PromotionsDep
) -> Promotion:
    return await promotions.approve(admin, promotion_id)


@router.post(
    "/promotions/{promotion_id}/reject",
    response_model=Promotion,
    responses=error_responses(401, 403, 404, 409),
    summary="Reject a promotion awaiting approval, with a reason (admins)",
)
async def reject_promotion(
    promotion_id: str, body: PromotionRejection, admin: AdminPrincipal, promotions: PromotionsDep
) -> Promotion:
    return await promotions.reject(admin, promotion_id, body.reason)


@router.post(
    "/promotions/{promotion_id}/cancel",
    response_model=Promotion,
    responses=error_responses(401, 403, 404, 409),
    summary="Cancel a promotion: what has not started never starts, what runs is cancelled",
)
async def cancel_promotion(
    promotion_id: str, user: OperatorPrincipal, promotions: PromotionsDep
) -> Promotion:
    return await promotions.cancel(user, promotion_id)
