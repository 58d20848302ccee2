"""Run every benchmark under bench/ and summarise their `BENCH` lines (DESIGN §10).

Exits 0 even when a target is missed: a missed target is information, not a build failure.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"run_all.py", "common.py"}


def main() -> int:
    extra = sys.argv[1:]
    results = []
    for script in sorted(HERE.glob("*.py")):
        if script.name in NOT_BENCHMARKS:
            continue
        print(f"== {script.name} {' '.join(extra)}", flush=True)
        process = subprocess.run(
            [sys.executable, str(script), *extra], capture_output=True, text=True, check=False
        )
        sys.stdout.write(process.stdout)
        sys.stderr.write(process.stderr)
        if process.returncode != 0:
            print(f"!! {script.name} exited {process.returncode}")
        for line in process.stdout.splitlines():
            if line.startswith("BENCH "):
                results.append(json.loads(line.removeprefix("BENCH ")))
    print("\n== Summary")
    for r in results:
        mark = "ok  " if r["ok"] else "MISS"
        print(
            f"  {mark} {r['bench']:<10} {r['metric']:<26} {r['value']:>12} {r['unit']:<10}"
            f" ratio {r['ratio']:<7} target {r['target']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
