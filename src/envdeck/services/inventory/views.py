"""Read views of the inventory (list pages, the summary, counts by health), built once and shared.

They are the same for every role (secrets are masked for all), so one build serves every caller:
callers that arrive while a view is being built wait for that build, and later ones get the
stored result until an environment changes (`view_cache.py`). The caller says how a
view is rendered (the API keeps its serialised, compressed body), so the work shared is the
query and the rendering both; this service never sees what the rendering is.
"""

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Protocol, TypeVar

from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.domain.reservation import CurrentAndNext
from envdeck.repositories.base import EnvironmentRepository
from envdeck.services.inventory.environments import EnvironmentService
from envdeck.services.inventory.view_cache import ViewCache

T = TypeVar("T")

# How long past its age limit a view of the current inventory may be served while it is rebuilt.
STALE_SECONDS = 1.0

_SUMMARY_KEY = "summary"
_BY_HEALTH_KEY = ("metrics", "environments_by_health")

# (environments of the page, total, their current and next reservations) -> what the caller
# keeps.
PageRenderer = Callable[[list[Environment], int, dict[str, CurrentAndNext]], T]


class HeldEnvironments(Protocol):
    """What the views ask of reservations (services/reservations: ReservationService)."""

    async def current_and_next(
        self, environment_ids: Sequence[str]
    ) -> dict[str, CurrentAndNext]: ...

    async def reserved_ids(self, for_: timedelta | None = None) -> set[str]: ...


# (total, by health, by tag) -> what the caller keeps.
SummaryRenderer = Callable[[int, dict[str, int], dict[str, int]], T]


class EnvironmentViews:
    def __init__(
        self,
        environments: EnvironmentService,
        repository: EnvironmentRepository,
        version: Callable[[], int],
        held: HeldEnvironments | None = None,
    ) -> None:
        self._environments = environments
        self._repository = repository
        self._held = held
        # Keyed by the inventory's write count: a caller never sees a view older than its own
        # last write. Expired views of the current count are served while they are rebuilt: the
        # age limit only covers a change on another instance whose announcement is late.
        self._cache = ViewCache(version, stale_for=STALE_SECONDS)

    async def list_environments(
        self,
        options: EnvironmentListOptions,
        render: PageRenderer[T],
        available: bool | None = None,
        available_for: timedelta | None = None,
    ) -> T:
        """Return `render(page, total, reservations)` for these options, shared until the
        inventory or a reservation changes; `available`: only environments free now (and for
        `available_for`), or only those that are not."""

        async def build() -> T:
            query = options
            if available is not None and self._held is not None:
                reserved = sorted(await self._held.reserved_ids(available_for))
                change = {"exclude_ids": reserved} if available else {"ids": reserved}
                query = options.model_copy(update=change)
            items, total = await self._environments.list_environments(query)
            held = await self.reservations_of(items)
            return render(items, total, held)

        key = ("list", options.model_dump_json(), available, available_for)
        return await self._cache.get(key, build)

    async def reservations_of(self, environments: list[Environment]) -> dict[str, CurrentAndNext]:
        """Return the current and next reservation of each of these environments."""
        if self._held is None or not environments:
            return {}
        return await self._held.current_and_next([e.id for e in environments])

    async def summary(self, render: SummaryRenderer[T]) -> T:
        """Return `render(total, by_health, by_tag)`, shared until the inventory changes."""

        async def build() -> T:
            return render(*await self._environments.summary())

        return await self._cache.get(_SUMMARY_KEY, build)

    async def count_by_health(self) -> dict[str, int]:
        """Return how many environments are in each health state (shared like the views)."""
        return await self._cache.get(_BY_HEALTH_KEY, self._repository.count_by_health)
