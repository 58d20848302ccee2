"""Pipelines and promotions: the road a version takes through a team's environments.

A pipeline is an ordered list of stages; a stage is a set of environments (listed by id, or
carrying every one of its tags). A promotion moves a version into one stage by upgrading each of
its environments; it is accepted only when its gates pass (services/promotions/gates.py), and
of the promotions of one stage at most one is open (awaiting approval or running) at a time:
storage refuses the second. docs/promotions.md describes it all.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime
from envdeck.domain.environment import NAME_PATTERN, Environment
from envdeck.domain.errors import Conflict, EnvdeckError, NotFound
from envdeck.domain.maintenance import ScopeEnvironmentIds, ScopeTags
from envdeck.durations import Duration

STAGE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
MAX_STAGES = 10


class Stage(DomainModel):
    name: str = Field(pattern=STAGE_NAME_PATTERN)
    environment_ids: ScopeEnvironmentIds = Field(default_factory=list)
    tags: ScopeTags = Field(default_factory=list)
    soak_time: Duration = timedelta(0)
    # None: 1 when an environment of the stage is protected, else 0.
    approvals: int | None = Field(default=None, ge=0, le=1)
    max_parallel: int = Field(default=1, ge=1, le=50)
    rollback_on_failure: bool = True

    @model_validator(mode="after")
    def _selects_something(self) -> "Stage":
        if not self.environment_ids and not self.tags:
            raise ValueError(f"stage {self.name} must list environmentIds or tags")
        if self.soak_time < timedelta(0) or self.soak_time > timedelta(days=90):
            raise ValueError("soakTime must be between 0s and 90d")
        return self

    def selects(self, env: Environment) -> bool:
        """Tell whether env belongs to this stage: listed, or carrying every one of its tags."""
        if env.id in self.environment_ids:
            return True
        return bool(self.tags) and set(self.tags) <= set(env.tags)

    def approvals_required(self, environments: list[Environment]) -> int:
        if self.approvals is not None:
            return self.approvals
        return 1 if any(env.protected for env in environments) else 0


class PipelineSpec(DomainModel):
    """What an admin writes: the name, the description and the stages in order."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=2000)
    stages: list[Stage] = Field(min_length=1, max_length=MAX_STAGES)

    @model_validator(mode="after")
    def _unique_stage_names(self) -> "PipelineSpec":
        names = [stage.name for stage in self.stages]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"stage names must be unique: {', '.join(repeated)} repeated")
        return self


class Pipeline(PipelineSpec):
    id: str = ""
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None

    def stage_index(self, name: str) -> int:
        for index, stage in enumerate(self.stages):
            if stage.name == name:
                return index
        raise StageNotFound(f"pipeline {self.name} has no stage {name}", {"stage": name})


class PipelineListOptions(PageOptions):
    pass


class PromotionStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({PromotionStatus.AWAITING_APPROVAL, PromotionStatus.RUNNING})


class TargetStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    ROLLING_BACK = "rolling_back"
    ROLLED_BACK = "rolled_back"


class Person(DomainModel):
    user_id: str
    username: str


class Approval(DomainModel):
    user_id: str
    username: str
    at: UtcDatetime
    self_approved: bool = False


class Rejection(DomainModel):
    user_id: str
    username: str
    at: UtcDatetime
    reason: str


class Gate(DomainModel):
    name: str
    passed: bool
    message: str


class Target(DomainModel):
    """One environment of the stage: its upgrade (and roll-back) within the promotion."""

    environment_id: str
    environment_name: str
    from_version: str = ""
    status: TargetStatus = TargetStatus.PENDING
    operation_id: str | None = None
    rollback_operation_id: str | None = None
    message: str = ""


class Promotion(DomainModel):
    id: str = ""
    pipeline_id: str
    pipeline_name: str
    stage: str
    stage_index: int
    version: str
    status: PromotionStatus
    requested_by: Person
    approvals_required: int = 0
    approvals: list[Approval] = Field(default_factory=list)
    rejection: Rejection | None = None
    gates: list[Gate] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    max_parallel: int = 1
    rollback_on_failure: bool = True
    created_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    message: str = ""
    # The instance running it (cluster mode), kept for the record.
    owner_instance: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PromotionListOptions(PageOptions):
    """Filters of the promotion list; newest first."""

    pipeline_id: str | None = None
    stage: str | None = None
    status: PromotionStatus | None = None
    version: str | None = None


class GateCheck(DomainModel):
    """The gates a promotion of `version` into a stage meets now."""

    version: str | None
    passed: bool
    gates: list[Gate]

    def failed(self) -> list[Gate]:
        return [gate for gate in self.gates if not gate.passed]


class PipelineNotFound(NotFound):
    default_message = "pipeline not found"


class StageNotFound(NotFound):
    default_message = "stage not found"


class PromotionNotFound(NotFound):
    default_message = "promotion not found"


class GateNotMet(EnvdeckError):
    code = "GATE_NOT_MET"
    status = 422
    default_message = "a promotion gate is not met"

    @classmethod
    def of(cls, check: GateCheck, stage: str) -> "GateNotMet":
        failed = check.failed()
        reasons = "; ".join(f"{gate.name}: {gate.message}" for gate in failed)
        version = check.version or "the version"
        details: dict[str, Any] = {
            "version": check.version,
            "gates": [gate.model_dump(mode="json", by_alias=True) for gate in check.gates],
        }
        return cls(f"{version} cannot go to {stage}: {reasons}", details)


class PromotionOpen(Conflict):
    """Another promotion of the same pipeline stage is awaiting approval or running."""

    @classmethod
    def by(cls, other: Promotion) -> "PromotionOpen":
        return cls(
            f"promotion {other.id} of {other.version} to {other.stage} is {other.status.value}",
            {"promotionId": other.id},
        )


def open_key(pipeline_id: str, stage: str) -> str:
    """The key that at most one open promotion holds: its pipeline and stage."""
    return f"{pipeline_id}/{stage}"


def soaked_for(since: datetime | None, now: datetime) -> timedelta:
    return timedelta(0) if since is None else max(now - since, timedelta(0))
