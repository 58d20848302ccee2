"""Users, API tokens, revoked login tokens and credentials in memory."""

from datetime import datetime

from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.errors import ApiTokenNotFound, Conflict, CredentialNotFound, UserNotFound
from envdeck.domain.user import ApiToken, ApiTokenListOptions, User, UserListOptions
from tests.fakes.documents import FakeRepository, Outage, page, to_ms


class FakeUserRepository(FakeRepository[User]):
    """Usernames and emails are unique regardless of case."""

    not_found = UserNotFound
    unique = (
        ("username", lambda u: u.username.lower()),
        ("email", lambda u: u.email.lower() if u.email else None),
    )

    async def create(self, user: User) -> User:
        # A given id and times are kept, as the backends keep them (`envdeck migrate`).
        stamped = [f for f in ("created_at", "updated_at") if getattr(user, f) is None]
        return self.insert_new(user, *stamped, keep_id=True)

    async def create_first(self, user: User) -> User:
        if self.docs.all():
            raise Conflict("setup is already done")
        return self.insert_new(user, "created_at", "updated_at")

    async def get_by_username(self, username: str) -> User:
        return self.docs.find(lambda u: u.username.lower() == username.lower())

    async def get_by_email(self, email: str) -> User:
        return self.docs.find(lambda u: u.email is not None and u.email.lower() == email.lower())

    async def list(self, options: UserListOptions) -> tuple[list[User], int]:
        def matches(user: User) -> bool:
            if options.q:
                q = options.q.lower()
                if q not in user.username.lower() and q not in (user.email or "").lower():
                    return False
            if options.role is not None and user.role is not options.role:
                return False
            return options.active is None or user.active == options.active

        found = [u for u in self.docs.all() if matches(u)]
        return page(sorted(found, key=lambda u: (u.username.lower(), u.id)), options)

    async def update(self, user: User) -> User:
        stored = self.docs.get(user.id)
        # The password, its session version and the read marker have writers of their own.
        updated = user.model_copy(
            update={
                "password_hash": stored.password_hash,
                "session_version": stored.session_version,
                "logs_read_at": stored.logs_read_at,
                "created_at": stored.created_at,
                "updated_at": self._now(),
            }
        )
        return self.docs.put(user.id, updated)

    async def record_login(self, user_id: str, at: datetime) -> None:
        self.docs.put(user_id, self.docs.get(user_id).model_copy(update={"last_login": at}))

    async def update_password(self, user_id: str, password_hash: str) -> None:
        user = self.docs.get(user_id)
        update = {
            "password_hash": password_hash,
            "session_version": user.session_version + 1,
            "updated_at": self._now(),
            "password_unchecked": False,
            "must_change_password": False,
        }
        self.docs.put(user_id, user.model_copy(update=update))

    async def end_sessions(self, user_id: str) -> None:
        user = self.docs.get(user_id)
        self.docs.put(
            user_id, user.model_copy(update={"session_version": user.session_version + 1})
        )

    async def set_logs_read_at(self, user_id: str, at: datetime) -> None:
        self.docs.put(user_id, self.docs.get(user_id).model_copy(update={"logs_read_at": at}))

    async def count(self) -> int:
        return len(self.docs.all())


class FakeApiTokenRepository(FakeRepository[ApiToken]):
    not_found = ApiTokenNotFound
    unique = (("hash", lambda t: t.hash),)

    async def create(self, token: ApiToken) -> ApiToken:
        return self.insert_new(token, "created_at")

    async def get_by_hash(self, token_hash: str) -> ApiToken:
        return self.docs.find(lambda t: t.hash == token_hash)

    async def list(self, options: ApiTokenListOptions) -> tuple[list[ApiToken], int]:
        found = [
            t for t in self.docs.all() if options.user_id is None or t.user_id == options.user_id
        ]
        found.sort(key=lambda t: (t.created_at, t.id), reverse=True)
        return page(found, options)

    async def touch(self, token_id: str, used_at: datetime) -> None:
        if self.docs.has(token_id):  # deleted while a request used it: nothing to record
            token = self.docs.get(token_id)
            self.docs.put(token_id, token.model_copy(update={"last_used_at": used_at}))

    async def delete_for_user(self, user_id: str) -> int:
        return self.docs.delete_where(lambda t: t.user_id == user_id)


class FakeRevocationRepository:
    def __init__(self, outage: Outage | None = None) -> None:
        self.outage = outage or Outage()
        self._expiries: dict[str, datetime] = {}

    async def revoke(self, jti: str, expires_at: datetime) -> None:
        self.outage.check()
        # Revoking again keeps the later expiry.
        known = self._expiries.get(jti)
        self._expiries[jti] = expires_at if known is None else max(known, expires_at)

    async def is_revoked(self, jti: str) -> bool:
        self.outage.check()
        return jti in self._expiries

    async def purge_expired(self, now: datetime) -> int:
        self.outage.check()
        gone = [jti for jti, expires in self._expiries.items() if to_ms(expires) < to_ms(now)]
        for jti in gone:
            del self._expiries[jti]
        return len(gone)


class FakeCredentialRepository(FakeRepository[Credential]):
    not_found = CredentialNotFound
    unique = (("name", lambda c: c.name),)

    async def create(self, credential: Credential) -> Credential:
        return self.insert_new(credential, "created_at", "updated_at", keep_id=True)

    async def get_by_name(self, name: str) -> Credential:
        return self.docs.find(lambda c: c.name == name)

    async def list(self, options: CredentialListOptions) -> tuple[list[Credential], int]:
        found = [c for c in self.docs.all() if options.type is None or c.type is options.type]
        return page(sorted(found, key=lambda c: (c.name, c.id)), options)

    async def update(self, credential: Credential) -> Credential:
        stored = self.docs.get(credential.id)
        updated = credential.model_copy(
            update={"created_at": stored.created_at, "updated_at": self._now()}
        )
        return self.docs.put(credential.id, updated)
