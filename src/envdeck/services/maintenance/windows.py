"""Maintenance windows: their CRUD, their schedule, and "is this environment in maintenance?".

A recurring window's cron expression is read as wall-clock time in the window's time zone
(croniter iterates local, naive times; each is then placed in the zone), so "30 2 * * *" in
Europe/Berlin starts at 02:30 local in winter and in summer. At DST changes the iCalendar rule
(RFC 5545 §3.3.5) applies, as Python's `fold=0` does:
- a local time that does not exist (02:30 on the March change) is read with the offset before
  the gap, so the window starts at 03:30 local (01:30 UTC), one gap later;
- a local time that happens twice (02:30 on the October change) starts the window once, at its
  first occurrence (summer time).
A window lasts `durationMinutes` of elapsed time, whatever the clock does meanwhile.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from envdeck.domain.auth import Principal
from envdeck.domain.base import MAX_PAGE_LIMIT
from envdeck.domain.environment import Environment
from envdeck.domain.log import LogType
from envdeck.domain.maintenance import (
    CreatedBy,
    MaintenanceKind,
    MaintenanceOccurrence,
    MaintenanceSchedule,
    MaintenanceWindow,
    MaintenanceWindowListOptions,
    MaintenanceWindowSpec,
)
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog

# Larger than any UTC offset change (the largest DST shift in use is 2 h): local times this far
# either side of a moment may map to UTC out of order, so searches look that far around it.
_MARGIN = timedelta(hours=3)
# Bounds a search through a cron that fires every minute, or one that never fires.
_MAX_STEPS = 100_000
MAX_PREVIEW = 50
_KIND_FIELDS = {
    MaintenanceKind.ONE_OFF: ("start", "end"),
    MaintenanceKind.RECURRING: ("cron", "duration_minutes"),
}


def _utc(naive_local: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: the first of a repeated local time; a missing one takes the offset before the gap.
    return naive_local.replace(tzinfo=zone).astimezone(UTC)


def _local(at: datetime, zone: ZoneInfo) -> datetime:
    return at.astimezone(zone).replace(tzinfo=None)


def _steps(cron: str, naive_from: datetime, *, backward: bool) -> Iterator[datetime]:
    """Yield the cron's local times after (or before) naive_from, nearest first."""
    iterator = croniter(cron, naive_from)
    step = iterator.get_prev if backward else iterator.get_next
    try:
        for _ in range(_MAX_STEPS):
            yield step(datetime)
    except CroniterBadDateError:  # a cron that never fires ("0 0 31 2 *")
        return


def latest_start(schedule: MaintenanceSchedule, at: datetime) -> datetime | None:
    """Return the latest start of the window at or before `at` (UTC), or None."""
    if schedule.kind is MaintenanceKind.ONE_OFF:
        assert schedule.start is not None
        return schedule.start if schedule.start <= at else None
    assert schedule.cron is not None
    zone = ZoneInfo(schedule.timezone)
    local = _local(at, zone)
    best: datetime | None = None
    for naive in _steps(schedule.cron, local + _MARGIN, backward=True):
        start = _utc(naive, zone)
        if start <= at and (best is None or start > best):
            best = start
        if best is not None and naive < local - _MARGIN:
            break
    return best


def _duration(schedule: MaintenanceSchedule) -> timedelta:
    if schedule.kind is MaintenanceKind.ONE_OFF:
        assert schedule.start is not None
        assert schedule.end is not None
        return schedule.end - schedule.start
    assert schedule.duration_minutes is not None
    return timedelta(minutes=schedule.duration_minutes)


def running_occurrence(schedule: MaintenanceSchedule, at: datetime) -> MaintenanceOccurrence | None:
    """Return the run of the window that covers `at` (start inclusive, end exclusive), if any.

    Every run of a window lasts as long, so the one that started last is the only candidate.
    """
    start = latest_start(schedule, at)
    if start is None or start + _duration(schedule) <= at:
        return None
    return MaintenanceOccurrence(start=start, end=start + _duration(schedule))


def next_occurrences(
    schedule: MaintenanceSchedule, count: int, after: datetime
) -> list[MaintenanceOccurrence]:
    """Return the next `count` runs that end after `after`, the running one first if any."""
    duration = _duration(schedule)
    if schedule.kind is MaintenanceKind.ONE_OFF:
        assert schedule.start is not None
        assert schedule.end is not None
        runs = [MaintenanceOccurrence(start=schedule.start, end=schedule.end)]
        return runs[:count] if schedule.end > after else []
    assert schedule.cron is not None
    zone = ZoneInfo(schedule.timezone)
    starts: set[datetime] = set()
    running = latest_start(schedule, after)
    if running is not None and running + duration > after:
        starts.add(running)
    enough_at: datetime | None = None
    for naive in _steps(schedule.cron, _local(after, zone) - _MARGIN, backward=False):
        start = _utc(naive, zone)
        if start > after:
            starts.add(start)
        # Local times near a DST change map to UTC out of order: look a margin further.
        if enough_at is None and len(starts) >= count:
            enough_at = naive + _MARGIN
        if enough_at is not None and naive > enough_at:
            break
    return [
        MaintenanceOccurrence(start=start, end=start + duration) for start in sorted(starts)[:count]
    ]


