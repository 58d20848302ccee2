"""Probes of an environment's host over SSH: refresh its system info (users), test its
connection (admins)."""

from fastapi import APIRouter

from envdeck.api.deps import AdminPrincipal, OperatorPrincipal, ProbesDep
from envdeck.api.schemas import ApiModel, error_responses
from envdeck.domain.base import UtcDatetime
from envdeck.domain.environment import HostKeyPolicy

router = APIRouter(tags=["environments"])


class SystemInfoPublic(ApiModel):
    os_version: str
    app_version: str
    last_updated: UtcDatetime | None
    kernel: str
    uptime: float | None  # seconds, at lastUpdated
    version_unverified: bool


class ConnectionTestPublic(ApiModel):
    fingerprint: str  # SHA256:… as `ssh-keygen -lf` prints it
    host_key: str  # the OpenSSH public key line the server presented
    remote_user: str
    latency_ms: float  # one command round trip on the open connection
    connect_ms: float  # TCP, key exchange and authentication
    host_key_policy: HostKeyPolicy
    learned: bool  # TOFU recorded this key now
    insecure: bool  # policy off: nothing was verified


@router.post(
    "/environments/{environment_id}/system-info/refresh",
    response_model=SystemInfoPublic,
    responses=error_responses(401, 403, 404, 422, 502),
    summary="Read the OS, kernel and uptime of an environment's host over SSH",
)
async def refresh_system_info(
    environment_id: str, user: OperatorPrincipal, probes: ProbesDep
) -> SystemInfoPublic:
    info = await probes.refresh_system_info(user, environment_id)
    return SystemInfoPublic.model_validate(info)


@router.post(
    "/environments/{environment_id}/test-connection",
    response_model=ConnectionTestPublic,
    responses=error_responses(401, 403, 404, 422, 502),
    summary="Connect to an environment's host and report its host key, user and latency",
)
async def test_connection(
    environment_id: str, admin: AdminPrincipal, probes: ProbesDep
) -> ConnectionTestPublic:
    report = await probes.test_connection(admin, environment_id)
    return ConnectionTestPublic.model_validate(report)
