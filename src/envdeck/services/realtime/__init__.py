"""Real-time push over WebSockets (DESIGN §6): the hub, its connections and the wire protocol."""

from envdeck.services.realtime.connection import Transport, TransportClosed
from envdeck.services.realtime.hub import HubStats, RealtimeHub
from envdeck.services.realtime.protocol import CloseCode

__all__ = ["CloseCode", "HubStats", "RealtimeHub", "Transport", "TransportClosed"]
