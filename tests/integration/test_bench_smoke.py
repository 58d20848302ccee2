"""The benchmarks still run and print their machine-readable lines (no timing is asserted)."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_storage_benchmark_runs_and_reports_each_figure() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "storage.py"), "--quick", "--backend", "sqlite"],
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
    assert {line["metric"] for line in lines} == {"sqlite_insert_rate", "sqlite_page_p95_ms"}
    for line in lines:
        assert set(line) == {
            "bench",
            "metric",
            "value",
            "unit",
            "baseline",
            "ratio",
            "target",
            "ok",
        }
        assert line["value"] > 0
