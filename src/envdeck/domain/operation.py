"""The Operation entity: one restart, upgrade, rollback or on-demand check of an environment."""

from enum import StrEnum

from pydantic import Field

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime

OUTPUT_TAIL_LIMIT = 64 * 1024


class OperationType(StrEnum):
    RESTART = "restart"
    UPGRADE = "upgrade"
    ROLLBACK = "rollback"
    CHECK_HEALTH = "check_health"


class OperationStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    INTERRUPTED = "interrupted"
    # Cancel or timeout asked the remote script to stop; it could not be confirmed gone.
    STOP_UNCONFIRMED = "stop_unconfirmed"


UNFINISHED_STATUSES = frozenset({OperationStatus.PENDING, OperationStatus.RUNNING})

FINISHED_STATUSES = frozenset(
    {
        OperationStatus.SUCCEEDED,
        OperationStatus.FAILED,
        OperationStatus.CANCELLED,
        OperationStatus.TIMED_OUT,
        OperationStatus.STOP_UNCONFIRMED,
        OperationStatus.INTERRUPTED,
    }
)


class OperationParams(DomainModel):
    force: bool = False
    version: str | None = None
    previous_version: str | None = None


class RequestedBy(DomainModel):
    user_id: str | None = None
    username: str = ""


class OperationError(DomainModel):
    code: str
    message: str


class Verification(DomainModel):
    health: str | None = None
    version: str | None = None
    attempts: int = 0
    verified: bool | None = None
    message: str = ""


class Operation(DomainModel):
    id: str = ""
    environment_id: str
    environment_name: str
    type: OperationType
    status: OperationStatus = OperationStatus.PENDING
    params: OperationParams = Field(default_factory=OperationParams)
    requested_by: RequestedBy = Field(default_factory=RequestedBy)
    created_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    duration_ms: int | None = None
    exit_code: int | None = None
    http_status: int | None = None
    output: str = Field(default="", max_length=OUTPUT_TAIL_LIMIT)
    # The seq of the last output chunk `output` holds (chunks are numbered from 1 as they are
    # streamed): a client merges live chunks after it, and knows which ones it missed.
    output_seq: int = Field(default=0, ge=0)
    error: OperationError | None = None
    verification: Verification | None = None
    # A rollback names the upgrade it undoes; that upgrade names its rollback.
    rollback_of: str | None = None
    rollback_operation_id: str | None = None
    # The instance that runs it (services/cluster); None: written before instances had ids.
    owner_instance: str | None = None
    # Said when it was accepted (an advisory reservation held by someone else, a forced one).
    warnings: list[str] = Field(default_factory=list)


class OperationListOptions(PageOptions):
    environment_id: str | None = None
    status: OperationStatus | None = None
    type: OperationType | None = None
    user_id: str | None = None
