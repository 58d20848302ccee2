"""Status pages in memory: a few pages, unique by slug, listed by slug."""

import builtins

from envdeck.domain.status_page import StatusPage, StatusPageListOptions, StatusPageNotFound
from tests.fakes.documents import FakeRepository, page


class FakeStatusPageRepository(FakeRepository[StatusPage]):
    not_found = StatusPageNotFound
    unique = (("slug", lambda p: p.slug),)

    async def create(self, item: StatusPage) -> StatusPage:
        return self.insert_new(item, "created_at", "updated_at")

    async def get_by_slug(self, slug: str) -> StatusPage:
        return self.docs.find(lambda item: item.slug == slug)

    async def list(self, options: StatusPageListOptions) -> tuple[builtins.list[StatusPage], int]:
        by_slug = sorted(self.docs.all(), key=lambda item: item.slug)
        return page((p for p in by_slug if options.public in (None, p.public)), options)

    async def update(self, item: StatusPage) -> StatusPage:
        stored = self.docs.get(item.id)
        kept = {"created_at": stored.created_at, "created_by": stored.created_by}
        return self.docs.put(item.id, item.model_copy(update=kept | {"updated_at": self._now()}))
