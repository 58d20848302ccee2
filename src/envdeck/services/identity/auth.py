"""Authentication: login, logout, password change, and checking every request's token.

Every request re-checks its user: a deactivated, deleted or demoted user, a changed password
or a revoked token stops working within USER_CACHE_SECONDS at most (at once in this process,
whose caches are cleared by the change itself).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cachetools import TTLCache

from envdeck.adapters.passwords import PasswordHasher, check_password_policy
from envdeck.domain.auth import Principal, TokenKind
from envdeck.domain.errors import (
    ApiTokenNotFound,
    Forbidden,
    RateLimited,
    Unauthorized,
    UserNotFound,
    ValidationFailed,
)
from envdeck.domain.log import LogLevel, LogType
from envdeck.domain.user import API_TOKEN_PREFIX, ApiToken, User, lower_role
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.identity.login_limiter import LoginLimiter
from envdeck.services.identity.login_tokens import IssuedToken, LoginTokenCodec

USER_CACHE_SECONDS = 5
# lastUsedAt is written at most this often per token: a hot token must not write per request.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
INVALID_LOGIN = "invalid username or password"


def hash_api_token(secret: str) -> str:
    """Return the stored hash of an API token (high-entropy secrets need no slow hash)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def user_account(user_id: str) -> str:
    """Return the login limiter's name for a user's account."""
    return f"user:{user_id}"


def account_key(user: User | None, identifier: str) -> str:
    """Return what the login limiter counts attempts against: an account's username and email
    are one identity; an identifier that names no account is one of its own (hashed: what was
    typed, a misplaced password at times, is not kept in the limiter's storage)."""
    if user is not None:
        return user_account(user.id)
    typed = identifier.strip().lower().encode("utf-8")
    return "name:" + hashlib.sha256(typed).hexdigest()


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    user: User


