"""Maintenance windows: planned quiet for some environments, once or on a cron schedule.

A one-off window runs from `start` to `end` (UTC). A recurring window starts at each time its
cron expression names, read as wall-clock time in its IANA time zone, and lasts
`durationMinutes` of elapsed time (docs/maintenance.md says what happens at DST changes).
"""

import re
from enum import StrEnum
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import AfterValidator, Field, field_validator, model_validator

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime
from envdeck.domain.errors import NotFound

MAX_DURATION_MINUTES = 7 * 24 * 60
TAG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,49}$")
ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")


def _valid_tags(tags: list[str]) -> list[str]:
    for tag in tags:
        if not TAG_PATTERN.match(tag):
            raise ValueError(f"invalid tag {tag!r}: letters, digits and ._:/- only")
    return list(dict.fromkeys(tags))


def _valid_environment_ids(ids: list[str]) -> list[str]:
    for environment_id in ids:
        if not ID_PATTERN.match(environment_id):
            raise ValueError(f"invalid environment id {environment_id!r}")
    return list(dict.fromkeys(ids))


# The tags and environment ids a scope names (maintenance windows, notification channels):
# each one checked, duplicates dropped.
ScopeTags = Annotated[list[str], Field(max_length=50), AfterValidator(_valid_tags)]
ScopeEnvironmentIds = Annotated[
    list[str], Field(max_length=500), AfterValidator(_valid_environment_ids)
]


class MaintenanceWindowNotFound(NotFound):
    default_message = "maintenance window not found"


class MaintenanceKind(StrEnum):
    ONE_OFF = "one-off"
    RECURRING = "recurring"


class MaintenanceScope(DomainModel):
    """The environments a window covers: these ids, and every environment with one of these tags."""

    environment_ids: ScopeEnvironmentIds = Field(default_factory=list)
    tags: ScopeTags = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.environment_ids and not self.tags:
            raise ValueError("scope needs at least one environment id or tag")
        return self

    def covers(self, environment_id: str, tags: list[str]) -> bool:
        """Tell whether an environment with this id and these tags is in scope."""
        return environment_id in self.environment_ids or not set(tags).isdisjoint(self.tags)


def check_cron(expression: str) -> str:
    """Return a five-field cron expression that croniter accepts and that ever fires."""
    expression = " ".join(expression.split())
    if len(expression.split(" ")) != 5 or not croniter.is_valid(expression):
        raise ValueError(f"invalid cron expression {expression!r}: five fields expected")
    return expression


def check_timezone(name: str) -> str:
    """Return an IANA time zone name that zoneinfo knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin"
        raise ValueError(message) from None
    return name


class MaintenanceSchedule(DomainModel):
    """When a window runs: start and end (one-off), or cron, duration and zone (recurring)."""

    kind: MaintenanceKind
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    cron: str | None = Field(default=None, max_length=200, examples=["30 2 * * *"])
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION_MINUTES)
    timezone: str = Field(default="UTC", max_length=64, examples=["Europe/Berlin"])

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, cron: str | None) -> str | None:
        return None if cron is None else check_cron(cron)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, name: str) -> str:
        return check_timezone(name)

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        if self.kind is MaintenanceKind.ONE_OFF:
            if self.start is None or self.end is None:
                raise ValueError("a one-off window needs start and end")
            if self.end <= self.start:
                raise ValueError("end must be after start")
            if self.cron is not None or self.duration_minutes is not None:
                raise ValueError("a one-off window has no cron nor durationMinutes")
        else:
            if self.cron is None or self.duration_minutes is None:
                raise ValueError("a recurring window needs cron and durationMinutes")
            if self.start is not None or self.end is not None:
                raise ValueError("a recurring window has no start nor end")
        return self


class MaintenanceWindowSpec(MaintenanceSchedule):
    """What an admin sets on a window."""

    name: str = Field(min_length=1, max_length=100)
    reason: str = Field(default="", max_length=1000)
    scope: MaintenanceScope
    enabled: bool = True


class CreatedBy(DomainModel):
    user_id: str | None = None
    username: str = ""


class MaintenanceWindow(MaintenanceWindowSpec):
    id: str = ""
    created_by: CreatedBy = Field(default_factory=CreatedBy)
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class MaintenanceOccurrence(DomainModel):
    """One run of a window: from start to end (UTC)."""

    start: UtcDatetime
    end: UtcDatetime


class MaintenanceWindowListOptions(PageOptions):
    enabled: bool | None = None
