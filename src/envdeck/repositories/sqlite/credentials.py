"""Credentials in SQLite (the secrets inside are already ciphertext)."""

from envdeck.domain.clock import utc_now
from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.errors import CredentialNotFound
from envdeck.domain.ids import new_id
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, keeping


class SqliteCredentialRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "credentials", Credential, CredentialNotFound)

    async def create(self, credential: Credential) -> Credential:
        now = utc_now()
        stored = credential.model_copy(
            update={"id": credential.id or new_id(), "created_at": now, "updated_at": now}
        )
        return await self._table.insert(stored)

    async def get_by_id(self, credential_id: str) -> Credential:
        return await self._table.get(credential_id)

    async def get_by_name(self, name: str) -> Credential:
        return await self._table.get_where("name = ?", (name,))

    async def list(self, options: CredentialListOptions) -> tuple[list[Credential], int]:
        if options.type is None:
            return await self._table.page("1", (), "name, id", options)
        return await self._table.page("type = ?", (options.type.value,), "name, id", options)

    async def update(self, credential: Credential) -> Credential:
        stored = credential.model_copy(update={"updated_at": utc_now()})
        return await self._table.replace(
            credential.id,
            keeping("$.createdAt"),
            (dump(stored),),
        )

    async def delete(self, credential_id: str) -> None:
        await self._table.delete(credential_id)
