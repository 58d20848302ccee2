"""The services of one running Envdeck, built once by the app and handed to routes."""

from dataclasses import dataclass

from envdeck.keyfiles import RuntimeSecrets
from envdeck.repositories.base import Storage
from envdeck.services.activity import ActivityLog
from envdeck.services.events import EventBus


@dataclass
class Services:
    storage: Storage
    bus: EventBus
    activity: ActivityLog
    secrets: RuntimeSecrets
