"""Tiny getters and Annotated aliases that routes declare to get what they need.

Roles are enforced here and only here: a route asks for `ViewerPrincipal`, `OperatorPrincipal`
or `AdminPrincipal` and never checks a role itself.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from envdeck.config import Settings
from envdeck.domain.auth import Principal
from envdeck.domain.errors import Forbidden, Unauthorized
from envdeck.domain.user import Role
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.container import Services


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_activity_log(request: Request) -> ActivityLog:
    return (await get_services(request)).activity


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# Async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a hop that cost
# more than the rest of an authenticated request.
ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ActivityLogDep = Annotated[ActivityLog, Depends(get_activity_log)]

_bearer = HTTPBearer(
    auto_error=False,
    description="A login token from POST /api/v1/auth/login, or an API token (edk_…).",
)


async def get_principal(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Return who is calling, or raise Unauthorized."""
    if credentials is None:
        raise Unauthorized("sign in first: send Authorization: Bearer <token>")
    principal = await services.auth.authenticate(credentials.credentials)
    # Every line logged from here to the end of the request names the caller (the access
    # line included); RequestContextMiddleware unbinds them when the request ends.
    structlog.contextvars.bind_contextvars(user_id=principal.user.id, username=principal.username)
    return principal


async def require_audit_room(request: Request, activity: ActivityLogDep) -> None:
    """Refuse (503) a request that may change something while the activity log is full."""
    activity.admit_request(request.method)


async def client_ip(request: Request) -> str:
    """Return the peer address (proxy headers are not trusted)."""
    return request.client.host if request.client else "unknown"


def _require(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.role.includes(role):
            raise Forbidden(f"this needs the {role} role; you have {principal.role}")
        return principal

    return check


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
ViewerPrincipal = Annotated[Principal, Depends(_require(Role.VIEWER))]
OperatorPrincipal = Annotated[Principal, Depends(_require(Role.USER))]
AdminPrincipal = Annotated[Principal, Depends(_require(Role.ADMIN))]
ClientIp = Annotated[str, Depends(client_ip)]
