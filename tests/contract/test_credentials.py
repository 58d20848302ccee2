"""The CredentialRepository contract, on every backend."""

import asyncio

import pytest

from envdeck.domain.credential import CredentialListOptions
from envdeck.domain.environment import CredentialKind
from envdeck.domain.errors import AlreadyExists, CredentialNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.repositories.base import Storage

from .factories import T0, make_credential


async def list_names(storage: Storage, **options: object) -> list[str]:
    items, _ = await storage.credentials.list(CredentialListOptions(limit=200, **options))
    return [item.name for item in items]


async def test_create_assigns_an_id_and_the_creation_times(storage: Storage) -> None:
    given = make_credential(created_at=T0)

    created = await storage.credentials.create(given)

    assert is_valid_id(created.id)
    assert created.created_at is not None
    assert created.created_at != T0
    assert created.created_at == created.updated_at


async def test_create_keeps_an_id_given_by_the_service(storage: Storage) -> None:
    # Its secret was sealed bound to that id before it was stored.
    given = make_credential(id=new_id())

    created = await storage.credentials.create(given)

    assert created.id == given.id
    assert (await storage.credentials.get_by_id(given.id)).name == given.name


async def test_round_trips_a_credential_with_its_secrets(storage: Storage) -> None:
    created = await storage.credentials.create(
        make_credential(secret="ct-secret", passphrase="ct-passphrase", fingerprint="SHA256:x")
    )

    by_id = await storage.credentials.get_by_id(created.id)
    by_name = await storage.credentials.get_by_name(created.name)

    assert by_id == created
    assert by_name == created
    assert by_id.secret == "ct-secret"
    assert by_id.passphrase == "ct-passphrase"


async def test_get_by_name_matches_the_exact_name(storage: Storage) -> None:
    await storage.credentials.create(make_credential(name="Deploy key"))

    with pytest.raises(CredentialNotFound):
        await storage.credentials.get_by_name("deploy key")


async def test_rejects_duplicate_name(storage: Storage) -> None:
    await storage.credentials.create(make_credential(name="deploy"))

    with pytest.raises(AlreadyExists) as caught:
        await storage.credentials.create(make_credential(name="deploy"))

    assert "name" in caught.value.message


@pytest.mark.parametrize(
    "missing_id", [new_id(), "nope", "z" * 24, ""], ids=["absent", "nope", "zzz", "empty"]
)
async def test_missing_and_malformed_ids_are_not_found(storage: Storage, missing_id: str) -> None:
    await storage.credentials.create(make_credential())

    with pytest.raises(CredentialNotFound):
        await storage.credentials.get_by_id(missing_id)
    with pytest.raises(CredentialNotFound):
        await storage.credentials.update(make_credential(id=missing_id))
    with pytest.raises(CredentialNotFound):
        await storage.credentials.delete(missing_id)


async def test_update_keeps_the_creation_time_and_sets_the_update_time(storage: Storage) -> None:
    created = await storage.credentials.create(make_credential(passphrase="old"))
    await asyncio.sleep(0.002)
    changed = created.model_copy(
        update={"name": "renamed", "secret": "new", "passphrase": None, "created_at": T0}
    )

    updated = await storage.credentials.update(changed)

    assert updated == await storage.credentials.get_by_id(created.id)
    assert updated.created_at == created.created_at
    assert updated.updated_at is not None
    assert created.updated_at is not None
    assert updated.updated_at > created.updated_at
    assert (updated.name, updated.secret, updated.passphrase) == ("renamed", "new", None)


async def test_update_rejects_a_name_another_credential_has(storage: Storage) -> None:
    await storage.credentials.create(make_credential(name="taken"))
    mine = await storage.credentials.create(make_credential(name="mine"))

    with pytest.raises(AlreadyExists):
        await storage.credentials.update(mine.model_copy(update={"name": "taken"}))

    assert await storage.credentials.get_by_id(mine.id) == mine


async def test_delete_removes_the_credential(storage: Storage) -> None:
    gone = await storage.credentials.create(make_credential(name="gone"))

    await storage.credentials.delete(gone.id)

    with pytest.raises(CredentialNotFound):
        await storage.credentials.get_by_id(gone.id)
    with pytest.raises(CredentialNotFound):
        await storage.credentials.delete(gone.id)
    assert await list_names(storage) == []
    await storage.credentials.create(make_credential(name="gone"))


async def test_lists_by_name_and_filters_by_type(storage: Storage) -> None:
    await storage.credentials.create(make_credential(name="b-key", type="key"))
    await storage.credentials.create(make_credential(name="a-password", type="password"))
    await storage.credentials.create(make_credential(name="C-key", type="key"))

    assert await list_names(storage) == ["C-key", "a-password", "b-key"]
    assert await list_names(storage, type=CredentialKind.KEY) == ["C-key", "b-key"]
    assert await list_names(storage, type=CredentialKind.PASSWORD) == ["a-password"]


async def test_pages_credentials(storage: Storage) -> None:
    assert await storage.credentials.list(CredentialListOptions()) == ([], 0)
    for i in range(3):
        await storage.credentials.create(make_credential(name=f"c{i}"))

    page, total = await storage.credentials.list(CredentialListOptions(limit=2, page=2))
    past, past_total = await storage.credentials.list(CredentialListOptions(limit=2, page=3))

    assert [c.name for c in page] == ["c2"]
    assert total == 3
    assert (past, past_total) == ([], 3)
