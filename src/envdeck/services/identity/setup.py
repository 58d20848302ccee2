"""First run: create the first admin, with no default password anywhere.

While no user exists, a one-time setup token is written to the data dir (0600) and printed
at start-up; POST /setup must present it. Unattended installs create the first admin from the
adminUsername / adminPassword settings instead. `create_first` is atomic in storage,
so two instances starting at once never create two first admins.
"""

import hmac
import secrets
from pathlib import Path

import structlog

from envdeck.adapters.passwords import PasswordHasher, check_password_policy
from envdeck.domain.errors import Conflict, Unauthorized
from envdeck.domain.log import LogLevel, LogType
from envdeck.domain.user import Role, User
from envdeck.keyfiles import read_or_create
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog

log = structlog.get_logger(__name__)

SETUP_TOKEN_FILE = "setup_token"  # noqa: S105 (a file name)


class SetupService:
    def __init__(
        self, storage: Storage, activity: ActivityLog, hasher: PasswordHasher, data_dir: Path
    ) -> None:
        self._users = storage.users
        self._activity = activity
        self._hasher = hasher
        self.token_file = data_dir / SETUP_TOKEN_FILE
        self._done = False

    async def needs_setup(self) -> bool:
        """Tell whether no user exists yet."""
        if not self._done:
            self._done = await self._users.count() > 0
        return not self._done

    async def prepare(self, admin_username: str | None, admin_password: str | None) -> str | None:
        """At start-up: create the configured first admin, or return the setup token to show."""
        if not await self.needs_setup():
            self.token_file.unlink(missing_ok=True)
            return None
        if admin_username and admin_password:
            try:
                await self.create_first_admin(
                    admin_username, None, admin_password, via="environment"
                )
            except Conflict:
                log.info("first_admin_exists")  # another instance won the race
            return None
        return read_or_create(self.token_file, value=secrets.token_urlsafe(24))

    async def complete(self, token: str, username: str, email: str | None, password: str) -> User:
        """Create the first admin for whoever holds the setup token."""
        if not await self.needs_setup():
            raise Conflict("setup is already done")
        expected = (
            self.token_file.read_text(encoding="utf-8").strip() if self.token_file.exists() else ""
        )
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            raise Unauthorized("wrong setup token", {"field": "token"})
        return await self.create_first_admin(username, email, password, via="setup")

    async def create_admin(self, username: str, email: str | None, password: str) -> User:
        """Create an admin from the command line: the first one, or one more."""
        if await self.needs_setup():
            return await self.create_first_admin(username, email, password, via="command line")
        check_password_policy(password, username)
        user = User(username=username, email=email, role=Role.ADMIN)
        user.password_hash = await self._hasher.hash(password)
        created = await self._users.create(user)
        self._activity.record(
            type=LogType.AUTH,
            action="user_create",
            message=f"admin {created.username} created from the command line",
            details={"subjectId": created.id, "subject": created.username},
        )
        return created

    async def create_first_admin(
        self, username: str, email: str | None, password: str, *, via: str
    ) -> User:
        check_password_policy(password, username)
        user = User(username=username, email=email, role=Role.ADMIN)
        user.password_hash = await self._hasher.hash(password)
        created = await self._users.create_first(user)
        self._done = True
        self.token_file.unlink(missing_ok=True)
        self._activity.record_by(
            created,
            action="setup",
            level=LogLevel.SUCCESS,
            message=f"first admin {created.username} created ({via})",
        )
        return created
