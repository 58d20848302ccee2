"""Migrations into this Envdeck (admin): what `envdeck migrate … --url` sends.

The command reads the original's database where it runs and posts its documents here, in parts
(environments and users first, then the logs in batches under the body limit); each part is
migrated as `envdeck migrate` does locally (services/migration) and answers its report.
"""

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from envdeck.api.deps import AdminPrincipal, ServicesDep
from envdeck.api.schemas import ApiModel, error_responses
from envdeck.services.migration.report import MigrationReport
from envdeck.services.migration.source import OriginalData

router = APIRouter(prefix="/migrations", tags=["migrations"])

Documents = list[dict[str, Any]]


class EnvironmentManagerDocuments(ApiModel):
    """The original's documents as JSON (ObjectIds and times as text), by collection."""

    dry_run: bool = False
    environments: Documents = Field(default_factory=list)
    users: Documents = Field(default_factory=list)
    logs: Documents = Field(default_factory=list)
    audit_log: Documents = Field(default_factory=list)


class Counts(ApiModel):
    created: int
    updated: int
    skipped: int


class MigrationResult(ApiModel):
    """What the migration did (or, in a dry run, would do); never a secret value."""

    dry_run: bool
    counts: dict[str, Counts]
    renamed: list[str]
    secrets: list[str]
    changed: list[str]
    not_carried: list[str]
    warnings: list[str]
    failed: list[str]
    report: list[str] = Field(description="The report as `envdeck migrate` prints it.")

    @classmethod
    def of(cls, report: MigrationReport) -> "MigrationResult":
        counts = {name: Counts(**vars(c)) for name, c in report.counts.items()}
        return cls(
            dry_run=report.dry_run,
            counts=counts,
            renamed=report.renamed,
            secrets=report.secrets,
            changed=report.changed,
            not_carried=report.not_carried,
            warnings=report.warnings,
            failed=report.failed,
            report=report.lines(),
        )


@router.post(
    "/environment-manager",
    response_model=MigrationResult,
    responses=error_responses(401, 403, 413),
    summary="Migrate the original environment manager's documents into this Envdeck",
)
async def migrate_from_environment_manager(
    body: EnvironmentManagerDocuments, principal: AdminPrincipal, services: ServicesDep
) -> MigrationResult:
    data = OriginalData(body.environments, body.users, body.logs, body.audit_log)
    report = await services.migration.run(data, dry_run=body.dry_run, actor=principal)
    return MigrationResult.of(report)
