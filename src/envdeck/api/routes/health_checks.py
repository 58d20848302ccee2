"""Health checks on demand: check an environment now (users), test an unsaved check (admins)."""

from fastapi import APIRouter
from pydantic import Field, HttpUrl

from envdeck.api.deps import AdminPrincipal, HealthDep, OperatorPrincipal
from envdeck.api.schemas import ApiModel, error_responses
from envdeck.domain.base import UtcDatetime
from envdeck.domain.environment import HealthCheckConfig, HealthState
from envdeck.services.health import CheckResult

router = APIRouter(tags=["health"])


class CheckDetails(ApiModel):
    status_code: int | None
    version: str | None
    # The start of the response body (2 KB), as text, the environment's secrets masked.
    response: str


class HealthCheckResult(ApiModel):
    """The verdict of this one check (the environment's status applies its threshold)."""

    health: HealthState
    message: str
    response_time: float | None
    checked_at: UtcDatetime
    details: CheckDetails

    @classmethod
    def of(cls, result: CheckResult) -> "HealthCheckResult":
        return cls(
            health=HealthState.HEALTHY if result.ok else HealthState.UNHEALTHY,
            message=result.message,
            response_time=result.response_time,
            checked_at=result.checked_at,
            details=CheckDetails(
                status_code=result.status_code, version=result.version, response=result.excerpt()
            ),
        )


class HealthCheckTest(ApiModel):
    health_check: HealthCheckConfig
    # Masked values ("********") are taken from this stored environment, and then only for a
    # request to its own origin (the scheme, host and port of its stored endpoint): else 422.
    environment_id: str | None = None
    # What a path endpoint ("/health") is resolved against, as on a saved environment.
    environment_url: HttpUrl | None = Field(default=None, alias="environmentURL")


@router.post(
    "/environments/{environment_id}/check-health",
    response_model=HealthCheckResult,
    responses=error_responses(401, 403, 404),
    summary="Check an environment's health now",
)
async def check_environment_health(
    environment_id: str, _user: OperatorPrincipal, health: HealthDep
) -> HealthCheckResult:
    """Run a check at once (joining one in flight) and record it like a scheduled check."""
    return HealthCheckResult.of(await health.check_now(environment_id))


@router.post(
    "/health-checks/test",
    response_model=HealthCheckResult,
    responses=error_responses(401, 403, 404),
    summary="Test a health check configuration",
)
async def check_unsaved_health_check(
    body: HealthCheckTest, _admin: AdminPrincipal, health: HealthDep
) -> HealthCheckResult:
    """Run a check of an unsaved configuration (the form's Test button); nothing is stored.

    Stored secrets ("********" with environmentId) are sent only to that environment's own
    origin; a test of another endpoint that would carry them is refused with 422.
    """
    result = await health.test_check(body.health_check, body.environment_id, body.environment_url)
    return HealthCheckResult.of(result)
