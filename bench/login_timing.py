"""Login timing benchmark: a failed login takes as long whatever the reason.

Runs the real `envdeck serve` (SQLite, bcrypt at its default cost 12) and measures the median
time of `POST /api/v1/auth/login` for an unknown username, an unknown email and a deactivated
account against a wrong password for an existing account (the baseline), in the same run; a
successful login is shown too. The attempts are interleaved, so machine noise spreads over every
kind alike.

    python bench/login_timing.py [--quick]

Target: each median within 10 % of the baseline's (ratio 0.9-1.1): an attacker cannot tell
from the time which usernames exist or which accounts are deactivated.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, bench_line, envdeck_server

OTHER_PASSWORD = "ember-falcon-tundra-35"  # noqa: S105 (a throwaway bench account)
WRONG = "wrong-password-for-timing-91"


def attempts(admin: httpx.Client) -> dict[str, dict[str, str]]:
    """Create the accounts and return each kind of attempt's body."""
    for username in ("active", "inactive"):
        created = admin.post(
            "/api/v1/users",
            json={"username": username, "role": "viewer", "password": OTHER_PASSWORD},
        )
        created.raise_for_status()
        if username == "inactive":
            admin.patch(f"/api/v1/users/{created.json()['id']}", json={"active": False})
    return {
        "success": {"username": "active", "password": OTHER_PASSWORD},
        "wrong_password": {"username": "active", "password": WRONG},
        "unknown_user": {"username": "nobody-at-all", "password": WRONG},
        "unknown_email": {"username": "nobody@example.com", "password": WRONG},
        "deactivated": {"username": "inactive", "password": OTHER_PASSWORD},
    }


def measure(url: str, samples: int) -> dict[str, float]:
    with httpx.Client(base_url=url, timeout=30) as client:
        token = client.post("/api/v1/auth/login", json={"username": "bench", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {token.json()['token']}"
        kinds = attempts(client)
        del client.headers["Authorization"]
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for _ in range(samples):
            for kind, body in kinds.items():
                started = time.perf_counter()
                status = client.post("/api/v1/auth/login", json=body).status_code
                times[kind].append((time.perf_counter() - started) * 1000)
                assert status == (200 if kind == "success" else 401), (kind, status)
    return {kind: statistics.median(values) for kind, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    samples = 5 if args.quick else 40
    with (
        tempfile.TemporaryDirectory() as workdir,
        envdeck_server(
            Path(workdir),
            # Enough failed attempts for the run; bcrypt keeps its production cost.
            {"ENVDECK_AUTH__LOGIN_ATTEMPTS": "1000"},
        ) as url,
    ):
        medians = measure(url, samples)
    baseline = medians.pop("wrong_password")
    success = medians.pop("success")
    print(f"login medians over {samples} attempts each (bcrypt cost 12)")
    print(f"  {'wrong password (baseline)':<26} {baseline:8.1f} ms")
    print(f"  {'success (not compared)':<26} {success:8.1f} ms")
    for kind, median in medians.items():
        ratio = median / baseline
        print(f"  {kind:<26} {median:8.1f} ms  ratio {ratio:.3f}")
        print(
            bench_line(
                "login",
                f"{kind}_median_ms",
                median,
                "ms",
                baseline="wrong_password_median_ms",
                ratio=ratio,
                target="0.9<=ratio<=1.1",
                ok=0.9 <= ratio <= 1.1,
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
