"""Users in SQLite; username and email are unique regardless of case."""

from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.clock import utc_now
from envdeck.domain.errors import Conflict, UserNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.user import User, UserListOptions
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, escape_like, keeping

# Users stored before sessionVersion existed have none: they are at version 0.
_STORED_SESSION_VERSION = "coalesce(doc ->> '$.sessionVersion', 0)"

# The password hash and the session version are owned by update_password, the read marker by
# set_logs_read_at: a profile update must not overwrite them.
_REPLACE_PROFILE_ONLY = (
    f"json_set({keeping('$.passwordHash', '$.createdAt', '$.logsReadAt')},"
    f" '$.sessionVersion', {_STORED_SESSION_VERSION})"
)

_REPLACE_PASSWORD = (
    "json_set(doc, '$.passwordHash', ?, '$.updatedAt', ?,"
    " '$.passwordUnchecked', json('false'), '$.mustChangePassword', json('false'),"
    f" '$.sessionVersion', {_STORED_SESSION_VERSION} + 1)"
)

_END_SESSIONS = f"json_set(doc, '$.sessionVersion', {_STORED_SESSION_VERSION} + 1)"


def _new(user: User, *, keep_given: bool = True) -> User:
    # A given id and times are kept (`envdeck migrate` brings users over with theirs); the
    # first user always gets fresh ones.
    if not keep_given:
        user = user.model_copy(update={"id": "", "created_at": None, "updated_at": None})
    now = utc_now()
    return user.model_copy(
        update={
            "id": user.id or new_id(),
            "created_at": user.created_at or now,
            "updated_at": user.updated_at or now,
        }
    )


class SqliteUserRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "users", User, UserNotFound)

    async def create(self, user: User) -> User:
        return await self._table.insert(_new(user))

    async def create_first(self, user: User) -> User:
        stored = _new(user, keep_given=False)
        if not await self._table.insert_unless(stored, "1"):
            raise Conflict("setup is already done")
        return stored

    async def get_by_id(self, user_id: str) -> User:
        return await self._table.get(user_id)

    async def get_by_username(self, username: str) -> User:
        return await self._table.get_where("username_key = ?", (username.lower(),))

    async def get_by_email(self, email: str) -> User:
        return await self._table.get_where("email_key = ?", (email.lower(),))

    async def list(self, options: UserListOptions) -> tuple[list[User], int]:
        clauses: list[str] = []
        params: list[object] = []
        if options.q:
            clauses.append("(username_key LIKE ? ESCAPE '\\' OR email_key LIKE ? ESCAPE '\\')")
            params += [escape_like(options.q.lower())] * 2
        if options.role is not None:
            clauses.append("role = ?")
            params.append(options.role.value)
        if options.active is not None:
            clauses.append("active = ?")
            params.append(int(options.active))
        where = " AND ".join(clauses) or "1"
        return await self._table.page(where, params, "username_key, id", options)

    async def update(self, user: User) -> User:
        stored = user.model_copy(update={"updated_at": utc_now()})
        return await self._table.replace(user.id, _REPLACE_PROFILE_ONLY, (dump(stored),))

    async def record_login(self, user_id: str, at: datetime) -> None:
        await self._table.replace(user_id, "json_set(doc, '$.lastLogin', ?)", (format_utc(at),))

    async def update_password(self, user_id: str, password_hash: str) -> None:
        # One UPDATE reads and bumps the version, so concurrent changes each count.
        await self._table.replace(
            user_id, _REPLACE_PASSWORD, (password_hash, format_utc(utc_now()))
        )

    async def end_sessions(self, user_id: str) -> None:
        await self._table.replace(user_id, _END_SESSIONS, ())

    async def set_logs_read_at(self, user_id: str, at: datetime) -> None:
        await self._table.replace(user_id, "json_set(doc, '$.logsReadAt', ?)", (format_utc(at),))

    async def delete(self, user_id: str) -> None:
        await self._table.delete(user_id)

    async def count(self) -> int:
        return await self._table.count()
