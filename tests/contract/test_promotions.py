"""The Pipeline and Promotion repository contracts, on every backend: one open promotion per
pipeline stage, also when two stores race for it."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from envdeck.domain.errors import AlreadyExists
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.promotion import (
    Person,
    Pipeline,
    PipelineListOptions,
    PipelineNotFound,
    Promotion,
    PromotionListOptions,
    PromotionNotFound,
    PromotionOpen,
    PromotionStatus,
    Stage,
    Target,
)
from envdeck.repositories.base import Storage

PIPELINE_ID = "6b05a2c33c0ca6934944ef10"
OLIVE = Person(user_id="6b05a2c33c0ca6934944ea01", username="olive")


def make_pipeline(name: str = "shop") -> Pipeline:
    return Pipeline(
        name=name,
        stages=[
            Stage(name="dev", tags=["shop", "dev"]),
            Stage(name="qa", tags=["shop", "qa"], soak_time=timedelta(hours=1)),
            Stage(name="prod", environment_ids=[new_id()], approvals=1, max_parallel=2),
        ],
    )


def make_promotion(stage: str = "qa", **overrides: Any) -> Promotion:
    fields: dict[str, Any] = {
        "pipeline_id": PIPELINE_ID,
        "pipeline_name": "shop",
        "stage": stage,
        "stage_index": 1,
        "version": "2.5.0",
        "status": PromotionStatus.RUNNING,
        "requested_by": OLIVE,
        "targets": [Target(environment_id=new_id(), environment_name="qa-1", from_version="2.4")],
    }
    return Promotion.model_validate(fields | overrides)


async def test_a_pipeline_round_trips_with_its_stages(storage: Storage) -> None:
    created = await storage.pipelines.create(make_pipeline())

    assert is_valid_id(created.id)
    assert created.created_at is not None
    stored = await storage.pipelines.get_by_id(created.id)
    assert stored == created
    assert stored.stages[1].soak_time == timedelta(hours=1)
    assert (stored.stages[2].approvals, stored.stages[2].max_parallel) == (1, 2)
    assert await storage.pipelines.get_by_name("shop") == created


async def test_pipeline_names_are_unique_and_listed_in_order(storage: Storage) -> None:
    await storage.pipelines.create(make_pipeline("web"))
    await storage.pipelines.create(make_pipeline("api"))

    with pytest.raises(AlreadyExists):
        await storage.pipelines.create(make_pipeline("web"))
    items, total = await storage.pipelines.list(PipelineListOptions())
    assert ([p.name for p in items], total) == (["api", "web"], 2)


async def test_a_pipeline_is_updated_and_deleted(storage: Storage) -> None:
    created = await storage.pipelines.create(make_pipeline())
    changed = created.model_copy(update={"description": "the shop", "stages": created.stages[:2]})

    updated = await storage.pipelines.update(changed)

    assert (updated.description, len(updated.stages)) == ("the shop", 2)
    assert updated.created_at == created.created_at
    await storage.pipelines.delete(created.id)
    with pytest.raises(PipelineNotFound):
        await storage.pipelines.get_by_id(created.id)
    with pytest.raises(PipelineNotFound):
        await storage.pipelines.get_by_name("shop")


async def test_a_promotion_round_trips(storage: Storage) -> None:
    created = await storage.promotions.create(make_promotion())

    assert is_valid_id(created.id)
    assert created.created_at is not None
    assert await storage.promotions.get_by_id(created.id) == created
    with pytest.raises(PromotionNotFound):
        await storage.promotions.get_by_id(new_id())


async def test_a_second_open_promotion_of_a_stage_is_refused_naming_the_first(
    storage: Storage,
) -> None:
    first = await storage.promotions.create(make_promotion())

    with pytest.raises(PromotionOpen) as refused:
        await storage.promotions.create(
            make_promotion(status=PromotionStatus.AWAITING_APPROVAL, version="2.6.0")
        )

    assert refused.value.status == 409
    assert refused.value.details == {"promotionId": first.id}
    # Another stage, or another pipeline, is free.
    await storage.promotions.create(make_promotion(stage="prod"))
    await storage.promotions.create(make_promotion(pipeline_id=new_id()))


async def test_closing_a_promotion_frees_its_stage(storage: Storage) -> None:
    first = await storage.promotions.create(make_promotion())
    done = first.model_copy(update={"status": PromotionStatus.SUCCEEDED})

    assert await storage.promotions.replace(done, PromotionStatus.RUNNING)

    second = await storage.promotions.create(make_promotion(version="2.6.0"))
    assert second.id != first.id
    assert (await storage.promotions.get_by_id(first.id)).status is PromotionStatus.SUCCEEDED


async def test_replace_is_a_compare_and_set_on_the_status(storage: Storage) -> None:
    created = await storage.promotions.create(
        make_promotion(status=PromotionStatus.AWAITING_APPROVAL)
    )
    approved = created.model_copy(update={"status": PromotionStatus.RUNNING})
    cancelled = created.model_copy(update={"status": PromotionStatus.CANCELLED})

    assert await storage.promotions.replace(approved, PromotionStatus.AWAITING_APPROVAL)
    # The canceller read "awaiting approval": too late.
    assert not await storage.promotions.replace(cancelled, PromotionStatus.AWAITING_APPROVAL)
    assert (await storage.promotions.get_by_id(created.id)).status is PromotionStatus.RUNNING


async def test_the_list_filters_and_shows_newest_first(storage: Storage) -> None:
    old = await storage.promotions.create(make_promotion(stage="dev", version="2.4.0"))
    await storage.promotions.replace(
        old.model_copy(update={"status": PromotionStatus.SUCCEEDED}), PromotionStatus.RUNNING
    )
    await asyncio.sleep(0.01)
    new = await storage.promotions.create(make_promotion(stage="qa", version="2.5.0"))
    await storage.promotions.create(make_promotion(pipeline_id=new_id(), stage="qa"))

    items, total = await storage.promotions.list(PromotionListOptions(pipeline_id=PIPELINE_ID))
    assert ([p.id for p in items], total) == ([new.id, old.id], 2)
    succeeded, _ = await storage.promotions.list(
        PromotionListOptions(pipeline_id=PIPELINE_ID, status=PromotionStatus.SUCCEEDED)
    )
    assert [p.id for p in succeeded] == [old.id]
    by_version, _ = await storage.promotions.list(
        PromotionListOptions(stage="qa", version="2.5.0", limit=1)
    )
    assert len(by_version) == 1
    assert [p.id for p in await storage.promotions.list_open(PIPELINE_ID)] == [new.id]
    assert len(await storage.promotions.list_open()) == 2


async def test_two_stores_on_one_database_never_both_open_a_stage(
    two_stores: tuple[Storage, Storage],
) -> None:
    """Two instances promoting into one stage at once."""
    results = await asyncio.gather(
        *(
            store.promotions.create(make_promotion(version=f"2.{i}.0"))
            for i, store in enumerate(list(two_stores) * 5)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Promotion) for r in results) == 1
    assert sum(isinstance(r, PromotionOpen) for r in results) == 9
