"""What the `envdeck` commands share: the --config option, errors, settings, local services."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from envdeck.config import ConfigError, Settings, load_settings_with_notices
from envdeck.original_config import ConfigNotice

if TYPE_CHECKING:
    from envdeck.domain.auth import Principal

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML configuration file (environment variables win)."),
]


def fail(message: str) -> typer.Exit:
    """Print an error and return the exit (status 2) for the caller to raise."""
    typer.secho(f"envdeck: error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


def settings_and_notices_from(config: Path | None) -> tuple[Settings, list[ConfigNotice]]:
    """Return the settings of a command and its notices, or exit with the configuration's error."""
    try:
        return load_settings_with_notices(config)
    except ConfigError as exc:
        raise fail(str(exc)) from None


# A command may load its settings twice; each notice is said once.
_said: set[str] = set()


def settings_from(config: Path | None) -> Settings:
    """Return the settings of a command, its notices printed, or exit with its error."""
    settings, notices = settings_and_notices_from(config)
    for notice in notices:
        if notice.message not in _said:
            _said.add(notice.message)
            typer.secho(f"envdeck: warning: {notice.message}", err=True, fg=typer.colors.YELLOW)
    return settings


def log_notices(notices: list[ConfigNotice]) -> None:
    """Log each notice as one warning (envdeck serve, once its logging is set up)."""
    import structlog

    log = structlog.get_logger("envdeck.config")
    for notice in notices:
        log.warning(
            "original_config_name",
            name=notice.name,
            source=notice.source,
            kind=notice.kind,
            use=notice.use,
            detail=notice.detail,
        )


async def with_local_services(settings: Settings, work: Any) -> Any:
    """Run work(services) over the configured storage, opened for it and closed after."""
    from envdeck.app import create_storage
    from envdeck.domain.clock import utc_now
    from envdeck.keyfiles import load_runtime_secrets
    from envdeck.services.container import build_services

    storage = create_storage(settings)
    await storage.open()
    services = build_services(settings, storage, load_runtime_secrets(settings), utc_now)
    try:
        return await work(services)
    finally:
        await services.activity.close()
        await services.bus.close()
        await storage.close()


def local_operator() -> "Principal":
    """Return who a local command acts as: an admin named local-cli."""
    from envdeck.domain.auth import Principal, TokenKind
    from envdeck.domain.user import Role, User

    # Whoever can read the data dir holds every secret anyway: they act as an admin.
    user = User(id="", username="local-cli", role=Role.ADMIN)
    return Principal(user=user, role=Role.ADMIN, kind=TokenKind.API, token_id="", expires_at=None)
