"""Status pages: admins set them up; readers get a cached, read-only view by slug.

The view is built at most once per slug every CACHE_SECONDS (concurrent readers of a page
being built wait for that build), so a storm of page refreshes costs storage one build per
page and interval. Once a view is CACHE_SECONDS old, the next reader starts one rebuild and
readers keep getting the older view until it is done (for STALE_SECONDS at most): after the
first build, nobody waits for one. An admin's change here drops this instance's cached views
at once; other instances serve theirs until they expire (CACHE_SECONDS + STALE_SECONDS).
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from envdeck.domain.auth import Principal
from envdeck.domain.log import LogType
from envdeck.domain.maintenance import CreatedBy
from envdeck.domain.status_page import (
    StatusPage,
    StatusPageListOptions,
    StatusPageNotFound,
    StatusPageSpec,
    StatusPageView,
)
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.view_cache import ViewCache
from envdeck.services.status_pages.views import StatusPageViews

CACHE_SECONDS = 15.0
STALE_SECONDS = 15.0
# Pages cached at once; a slug not found is not cached.
MAX_CACHED_PAGES = 256

Authenticate = Callable[[], Awaitable[Principal]]
R = TypeVar("R")


def _as_is(view: StatusPageView) -> StatusPageView:
    return view


class StatusPageService:
    def __init__(
        self,
        storage: Storage,
        activity: ActivityLog,
        clock: Callable[[], datetime],
        *,
        cache_seconds: float = CACHE_SECONDS,
        stale_seconds: float = STALE_SECONDS,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self._pages = storage.status_pages
        self._activity = activity
        self._views = StatusPageViews(storage.environments, storage.health_samples, clock)
        # Bumped by every change made here, so that no view of the page before it is served.
        self._version = 0
        cache_options: dict[str, Any] = {
            "max_entries": MAX_CACHED_PAGES,
            "max_age": cache_seconds,
            "stale_for": stale_seconds,
        }
        if timer is not None:
            cache_options["timer"] = timer
        self._cache = ViewCache(lambda: self._version, **cache_options)

    async def list_pages(self, options: StatusPageListOptions) -> tuple[list[StatusPage], int]:
        """Return one page of status pages ordered by slug, and the total."""
        return await self._pages.list(options)

    async def get_page(self, page_id: str) -> StatusPage:
        """Return the status page with this id."""
        return await self._pages.get_by_id(page_id)

    async def create_page(self, actor: Principal, spec: StatusPageSpec) -> StatusPage:
        """Store a new status page, recording who made it."""
        page = StatusPage(
            **spec.model_dump(),
            created_by=CreatedBy(user_id=actor.user_id, username=actor.username),
        )
        created = await self._pages.create(page)
        self._changed(actor, "status_page_create", "created", created)
        return created

    async def replace_page(
        self, actor: Principal, page_id: str, spec: StatusPageSpec
    ) -> StatusPage:
        """Replace what an admin sets on a page (PUT)."""
        stored = await self._pages.get_by_id(page_id)
        changed = StatusPage.model_validate(stored.model_dump() | spec.model_dump())
        updated = await self._pages.update(changed)
        self._changed(actor, "status_page_update", "updated", updated)
        return updated

    async def update_page(
        self, actor: Principal, page_id: str, changes: dict[str, Any]
    ) -> StatusPage:
        """Change some fields of a page (PATCH); the result is validated whole."""
        stored = await self._pages.get_by_id(page_id)
        current = stored.model_dump(include=set(StatusPageSpec.model_fields))
        spec = StatusPageSpec.model_validate(current | changes)
        return await self.replace_page(actor, page_id, spec)

    async def delete_page(self, actor: Principal, page_id: str) -> None:
        """Delete a status page."""
        stored = await self._pages.get_by_id(page_id)
        await self._pages.delete(page_id)
        self._changed(actor, "status_page_delete", "deleted", stored)

    async def read(self, slug: str, authenticate: Authenticate) -> StatusPageView:
        """Return the view of an enabled page: to anyone when public, else to a signed-in user.

        `authenticate` returns the caller or raises Unauthorized. It is called for a private
        page, and for a slug with no enabled page, so that anonymous callers cannot tell a
        private page from none.
        """
        view, _ = await self.read_rendered(slug, authenticate, _as_is)
        return view

    async def read_rendered(
        self, slug: str, authenticate: Authenticate, render: Callable[[StatusPageView], R]
    ) -> tuple[StatusPageView, R]:
        """Do what read does, and return the view rendered (a serialised body, say) too: the
        rendering is cached with the view, so a storm of readers costs one rendering."""
        try:
            view, rendered = await self._cache.get(
                (slug, render), lambda: self._build(slug, render)
            )
        except StatusPageNotFound:
            await authenticate()
            raise
        if not view.public:
            await authenticate()
        return view, rendered

    async def _build(
        self, slug: str, render: Callable[[StatusPageView], R]
    ) -> tuple[StatusPageView, R]:
        page = await self._pages.get_by_slug(slug)
        if not page.enabled:
            raise StatusPageNotFound()
        view = await self._views.build(page)
        return view, render(view)

    def _changed(self, actor: Principal, action: str, verb: str, page: StatusPage) -> None:
        self._version += 1
        self._activity.record_by(
            actor.user,
            type=LogType.ACTION,
            action=action,
            message=f"{actor.username} {verb} status page {page.slug}",
            details={"statusPageId": page.id, "slug": page.slug, "public": page.public},
        )
