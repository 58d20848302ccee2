"""Tiny getters and Annotated aliases that routes declare to get what they need.

Roles are enforced here and only here: a route asks for `ViewerPrincipal`, `OperatorPrincipal`
or `AdminPrincipal` and never checks a role itself.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.requests import HTTPConnection
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from envdeck.config import Settings
from envdeck.domain.auth import Principal
from envdeck.domain.errors import Forbidden, Unauthorized
from envdeck.domain.user import Role
from envdeck.repositories.base import Storage
from envdeck.services.activity.queries import ActivityQueries
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster import InstanceRegistry
from envdeck.services.container import Services
from envdeck.services.health import HealthScheduler
from envdeck.services.health.history import HealthHistoryService
from envdeck.services.identity.api_tokens import ApiTokenService
from envdeck.services.identity.auth import AuthService
from envdeck.services.identity.setup import SetupService
from envdeck.services.identity.users import UserService
from envdeck.services.inventory.credentials import CredentialService
from envdeck.services.inventory.environment_files import EnvironmentFiles
from envdeck.services.inventory.environments import EnvironmentService
from envdeck.services.inventory.probes import EnvironmentProbes
from envdeck.services.inventory.views import EnvironmentViews
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications.channels import NotificationChannelService
from envdeck.services.operations.previews import CommandPreviews
from envdeck.services.operations.service import OperationService
from envdeck.services.operations.version_lists import VersionLists
from envdeck.services.promotions.service import PromotionService
from envdeck.services.realtime import RealtimeHub
from envdeck.services.reservations.service import ReservationService
from envdeck.services.scrape import MetricsScrape
from envdeck.services.status_pages.service import StatusPageService

# Every getter is async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a
# hop that cost more than the rest of an authenticated request. They take an HTTPConnection so
# that WebSocket routes can declare them too.


def _services(connection: HTTPConnection) -> Services:
    services: Services = connection.app.state.services
    return services


async def get_services(connection: HTTPConnection) -> Services:
    return _services(connection)


async def get_settings(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


async def get_storage(connection: HTTPConnection) -> Storage:
    return _services(connection).storage


async def get_activity_log(connection: HTTPConnection) -> ActivityLog:
    return _services(connection).activity


async def get_activity_queries(connection: HTTPConnection) -> ActivityQueries:
    return _services(connection).activity_queries


async def get_auth(connection: HTTPConnection) -> AuthService:
    return _services(connection).auth


async def get_setup(connection: HTTPConnection) -> SetupService:
    return _services(connection).setup


async def get_users(connection: HTTPConnection) -> UserService:
    return _services(connection).users


async def get_tokens(connection: HTTPConnection) -> ApiTokenService:
    return _services(connection).tokens


async def get_environments(connection: HTTPConnection) -> EnvironmentService:
    return _services(connection).environments


async def get_environment_views(connection: HTTPConnection) -> EnvironmentViews:
    return _services(connection).environment_views


async def get_environment_files(connection: HTTPConnection) -> EnvironmentFiles:
    return _services(connection).environment_files


async def get_credentials(connection: HTTPConnection) -> CredentialService:
    return _services(connection).credentials


async def get_probes(connection: HTTPConnection) -> EnvironmentProbes:
    return _services(connection).environment_probes


async def get_health(connection: HTTPConnection) -> HealthScheduler:
    return _services(connection).health


async def get_health_history(connection: HTTPConnection) -> HealthHistoryService:
    return _services(connection).health_history


async def get_version_lists(connection: HTTPConnection) -> VersionLists:
    return _services(connection).version_lists


async def get_operations(connection: HTTPConnection) -> OperationService:
    return _services(connection).operations


async def get_command_previews(connection: HTTPConnection) -> CommandPreviews:
    return _services(connection).command_previews


async def get_maintenance(connection: HTTPConnection) -> MaintenanceService:
    return _services(connection).maintenance


async def get_notification_channels(connection: HTTPConnection) -> NotificationChannelService:
    return _services(connection).notifications.channels


async def get_reservations(connection: HTTPConnection) -> ReservationService:
    return _services(connection).reservations


async def get_promotions(connection: HTTPConnection) -> PromotionService:
    return _services(connection).promotions


async def get_status_pages(connection: HTTPConnection) -> StatusPageService:
    return _services(connection).status_pages


async def get_realtime(connection: HTTPConnection) -> RealtimeHub:
    return _services(connection).realtime


async def get_instance_registry(connection: HTTPConnection) -> InstanceRegistry:
    return _services(connection).instance_registry


async def get_metrics_scrape(connection: HTTPConnection) -> MetricsScrape:
    return _services(connection).metrics_scrape


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[Storage, Depends(get_storage)]
ActivityLogDep = Annotated[ActivityLog, Depends(get_activity_log)]
ActivityQueriesDep = Annotated[ActivityQueries, Depends(get_activity_queries)]
AuthDep = Annotated[AuthService, Depends(get_auth)]
SetupDep = Annotated[SetupService, Depends(get_setup)]
UsersDep = Annotated[UserService, Depends(get_users)]
TokensDep = Annotated[ApiTokenService, Depends(get_tokens)]
EnvironmentsDep = Annotated[EnvironmentService, Depends(get_environments)]
EnvironmentViewsDep = Annotated[EnvironmentViews, Depends(get_environment_views)]
EnvironmentFilesDep = Annotated[EnvironmentFiles, Depends(get_environment_files)]
CredentialsDep = Annotated[CredentialService, Depends(get_credentials)]
ProbesDep = Annotated[EnvironmentProbes, Depends(get_probes)]
HealthDep = Annotated[HealthScheduler, Depends(get_health)]
HealthHistoryDep = Annotated[HealthHistoryService, Depends(get_health_history)]
VersionListsDep = Annotated[VersionLists, Depends(get_version_lists)]
OperationsDep = Annotated[OperationService, Depends(get_operations)]
CommandPreviewsDep = Annotated[CommandPreviews, Depends(get_command_previews)]
MaintenanceDep = Annotated[MaintenanceService, Depends(get_maintenance)]
NotificationChannelsDep = Annotated[NotificationChannelService, Depends(get_notification_channels)]
RealtimeDep = Annotated[RealtimeHub, Depends(get_realtime)]
ReservationsDep = Annotated[ReservationService, Depends(get_reservations)]
PromotionsDep = Annotated[PromotionService, Depends(get_promotions)]
MetricsScrapeDep = Annotated[MetricsScrape, Depends(get_metrics_scrape)]
StatusPagesDep = Annotated[StatusPageService, Depends(get_status_pages)]
InstanceRegistryDep = Annotated[InstanceRegistry, Depends(get_instance_registry)]


class BearerOrBareToken(HTTPBearer):
    """`Authorization: Bearer <token>`, and also a bare `<token>`: the seed's clients send
    that, and its server took it (a compatibility form, docs/api.md)."""

    async def __call__(self, request: HTTPConnection) -> HTTPAuthorizationCredentials | None:
        authorization = request.headers.get("Authorization", "").strip()
        if authorization and " " not in authorization:
            return HTTPAuthorizationCredentials(scheme="Bearer", credentials=authorization)
        return await super().__call__(request)


_bearer = BearerOrBareToken(
    auto_error=False,
    scheme_name="HTTPBearer",  # the name clients of the OpenAPI document know it by
    description="A login token from POST /api/v1/auth/login, or an API token (edk_…)."
    " Compatibility form: the token alone, without `Bearer `.",
)


async def get_principal(
    auth: AuthDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Return who is calling, or raise Unauthorized."""
    if credentials is None:
        raise Unauthorized("sign in first: send Authorization: Bearer <token>")
    principal = await auth.authenticate(credentials.credentials)
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
        if principal.user.must_change_password:
            # Only who they are, signing out and the password change itself (CurrentPrincipal)
            # are open to them until then.
            raise Forbidden(
                "choose a new password first: POST /api/v1/users/password/change",
                {"reason": "password_change_required"},
            )
        if not principal.role.includes(role):
            raise Forbidden(f"this needs the {role} role; you have {principal.role}")
        return principal

    return check


# The bearer token if one was sent (routes that also answer anonymous callers).
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
ViewerPrincipal = Annotated[Principal, Depends(_require(Role.VIEWER))]
OperatorPrincipal = Annotated[Principal, Depends(_require(Role.USER))]
AdminPrincipal = Annotated[Principal, Depends(_require(Role.ADMIN))]
ClientIp = Annotated[str, Depends(client_ip)]
