"""API tokens in SQLite, found by the hash of their secret, listed newest first."""

from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.clock import utc_now
from envdeck.domain.errors import ApiTokenNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.user import ApiToken, ApiTokenListOptions
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable


class SqliteApiTokenRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "api_tokens", ApiToken, ApiTokenNotFound)

    async def create(self, token: ApiToken) -> ApiToken:
        stored = token.model_copy(update={"id": new_id(), "created_at": utc_now()})
        return await self._table.insert(stored)

    async def get_by_id(self, token_id: str) -> ApiToken:
        return await self._table.get(token_id)

    async def get_by_hash(self, token_hash: str) -> ApiToken:
        return await self._table.get_where("hash = ?", (token_hash,))

    async def list(self, options: ApiTokenListOptions) -> tuple[list[ApiToken], int]:
        order = "created_at DESC, id DESC"
        if options.user_id is None:
            return await self._table.page("1", (), order, options)
        return await self._table.page("user_id = ?", (options.user_id,), order, options)

    async def touch(self, token_id: str, used_at: datetime) -> None:
        # A token deleted while a request used it is no error: there is nothing to record.
        await self._table.replace_or_none(
            token_id, "json_set(doc, '$.lastUsedAt', ?)", (format_utc(used_at),)
        )

    async def delete(self, token_id: str) -> None:
        await self._table.delete(token_id)

    async def delete_for_user(self, user_id: str) -> int:
        return await self._table.delete_where("user_id = ?", (user_id,))
