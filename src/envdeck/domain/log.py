"""The activity (audit) log: who did what, to which environment, and how it went."""

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from envdeck.domain.base import DomainModel, PageOptions, SearchText, UtcDatetime
from envdeck.domain.errors import Unavailable, ValidationFailed


class LogType(StrEnum):
    HEALTH_CHECK = "health_check"
    ACTION = "action"
    SYSTEM = "system"
    ERROR = "error"
    AUTH = "auth"


class LogLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    SUCCESS = "success"


ACTION_PATTERN = r"^[a-z][a-z_]{0,39}$"

# Entries only admins may read: a failed sign-in holds whatever identifier was typed (a
# mistyped password, at times), and both tell of attempts on an account.
ADMIN_ONLY_ACTIONS = ("login_failed", "password_change_failed")


class LogEntry(DomainModel):
    """One activity-log entry; `action` is a snake_case verb such as restart or login."""

    id: str = ""
    timestamp: UtcDatetime
    environment_id: str | None = None
    environment_name: str | None = None
    user_id: str | None = None
    username: str | None = None
    type: LogType
    level: LogLevel = LogLevel.INFO
    action: str = Field(pattern=ACTION_PATTERN)
    message: str = Field(max_length=4000)
    details: dict[str, Any] = Field(default_factory=dict)


# One batch of entries, as an export reads them.
LogBatch = list[LogEntry]


class LogFilter(DomainModel):
    """What selects log entries; every field is optional and they combine with AND."""

    type: LogType | None = None
    level: LogLevel | None = None
    action: str | None = Field(default=None, pattern=ACTION_PATTERN)
    environment_id: str | None = None
    user_id: str | None = None
    q: SearchText | None = None
    start_date: UtcDatetime | None = None
    end_date: UtcDatetime | None = None
    # Actions left out whatever the other fields say (what the reader may not see).
    exclude_actions: tuple[str, ...] = ()
    # Only the entries that need a person (domain/attention.py's rules).
    attention: bool = False

    @model_validator(mode="after")
    def _ordered_range(self) -> "LogFilter":
        # A domain error rather than a ValueError, so it reaches the caller as it is: filters
        # are read from a request's query string, whose startDate is then the field at fault.
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValidationFailed(
                "startDate must not be after endDate",
                {
                    "fields": [
                        {
                            "field": "startDate",
                            "in": "query",
                            "message": "must not be after endDate",
                            "type": "value_error",
                        }
                    ]
                },
            )
        return self


class LogListOptions(LogFilter, PageOptions):
    """A filtered page of log entries, newest first."""


class LogCounts(DomainModel):
    """How many entries match a filter: in all, by type and by level (every value present)."""

    total: int
    by_type: dict[str, int]
    by_level: dict[str, int]

    @classmethod
    def of(cls, groups: dict[tuple[str, str], int]) -> "LogCounts":
        """Return the counts of (type, level) groups, each value of each enum present."""
        by_type = dict.fromkeys([t.value for t in LogType], 0)
        by_level = dict.fromkeys([lv.value for lv in LogLevel], 0)
        for (type_, level), n in groups.items():
            by_type[type_] = by_type.get(type_, 0) + n
            by_level[level] = by_level.get(level, 0) + n
        return cls(total=sum(groups.values()), by_type=by_type, by_level=by_level)


class UnreadLogs(DomainModel):
    """Entries newer than a user's read marker, not made by that user (count capped)."""

    count: int
    since: UtcDatetime | None


class ActivityLogUnavailable(Unavailable):
    """The activity log cannot take an entry now: as many entries as it may hold are waiting
    for storage (an outage, or storage slower than the producers), or it is shut down.

    The action whose audit entry cannot be kept is refused rather than done unaudited.
    """

    default_message = "the activity log cannot keep up with storage; try again shortly"

    def __init__(self, retry_after: int, pending: int, message: str | None = None) -> None:
        super().__init__(message, details={"retryAfter": retry_after, "pending": pending})
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
