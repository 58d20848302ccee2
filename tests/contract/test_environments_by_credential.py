"""EnvironmentRepository.list_by_credential, on every backend: who uses a credential."""

import pytest

from envdeck.domain.environment import CredentialRef
from envdeck.domain.ids import new_id
from envdeck.repositories.base import Storage

from .factories import MISSING_IDS, make_environment


def using(key_id: str | None) -> CredentialRef:
    return CredentialRef(type="key", username="deploy", key_id=key_id)


async def names_using(storage: Storage, credential_id: str) -> list[str]:
    return [env.name for env in await storage.environments.list_by_credential(credential_id)]


async def test_lists_the_environments_that_reference_a_credential_by_name(
    storage: Storage,
) -> None:
    mine, other = new_id(), new_id()
    await storage.environments.create(make_environment(name="zeta", credentials=using(mine)))
    await storage.environments.create(make_environment(name="alpha", credentials=using(mine)))
    await storage.environments.create(make_environment(name="beta", credentials=using(other)))
    await storage.environments.create(make_environment(name="gamma", credentials=using(None)))

    found = await storage.environments.list_by_credential(mine)

    assert [env.name for env in found] == ["alpha", "zeta"]
    assert found[0] == await storage.environments.get_by_name("alpha")
    assert await names_using(storage, other) == ["beta"]


@pytest.mark.parametrize("credential_id", MISSING_IDS)
async def test_an_unused_or_malformed_id_is_used_by_nothing(
    storage: Storage, credential_id: str
) -> None:
    await storage.environments.create(make_environment(credentials=using(new_id())))

    assert await storage.environments.list_by_credential(credential_id) == []


async def test_follows_updates_and_deletes(storage: Storage) -> None:
    first, second = new_id(), new_id()
    env = await storage.environments.create(make_environment(credentials=using(first)))

    await storage.environments.update(env.model_copy(update={"credentials": using(second)}))
    assert await names_using(storage, first) == []
    assert await names_using(storage, second) == [env.name]

    await storage.environments.delete(env.id)
    assert await names_using(storage, second) == []
