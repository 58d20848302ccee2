"""Read views of the inventory (list pages, the summary, counts by health), built once and shared.

They are the same for every role (secrets are masked for all), so one build serves every caller:
callers that arrive while a view is being built wait for that build, and later ones get the
stored result until an environment changes (`view_cache.py`). The caller says how a
view is rendered (the API keeps its serialised, compressed body), so the work shared is the
query and the rendering both; this service never sees what the rendering is.
"""

from collections.abc import Callable
from typing import TypeVar

from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.repositories.base import EnvironmentRepository
from envdeck.services.inventory.environments import EnvironmentService
from envdeck.services.inventory.view_cache import ViewCache

T = TypeVar("T")

_SUMMARY_KEY = "summary"
_BY_HEALTH_KEY = ("metrics", "environments_by_health")

# (environments of the page, total) -> what the caller keeps.
PageRenderer = Callable[[list[Environment], int], T]
# (total, by health, by tag) -> what the caller keeps.
SummaryRenderer = Callable[[int, dict[str, int], dict[str, int]], T]


class EnvironmentViews:
    def __init__(
        self,
        environments: EnvironmentService,
        repository: EnvironmentRepository,
        version: Callable[[], int],
    ) -> None:
        self._environments = environments
        self._repository = repository
        # Keyed by the inventory's write count: a caller never sees a view older than its own
        # last write.
        self._cache = ViewCache(version)

    async def list_environments(
        self, options: EnvironmentListOptions, render: PageRenderer[T]
    ) -> T:
        """Return `render(page, total)` for these options, shared until the inventory changes."""

        async def build() -> T:
            items, total = await self._environments.list_environments(options)
            return render(items, total)

        return await self._cache.get(("list", options.model_dump_json()), build)

    async def summary(self, render: SummaryRenderer[T]) -> T:
        """Return `render(total, by_health, by_tag)`, shared until the inventory changes."""

        async def build() -> T:
            return render(*await self._environments.summary())

        return await self._cache.get(_SUMMARY_KEY, build)

    async def count_by_health(self) -> dict[str, int]:
        """Return how many environments are in each health state (shared like the views)."""
        return await self._cache.get(_BY_HEALTH_KEY, self._repository.count_by_health)
