"""The storage breaker: fail fast while storage is down, one probe at a time, close on an answer."""

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from envdeck.domain.errors import EnvironmentNotFound, StorageUnavailable
from envdeck.repositories.breaker import StorageBreaker, _Guarded


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Repository:
    """A repository whose storage is up or down on demand."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    async def get(self, key: str) -> str:
        self.calls += 1
        if self.down:
            raise StorageUnavailable()
        if key == "missing":
            raise EnvironmentNotFound()
        return key

    async def items(self) -> "object":
        for item in ("a", "b"):
            if self.down:
                raise StorageUnavailable()
            yield item


class Probe:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.calls = 0
        self.release: asyncio.Event | None = None

    async def __call__(self) -> None:
        self.calls += 1
        if self.release is not None:
            await self.release.wait()
        if self.repository.down:
            raise StorageUnavailable()


@dataclass
class Rig:
    repository: Repository
    probe: Probe
    breaker: StorageBreaker
    clock: Clock
    proxy: Any


def guarded(retry_interval: float = 1.0) -> Rig:
    repository, clock = Repository(), Clock()
    probe = Probe(repository)
    breaker = StorageBreaker(probe, backend="test", retry_interval=retry_interval, clock=clock)
    return Rig(repository, probe, breaker, clock, _Guarded(repository, breaker))


async def test_calls_pass_while_storage_answers() -> None:
    rig = guarded()
    assert await rig.proxy.get("x") == "x"
    assert not rig.breaker.is_open
    assert rig.probe.calls == 0


async def test_an_answer_that_is_an_error_does_not_open_it() -> None:
    rig = guarded()
    with pytest.raises(EnvironmentNotFound):
        await rig.proxy.get("missing")
    assert not rig.breaker.is_open


async def test_an_outage_opens_it_and_later_calls_fail_without_touching_storage() -> None:
    rig = guarded()
    rig.repository.down = True
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("x")
    assert rig.breaker.is_open
    # The first call after the trip probes at once (it may have been one dropped connection).
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("x")
    assert rig.probe.calls == 1
    calls = rig.repository.calls
    for _ in range(10):
        with pytest.raises(StorageUnavailable) as refused:
            await rig.proxy.get("x")
        assert refused.value.code == "UNAVAILABLE"
    assert rig.repository.calls == calls  # refused before storage
    assert rig.probe.calls == 1  # no probe before the retry interval
    assert rig.breaker.refused == 11


async def test_a_probe_that_answers_closes_it_and_the_call_goes_on() -> None:
    rig = guarded()
    rig.repository.down = True
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("x")
    rig.repository.down = False
    assert await rig.proxy.get("y") == "y"
    assert not rig.breaker.is_open
    assert rig.probe.calls == 1


async def test_while_one_call_probes_the_others_fail_fast() -> None:
    rig = guarded()
    rig.repository.down = True
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("x")
    rig.repository.down = False
    rig.probe.release = asyncio.Event()
    probing = asyncio.ensure_future(rig.proxy.get("first"))
    await asyncio.sleep(0)
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("second")
    rig.probe.release.set()
    assert await probing == "first"
    assert rig.probe.calls == 1
    assert await rig.proxy.get("third") == "third"


async def test_a_failed_probe_waits_the_interval_before_the_next() -> None:
    rig = guarded(retry_interval=1.0)
    rig.repository.down = True
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("x")
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("x")  # probe 1, fails
    rig.clock.now += 0.5
    with pytest.raises(StorageUnavailable):
        await rig.proxy.get("x")
    assert rig.probe.calls == 1
    rig.clock.now += 0.6
    rig.repository.down = False
    assert await rig.proxy.get("x") == "x"  # probe 2, answers
    assert rig.probe.calls == 2


async def test_async_iterators_are_guarded_too() -> None:
    rig = guarded()
    assert [item async for item in rig.proxy.items()] == ["a", "b"]
    rig.repository.down = True
    with pytest.raises(StorageUnavailable):
        [item async for item in rig.proxy.items()]
    assert rig.breaker.is_open
