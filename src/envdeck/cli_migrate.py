"""`envdeck migrate from-environment-manager`: the original's MongoDB brought into Envdeck.

The source is read here (the machine running the command must reach it); what it holds is
written into the configured storage (as `envdeck import` does), or sent to a running Envdeck
with --url/--token, which migrates it the same way. docs/migration.md walks through it.
"""

import asyncio
from typing import Annotated, Any

import typer

from envdeck.cli_support import ConfigOption, fail, settings_from, with_local_services
from envdeck.config import mask_uri

migrate_app = typer.Typer(help="Bring data over from another system.", no_args_is_help=True)

MIGRATION_PATH = "/api/v1/migrations/environment-manager"


def _masked(message: str, uri: str) -> str:
    return message.replace(uri, mask_uri(uri)) if uri else message


async def _migrate_local(
    data: Any, dry_run: bool, source_db: str, config: ConfigOption
) -> list[str]:
    from envdeck.services.migration.service import Migration

    settings = settings_from(config)
    if settings.storage_backend == "mongodb" and settings.database.database == source_db:
        # The original's .env sets MONGODB_DATABASE, which Envdeck reads too: the two would
        # share collection names (environments, users, logs) in one database.
        raise fail(
            f"Envdeck's storage is the database {source_db!r} too: give Envdeck a database of"
            " its own (MONGODB_DATABASE=envdeck) before migrating (docs/migration.md)"
        )
    retention = settings.logs.retention_days

    async def work(services: Any) -> list[str]:
        migration = Migration(services.storage, services.box, retention)
        report = await migration.run(data, dry_run=dry_run)
        return report.lines()

    result: list[str] = await with_local_services(settings, work)
    return result


def _migrate_remote(data: Any, dry_run: bool, url: str, token: str | None) -> list[str]:
    import httpx

    from envdeck.services.migration.report import MigrationReport
    from envdeck.services.migration.source import json_parts

    if not token:
        raise fail("--url needs an API token: --token or ENVDECK_TOKEN")
    report = MigrationReport(dry_run=dry_run)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=600) as client:
        for part in json_parts(data, dry_run=dry_run):
            try:
                response = client.post(MIGRATION_PATH, json=part)
            except httpx.HTTPError as exc:
                raise fail(f"cannot reach {url}: {exc}") from None
            report.merge(_remote_report(response))
    return report.lines()


def _remote_report(response: Any) -> Any:
    from envdeck.services.migration.report import Counts, MigrationReport

    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400 or not isinstance(body, dict) or "counts" not in body:
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        raise fail(message or f"the server answered {response.status_code}")
    return MigrationReport(
        dry_run=body["dryRun"],
        counts={name: Counts(**c) for name, c in body["counts"].items()},
        renamed=body["renamed"],
        secrets=body["secrets"],
        not_carried=body["notCarried"],
        changed=body["changed"],
        warnings=body["warnings"],
        failed=body["failed"],
    )


@migrate_app.command("from-environment-manager")
def from_environment_manager(
    source_uri: Annotated[
        str, typer.Option("--source-uri", help="The original's MongoDB URI (read only).")
    ],
    source_db: Annotated[
        str, typer.Option("--source-db", help="The original's database (MONGODB_DATABASE).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the report only; write nothing.")
    ] = False,
    url: Annotated[
        str | None,
        typer.Option(help="A running Envdeck to migrate into; omit to use the local storage."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="ENVDECK_TOKEN", help="An admin's API token for --url."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Migrate the original environment manager's environments, users and logs."""
    import warnings

    # asyncssh (which reads the private keys) names DSA types at import: noise here.
    warnings.filterwarnings("ignore", message="DSA is deprecated", module="asyncssh")
    from envdeck.domain.errors import EnvdeckError
    from envdeck.services.migration.source import read_original

    if not url:
        settings_from(config)  # a broken configuration is reported before the source is read
    try:
        data = asyncio.run(read_original(source_uri, source_db))
        if url:
            lines = _migrate_remote(data, dry_run, url, token)
        else:
            lines = asyncio.run(_migrate_local(data, dry_run, source_db, config))
    except EnvdeckError as exc:
        raise fail(_masked(exc.message, source_uri)) from None
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:  # one line, never a traceback (docs/migration.md)
        raise fail(_masked(f"{type(exc).__name__}: {exc}", source_uri)) from None
    for line in lines:
        typer.echo(line)
