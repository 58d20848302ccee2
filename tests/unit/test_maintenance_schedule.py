"""When maintenance windows run: one-off, recurring, across DST changes and midnight."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from envdeck.domain.maintenance import MaintenanceKind, MaintenanceSchedule, MaintenanceWindow
from envdeck.services.maintenance.windows import is_active, next_occurrences, running_occurrence


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def recurring(cron: str, minutes: int, zone: str = "UTC") -> MaintenanceSchedule:
    return MaintenanceSchedule(
        kind=MaintenanceKind.RECURRING, cron=cron, duration_minutes=minutes, timezone=zone
    )


def window(**fields: Any) -> MaintenanceWindow:
    defaults: dict[str, Any] = {
        "name": "nightly",
        "scope": {"tags": ["prod"]},
        "kind": "one-off",
        "start": utc(2026, 5, 1, 22),
        "end": utc(2026, 5, 2, 2),
    }
    return MaintenanceWindow.model_validate(defaults | fields)


BERLIN_0230 = recurring("30 2 * * *", 60, "Europe/Berlin")


def starts(schedule: MaintenanceSchedule, count: int, after: datetime) -> list[datetime]:
    return [run.start for run in next_occurrences(schedule, count, after)]


class TestDaylightSavingTime:
    def test_a_daily_0230_window_stays_at_0230_local_before_and_after_the_march_change(
        self,
    ) -> None:
        found = starts(BERLIN_0230, 4, utc(2026, 3, 27, 12))

        assert found[0] == utc(2026, 3, 28, 1, 30)  # 02:30 CET (+01:00)
        assert found[2] == utc(2026, 3, 30, 0, 30)  # 02:30 CEST (+02:00)
        assert found[3] == utc(2026, 3, 31, 0, 30)

    def test_a_0230_that_does_not_exist_in_march_starts_one_gap_later_at_0330_local(
        self,
    ) -> None:
        # 2026-03-29: clocks jump from 02:00 to 03:00, so 02:30 never happens. Read with the
        # offset before the gap (RFC 5545, Python's fold=0) it is 01:30 UTC = 03:30 CEST.
        found = starts(BERLIN_0230, 4, utc(2026, 3, 27, 12))

        assert found[1] == utc(2026, 3, 29, 1, 30)
        assert len(set(found)) == 4  # still one run that day, none skipped

    def test_a_0230_that_happens_twice_in_october_starts_once_at_the_first(self) -> None:
        # 2026-10-25: clocks go back from 03:00 CEST to 02:00 CET, so 02:30 happens twice.
        found = starts(BERLIN_0230, 4, utc(2026, 10, 23, 12))

        assert found == [
            utc(2026, 10, 24, 0, 30),  # 02:30 CEST
            utc(2026, 10, 25, 0, 30),  # the first 02:30 (CEST), not the second (CET)
            utc(2026, 10, 26, 1, 30),  # 02:30 CET
            utc(2026, 10, 27, 1, 30),
        ]

    def test_the_window_lasts_its_duration_in_elapsed_time_across_the_october_change(
        self,
    ) -> None:
        run = running_occurrence(BERLIN_0230, utc(2026, 10, 25, 1, 15))

        assert run is not None
        assert run.start == utc(2026, 10, 25, 0, 30)
        assert run.end == utc(2026, 10, 25, 1, 30)  # 60 minutes, though local time shows 02:30
        assert running_occurrence(BERLIN_0230, utc(2026, 10, 25, 1, 30)) is None

    def test_in_the_missing_march_hour_the_window_is_not_yet_running(self) -> None:
        assert running_occurrence(BERLIN_0230, utc(2026, 3, 29, 1, 0)) is None
        assert running_occurrence(BERLIN_0230, utc(2026, 3, 29, 1, 30)) is not None
        assert running_occurrence(BERLIN_0230, utc(2026, 3, 29, 2, 29)) is not None
        assert running_occurrence(BERLIN_0230, utc(2026, 3, 29, 2, 30)) is None

    def test_a_window_in_new_york_follows_its_own_zone(self) -> None:
        # US DST starts 2026-03-08: 01:00 EST is 06:00 UTC, 01:00 EDT is 05:00 UTC.
        found = starts(recurring("0 1 * * *", 30, "America/New_York"), 2, utc(2026, 3, 7, 0))

        assert found == [utc(2026, 3, 7, 6), utc(2026, 3, 8, 6)]
        assert starts(recurring("0 1 * * *", 30, "America/New_York"), 1, utc(2026, 3, 9, 0)) == [
            utc(2026, 3, 9, 5)
        ]


class TestRecurring:
    def test_a_window_crossing_midnight_is_running_on_both_days(self) -> None:
        schedule = recurring("0 23 * * *", 120)

        assert running_occurrence(schedule, utc(2026, 5, 1, 23, 30)) is not None
        assert running_occurrence(schedule, utc(2026, 5, 2, 0, 59)) is not None
        assert running_occurrence(schedule, utc(2026, 5, 2, 1, 0)) is None
        assert running_occurrence(schedule, utc(2026, 5, 2, 22, 59)) is None

    def test_a_window_that_started_before_the_moment_still_counts(self) -> None:
        weekly = recurring("0 20 * * 5", 3 * 24 * 60)  # Friday 20:00 for three days

        run = running_occurrence(weekly, utc(2026, 5, 4, 12))  # the Monday after

        assert run is not None
        assert run.start == utc(2026, 5, 1, 20)

    def test_boundaries_are_start_inclusive_and_end_exclusive(self) -> None:
        schedule = recurring("0 3 * * *", 30)

        assert running_occurrence(schedule, utc(2026, 5, 1, 2, 59, 59)) is None
        assert running_occurrence(schedule, utc(2026, 5, 1, 3)) is not None
        assert running_occurrence(schedule, utc(2026, 5, 1, 3, 29, 59)) is not None
        assert running_occurrence(schedule, utc(2026, 5, 1, 3, 30)) is None

    def test_the_preview_lists_a_running_run_first(self) -> None:
        found = starts(recurring("0 3 * * *", 60), 2, utc(2026, 5, 1, 3, 30))

        assert found == [utc(2026, 5, 1, 3), utc(2026, 5, 2, 3)]

    def test_a_cron_that_never_fires_has_no_runs(self) -> None:
        never = recurring("0 0 31 2 *", 60)

        assert next_occurrences(never, 3, utc(2026, 1, 1)) == []
        assert running_occurrence(never, utc(2026, 1, 1)) is None


class TestOneOff:
    def test_a_one_off_window_runs_from_start_to_end(self) -> None:
        one_off = window()

        assert not is_active(one_off, utc(2026, 5, 1, 21, 59))
        assert is_active(one_off, utc(2026, 5, 1, 22))
        assert is_active(one_off, utc(2026, 5, 2, 1, 59))
        assert not is_active(one_off, utc(2026, 5, 2, 2))

    def test_a_disabled_window_is_never_active(self) -> None:
        assert not is_active(window(enabled=False), utc(2026, 5, 1, 23))

    def test_the_preview_of_a_past_one_off_window_is_empty(self) -> None:
        one_off = window()

        assert next_occurrences(one_off, 5, utc(2026, 5, 2, 2)) == []
        assert len(next_occurrences(one_off, 5, utc(2026, 5, 2, 1))) == 1


class TestValidation:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"end": utc(2026, 5, 1, 22)}, "end must be after start"),
            ({"end": None}, "needs start and end"),
            ({"scope": {}}, "at least one environment id or tag"),
            ({"scope": {"tags": ["bad tag"]}}, "invalid tag"),
            ({"kind": "recurring", "start": None, "end": None}, "needs cron and durationMinutes"),
            (
                {"kind": "recurring", "start": None, "end": None, "cron": "61 * * * *"},
                "invalid cron",
            ),
            (
                {
                    "kind": "recurring",
                    "start": None,
                    "end": None,
                    "cron": "0 2 * * *",
                    "durationMinutes": 60,
                    "timezone": "Mars/Olympus",
                },
                "unknown time zone",
            ),
            (
                {
                    "kind": "recurring",
                    "start": None,
                    "end": None,
                    "cron": "0 2 * * *",
                    "durationMinutes": 0,
                },
                "greater than or equal to 1",
            ),
        ],
    )
    def test_rejects_an_invalid_window(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(ValidationError, match=message):
            window(**fields)

    def test_normalises_the_spacing_of_a_cron_expression(self) -> None:
        assert recurring(" 30  2 * * * ", 10).cron == "30 2 * * *"

    def test_accepts_a_one_week_duration_at_most(self) -> None:
        assert recurring("0 0 * * 0", 7 * 24 * 60).duration_minutes == 10080
        with pytest.raises(ValidationError):
            recurring("0 0 * * 0", 7 * 24 * 60 + 1)
        assert timedelta(minutes=10080) == timedelta(weeks=1)
