"""The benchmarks still run and print their machine-readable lines (no timing is asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
FIELDS = {"bench", "metric", "value", "unit", "baseline", "ratio", "target", "ok"}


@pytest.mark.parametrize(
    ("script", "args", "metrics"),
    [
        ("storage.py", ["--backend", "sqlite"], {"sqlite_insert_rate", "sqlite_page_p95_ms"}),
        ("auth.py", [], {"me_rps_jwt", "me_rps_api_token"}),
        (
            "activity_log.py",
            [],
            {
                f"{backend}_{figure}"
                for backend in ("sqlite", "mongo")
                for figure in ("ingest_rate", "page_p95_ms", "search_p95_ms", "count_p95_ms")
            }
            | {
                "sqlite_ack_rate",
                "sqlite_ack_wait_p99_ms",
                "sqlite_change_p50_ms_1c",
                "sqlite_change_p50_ms_16c",
            },
        ),
        (
            "inventory.py",
            [],
            {
                "list_p99_ms",
                "search_p99_ms",
                "summary_p99_ms",
                "mongo_list_p99_ms",
                "mongo_search_p99_ms",
                "mongo_summary_p99_ms",
            },
        ),
        (
            "health_engine.py",
            ["--count", "200", "--seconds", "3"],
            {
                "checks_per_s",
                "p99_lateness_ms",
                "overlap_free_pct",
                "engine_rss_mb",
                "engine_cpu_s",
                "httpx_bare_checks_per_s",
            },
        ),
        (
            "dashboard.py",
            [],
            {
                "first_card_ms",
                "sparklines_drawn_ms",
                "idle_main_thread_pct",
                "scroll_p95_frame_ms",
                "keystroke_to_results_ms",
                "shell_render_ms",
            },
        ),
        ("status_pages.py", [], {"storm_p99_ms", "storm_ms_each", "build_ms"}),
        ("operations.py", [], {"fanout_total_s", "sequential_overhead_ms"}),
        (
            "login_timing.py",
            [],
            {"unknown_user_median_ms", "unknown_email_median_ms", "deactivated_median_ms"},
        ),
        (
            "ws_fanout.py",
            ["--clients", "20", "--seconds", "1"],
            {
                f"fanout{rate}_{figure}"
                for rate in (20, 100)
                for figure in ("p99_ms", "p50_ms", "deliveries_per_s", "delivered_pct")
            },
        ),
    ],
)
def test_benchmark_runs_and_reports_each_figure(
    script: str, args: list[str], metrics: set[str]
) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    output = result.stdout.splitlines()
    lines = [
        json.loads(line.removeprefix("BENCH ")) for line in output if line.startswith("BENCH ")
    ]
    assert {line["metric"] for line in lines} == metrics
    for line in lines:
        assert set(line) == FIELDS
        assert line["value"] > 0
