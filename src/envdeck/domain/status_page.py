"""Status pages: a read-only view of a group of environments, optionally public.

An admin names the group (tags, environment ids, or both) and chooses whether the page is
public (readable without signing in). The page shows each environment's health, its uptime
per day and its current version, and nothing else of it (docs/status-pages.md).
"""

import re
from typing import Self

from pydantic import Field, field_validator, model_validator

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime
from envdeck.domain.environment import HealthState
from envdeck.domain.errors import NotFound
from envdeck.domain.maintenance import CreatedBy, ScopeEnvironmentIds, ScopeTags

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Days of uptime a status page shows, one bar a day (today included).
STATUS_PAGE_DAYS = 90
# The most environments one page shows (the rest are left off, and the page says how many).
MAX_STATUS_PAGE_ENVIRONMENTS = 200


class StatusPageNotFound(NotFound):
    default_message = "status page not found"


class StatusPageScope(DomainModel):
    """The environments a page shows: these ids, and every environment with one of these tags."""

    environment_ids: ScopeEnvironmentIds = Field(default_factory=list)
    tags: ScopeTags = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.environment_ids and not self.tags:
            raise ValueError("scope needs at least one environment id or tag")
        return self


class StatusPageSpec(DomainModel):
    """What an admin sets on a status page."""

    slug: str = Field(min_length=1, max_length=64, examples=["shop"])
    title: str = Field(min_length=1, max_length=100, examples=["Shop environments"])
    description: str = Field(default="", max_length=1000)
    scope: StatusPageScope
    # Readable without signing in; off unless the admin says so.
    public: bool = False
    enabled: bool = True

    @field_validator("slug")
    @classmethod
    def _check_slug(cls, slug: str) -> str:
        if not SLUG_PATTERN.match(slug):
            raise ValueError(
                "lower-case letters, digits and '-' only, starting and ending with a letter"
                " or digit"
            )
        return slug

    @field_validator("title")
    @classmethod
    def _check_title(cls, title: str) -> str:
        if not title.strip():
            raise ValueError("must not be blank")
        return title.strip()


class StatusPage(StatusPageSpec):
    id: str = ""
    created_by: CreatedBy = Field(default_factory=CreatedBy)
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class StatusPageListOptions(PageOptions):
    public: bool | None = None


class UptimeDay(DomainModel):
    """One bar of a status page: the checks of one UTC day."""

    date: str = Field(examples=["2026-12-07"])
    # Percent of checks that found it healthy, 2 decimals; None: no checks that day.
    uptime: float | None
    checks: int


class StatusPageEnvironment(DomainModel):
    """What a status page shows of one environment: nothing secret, no address, no metadata."""

    name: str
    health: HealthState
    since: UtcDatetime | None = None
    last_check: UtcDatetime | None = None
    version: str | None = None
    uptime: float | None = Field(description="Percent healthy over the days shown")
    days: list[UptimeDay]


class StatusPageView(DomainModel):
    """A status page as its readers see it."""

    slug: str
    title: str
    description: str
    public: bool
    generated_at: UtcDatetime
    days: int = STATUS_PAGE_DAYS
    # The worst health of the environments shown (unknown when there are none).
    overall: HealthState
    environments: list[StatusPageEnvironment]
    # How many more environments the group holds than the page shows.
    left_off: int = 0
