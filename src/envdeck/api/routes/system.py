"""Liveness and readiness: is the process up, and can it reach its storage."""

import asyncio
import time
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from envdeck import __version__
from envdeck.api.deps import StorageDep
from envdeck.api.schemas import error_responses
from envdeck.domain.errors import StorageUnavailable

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
