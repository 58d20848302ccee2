"""Liveness and readiness (is the process up, can it reach its storage) and the instances
sharing that storage (the instance registry, admins only)."""

import asyncio
import time
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from envdeck import __version__
from envdeck.api.deps import AdminPrincipal, InstanceRegistryDep, StorageDep
from envdeck.api.schemas import ApiModel, error_responses
from envdeck.domain.base import UtcDatetime
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.instance import InstanceStatus
from envdeck.services.cluster import InstanceListing, ListedInstance

router = APIRouter(tags=["system"])

READY_TIMEOUT_SECONDS = 2.0


class HealthPublic(BaseModel):
    status: Literal["healthy"] = "healthy"
    version: str


class StorageStatus(BaseModel):
    backend: str
    latencyMs: float


class ReadyPublic(BaseModel):
    status: Literal["ready"] = "ready"
    version: str
    storage: StorageStatus


@router.get("/health", response_model=HealthPublic, summary="Liveness (no auth)")
async def health() -> HealthPublic:
    return HealthPublic(version=__version__)


@router.get(
    "/ready",
    response_model=ReadyPublic,
    responses=error_responses(503),
    summary="Readiness: 200 when storage answers, 503 UNAVAILABLE when it does not",
)
async def ready(storage: StorageDep) -> ReadyPublic:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(storage.ping(), READY_TIMEOUT_SECONDS)
    except (TimeoutError, StorageUnavailable) as exc:
        raise StorageUnavailable(details={"backend": storage.backend}) from exc
    latency = round((time.perf_counter() - started) * 1000, 2)
    return ReadyPublic(
        version=__version__, storage=StorageStatus(backend=storage.backend, latencyMs=latency)
    )


class InstancePublic(ApiModel):
    """One `envdeck serve` process start, as its heartbeats recorded it."""

    id: str
    host: str
    pid: int
    version: str
    backend: str = Field(examples=["mongodb"])
    started_at: UtcDatetime
    last_seen: UtcDatetime
    stopped_at: UtcDatetime | None
    status: InstanceStatus = Field(
        description="live: seen within cluster.instanceTtl; stopped: shut down gracefully;"
        " lost: not seen within the TTL and no stop recorded (killed, crashed, cut off)."
    )
    health_shards: int | None = Field(
        default=None,
        description="With several instances sharing the work (cluster true): how many of the 32"
        " health-check shards this instance holds now. Null when the instance works alone.",
    )

    @classmethod
    def of(cls, listed: ListedInstance) -> "InstancePublic":
        return cls.model_validate(
            {
                **listed.instance.model_dump(),
                "status": listed.status,
                "health_shards": listed.health_shards,
            }
        )


class InstanceList(ApiModel):
    instances: list[InstancePublic]
    self_id: str = Field(alias="self", description="The id of the instance that answered.")
    cluster: bool = Field(
        description="True when the instances share the work (several instances on a MongoDB"
        " replica set: health checks by shard lease, events relayed); false when this"
        " instance works alone (SQLite, or MongoDB without a replica set)."
    )

    @classmethod
    def of(cls, listing: InstanceListing) -> "InstanceList":
        return cls(
            instances=[InstancePublic.of(listed) for listed in listing.instances],
            self_id=listing.self_id,
            cluster=listing.cluster,
        )


@router.get(
    "/system/instances",
    response_model=InstanceList,
    response_model_by_alias=True,
    responses=error_responses(401, 403, 503),
    summary="The instances seen in the last 24 hours: live, stopped or lost (admin)",
)
async def list_instances(_: AdminPrincipal, registry: InstanceRegistryDep) -> InstanceList:
    return InstanceList.of(await registry.list_instances())
