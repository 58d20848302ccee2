"""User administration, guarding the two rules no action may break: nobody deletes
themselves, and the system always keeps an active admin."""

import asyncio

from envdeck.adapters.passwords import PasswordHasher, check_password_policy
from envdeck.domain.auth import Principal
from envdeck.domain.errors import Conflict
from envdeck.domain.user import Role, User, UserListOptions
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.identity.auth import AuthService


def _about(subject: User) -> dict[str, object]:
    return {"subjectId": subject.id, "subject": subject.username}


class UserService:
    def __init__(
        self, storage: Storage, activity: ActivityLog, auth: AuthService, hasher: PasswordHasher
    ) -> None:
        self._users = storage.users
        self._tokens = storage.tokens
        self._activity = activity
        self._auth = auth
        self._hasher = hasher
        # Serialises the changes that could remove the last admin in this process.
        self._admin_guard = asyncio.Lock()

    async def list_users(self, options: UserListOptions) -> tuple[list[User], int]:
        return await self._users.list(options)

    async def get_user(self, user_id: str) -> User:
        return await self._users.get_by_id(user_id)

    async def create_user(
        self, actor: Principal, username: str, email: str | None, role: Role, password: str
    ) -> User:
        """Create a user with exactly the role asked for."""
        check_password_policy(password, username)
        user = User(username=username, email=email, role=role)
        user.password_hash = await self._hasher.hash(password)
        created = await self._users.create(user)
        self._activity.record_by(
            actor.user,
            action="user_create",
            message=f"{actor.username} created {role} {created.username}",
            details=_about(created),
        )
        return created

    async def update_user(
        self,
        actor: Principal,
        user_id: str,
        *,
        role: Role | None = None,
        active: bool | None = None,
        email: str | None = None,
        clear_email: bool = False,
    ) -> User:
        """Change a user's role, active flag or email."""
        async with self._admin_guard:
            user = await self._users.get_by_id(user_id)
            changes: dict[str, object] = {}
            if role is not None and role != user.role:
                changes["role"] = role
            if active is not None and active != user.active:
                changes["active"] = active
            if clear_email or (email is not None and email != user.email):
                changes["email"] = None if clear_email else email
            if not changes:
                return user
            if (
                user.role is Role.ADMIN
                and user.active
                and (
                    changes.get("role", Role.ADMIN) is not Role.ADMIN
                    or changes.get("active") is False
                )
            ):
                await self._ensure_another_admin(user)
            updated = await self._users.update(user.model_copy(update=changes))
        if "active" in changes:
            # Whatever was issued before a deactivation stays dead after a reactivation: both
            # changes end the sessions and revoke the API tokens (a token made in the moment
            # before a deactivation landed is caught by the reactivation).
            await self._end_sessions_and_tokens(user_id)
        self._auth.forget_user(user_id)
        described = ", ".join(f"{key}={value}" for key, value in changes.items())
        self._activity.record_by(
            actor.user,
            action="user_update",
            message=f"{actor.username} updated {user.username}: {described}",
            details=_about(updated),
        )
        return updated

    async def _end_sessions_and_tokens(self, user_id: str) -> None:
        await self._users.end_sessions(user_id)
        await self._tokens.delete_for_user(user_id)
        self._auth.forget_api_token()

    async def delete_user(self, actor: Principal, user_id: str) -> None:
        """Delete a user and their API tokens."""
        if user_id == actor.user_id:
            raise Conflict("you cannot delete your own account")
        async with self._admin_guard:
            user = await self._users.get_by_id(user_id)
            if user.role is Role.ADMIN and user.active:
                await self._ensure_another_admin(user)
            await self._users.delete(user_id)
        await self._tokens.delete_for_user(user_id)
        self._auth.forget_user(user_id)
        self._auth.forget_api_token()
        self._activity.record_by(
            actor.user,
            action="user_delete",
            message=f"{actor.username} deleted {user.username}",
            details=_about(user),
        )

    async def reset_password(self, actor: Principal, user_id: str, password: str) -> None:
        """Set a user's password; their sessions end."""
        user = await self._users.get_by_id(user_id)
        check_password_policy(password, user.username)
        await self._users.update_password(user_id, await self._hasher.hash(password))
        self._auth.forget_user(user_id)
        self._activity.record_by(
            actor.user,
            action="password_reset",
            message=f"{actor.username} reset the password of {user.username}",
            details=_about(user),
        )

    async def unlock_sign_in(self, actor: Principal, user_id: str) -> None:
        """Forget a user's failed sign-ins from every address: a lock on them ends at once."""
        user = await self._users.get_by_id(user_id)
        await self._auth.clear_failed_logins(user.id)
        self._activity.record_by(
            actor.user,
            action="login_unlock",
            message=f"{actor.username} cleared the failed sign-ins of {user.username}",
            details=_about(user),
        )

    async def find_user(self, name: str) -> User:
        """Return the user with this username or email (UserNotFound if there is none)."""
        if "@" in name:
            return await self._users.get_by_email(name)
        return await self._users.get_by_username(name)

    async def _ensure_another_admin(self, leaving: User) -> None:
        admins = UserListOptions(role=Role.ADMIN, active=True, limit=2)
        _, total = await self._users.list(admins)
        if total <= 1:
            raise Conflict(
                f"{leaving.username} is the last active admin: make another admin first",
                {"reason": "last_admin"},
            )
