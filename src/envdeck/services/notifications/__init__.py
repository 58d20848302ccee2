"""Notifications (docs/notifications.md): channels, alerting and delivery, wired together.

- `channels.py`: the channels' CRUD and test message (URLs sealed, never shown);
- `alerting.py`: which bus events become messages, to which channels, and when; the rules it
  applies: `alert_state.py` (what is known and was said about one environment), `quiet.py`
  (maintenance and operations), `reminders.py` and `flap_damping.py`;
- `delivery.py`: the bounded queue and workers that send with retries, and record each result;
- `sender.py`: Apprise, with its logs kept away from the process log and errors masked;
- `messages.py`: the words.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from envdeck.adapters.events import EventBus
from envdeck.adapters.metrics import Metrics
from envdeck.adapters.secret_box import SecretBox
from envdeck.adapters.ssrf_guard import SsrfGuard
from envdeck.config import NotificationsSettings
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications.alerting import Alerting
from envdeck.services.notifications.channels import NotificationChannelService
from envdeck.services.notifications.delivery import DeliveryQueue
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.sender import AppriseSender


@dataclass
class Notifications:
    """Everything notifications need at run time; the app starts and closes it."""

    channels: NotificationChannelService
    alerting: Alerting
    deliveries: DeliveryQueue
    sender: AppriseSender

    async def start(self) -> None:
        """Load Apprise, start the delivery workers, then follow the bus."""
        await self.sender.warm_up()
        self.deliveries.start()
        self.alerting.start()

    async def close(self) -> None:
        """Stop alerting (what the bus queued is handled briefly), then deliver with a grace."""
        await self.alerting.close()
        await self.deliveries.close()

    async def settle(self) -> None:
        """Wait until alerting has handled what the bus holds and the queue is empty (tests)."""
        bus_queue = self.alerting.bus_queue()
        if bus_queue is not None:
            await bus_queue.join()
        await self.deliveries.join()


def build_notifications(
    settings: NotificationsSettings,
    public_url: str,
    storage: Storage,
    bus: EventBus,
    activity: ActivityLog,
    box: SecretBox,
    maintenance: MaintenanceService,
    clock: Callable[[], datetime],
    *,
    metrics: Metrics | None = None,
    guard: SsrfGuard | None = None,
) -> Notifications:
    """Wire channels, alerting and delivery for one process."""
    sender = AppriseSender(guard)
    messages = Messages(public_url)
    deliveries = DeliveryQueue(
        storage.notification_channels,
        box,
        sender,
        activity,
        clock,
        attempts=settings.retry_attempts,
        base_delay=settings.retry_base_delay.total_seconds(),
        send_timeout=settings.send_timeout.total_seconds(),
        queue_size=settings.queue_size,
        metrics=metrics,
    )
    channels = NotificationChannelService(
        storage, activity, box, sender, deliveries, messages, clock
    )
    alerting = Alerting(
        storage,
        bus,
        maintenance,
        channels,
        deliveries,
        messages,
        clock,
        reminder_interval=settings.reminder_interval,
        flap_window=settings.flap_window,
    )
    return Notifications(channels, alerting, deliveries, sender)


__all__ = ["Notifications", "build_notifications"]
