"""The activity (audit) log: who did what, to which environment, and how it went."""

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime


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


class LogFilter(DomainModel):
    """What selects log entries; every field is optional and they combine with AND."""

    type: LogType | None = None
    level: LogLevel | None = None
    action: str | None = Field(default=None, pattern=ACTION_PATTERN)
    environment_id: str | None = None
    user_id: str | None = None
    q: str | None = Field(default=None, max_length=200)
    start_date: UtcDatetime | None = None
    end_date: UtcDatetime | None = None

    @model_validator(mode="after")
    def _ordered_range(self) -> "LogFilter":
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("startDate must not be after endDate")
        return self


class LogListOptions(LogFilter, PageOptions):
    """A filtered page of log entries, newest first."""
