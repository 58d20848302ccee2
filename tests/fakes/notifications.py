"""Notification sending without a network: a sender that records, a delivery queue that keeps
what alerting hands it (services/notifications: AppriseSender, DeliveryQueue)."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from envdeck.services.notifications.delivery import Job
from envdeck.services.notifications.sender import Message, SendResult


@dataclass
class FakeSender:
    """Accepts any URL with a scheme; each send succeeds unless `failing` is set."""

    failing: str | None = None
    sent: list[tuple[str, Message]] = field(default_factory=list)

    async def warm_up(self) -> None:
        return None

    async def check_url(self, url: str) -> str:
        return urlsplit(url).scheme

    async def send(self, url: str, message: Message, timeout: float) -> SendResult:  # noqa: ASYNC109
        if self.failing is not None:
            return SendResult(False, self.failing)
        self.sent.append((url, message))
        return SendResult(True)


@dataclass
class FakeDeliveryQueue:
    """Keeps every submitted job, in order, instead of sending it; drops all when `full`."""

    jobs: list[Job] = field(default_factory=list)
    full: bool = False

    @property
    def depth(self) -> int:
        return len(self.jobs)

    def submit(self, job: Job) -> bool:
        if self.full:
            return False
        self.jobs.append(job)
        return True
