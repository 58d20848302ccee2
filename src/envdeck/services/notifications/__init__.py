"""Notifications (docs/notifications.md): channels, alerting and delivery, wired together.

- `channels.py`: the channels' CRUD and test message (URLs sealed, never shown);
- `alerting.py`: which bus events become messages, to which channels, and when; the rules it
  applies: `health_announcements.py` (what a health change calls for saying), `quiet.py`
  (maintenance and operations), `reminders.py` and `flap_damping.py`, over each environment's
  state in storage (`alert_state.py`, domain/alerting.py), each decision on it made by
  compare-and-set (`decisions.py`);
- `outbox.py`: every message recorded before it is queued, once per announcement whichever
  instance decides it, and what a dead instance left unsent sent by a survivor;
- `delivery.py`: the bounded queue and workers that send with retries, and record each result;
- `sender.py`: Apprise, with its logs kept away from the process log and errors masked;
- `messages.py`: the words.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from envdeck.adapters.events import EventBus
from envdeck.adapters.metrics import Metrics
from envdeck.adapters.secret_box import SecretBox
from envdeck.adapters.ssrf_guard import SsrfGuard
from envdeck.config import NotificationsSettings
from envdeck.domain.ids import new_id
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications.alerting import Alerting
from envdeck.services.notifications.channels import NotificationChannelService
from envdeck.services.notifications.delivery import DeliveryQueue
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.outbox import Outbox
from envdeck.services.notifications.sender import AppriseSender


@dataclass
class Notifications:
    """Everything notifications need at run time; the app starts and closes it."""

    channels: NotificationChannelService
    alerting: Alerting
    deliveries: DeliveryQueue
    sender: AppriseSender
    outbox: Outbox

    async def start(self) -> None:
        """Load Apprise, start the delivery workers, then follow the bus and sweep the outbox."""
        await self.sender.warm_up()
        self.deliveries.start()
        self.alerting.start()
        self.outbox.start()

    async def close(self) -> None:
        """Stop sweeping and alerting (what the bus queued is handled briefly), then deliver
        with a grace."""
        await self.outbox.close()
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
    instance_id: str = "",
    leases: LeaseKeeper | None = None,
    instance_ttl: timedelta = timedelta(seconds=15),
) -> Notifications:
    """Wire channels, alerting and delivery for one process (instance_id: this instance, the
    owner of what it records; leases: shared with other instances, if any)."""
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
        outbox=storage.notification_outbox,
    )
    channels = NotificationChannelService(
        storage, activity, box, sender, deliveries, messages, clock
    )
    outbox = Outbox(
        storage.notification_outbox,
        channels,
        deliveries,
        clock,
        instance_id=instance_id or new_id(),
        instances=storage.instances,
        instance_ttl=instance_ttl,
        leases=leases,
    )
    alerting = Alerting(
        storage,
        bus,
        maintenance,
        outbox,
        messages,
        clock,
        reminder_interval=settings.reminder_interval,
        flap_window=settings.flap_window,
        leases=leases,
    )
    return Notifications(channels, alerting, deliveries, sender, outbox)


__all__ = ["Notifications", "build_notifications"]
