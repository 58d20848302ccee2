"""Authentication benchmark: what the per-request user re-check costs.

Runs the real `envdeck serve` (SQLite) and measures requests per second of an authenticated
`GET /api/v1/auth/me` (with a login JWT, then with an API token) against unauthenticated
`GET /api/v1/health` in the same run, each with 32 concurrent keep-alive connections.

    python bench/auth.py [--quick]

Target: ratio (authenticated / health) >= 0.6 for both kinds of token.
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, bench_line, free_port

CONCURRENCY = 32
ROUNDS = 3
ENVDECK = Path(sys.executable).with_name("envdeck")


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    env |= {
        "PORT": str(port),
        "ENVDECK_ADMIN_USERNAME": "bench",
        "ENVDECK_ADMIN_PASSWORD": PASSWORD,
        "ENVDECK_LOG__LEVEL": "warning",
    }
    process = subprocess.Popen(
        [str(ENVDECK), "serve"], cwd=workdir, env=env, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("envdeck serve did not start")


async def rate(url: str, path: str, headers: dict[str, str], total: int) -> float:
    """Return requests per second for `total` GETs over CONCURRENCY connections."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits) as client:
        remaining = total

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                response = await client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text}")

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))  # warm-up connections
        remaining = total
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return total / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    total = 300 if parser.parse_args().quick else 3000
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_server(Path(tmp))
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                login = await client.post(
                    "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
                )
                jwt_headers = {"Authorization": f"Bearer {login.json()['token']}"}
                created = await client.post(
                    "/api/v1/tokens", json={"name": "bench"}, headers=jwt_headers
                )
            api_headers = {"Authorization": f"Bearer {created.json()['secret']}"}
            # Interleaved rounds, median of each: this machine's noise hits all three alike.
            rounds: list[tuple[float, float, float]] = []
            for _ in range(ROUNDS):
                rounds.append(
                    (
                        await rate(url, "/api/v1/health", {}, total),
                        await rate(url, "/api/v1/auth/me", jwt_headers, total),
                        await rate(url, "/api/v1/auth/me", api_headers, total),
                    )
                )
            health, with_jwt, with_api_token = (
                statistics.median(r) for r in zip(*rounds, strict=True)
            )
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    print(f"\n{total:,} requests each, {CONCURRENCY} concurrent connections, median of {ROUNDS}")
    print(f"  {'GET /api/v1/health (no auth)':36}{health:>10,.0f} req/s")
    lines = []
    for name, value in (("JWT", with_jwt), ("API token", with_api_token)):
        ratio = value / health
        print(
            f"  {'GET /api/v1/auth/me (' + name + ')':36}{value:>10,.0f} req/s  ratio {ratio:.2f}"
        )
        metric = "me_rps_jwt" if name == "JWT" else "me_rps_api_token"
        lines.append(
            bench_line(
                "auth",
                metric,
                value,
                "req/s",
                baseline="health_rps",
                ratio=ratio,
                target="ratio>=0.6",
                ok=ratio >= 0.6,
            )
        )
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
