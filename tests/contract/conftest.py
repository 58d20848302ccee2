"""The contract tier runs every repository test on SQLite, MongoDB and the in-memory fakes.

The fakes (tests/fakes) are what unit tests build services on; passing the same contract as
the real backends is what lets a unit test trust them.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from envdeck.repositories.base import Storage
from tests.conftest import BACKENDS, opened_storage


@pytest_asyncio.fixture(params=[*BACKENDS, "memory"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """Yield an opened, empty store of each backend in turn, the fakes last."""
    async with opened_storage(request.param, request, tmp_path) as opened:
        yield opened
