"""The Storage lifecycle and the page options every list takes."""

import pytest
from pydantic import ValidationError

from envdeck.domain.base import MAX_PAGE_LIMIT, PageOptions
from envdeck.domain.environment import EnvironmentListOptions
from envdeck.domain.errors import AlreadyExists
from envdeck.domain.log import LogListOptions
from envdeck.repositories.base import Storage

from .factories import make_environment, make_user


async def test_ping_succeeds(storage: Storage) -> None:
    await storage.ping()


async def test_names_its_backend(storage: Storage) -> None:
    assert storage.backend in {"sqlite", "mongodb", "memory"}


async def test_opening_again_keeps_the_data(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())
    await storage.users.create(make_user(username="alice"))

    await storage.open()

    assert await storage.environments.get_by_id(env.id) == env
    with pytest.raises(AlreadyExists, match="username"):
        await storage.users.create(make_user(username="ALICE"))


@pytest.mark.parametrize(
    "options",
    [{"limit": 0}, {"limit": MAX_PAGE_LIMIT + 1}, {"page": 0}, {"page": -1}],
    ids=["limit-0", "limit-201", "page-0", "page-negative"],
)
@pytest.mark.parametrize("model", [PageOptions, EnvironmentListOptions, LogListOptions])
def test_page_options_refuse_out_of_range_values(
    model: type[PageOptions], options: dict[str, int]
) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(options)


def test_page_options_accept_the_extremes() -> None:
    assert PageOptions(limit=1).offset == 0
    assert PageOptions(limit=MAX_PAGE_LIMIT, page=3).offset == 2 * MAX_PAGE_LIMIT
