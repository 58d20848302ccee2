"""Recent failed sign-ins in memory: windows by key, each write a compare-and-set on version."""

from datetime import datetime

from envdeck.domain.login_attempt import AttemptWindow
from tests.fakes.documents import Outage, to_ms


class FakeLoginAttemptRepository:
    def __init__(self, outage: Outage | None = None) -> None:
        self.outage = outage or Outage()
        self._windows: dict[str, AttemptWindow] = {}

    async def get(self, key: str) -> AttemptWindow | None:
        self.outage.check()
        window = self._windows.get(key)
        return None if window is None else window.model_copy(deep=True)

    async def save(self, window: AttemptWindow) -> bool:
        self.outage.check()
        stored = self._windows.get(window.key)
        if (0 if stored is None else stored.version) != window.version - 1:
            return False
        # Validated again, as storage keeps it: times cut to the millisecond.
        self._windows[window.key] = AttemptWindow.model_validate(window.model_dump())
        return True

    async def delete_for_account(self, account: str) -> int:
        self.outage.check()
        gone = [key for key, window in self._windows.items() if window.account == account]
        for key in gone:
            del self._windows[key]
        return len(gone)

    async def purge_expired(self, now: datetime) -> int:
        self.outage.check()
        gone = [k for k, w in self._windows.items() if to_ms(w.expires_at) <= to_ms(now)]
        for key in gone:
            del self._windows[key]
        return len(gone)
