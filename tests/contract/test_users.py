"""The UserRepository contract, on every backend."""

import asyncio

import pytest

from envdeck.domain.errors import AlreadyExists, Conflict, UserNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.user import Role, UserListOptions
from envdeck.repositories.base import Storage

from .factories import MISSING_IDS, T0, T0_MS, make_user


async def list_usernames(storage: Storage, **options: object) -> list[str]:
    items, _ = await storage.users.list(UserListOptions(limit=200, **options))
    return [item.username for item in items]


async def test_create_assigns_an_id_and_the_creation_times(storage: Storage) -> None:
    created = await storage.users.create(make_user(last_login=T0))

    assert is_valid_id(created.id)
    assert created.created_at is not None
    assert created.created_at == created.updated_at
    assert await storage.users.get_by_id(created.id) == created


async def test_create_keeps_a_given_id_and_times(storage: Storage) -> None:
    # `envdeck migrate` brings users over with the original's ids and times.
    given = make_user(id=new_id(), created_at=T0, updated_at=T0, password_unchecked=True)

    created = await storage.users.create(given)

    kept = (given.id, given.created_at, given.updated_at)
    assert (created.id, created.created_at, created.updated_at) == kept
    assert await storage.users.get_by_id(given.id) == created


async def test_a_new_password_clears_the_migration_flags(storage: Storage) -> None:
    given = make_user(password_unchecked=True, must_change_password=True)
    created = await storage.users.create(given)

    await storage.users.update_password(created.id, "$2b$12$new")

    stored = await storage.users.get_by_id(created.id)
    assert (stored.password_unchecked, stored.must_change_password) == (False, False)


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
        await storage.users.end_sessions(missing_id)
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


async def test_update_password_replaces_the_hash_and_bumps_the_session_version(
    storage: Storage,
) -> None:
    created = await storage.users.create(make_user(password_hash="old"))
    await asyncio.sleep(0.002)

    await storage.users.update_password(created.id, "new")

    stored = await storage.users.get_by_id(created.id)
    assert stored.password_hash == "new"
    assert stored.session_version == created.session_version + 1
    assert stored.updated_at is not None
    assert created.updated_at is not None
    assert stored.updated_at > created.updated_at
    unchanged = {"password_hash", "session_version", "updated_at"}
    assert stored.model_dump(exclude=unchanged) == created.model_dump(exclude=unchanged)


async def test_every_password_change_bumps_the_session_version_again(storage: Storage) -> None:
    created = await storage.users.create(make_user(session_version=4))

    await storage.users.update_password(created.id, "second")
    await storage.users.update_password(created.id, "third")

    assert (await storage.users.get_by_id(created.id)).session_version == 6


async def test_concurrent_password_changes_each_bump_the_session_version(
    storage: Storage,
) -> None:
    created = await storage.users.create(make_user())

    await asyncio.gather(*(storage.users.update_password(created.id, f"h{i}") for i in range(10)))

    assert (await storage.users.get_by_id(created.id)).session_version == 10


async def test_ending_sessions_bumps_the_session_version_alone(storage: Storage) -> None:
    created = await storage.users.create(make_user(password_hash="kept", session_version=2))

    await asyncio.gather(*(storage.users.end_sessions(created.id) for _ in range(3)))

    stored = await storage.users.get_by_id(created.id)
    assert stored.session_version == 5
    assert stored.model_dump(exclude={"session_version"}) == created.model_dump(
        exclude={"session_version"}
    )


async def test_update_keeps_the_stored_session_version(storage: Storage) -> None:
    created = await storage.users.create(make_user())
    await storage.users.update_password(created.id, "changed")

    updated = await storage.users.update(created.model_copy(update={"session_version": 7}))
    reset = await storage.users.update(created.model_copy(update={"session_version": 0}))

    assert updated.session_version == 1
    assert reset.session_version == 1
    assert (await storage.users.get_by_id(created.id)).session_version == 1


async def test_create_first_stores_the_first_user(storage: Storage) -> None:
    given = make_user(id=new_id(), role="admin", password_hash="$2b$12$first")

    created = await storage.users.create_first(given)

    assert is_valid_id(created.id)
    assert created.id != given.id
    assert created.created_at is not None
    assert created.created_at == created.updated_at
    assert created.model_dump(exclude={"id", "created_at", "updated_at"}) == (
        given.model_dump(exclude={"id", "created_at", "updated_at"})
    )
    assert await storage.users.get_by_id(created.id) == created
    assert await storage.users.get_by_username(given.username) == created
    assert await storage.users.count() == 1


