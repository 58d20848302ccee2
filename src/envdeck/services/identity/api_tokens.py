"""API tokens for automation: the secret is shown once and only its hash is kept."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from envdeck.domain.auth import Principal, TokenKind
from envdeck.domain.errors import ApiTokenNotFound, Forbidden, ValidationFailed
from envdeck.domain.user import API_TOKEN_PREFIX, ApiToken, ApiTokenListOptions, Role
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.identity.auth import AuthService, hash_api_token


def _about(token: ApiToken) -> dict[str, object]:
    return {"tokenId": token.id, "tokenName": token.name, "ownerId": token.user_id}


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str


class ApiTokenService:
    def __init__(
        self,
        storage: Storage,
        activity: ActivityLog,
        auth: AuthService,
        clock: Callable[[], datetime],
    ) -> None:
        self._tokens = storage.tokens
        self._activity = activity
        self._auth = auth
        self._clock = clock

    async def create_token(
        self, actor: Principal, name: str, expires_at: datetime | None, role: Role | None
    ) -> CreatedToken:
        """Create a token acting as the caller, with their role or a lower one."""
        if actor.kind is TokenKind.API:
            raise Forbidden("API tokens cannot create API tokens: sign in to create one")
        role = role or actor.role
        if not actor.role.includes(role):
            raise Forbidden(f"a token's role cannot be higher than yours ({actor.role})")
        if expires_at is not None and expires_at <= self._clock():
            raise ValidationFailed("expiresAt must be in the future", {"field": "expiresAt"})
        secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = await self._tokens.create(
            ApiToken(
                name=name,
                prefix=secret[: len(API_TOKEN_PREFIX) + 6],
                hash=hash_api_token(secret),
                role=role,
                user_id=actor.user_id,
                expires_at=expires_at,
            )
        )
        self._activity.record_by(
            actor.user,
            action="token_create",
            message=f"{actor.username} created API token {name!r} ({role})",
            details=_about(token),
        )
        return CreatedToken(token=token, secret=secret)

    async def list_tokens(
        self, actor: Principal, every_user: bool, page: int, limit: int
    ) -> tuple[list[ApiToken], int]:
        """Return the caller's tokens, or everybody's for an admin who asks."""
        if every_user and actor.role is not Role.ADMIN:
            raise Forbidden("only admins can list every user's tokens")
        owner = None if every_user else actor.user_id
        return await self._tokens.list(ApiTokenListOptions(user_id=owner, page=page, limit=limit))

    async def revoke_token(self, actor: Principal, token_id: str) -> None:
        """Delete a token: the caller's own, or anyone's for an admin."""
        token = await self._tokens.get_by_id(token_id)
        if token.user_id != actor.user_id and actor.role is not Role.ADMIN:
            raise ApiTokenNotFound()  # other users' tokens are not even visible
        await self._tokens.delete(token_id)
        self._auth.forget_api_token(token.hash)
        self._activity.record_by(
            actor.user,
            action="token_revoke",
            message=f"{actor.username} revoked API token {token.name!r}",
            details=_about(token),
        )
