"""Pipelines and promotions in memory, keeping what the backends enforce: unique pipeline names
and one open promotion per pipeline stage."""

import builtins

from envdeck.domain.promotion import (
    Pipeline,
    PipelineListOptions,
    PipelineNotFound,
    Promotion,
    PromotionListOptions,
    PromotionNotFound,
    PromotionOpen,
    PromotionStatus,
)
from tests.fakes.documents import FakeRepository, page


class FakePipelineRepository(FakeRepository[Pipeline]):
    not_found = PipelineNotFound
    unique = (("name", lambda p: p.name),)

    async def create(self, pipeline: Pipeline) -> Pipeline:
        return self.insert_new(pipeline, "created_at", "updated_at", keep_id=True)

    async def get_by_name(self, name: str) -> Pipeline:
        return self.docs.find(lambda p: p.name == name)

    async def list(self, options: PipelineListOptions) -> tuple[builtins.list[Pipeline], int]:
        return page(sorted(self.docs.all(), key=lambda p: (p.name, p.id)), options)

    async def update(self, pipeline: Pipeline) -> Pipeline:
        stored = self.docs.get(pipeline.id)
        change = {"created_at": stored.created_at, "updated_at": self._now()}
        return self.docs.put(pipeline.id, pipeline.model_copy(update=change))


class FakePromotionRepository(FakeRepository[Promotion]):
    not_found = PromotionNotFound

    def _newest(self) -> builtins.list[Promotion]:
        return sorted(self.docs.all(), key=lambda p: (p.created_at, p.id), reverse=True)

    async def create(self, promotion: Promotion) -> Promotion:
        for other in self._newest():
            same = (other.pipeline_id, other.stage) == (promotion.pipeline_id, promotion.stage)
            if same and other.is_open:
                raise PromotionOpen.by(other)
        return self.insert_new(promotion, "created_at")

    async def list(self, options: PromotionListOptions) -> tuple[builtins.list[Promotion], int]:
        wanted = {
            "pipeline_id": options.pipeline_id,
            "stage": options.stage,
            "status": options.status,
            "version": options.version,
        }

        def matches(p: Promotion) -> bool:
            return all(v is None or getattr(p, k) == v for k, v in wanted.items())

        return page((p for p in self._newest() if matches(p)), options)

    async def list_open(self, pipeline_id: str | None = None) -> builtins.list[Promotion]:
        return [p for p in self._newest() if p.is_open and pipeline_id in (None, p.pipeline_id)]

    async def replace(self, promotion: Promotion, expected: PromotionStatus) -> bool:
        if not self.docs.has(promotion.id) or self.docs.get(promotion.id).status != expected:
            return False
        self.docs.put(promotion.id, promotion)
        return True
