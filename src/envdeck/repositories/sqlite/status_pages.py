"""Status pages in SQLite: one document each, unique by slug."""

from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.status_page import StatusPage, StatusPageListOptions, StatusPageNotFound
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, keeping


class SqliteStatusPageRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "status_pages", StatusPage, StatusPageNotFound)

    async def create(self, page: StatusPage) -> StatusPage:
        now = utc_now()
        stored = page.model_copy(update={"id": new_id(), "created_at": now, "updated_at": now})
        return await self._table.insert(stored)

    async def get_by_id(self, page_id: str) -> StatusPage:
        return await self._table.get(page_id)

    async def get_by_slug(self, slug: str) -> StatusPage:
        return await self._table.get_where("slug = ?", (slug,))

    async def list(self, options: StatusPageListOptions) -> tuple[list[StatusPage], int]:
        if options.public is None:
            return await self._table.page("1", (), "slug", options)
        return await self._table.page("public = ?", (int(options.public),), "slug", options)

    async def update(self, page: StatusPage) -> StatusPage:
        stored = page.model_copy(update={"updated_at": utc_now()})
        return await self._table.replace(
            page.id, keeping("$.createdAt", "$.createdBy"), (dump(stored),)
        )

    async def delete(self, page_id: str) -> None:
        await self._table.delete(page_id)
