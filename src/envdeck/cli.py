"""The `envdeck` command: serve, users, secrets, backup, export, import, version, check-config."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from envdeck import __version__
from envdeck.cli_config import config_app
from envdeck.cli_migrate import migrate_app
from envdeck.cli_promote import EXIT_CODES as PROMOTE_EXIT_CODES
from envdeck.cli_promote import HELP as PROMOTE_HELP
from envdeck.cli_promote import promote
from envdeck.cli_reserve import reserve_app
from envdeck.cli_support import ConfigOption
from envdeck.cli_support import fail as _fail
from envdeck.cli_support import local_operator as _local_operator
from envdeck.cli_support import settings_from as _settings
from envdeck.cli_support import with_local_services as _with_local_services
from envdeck.cli_users import users_app
from envdeck.config import Settings, mask_uri, masked

if TYPE_CHECKING:
    import httpx

    from envdeck.serve_lock import ServeLock
    from envdeck.services.inventory.key_rotation import RotationResult

app = typer.Typer(
    name="envdeck",
    help="Envdeck: a self-hosted environment manager.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _banner(settings: Settings, host: str, port: int) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    return "\n".join(
        [
            f"Envdeck {__version__}",
            f"  URL:       http://{shown_host}:{port}",
            f"  Storage:   {settings.storage_backend} ({mask_uri(settings.storage_uri)})",
            f"  Data dir:  {settings.data_dir.resolve()}",
            f"  API docs:  http://{shown_host}:{port}/api/docs",
        ]
    )


HostOption = Annotated[str | None, typer.Option(help="Bind address (overrides server.host).")]
PortOption = Annotated[
    int | None, typer.Option(help="Port (overrides server.port).", min=1, max=65535)
]
DemoCountOption = Annotated[
    int, typer.Option("--demo-count", help="Simulated environments in the demo fleet.", min=1)
]
DemoPortOption = Annotated[
    int,
    typer.Option("--demo-port", help="Port of the demo fleet on 127.0.0.1 (0: any).", min=0),
]


@app.command()
def serve(
    config: ConfigOption = None,
    host: HostOption = None,
    port: PortOption = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Also run a simulated fleet and register it.")
    ] = False,
    demo_count: DemoCountOption = 12,
    demo_port: DemoPortOption = 0,
) -> None:
    """Run the API and the web UI."""
    _serve(config, host, port, (demo_count, demo_port) if demo else None)


@app.command("demo")
def demo_command(
    config: ConfigOption = None,
    host: HostOption = None,
    port: PortOption = None,
    demo_count: DemoCountOption = 12,
    demo_port: DemoPortOption = 0,
) -> None:
    """Run Envdeck with a simulated fleet registered (the same as `serve --demo`)."""
    _serve(config, host, port, (demo_count, demo_port))


def _serve(
    config: Path | None, host: str | None, port: int | None, demo: tuple[int, int] | None
) -> None:
    from envdeck.cli_support import log_notices, settings_and_notices_from
    from envdeck.keyfiles import load_runtime_secrets
    from envdeck.logsetup import configure_logging

    settings, notices = settings_and_notices_from(config)
    bind_host = host or settings.server.host
    bind_port = port or settings.server.port
    try:
        # Generated now (not in the lifespan) so a bad data dir fails before anything listens.
        load_runtime_secrets(settings)
    except (OSError, ValueError) as exc:
        raise _fail(f"data dir {settings.data_dir}: {exc}") from None
    serve_lock = _lock_sqlite(settings)
    configure_logging(settings.log)
    log_notices(notices)
    # Imported once logging is set up: what libraries warn at import time is logged as JSON.
    from envdeck.app import create_app
    from envdeck.server import EnvdeckServer, uvicorn_config

    typer.echo(_banner(settings, bind_host, bind_port))
    fleet = None
    if demo is not None:
        from envdeck.demo.runner import DemoFleet

        fleet = DemoFleet(count=demo[0], port=demo[1])
    application = create_app(settings, demo=fleet)
    server = EnvdeckServer(uvicorn_config(application, settings, bind_host, bind_port))
    server.run()
    if serve_lock is not None:
        serve_lock.release()
    if not server.started:
        raise typer.Exit(code=1)


def _lock_sqlite(settings: Settings) -> "ServeLock | None":
    """Refuse to serve a SQLite database another `envdeck serve` serves (one line, exit 2)."""
    from envdeck.serve_lock import ServeLockHeld, acquire_serve_lock

    if settings.storage_backend != "sqlite":
        return None
    try:
        return acquire_serve_lock(settings.sqlite_path)
    except ServeLockHeld as held:
        raise _fail(
            f"{settings.sqlite_path} is already served by another envdeck serve (host "
            f"{held.host}, pid {held.pid}); SQLite runs one instance, several need MongoDB "
            "(docs/operations.md)"
        ) from None
    except OSError as exc:
        raise _fail(f"data dir {settings.data_dir}: {exc}") from None


app.add_typer(users_app, name="users")
app.add_typer(config_app, name="config")
app.add_typer(migrate_app, name="migrate")
app.add_typer(reserve_app, name="reserve")
app.command("promote", help=PROMOTE_HELP, epilog=PROMOTE_EXIT_CODES)(promote)

secrets_app = typer.Typer(help="Manage the key that encrypts stored secrets.", no_args_is_help=True)
app.add_typer(secrets_app, name="secrets")

CONFIGURED_KEY_MESSAGE = (
    "encryption.key is set in the configuration, which envdeck cannot rewrite. Rotate by hand:"
    " stop Envdeck, write that key to {key_file} (mode 0600), remove it from the configuration,"
    " run `envdeck secrets rotate-key`, then keep the new key there or move it back into the"
    " configuration (docs/security.md)"
)


async def _rotate_key(settings: Settings) -> "RotationResult":
    from envdeck.adapters.secret_box import SecretBox
    from envdeck.app import create_storage
    from envdeck.keyfiles import begin_key_rotation, finish_key_rotation, load_runtime_secrets
    from envdeck.services.inventory.key_rotation import reseal_all

    current = load_runtime_secrets(settings).encryption_key
    # Seals under the new key, opens under either: a rotation cut short is run again.
    box = SecretBox([begin_key_rotation(settings.data_dir), current])
    storage = create_storage(settings)
    await storage.open()
    try:
        result = await reseal_all(storage, box)
    finally:
        await storage.close()
    finish_key_rotation(settings.data_dir)
    return result


@secrets_app.command("rotate-key")
def rotate_key(config: ConfigOption = None) -> None:
    """Re-encrypt every stored secret under a new key. Stop Envdeck first."""
    import asyncio

    from envdeck.adapters.secret_box import SecretDecryptionError
    from envdeck.domain.errors import EnvdeckError
    from envdeck.keyfiles import ENCRYPTION_KEY_FILE

    settings = _settings(config)
    if settings.encryption.key:
        raise _fail(CONFIGURED_KEY_MESSAGE.format(key_file=settings.data_dir / ENCRYPTION_KEY_FILE))
    try:
        result = asyncio.run(_rotate_key(settings))
    except EnvdeckError as exc:
        raise _fail(exc.message) from None
    except (SecretDecryptionError, OSError, ValueError) as exc:
        raise _fail(f"{exc}; the rotation can be run again") from None
    typer.echo(
        f"re-sealed {result.values} secret values ({result.credentials} credentials,"
        f" {result.environments} environments, {result.channels} notification channels)"
        " under a new key"
    )


def _backup_sqlite(source: Path, target: Path) -> int:
    """Copy the database with SQLite's online backup API (consistent while Envdeck writes);
    check the copy; return its size in bytes."""
    import contextlib
    import sqlite3

    # One step (pages=-1) under one read transaction: in WAL mode a snapshot that does not
    # block Envdeck's writes.
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as live,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy)
        (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise _fail(f"the copy failed SQLite's integrity check: {verdict}")
    target.chmod(0o600)
    return target.stat().st_size


@app.command()
def backup(
    destination: Annotated[
        Path, typer.Argument(help="A new (or empty) directory to write the backup into.")
    ],
    config: ConfigOption = None,
) -> None:
    """Back up the SQLite database (online: Envdeck may keep running) and the key files."""
    import shutil

    from envdeck.keyfiles import ENCRYPTION_KEY_FILE, JWT_SECRET_FILE, NEXT_ENCRYPTION_KEY_FILE

    settings = _settings(config)
    if destination.exists() and any(destination.iterdir()):
        raise _fail(f"{destination} is not empty: back up into a new directory")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    if settings.storage_backend == "sqlite":
        source = settings.sqlite_path
        if not source.exists():
            raise _fail(f"no database at {source}")
        size = _backup_sqlite(source, destination / source.name)
        written.append(f"{source.name} ({size:,} bytes, integrity ok)")
    for name in (ENCRYPTION_KEY_FILE, NEXT_ENCRYPTION_KEY_FILE, JWT_SECRET_FILE):
        key_file = settings.data_dir / name
        if key_file.exists():
            shutil.copy2(key_file, destination / name)
            (destination / name).chmod(0o600)
            written.append(name)
    typer.echo(f"backed up to {destination}: {', '.join(written) or 'nothing'}")
    if settings.storage_backend != "sqlite":
        typer.echo("MongoDB holds the data: back it up with mongodump (docs/operations.md)")
    if settings.encryption.key or settings.jwt.secret:
        typer.echo("keys set in the configuration are not in the data dir: keep that safe too")


UrlOption = Annotated[
    str | None,
    typer.Option(
        help="A running Envdeck (e.g. http://127.0.0.1:8080); omit to use the local data."
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(envvar="ENVDECK_TOKEN", help="API token for --url (or ENVDECK_TOKEN)."),
]


def _remote(url: str, token: str | None) -> "httpx.Client":
    import httpx

    if not token:
        raise _fail("--url needs an API token: --token or ENVDECK_TOKEN")
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _remote_request(
    client: "httpx.Client", method: str, path: str, **kwargs: Any
) -> "httpx.Response":
    """Send one request to a running Envdeck; a server that does not answer is one line."""
    import httpx

    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise _fail(f"no answer from {client.base_url}: {exc or type(exc).__name__}") from None
    return _remote_answer(response)


def _remote_answer(response: "httpx.Response") -> "httpx.Response":
    if response.status_code >= 400:
        try:
            error = response.json()["error"]
            details = error.get("details") or {}
            message = error["message"] + "".join(
                f"\n  {p['environment']}: {'; '.join(p['errors'])}"
                for p in details.get("environments", [])
            )
        except (ValueError, KeyError, TypeError):
            message = f"the server answered {response.status_code}"
        raise _fail(message)
    return response


@app.command("export")
def export_environments(
    url: UrlOption = None,
    token: TokenOption = None,
    tag: Annotated[str | None, typer.Option(help="Only environments with this tag.")] = None,
    config: ConfigOption = None,
) -> None:
    """Print every environment as YAML (secrets masked, credentials by name)."""
    import asyncio

    from envdeck.domain.environment import EnvironmentListOptions

    if url:
        with _remote(url, token) as client:
            params = {"tag": tag} if tag else {}
            text = _remote_request(client, "GET", "/api/v1/environments/export", params=params).text
    else:
        options = EnvironmentListOptions(tag=tag)
        text = asyncio.run(
            _with_local_services(
                _settings(config), lambda s: s.environment_files.export_yaml(options)
            )
        )
    sys.stdout.write(text)


@app.command("import")
def import_environments(
    file: Annotated[Path, typer.Argument(help="A YAML file from `envdeck export`.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes only.")] = False,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
) -> None:
    """Create and update environments from a YAML file, all or nothing."""
    import asyncio

    from envdeck.domain.errors import EnvdeckError

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {file}: {exc}") from None
    if url:
        with _remote(url, token) as client:
            response = _remote_request(
                client,
                "POST",
                "/api/v1/environments/import",
                params={"dryRun": "true"} if dry_run else {},
                content=text.encode("utf-8"),
                headers={"Content-Type": "application/yaml"},
            )
            answer = response.json()
            changes = [(c["name"], c["action"], c["fields"]) for c in answer["changes"]]
            changes += [
                (f"pipeline {c['name']}", c["action"], []) for c in answer.get("pipelines", [])
            ]
    else:

        async def run(services: Any) -> list[tuple[str, str, list[str]]]:
            plan = await services.environment_files.plan(text)
            if not dry_run:
                await services.environment_files.apply(_local_operator(), plan)
            return [(c.name, c.action, c.fields) for c in plan.environments] + [
                (f"pipeline {p.name}", p.action, []) for p in plan.pipelines
            ]

        try:
            changes = asyncio.run(_with_local_services(_settings(config), run))
        except EnvdeckError as exc:
            problems = exc.details.get("environments", []) + exc.details.get("pipelines", [])
            raise _fail(
                exc.message
                + "".join(
                    f"\n  {p.get('environment') or p.get('pipeline')}: {'; '.join(p['errors'])}"
                    for p in problems
                )
            ) from None
    for name, action, fields in changes:
        typer.echo(f"{action:<9} {name}" + (f"  ({', '.join(fields)})" if fields else ""))
    typer.echo(
        "dry run: nothing was changed"
        if dry_run
        else f"imported {sum(not n.startswith('pipeline ') for n, _, _ in changes)} environments"
    )


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command("check-config")
def check_config(config: ConfigOption = None) -> None:
    """Validate the configuration and print the effective values, secrets masked."""
    settings = _settings(config)
    json.dump(masked(settings), sys.stdout, indent=2)
    sys.stdout.write("\n")


def main() -> None:
    from envdeck.logsetup import quiet_library_warnings

    # Before any command imports asyncssh, whose import warns (every command, not only serve).
    quiet_library_warnings()
    app()
