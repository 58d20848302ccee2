"""ViewCache: one build per version shared by concurrent callers; a new version rebuilds."""

import asyncio

import pytest

from envdeck.services.inventory.view_cache import ViewCache


class Source:
    def __init__(self) -> None:
        self.version = 0
        self.builds = 0
        self.release = asyncio.Event()

    async def build(self) -> str:
        self.builds += 1
        await self.release.wait()
        return f"answer at version {self.version}"


async def test_concurrent_callers_share_one_build() -> None:
    source = Source()
    cache = ViewCache(lambda: source.version)
    callers = [asyncio.create_task(cache.get("page", source.build)) for _ in range(20)]
    await asyncio.sleep(0)
    source.release.set()
    assert set(await asyncio.gather(*callers)) == {"answer at version 0"}
    assert source.builds == 1
    assert await cache.get("page", source.build) == "answer at version 0"
    assert source.builds == 1


async def test_a_new_version_is_built_again() -> None:
    source = Source()
    source.release.set()
    cache = ViewCache(lambda: source.version)
    await cache.get("page", source.build)
    source.version = 1
    assert await cache.get("page", source.build) == "answer at version 1"
    assert source.builds == 2


async def test_entries_expire_after_max_age() -> None:
    source = Source()
    source.release.set()
    now = [100.0]
    cache = ViewCache(lambda: source.version, max_age=1.0, timer=lambda: now[0])
    await cache.get("page", source.build)
    now[0] += 0.9
    await cache.get("page", source.build)
    assert source.builds == 1
    now[0] += 0.2
    await cache.get("page", source.build)
    assert source.builds == 2


async def test_a_failed_build_is_not_kept() -> None:
    cache = ViewCache(lambda: 0)
    attempts = 0

    async def flaky() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("storage hiccup")
        return "ok"

    with pytest.raises(RuntimeError):
        await cache.get("page", flaky)
    assert await cache.get("page", flaky) == "ok"


async def test_one_caller_giving_up_does_not_cancel_the_others() -> None:
    source = Source()
    cache = ViewCache(lambda: source.version)
    quitter = asyncio.create_task(cache.get("page", source.build))
    stayer = asyncio.create_task(cache.get("page", source.build))
    await asyncio.sleep(0)
    quitter.cancel()
    source.release.set()
    assert await stayer == "answer at version 0"


async def test_an_expired_entry_is_served_while_one_rebuild_runs() -> None:
    source = Source()
    source.release.set()
    now = [100.0]
    cache = ViewCache(lambda: source.version, max_age=1.0, stale_for=1.0, timer=lambda: now[0])
    assert await cache.get("page", source.build) == "answer at version 0"
    source.release.clear()
    now[0] += 1.5
    # Expired but within the grace: both callers get the old answer at once, one rebuild starts.
    assert await cache.get("page", source.build) == "answer at version 0"
    assert await cache.get("page", source.build) == "answer at version 0"
    await asyncio.sleep(0)
    assert source.builds == 2
    source.release.set()
    await asyncio.sleep(0)
    now[0] += 0.5
    assert await cache.get("page", source.build) == "answer at version 0"
    assert source.builds == 2  # the rebuilt entry is fresh again


async def test_an_entry_past_its_grace_is_waited_for() -> None:
    source = Source()
    source.release.set()
    now = [100.0]
    cache = ViewCache(lambda: source.version, max_age=1.0, stale_for=1.0, timer=lambda: now[0])
    await cache.get("page", source.build)
    source.release.clear()
    now[0] += 2.5
    waiting = asyncio.create_task(cache.get("page", source.build))
    await asyncio.sleep(0)
    assert not waiting.done()
    source.release.set()
    await waiting
    assert source.builds == 2


async def test_a_stale_entry_is_never_served_for_a_newer_version() -> None:
    source = Source()
    source.release.set()
    now = [100.0]
    cache = ViewCache(lambda: source.version, max_age=1.0, stale_for=1.0, timer=lambda: now[0])
    await cache.get("page", source.build)
    source.version = 1
    now[0] += 1.5
    assert await cache.get("page", source.build) == "answer at version 1"
