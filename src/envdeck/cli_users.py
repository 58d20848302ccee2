"""`envdeck users …`: create an admin, clear a sign-in lock, reset a password, from the shell.

These act on storage directly (as the admin `local-cli`): they are the way back in when nobody
can sign in. Passwords are prompted for without echo, or read from standard input; never taken
as an argument, where the shell's history and `ps` would keep them.
"""

import asyncio
import sys
from typing import Annotated, Any

import typer

from envdeck.cli_support import (
    ConfigOption,
    fail,
    local_operator,
    settings_from,
    with_local_services,
)
from envdeck.domain.errors import EnvdeckError

users_app = typer.Typer(help="Manage users from the command line.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]
UserArgument = Annotated[str, typer.Argument(help="The user's username (or email).")]


def _read_password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return password


def _run(work: Any, config: ConfigOption) -> Any:
    settings = settings_from(config)
    try:
        return asyncio.run(with_local_services(settings, work))
    except EnvdeckError as exc:
        raise fail(exc.message) from None


@users_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="The new admin's username.")],
    email: Annotated[str | None, typer.Option(help="Their email (optional).")] = None,
    password_stdin: PasswordStdin = False,
    config: ConfigOption = None,
) -> None:
    """Create an admin user (the first one, or another), for unattended installs."""
    settings_from(config)  # a broken configuration is reported before the password is asked
    password = _read_password(password_stdin, "Password")

    async def work(services: Any) -> str:
        user = await services.setup.create_admin(username, email, password)
        return str(user.id)

    user_id = _run(work, config)
    typer.echo(f"created admin {username} ({user_id})")


@users_app.command("unlock")
def unlock(user: UserArgument, config: ConfigOption = None) -> None:
    """Clear a user's failed sign-ins from every address, so a lock on them ends now."""

    async def work(services: Any) -> str:
        found = await services.users.find_user(user)
        await services.users.unlock_sign_in(local_operator(), found.id)
        return str(found.username)

    username = _run(work, config)
    typer.echo(f"cleared the failed sign-ins of {username}: they can sign in now")


@users_app.command("reset-password")
def reset_password(
    user: UserArgument, password_stdin: PasswordStdin = False, config: ConfigOption = None
) -> None:
    """Set a user's password (their sessions end) and clear their failed sign-ins."""
    settings_from(config)
    password = _read_password(password_stdin, "New password")

    async def work(services: Any) -> tuple[str, bool]:
        found = await services.users.find_user(user)
        await services.users.reset_password(local_operator(), found.id, password)
        await services.users.unlock_sign_in(local_operator(), found.id)
        return str(found.username), bool(found.active)

    username, active = _run(work, config)
    typer.echo(f"set a new password for {username}; their sessions ended, their lock cleared")
    if not active:
        typer.echo(f"note: {username} is deactivated: an admin must reactivate them to sign in")