def is_active(window: MaintenanceWindow, at: datetime) -> bool:
    """Tell whether an enabled window is running at `at`."""
    return window.enabled and running_occurrence(window, at) is not None


class MaintenanceService:
    def __init__(
        self, storage: Storage, activity: ActivityLog, clock: Callable[[], datetime]
    ) -> None:
        self._windows = storage.maintenance_windows
        self._activity = activity
        self._clock = clock

    async def list_windows(
        self, options: MaintenanceWindowListOptions
    ) -> tuple[list[MaintenanceWindow], int]:
        """Return one page of windows ordered by name, and the total."""
        return await self._windows.list(options)

    async def get_window(self, window_id: str) -> MaintenanceWindow:
        """Return the window with this id."""
        return await self._windows.get_by_id(window_id)

    async def create_window(
        self, actor: Principal, spec: MaintenanceWindowSpec
    ) -> MaintenanceWindow:
        """Store a new window, recording who made it."""
        window = MaintenanceWindow(
            **spec.model_dump(),
            created_by=CreatedBy(user_id=actor.user_id, username=actor.username),
        )
        created = await self._windows.create(window)
        self._record(actor, "maintenance_create", "created", created)
        return created

    async def replace_window(
        self, actor: Principal, window_id: str, spec: MaintenanceWindowSpec
    ) -> MaintenanceWindow:
        """Replace what an admin sets on a window (PUT)."""
        stored = await self._windows.get_by_id(window_id)
        changed = MaintenanceWindow.model_validate(stored.model_dump() | spec.model_dump())
        updated = await self._windows.update(changed)
        self._record(actor, "maintenance_update", "updated", updated)
        return updated

    async def update_window(
        self, actor: Principal, window_id: str, changes: dict[str, Any]
    ) -> MaintenanceWindow:
        """Change some fields of a window (PATCH); the result is validated whole."""
        stored = await self._windows.get_by_id(window_id)
        current = stored.model_dump(include=set(MaintenanceWindowSpec.model_fields))
        if changes.get("kind", stored.kind) != stored.kind:
            # Switching kind drops the other kind's fields unless the change sets them.
            for field in _KIND_FIELDS[stored.kind]:
                current.pop(field)
        spec = MaintenanceWindowSpec.model_validate(current | changes)
        return await self.replace_window(actor, window_id, spec)

    async def delete_window(self, actor: Principal, window_id: str) -> None:
        """Delete a window."""
        stored = await self._windows.get_by_id(window_id)
        await self._windows.delete(window_id)
        self._record(actor, "maintenance_delete", "deleted", stored)

    async def active_windows(
        self, environment: Environment, at: datetime | None = None
    ) -> list[MaintenanceWindow]:
        """Return the enabled windows covering this environment that run at `at` (now)."""
        at = at or self._clock()
        covering = await self._windows.list_covering(environment.id, environment.tags)
        return [window for window in covering if is_active(window, at)]

    async def running_windows(
        self, at: datetime | None = None
    ) -> list[tuple[MaintenanceWindow, MaintenanceOccurrence]]:
        """Return every enabled window running at `at` (now), with its current run, by name."""
        at = at or self._clock()
        running: list[tuple[MaintenanceWindow, MaintenanceOccurrence]] = []
        options = MaintenanceWindowListOptions(enabled=True, limit=MAX_PAGE_LIMIT)
        while True:
            windows, total = await self._windows.list(options)
            for window in windows:
                occurrence = running_occurrence(window, at)
                if occurrence is not None:
                    running.append((window, occurrence))
            if not windows or options.offset + len(windows) >= total:
                return running
            options = options.model_copy(update={"page": options.page + 1})

    async def in_maintenance(self, environment: Environment, at: datetime | None = None) -> bool:
        """Tell whether a window covering this environment runs at `at` (now)."""
        return bool(await self.active_windows(environment, at))

    def preview(
        self, schedule: MaintenanceSchedule, count: int, after: datetime | None = None
    ) -> list[MaintenanceOccurrence]:
        """Return the next runs of a schedule, saved or not."""
        return next_occurrences(schedule, min(count, MAX_PREVIEW), after or self._clock())

    def _record(self, actor: Principal, action: str, verb: str, window: MaintenanceWindow) -> None:
        self._activity.record_by(
            actor.user,
            type=LogType.ACTION,
            action=action,
            message=f"{actor.username} {verb} maintenance window {window.name}",
            details={
                "maintenanceWindowId": window.id,
                "maintenanceWindow": window.name,
                "kind": window.kind.value,
            },
        )
