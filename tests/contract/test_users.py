"""The UserRepository contract, on every backend."""

import asyncio

import pytest

from envdeck.domain.errors import AlreadyExists, UserNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.user import Role, UserListOptions
from envdeck.repositories.base import Storage

from .factories import T0, T0_MS, make_user

MISSING_IDS = [
    pytest.param(new_id(), id="absent"),
    pytest.param("nope", id="nope"),
    pytest.param("z" * 24, id="zzz"),
    pytest.param("", id="empty"),
]


async def list_usernames(storage: Storage, **options: object) -> list[str]:
    items, _ = await storage.users.list(UserListOptions(limit=200, **options))
    return [item.username for item in items]


async def test_create_assigns_an_id_and_the_creation_times(storage: Storage) -> None:
    given = make_user(id=new_id(), last_login=T0)

    created = await storage.users.create(given)

    assert is_valid_id(created.id)
    assert created.id != given.id
    assert created.created_at is not None
    assert created.created_at == created.updated_at
    assert await storage.users.get_by_id(created.id) == created


async def test_keeps_the_password_hash(storage: Storage) -> None:
    created = await storage.users.create(make_user(password_hash="$2b$12$abc"))

    assert (await storage.users.get_by_id(created.id)).password_hash == "$2b$12$abc"


async def test_finds_users_by_username_ignoring_case(storage: Storage) -> None:
    created = await storage.users.create(make_user(username="Alice"))

    assert await storage.users.get_by_username("alice") == created
    assert await storage.users.get_by_username("ALICE") == created
    with pytest.raises(UserNotFound):
        await storage.users.get_by_username("alic")


async def test_finds_users_by_email_ignoring_case(storage: Storage) -> None:
    created = await storage.users.create(make_user(email="Alice@Example.com"))

    assert await storage.users.get_by_email("alice@example.com") == created
    assert await storage.users.get_by_email("ALICE@EXAMPLE.COM") == created
    with pytest.raises(UserNotFound):
        await storage.users.get_by_email("bob@example.com")


async def test_rejects_duplicate_username_ignoring_case(storage: Storage) -> None:
    await storage.users.create(make_user(username="alice"))

    with pytest.raises(AlreadyExists) as caught:
        await storage.users.create(make_user(username="ALICE"))

    assert "username" in caught.value.message
    assert await storage.users.count() == 1


async def test_rejects_duplicate_email_ignoring_case(storage: Storage) -> None:
    await storage.users.create(make_user(email="alice@example.com"))

    with pytest.raises(AlreadyExists) as caught:
        await storage.users.create(make_user(email="ALICE@example.com"))

    assert "email" in caught.value.message
    assert await storage.users.count() == 1


async def test_allows_many_users_without_email(storage: Storage) -> None:
    for _ in range(3):
        await storage.users.create(make_user(email=None))

    assert await storage.users.count() == 3
    with pytest.raises(UserNotFound):
        await storage.users.get_by_email("")


async def test_only_one_of_concurrent_creates_with_one_username_succeeds(
    storage: Storage,
) -> None:
    results = await asyncio.gather(
        *(
            storage.users.create(make_user(username=f"{'Bob' if i % 2 else 'bob'}"))
            for i in range(10)
        ),
        return_exceptions=True,
    )

    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, AlreadyExists) for r in results if isinstance(r, BaseException))


@pytest.mark.parametrize("missing_id", MISSING_IDS)
async def test_missing_and_malformed_ids_are_not_found(storage: Storage, missing_id: str) -> None:
    await storage.users.create(make_user())

    with pytest.raises(UserNotFound):
        await storage.users.get_by_id(missing_id)
    with pytest.raises(UserNotFound):
        await storage.users.update(make_user(id=missing_id))
    with pytest.raises(UserNotFound):
        await storage.users.update_password(missing_id, "hash")
    with pytest.raises(UserNotFound):
        await storage.users.delete(missing_id)
    assert await storage.users.count() == 1


async def test_update_replaces_the_profile_and_keeps_the_password(storage: Storage) -> None:
    created = await storage.users.create(make_user(password_hash="kept", role="viewer"))
    await asyncio.sleep(0.002)
    changed = created.model_copy(
        update={
            "username": "renamed",
            "email": "new@example.com",
            "role": Role.ADMIN,
            "active": False,
            "last_login": T0_MS,
            "password_hash": "ignored",
            "created_at": T0,
        }
    )

    updated = await storage.users.update(changed)

    assert updated == await storage.users.get_by_id(created.id)
    assert updated.password_hash == "kept"
    assert updated.created_at == created.created_at
    assert updated.updated_at is not None
    assert created.updated_at is not None
    assert updated.updated_at > created.updated_at
    assert updated.model_dump(exclude={"password_hash", "created_at", "updated_at"}) == (
        changed.model_dump(exclude={"password_hash", "created_at", "updated_at"})
    )
    assert await storage.users.get_by_username("RENAMED") == updated
    assert await storage.users.get_by_email("new@example.com") == updated
    with pytest.raises(UserNotFound):
        await storage.users.get_by_email(created.email or "")


