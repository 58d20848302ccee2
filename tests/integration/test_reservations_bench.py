"""bench/reservations.py still runs, claims every environment it asks for, and books none twice
(its latency is reported, never asserted)."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "reservations.py"


def test_the_reservations_bench_reports_its_figures_and_no_double_booking() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--environments", "60", "--claims", "40"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = {
        record["metric"]: record
        for record in (
            json.loads(line.removeprefix("BENCH "))
            for line in result.stdout.splitlines()
            if line.startswith("BENCH ")
        )
    }
    assert set(lines) == {"claim_p99_ms", "claim_ms_each", "double_bookings"}
    assert lines["claim_p99_ms"]["value"] > 0
    assert lines["claim_ms_each"]["value"] > 0
    assert lines["double_bookings"]["value"] == 0
    assert lines["double_bookings"]["ok"], result.stdout
