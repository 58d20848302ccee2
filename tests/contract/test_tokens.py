"""The ApiTokenRepository contract, on every backend."""

from datetime import timedelta

import pytest

from envdeck.domain.errors import AlreadyExists, ApiTokenNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.user import ApiTokenListOptions, Role
from envdeck.repositories.base import Storage

from .factories import MISSING_IDS, T0, T0_MS, make_token


async def list_names(storage: Storage, **options: object) -> list[str]:
    items, _ = await storage.tokens.list(ApiTokenListOptions(limit=200, **options))
    return [item.name for item in items]


async def test_create_assigns_an_id_and_the_creation_time(storage: Storage) -> None:
    given = make_token(id=new_id(), created_at=T0)

    created = await storage.tokens.create(given)

    assert is_valid_id(created.id)
    assert created.id != given.id
    assert created.created_at is not None
    assert created.created_at != T0
    assert await storage.tokens.get_by_id(created.id) == created


async def test_round_trips_a_token_with_every_field(storage: Storage) -> None:
    given = make_token(
        name="CI deploys (prod) 100%",
        role=Role.ADMIN,
        expires_at=T0 + timedelta(days=90),
        last_used_at=T0,
    )

    created = await storage.tokens.create(given)
    fetched = await storage.tokens.get_by_id(created.id)

    assert fetched == created
    assert fetched.model_dump(exclude={"id", "created_at"}) == (
        given.model_dump(exclude={"id", "created_at"})
    )
    assert fetched.last_used_at == T0_MS


async def test_finds_a_token_by_its_exact_hash(storage: Storage) -> None:
    created = await storage.tokens.create(make_token(hash="abcdef0123"))

    assert await storage.tokens.get_by_hash("abcdef0123") == created
    for other in ["ABCDEF0123", "abcdef012", "abcdef01234", ""]:
        with pytest.raises(ApiTokenNotFound):
            await storage.tokens.get_by_hash(other)


async def test_rejects_duplicate_hash(storage: Storage) -> None:
    first = await storage.tokens.create(make_token(hash="same"))

    with pytest.raises(AlreadyExists) as caught:
        await storage.tokens.create(make_token(hash="same", user_id=new_id()))

    assert "hash" in caught.value.message
    assert await storage.tokens.list(ApiTokenListOptions()) == ([first], 1)


@pytest.mark.parametrize("missing_id", MISSING_IDS)
async def test_missing_and_malformed_ids_are_not_found(storage: Storage, missing_id: str) -> None:
    kept = await storage.tokens.create(make_token())

    with pytest.raises(ApiTokenNotFound):
        await storage.tokens.get_by_id(missing_id)
    with pytest.raises(ApiTokenNotFound):
        await storage.tokens.delete(missing_id)
    assert await storage.tokens.get_by_id(kept.id) == kept


async def test_touch_records_when_the_token_was_last_used(storage: Storage) -> None:
    created = await storage.tokens.create(make_token())

    await storage.tokens.touch(created.id, T0)
    first = await storage.tokens.get_by_id(created.id)
    await storage.tokens.touch(created.id, T0 + timedelta(minutes=5))
    second = await storage.tokens.get_by_id(created.id)

    assert first == created.model_copy(update={"last_used_at": T0_MS})
    assert second.last_used_at == T0_MS + timedelta(minutes=5)


@pytest.mark.parametrize("missing_id", MISSING_IDS)
async def test_touch_ignores_missing_and_malformed_ids(storage: Storage, missing_id: str) -> None:
    kept = await storage.tokens.create(make_token())

    await storage.tokens.touch(missing_id, T0)

    assert await storage.tokens.list(ApiTokenListOptions()) == ([kept], 1)


async def test_touch_ignores_a_deleted_token(storage: Storage) -> None:
    gone = await storage.tokens.create(make_token())
    await storage.tokens.delete(gone.id)

    await storage.tokens.touch(gone.id, T0)

    with pytest.raises(ApiTokenNotFound):
        await storage.tokens.get_by_id(gone.id)


async def test_delete_removes_the_token_and_frees_its_hash(storage: Storage) -> None:
    gone = await storage.tokens.create(make_token(hash="gone"))
    kept = await storage.tokens.create(make_token())

    await storage.tokens.delete(gone.id)

    with pytest.raises(ApiTokenNotFound):
        await storage.tokens.get_by_id(gone.id)
    with pytest.raises(ApiTokenNotFound):
        await storage.tokens.get_by_hash("gone")
    with pytest.raises(ApiTokenNotFound):
        await storage.tokens.delete(gone.id)
    assert await storage.tokens.list(ApiTokenListOptions()) == ([kept], 1)
    again = await storage.tokens.create(make_token(hash="gone"))
    assert await storage.tokens.get_by_hash("gone") == again


async def test_delete_for_user_deletes_every_token_of_that_user_only(storage: Storage) -> None:
    alice, bob = new_id(), new_id()
    for name in ["a1", "a2", "a3"]:
        await storage.tokens.create(make_token(name=name, user_id=alice))
    await storage.tokens.create(make_token(name="b1", user_id=bob))

    assert await storage.tokens.delete_for_user(alice) == 3
    assert await storage.tokens.delete_for_user(alice) == 0
    assert await storage.tokens.delete_for_user(new_id()) == 0
    assert await list_names(storage) == ["b1"]


async def test_lists_tokens_newest_first(storage: Storage) -> None:
    for name in ["first", "second", "third"]:
        await storage.tokens.create(make_token(name=name))

    assert await list_names(storage) == ["third", "second", "first"]


async def test_lists_the_tokens_of_one_user_when_asked(storage: Storage) -> None:
    alice, bob = new_id(), new_id()
    for name, user_id in [("a1", alice), ("b1", bob), ("a2", alice)]:
        await storage.tokens.create(make_token(name=name, user_id=user_id))

    assert await list_names(storage, user_id=alice) == ["a2", "a1"]
    assert await list_names(storage, user_id=bob) == ["b1"]
    assert await list_names(storage, user_id=new_id()) == []
    assert await list_names(storage) == ["a2", "b1", "a1"]


async def test_pages_tokens(storage: Storage) -> None:
    assert await storage.tokens.list(ApiTokenListOptions()) == ([], 0)
    user_id = new_id()
    for i in range(3):
        await storage.tokens.create(make_token(name=f"t{i}", user_id=user_id))
    await storage.tokens.create(make_token(name="other"))

    page, total = await storage.tokens.list(ApiTokenListOptions(user_id=user_id, limit=2, page=2))
    past, past_total = await storage.tokens.list(ApiTokenListOptions(limit=2, page=3))

    assert [t.name for t in page] == ["t0"]
    assert total == 3
    assert (past, past_total) == ([], 4)