async def test_update_that_removes_an_email_frees_it(storage: Storage) -> None:
    first = await storage.users.create(make_user(email="shared@example.com"))

    updated = await storage.users.update(first.model_copy(update={"email": None}))
    second = await storage.users.create(make_user(email="shared@example.com"))

    assert updated.email is None
    assert await storage.users.get_by_email("shared@example.com") == second


async def test_update_rejects_a_username_or_email_another_user_has(storage: Storage) -> None:
    await storage.users.create(make_user(username="taken", email="taken@example.com"))
    mine = await storage.users.create(make_user(username="mine", email="mine@example.com"))

    with pytest.raises(AlreadyExists):
        await storage.users.update(mine.model_copy(update={"username": "Taken"}))
    with pytest.raises(AlreadyExists):
        await storage.users.update(mine.model_copy(update={"email": "TAKEN@example.com"}))

    assert await storage.users.get_by_id(mine.id) == mine


async def test_update_password_replaces_only_the_hash(storage: Storage) -> None:
    created = await storage.users.create(make_user(password_hash="old"))
    await asyncio.sleep(0.002)

    await storage.users.update_password(created.id, "new")

    stored = await storage.users.get_by_id(created.id)
    assert stored.password_hash == "new"
    assert stored.updated_at is not None
    assert created.updated_at is not None
    assert stored.updated_at > created.updated_at
    assert stored.model_copy(update={"password_hash": "old", "updated_at": created.updated_at}) == (
        created
    )


async def test_delete_removes_the_user(storage: Storage) -> None:
    gone = await storage.users.create(make_user(username="gone", email="gone@example.com"))

    await storage.users.delete(gone.id)

    with pytest.raises(UserNotFound):
        await storage.users.get_by_id(gone.id)
    with pytest.raises(UserNotFound):
        await storage.users.delete(gone.id)
    assert await storage.users.count() == 0
    again = await storage.users.create(make_user(username="gone", email="gone@example.com"))
    assert await storage.users.get_by_username("gone") == again


async def test_count_counts_every_user(storage: Storage) -> None:
    assert await storage.users.count() == 0
    await storage.users.create(make_user())
    await storage.users.create(make_user(active=False))

    assert await storage.users.count() == 2


async def test_lists_users_by_username_ignoring_case(storage: Storage) -> None:
    for username in ["carol", "Bob", "alice", "Dave"]:
        await storage.users.create(make_user(username=username))

    assert await list_usernames(storage) == ["alice", "Bob", "carol", "Dave"]


async def test_searches_username_and_email_ignoring_case(storage: Storage) -> None:
    await storage.users.create(make_user(username="Martha", email="m@example.com"))
    await storage.users.create(make_user(username="bob", email="bob.MARTIN@example.org"))
    await storage.users.create(make_user(username="carol", email=None))

    assert await list_usernames(storage, q="mar") == ["bob", "Martha"]
    assert await list_usernames(storage, q="EXAMPLE.ORG") == ["bob"]
    assert await list_usernames(storage, q="%") == []
    assert await list_usernames(storage, q=".*") == []


async def test_filters_by_role_and_active(storage: Storage) -> None:
    await storage.users.create(make_user(username="admin1", role="admin"))
    await storage.users.create(make_user(username="admin2", role="admin", active=False))
    await storage.users.create(make_user(username="viewer1", role="viewer"))

    assert await list_usernames(storage, role=Role.ADMIN) == ["admin1", "admin2"]
    assert await list_usernames(storage, active=False) == ["admin2"]
    assert await list_usernames(storage, active=True) == ["admin1", "viewer1"]
    assert await list_usernames(storage, role=Role.ADMIN, active=True) == ["admin1"]
    assert await list_usernames(storage, role=Role.USER) == []


async def test_pages_users(storage: Storage) -> None:
    assert await storage.users.list(UserListOptions()) == ([], 0)
    for i in range(3):
        await storage.users.create(make_user(username=f"user-{i}"))

    page, total = await storage.users.list(UserListOptions(limit=2, page=2))
    past, past_total = await storage.users.list(UserListOptions(limit=2, page=3))

    assert [u.username for u in page] == ["user-2"]
    assert total == 3
    assert (past, past_total) == ([], 3)