class AuthService:
    def __init__(
        self,
        storage: Storage,
        activity: ActivityLog,
        codec: LoginTokenCodec,
        hasher: PasswordHasher,
        limiter: LoginLimiter,
        clock: Callable[[], datetime],
    ) -> None:
        self._storage = storage
        self._activity = activity
        self._codec = codec
        self._hasher = hasher
        self._limiter = limiter
        self._clock = clock
        self._users: TTLCache[str, User] = TTLCache(maxsize=10_000, ttl=USER_CACHE_SECONDS)
        self._revoked: TTLCache[str, bool] = TTLCache(maxsize=100_000, ttl=USER_CACHE_SECONDS)
        self._api_tokens: TTLCache[str, ApiToken] = TTLCache(maxsize=10_000, ttl=USER_CACHE_SECONDS)

    # --- every request -------------------------------------------------------------------

    async def authenticate(self, token: str) -> Principal:
        """Return who a bearer token (a login JWT or an edk_ API token) speaks for."""
        if token.startswith(API_TOKEN_PREFIX):
            return await self._authenticate_api_token(token)
        claims = self._codec.decode(token)
        if await self._is_revoked(claims.jti):
            raise Unauthorized("the token was revoked", {"reason": "revoked"})
        user = await self._active_user(claims.user_id)
        if user.session_version != claims.session_version or user.role != claims.role:
            raise Unauthorized("the session ended: sign in again", {"reason": "stale"})
        return Principal(user, user.role, TokenKind.LOGIN, claims.jti, claims.expires_at)

    async def _authenticate_api_token(self, secret: str) -> Principal:
        token_hash = hash_api_token(secret)
        token = self._api_tokens.get(token_hash)
        if token is None:
            try:
                token = await self._storage.tokens.get_by_hash(token_hash)
            except ApiTokenNotFound:
                raise Unauthorized("invalid token", {"reason": "invalid"}) from None
            self._api_tokens[token_hash] = token
        now = self._clock()
        if token.expires_at is not None and token.expires_at <= now:
            raise Unauthorized("the token has expired", {"reason": "expired"})
        user = await self._active_user(token.user_id)
        if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
            token.last_used_at = now
            await self._storage.tokens.touch(token.id, now)
        # A token never acts above its user's current role.
        role = lower_role(token.role, user.role)
        return Principal(user, role, TokenKind.API, token.id, token.expires_at)

    async def _active_user(self, user_id: str) -> User:
        user = self._users.get(user_id)
        if user is None:
            try:
                user = await self._storage.users.get_by_id(user_id)
            except UserNotFound:
                raise Unauthorized("the account no longer exists", {"reason": "stale"}) from None
            self._users[user_id] = user
        if not user.active:
            raise Unauthorized("the account is deactivated", {"reason": "inactive"})
        return user

    async def _is_revoked(self, jti: str) -> bool:
        revoked = self._revoked.get(jti)
        if revoked is None:
            revoked = await self._storage.revocations.is_revoked(jti)
            self._revoked[jti] = revoked
        return revoked

    def forget_user(self, user_id: str) -> None:
        """Drop a user from the cache after a change, so this process sees it at once."""
        self._users.pop(user_id, None)

    def forget_api_token(self, token_hash: str | None = None) -> None:
        """Drop cached API tokens (one, or all) after a revocation."""
        if token_hash is None:
            self._api_tokens.clear()
        else:
            self._api_tokens.pop(token_hash, None)

    # --- sessions ------------------------------------------------------------------------

    async def login(self, identifier: str, password: str, client_ip: str) -> LoginResult:
        """Check a username (or email) and password; unknown, wrong and inactive look alike.

        The attempt is counted before the password is checked and given back if it was right.
        """
        user = await self._find_user(identifier)
        reservation = await self._limiter.reserve(account_key(user, identifier), client_ip)
        matches = await self._hasher.verify(password, user.password_hash if user else None)
        if user is None or not matches or not user.active:
            self._activity.record(
                type=LogType.AUTH,
                action="login_failed",
                level=LogLevel.ERROR,
                message=f"failed login as {identifier!r} from {client_ip}",
                username=identifier,
                details={"clientIp": client_ip},
            )
            raise Unauthorized(INVALID_LOGIN)
        await self._limiter.give_back(reservation)
        if user.password_unchecked:
            user = await self._judge_migrated_password(user, password)
        now = self._clock()
        await self._storage.users.record_login(user.id, now)
        user = user.model_copy(update={"last_login": now})
        self.forget_user(user.id)
        self._activity.record_by(
            user,
            action="login",
            level=LogLevel.SUCCESS,
            message=f"{user.username} signed in from {client_ip}",
            details={"clientIp": client_ip},
        )
        return self._session(user)

    async def _judge_migrated_password(self, user: User, password: str) -> User:
        """Check a migrated password against the policy, now that it is known: one the policy
        refuses must be changed before anything else (the user is told at sign-in)."""
        try:
            check_password_policy(password, user.username)
        except ValidationFailed:
            refused = True
        else:
            refused = False
        judged = user.model_copy(
            update={"password_unchecked": False, "must_change_password": refused}
        )
        return await self._storage.users.update(judged)

    async def _find_user(self, identifier: str) -> User | None:
        finder = (
            self._storage.users.get_by_email
            if "@" in identifier
            else self._storage.users.get_by_username
        )
        try:
            return await finder(identifier)
        except UserNotFound:
            return None

    async def clear_failed_logins(self, user_id: str) -> int:
        """Forget every failed sign-in of an account, from every address (an admin's unlock)."""
        return await self._limiter.unlock(user_account(user_id))

    def _session(self, user: User) -> LoginResult:
        issued: IssuedToken = self._codec.issue(user)
        return LoginResult(token=issued.token, expires_at=issued.expires_at, user=user)

    def issue_session(self, user: User) -> LoginResult:
        """Return a fresh login token for user (after setup or a password change)."""
        return self._session(user)

    async def logout(self, principal: Principal) -> None:
        """Revoke the login token of this request, for every instance, until it expires."""
        if principal.kind is not TokenKind.LOGIN or principal.expires_at is None:
            raise ValidationFailed("API tokens are revoked with DELETE /api/v1/tokens/{id}")
        await self._storage.revocations.revoke(principal.token_id, principal.expires_at)
        self._revoked[principal.token_id] = True
        self._activity.record_by(
            principal.user, action="logout", message=f"{principal.username} signed out"
        )

    async def change_password(
        self, principal: Principal, current: str, new: str, client_ip: str
    ) -> LoginResult:
        """Change the caller's password; every other session of theirs ends.

        Only a login session may: an API token (which may carry less than its user's role)
        would otherwise trade itself for a full-role login token. Wrong current passwords count
        toward the same limits as failed sign-ins, and every failure is audited.
        """
        user = principal.user
        try:
            if principal.kind is not TokenKind.LOGIN or principal.role != user.role:
                raise Forbidden("only a signed-in session can change a password: sign in first")
            reservation = await self._limiter.reserve(user_account(user.id), client_ip)
            stored = await self._storage.users.get_by_id(user.id)
            if not await self._hasher.verify(current, stored.password_hash):
                raise ValidationFailed(
                    "the current password is not correct", {"field": "currentPassword"}
                )
            await self._limiter.give_back(reservation)
            check_password_policy(new, user.username)
        except (Forbidden, RateLimited, ValidationFailed) as exc:
            self._activity.record_by(
                user,
                action="password_change_failed",
                level=LogLevel.ERROR,
                message=f"{user.username} failed to change their password: {exc.message}",
                details={"clientIp": client_ip, "reason": exc.code},
            )
            raise
        await self._storage.users.update_password(user.id, await self._hasher.hash(new))
        self.forget_user(user.id)
        self._activity.record_by(
            user, action="password_change", message=f"{user.username} changed their password"
        )
        return self._session(await self._storage.users.get_by_id(user.id))
