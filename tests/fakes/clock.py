"""A clock that moves only when a test moves it: services take `clock` as a callable."""

from datetime import UTC, datetime, timedelta

START = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)


class FakeClock:
    """Return `now` when called; `advance()` moves it on."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move on by a timedelta's keyword arguments (`seconds=10`); return the new time."""
        self.now += timedelta(**delta)
        return self.now
