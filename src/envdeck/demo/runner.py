"""The demo fleet inside `envdeck serve --demo`: started in the server's event loop, its
environments registered once storage answers, stopped with the server."""

import asyncio
import contextlib

import structlog

from envdeck.demo.fleet import Fleet, default_targets
from envdeck.demo.register import register_fleet
from envdeck.domain.errors import StorageUnavailable
from envdeck.services.container import Services

log = structlog.get_logger(__name__)

REGISTER_RETRY_SECONDS = 2.0


class DemoFleet:
    def __init__(self, count: int = 12, port: int = 0, host: str = "127.0.0.1") -> None:
        self.fleet = Fleet(default_targets(count))
        self.host = host
        self.port = port
        self._registering: asyncio.Task[None] | None = None

    async def start(self, services: Services) -> None:
        """Listen, print where, and register the environments in the background."""
        url = await self.fleet.start(self.host, self.port)
        # Printed, not logged: like the banner, it is for the person starting Envdeck.
        print(f"  Demo fleet: {url} ({len(self.fleet.targets)} simulated environments)", flush=True)
        self._registering = asyncio.create_task(self._register(services), name="demo-register")

    async def _register(self, services: Services) -> None:
        names = list(self.fleet.targets)
        # Storage may still be coming up (a MongoDB that is not there yet): keep trying.
        while True:
            try:
                result = await register_fleet(services, self.fleet.url, names)
            except StorageUnavailable:
                await asyncio.sleep(REGISTER_RETRY_SECONDS)
                continue
            except Exception:
                log.exception("demo_fleet_registration_failed")
                return
            print(f"  Demo:       environments tagged demo: {result.summary()}", flush=True)
            return

    async def stop(self) -> None:
        if self._registering is not None:
            self._registering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._registering
        await self.fleet.stop()