async def test_create_first_is_a_conflict_once_a_user_exists(storage: Storage) -> None:
    await storage.users.create(make_user(username="someone"))

    with pytest.raises(Conflict, match="setup is already done"):
        await storage.users.create_first(make_user(username="admin"))

    assert await storage.users.count() == 1
    with pytest.raises(UserNotFound):
        await storage.users.get_by_username("admin")


async def test_create_first_is_a_conflict_after_create_first(storage: Storage) -> None:
    first = await storage.users.create_first(make_user())

    with pytest.raises(Conflict, match="setup is already done"):
        await storage.users.create_first(make_user())

    assert await list_usernames(storage) == [first.username]


async def test_a_conflict_of_create_first_is_no_duplicate(storage: Storage) -> None:
    await storage.users.create_first(make_user(username="admin", email="admin@example.com"))

    with pytest.raises(Conflict) as caught:
        await storage.users.create_first(make_user(username="ADMIN", email="admin@example.com"))

    assert not isinstance(caught.value, AlreadyExists)


async def test_only_one_of_concurrent_create_first_calls_succeeds(storage: Storage) -> None:
    results = await asyncio.gather(
        *(storage.users.create_first(make_user()) for _ in range(10)),
        return_exceptions=True,
    )

    created = [r for r in results if not isinstance(r, BaseException)]
    assert len(created) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 9
    assert await storage.users.count() == 1
    assert await storage.users.get_by_id(created[0].id) == created[0]


async def test_concurrent_create_first_calls_with_one_username_lose_with_a_conflict(
    storage: Storage,
) -> None:
    results = await asyncio.gather(
        *(storage.users.create_first(make_user(username="admin")) for _ in range(10)),
        return_exceptions=True,
    )

    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 9
    assert await storage.users.count() == 1


async def test_create_first_is_allowed_again_once_every_user_is_deleted(storage: Storage) -> None:
    gone = await storage.users.create_first(make_user(username="admin"))
    await storage.users.delete(gone.id)

    again = await storage.users.create_first(make_user(username="admin"))

    assert await storage.users.get_by_username("admin") == again
    with pytest.raises(Conflict):
        await storage.users.create_first(make_user())


async def test_the_first_user_is_updated_and_deleted_like_any_other(storage: Storage) -> None:
    first = await storage.users.create_first(make_user(role="admin"))

    updated = await storage.users.update(first.model_copy(update={"username": "root"}))
    await storage.users.update_password(first.id, "new")

    stored = await storage.users.get_by_id(first.id)
    assert updated.username == stored.username == "root"
    assert (stored.password_hash, stored.session_version) == ("new", 1)
    assert await storage.users.list(UserListOptions()) == ([stored], 1)
    await storage.users.delete(first.id)
    assert await storage.users.count() == 0


async def test_record_login_sets_only_the_login_time(storage: Storage) -> None:
    created = await storage.users.create(make_user(role=Role.USER))
    # Meanwhile an admin demotes the user; the login must not write the old role back.
    await storage.users.update(created.model_copy(update={"role": Role.VIEWER}))

    await storage.users.record_login(created.id, T0)

    stored = await storage.users.get_by_id(created.id)
    assert stored.last_login == T0_MS
    assert stored.role == Role.VIEWER


async def test_record_login_of_a_missing_user_is_not_found(storage: Storage) -> None:
    with pytest.raises(UserNotFound):
        await storage.users.record_login(new_id(), T0)


async def test_sets_the_logs_read_marker_alone(storage: Storage) -> None:
    created = await storage.users.create(make_user())
    assert created.logs_read_at is None

    await storage.users.set_logs_read_at(created.id, T0)

    assert (await storage.users.get_by_id(created.id)).logs_read_at == T0_MS
    # A profile update made from a copy read before the marker was set keeps the marker.
    await storage.users.update(created.model_copy(update={"role": Role.ADMIN}))
    updated = await storage.users.get_by_id(created.id)
    assert (updated.role, updated.logs_read_at) == (Role.ADMIN, T0_MS)
    with pytest.raises(UserNotFound):
        await storage.users.set_logs_read_at(new_id(), T0)
