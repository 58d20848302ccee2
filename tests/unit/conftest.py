"""The unit tier does no I/O: `storage` here is the in-memory FakeStorage (tests/fakes), fresh
per test, where the other tiers get SQLite and MongoDB."""

import pytest

from tests.fakes.storage import FakeStorage


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()
