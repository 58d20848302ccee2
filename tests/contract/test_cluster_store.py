"""What several instances share: leases and the event stream, on MongoDB and the fakes.

SQLite is one instance's store: it says so instead of handing out a cluster store.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from envdeck.domain.clock import utc_now
from envdeck.repositories.base import ClusterStore, ClusterUnsupported
from tests.conftest import opened_storage
from tests.fakes.cluster import FakeCluster

A, B = "instance-a", "instance-b"
LEASE = timedelta(seconds=10)


@pytest_asyncio.fixture(params=["mongo", "memory"])
async def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ClusterStore]:
    if request.param == "memory":
        yield FakeCluster()
        return
    async with opened_storage("mongo", request, tmp_path) as storage:
        yield await storage.cluster_store()


async def test_sqlite_refuses_several_instances(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with opened_storage("sqlite", request, tmp_path) as storage:
        with pytest.raises(ClusterUnsupported, match="SQLite is one instance's store"):
            await storage.cluster_store()


async def test_a_lease_is_held_by_one_instance_until_it_expires(cluster: ClusterStore) -> None:
    now = utc_now()
    assert await cluster.leases.acquire("shard:1", A, now, now + LEASE)
    assert not await cluster.leases.acquire("shard:1", B, now, now + LEASE)
    # Its holder takes it again (a renewal); past the expiry anyone may take it.
    assert await cluster.leases.acquire("shard:1", A, now, now + LEASE)
    later = now + LEASE + timedelta(seconds=1)
    assert await cluster.leases.acquire("shard:1", B, later, later + LEASE)
    [lease] = await cluster.leases.list_all()
    assert (lease.name, lease.holder) == ("shard:1", B)


async def test_racing_instances_take_a_free_lease_once(cluster: ClusterStore) -> None:
    now = utc_now()
    holders = [f"instance-{n}" for n in range(8)]
    won = await asyncio.gather(
        *(cluster.leases.acquire("job:retention", h, now, now + LEASE) for h in holders)
    )
    assert sum(won) == 1


async def test_renewal_extends_only_what_is_still_held(cluster: ClusterStore) -> None:
    now = utc_now()
    for name in ("s:1", "s:2"):
        assert await cluster.leases.acquire(name, A, now, now + LEASE)
    later = now + LEASE + timedelta(seconds=1)
    # s:2 expired and B took it: A renews s:1 alone (before its own expiry), B renews s:2.
    assert await cluster.leases.acquire("s:2", B, later, later + LEASE)
    soon = now + timedelta(seconds=1)
    assert await cluster.leases.renew(["s:1", "s:2"], A, soon, soon + LEASE) == {"s:1"}
    assert await cluster.leases.renew(["s:1", "s:2"], B, later, later + LEASE) == {"s:2"}


async def test_an_expired_lease_nobody_took_is_still_its_holders_to_renew(
    cluster: ClusterStore,
) -> None:
    now = utc_now()
    assert await cluster.leases.acquire("s:1", A, now, now + LEASE)
    later = now + LEASE + timedelta(seconds=5)  # a storage outage outlasted the lease
    assert await cluster.leases.renew(["s:1"], A, later, later + LEASE) == {"s:1"}
    assert not await cluster.leases.acquire("s:1", B, later, later + LEASE)


async def test_a_released_lease_is_free_at_once_and_only_its_holder_releases_it(
    cluster: ClusterStore,
) -> None:
    now = utc_now()
    assert await cluster.leases.acquire("s:1", A, now, now + LEASE)
    await cluster.leases.release(["s:1"], B)
    assert not await cluster.leases.acquire("s:1", B, now, now + LEASE)
    await cluster.leases.release(["s:1"], A)
    assert await cluster.leases.acquire("s:1", B, now, now + LEASE)


async def test_followers_get_what_is_appended_after_they_opened_in_order(
    cluster: ClusterStore,
) -> None:
    opened = asyncio.Event()
    received: list[dict[str, Any]] = []

    async def follow() -> None:
        async for document in cluster.events.follow(on_open=opened.set):
            received.append(document)
            if len(received) == 3:
                return

    follower = asyncio.create_task(follow())
    async with asyncio.timeout(10):
        await opened.wait()
    await cluster.events.append([{"n": 1}, {"n": 2}])
    await cluster.events.append([{"n": 3}])
    async with asyncio.timeout(10):
        await follower
    assert [d["n"] for d in received] == [1, 2, 3]


async def test_a_follower_skips_what_its_own_instance_appended(cluster: ClusterStore) -> None:
    opened = asyncio.Event()
    received: list[dict[str, Any]] = []

    async def follow() -> None:
        async for document in cluster.events.follow(on_open=opened.set, skip_origin="a"):
            received.append(document)
            if document["n"] == 3:
                return

    follower = asyncio.create_task(follow())
    async with asyncio.timeout(10):
        await opened.wait()
    await cluster.events.append(
        [{"origin": "a", "n": 1}, {"origin": "b", "n": 2}, {"origin": "a", "n": 0}]
    )
    await cluster.events.append([{"origin": "c", "n": 3}])
    async with asyncio.timeout(10):
        await follower
    assert [d["n"] for d in received] == [2, 3]
