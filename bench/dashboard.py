"""Dashboard benchmark: the first render of the environments dashboard in Chromium.

Stores 1,000 environments with statuses (and an hour of health samples each, so the cards
draw sparklines) straight through the repositories, runs the real `envdeck serve` on that
storage with the built UI, and loads `/environments` signed in, in a fresh browser context
each time (a cold cache, as a first visit). The figure is the time from navigation start to
the first environment card in the DOM (a MutationObserver stamps `performance.now()`), and to
the page's sparklines drawn. The baseline in the same run is the same page load on a server
with 0 environments: the app shell up to its "No environments yet" state. Loads alternate
between the two servers.

    python bench/dashboard.py [--quick] [--environments 1000] [--loads 10]

Target: first render with 1,000 environments < 1.5 s.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, bench_line, envdeck_server, percentile

from envdeck.api.ui import STATIC_DIR
from envdeck.config import load_settings
from envdeck.domain.environment import Environment, HealthState, Status
from envdeck.domain.health import HealthSample
from envdeck.repositories.sqlite import SqliteStorage

CHROMIUM = "/usr/bin/chromium"
TARGET_MS = 1500
BATCH = 200
SAMPLES_PER_ENVIRONMENT = 12  # one every 5 minutes over the last hour
NOW = datetime.now(UTC)

# Stamps the first moment the dashboard shows a card (or, with no environment, its empty
# state), and the moment the first page's sparklines are drawn.
OBSERVER = """
(() => {
  const marks = (window.__benchMarks = {});
  const check = () => {
    if (marks.cards === undefined && document.querySelector("main article")) {
      marks.cards = performance.now();
    }
    if (marks.empty === undefined && document.body &&
        document.body.innerText.includes("No environments yet")) {
      marks.empty = performance.now();
    }
    if (marks.sparklines === undefined &&
        document.querySelector("main article [role=img] svg path")) {
      marks.sparklines = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();
"""


def make_environment(i: int) -> Environment:
    host = f"env-{i:05d}.example.test"
    return Environment.model_validate(
        {
            "name": f"env-{i:05d}",
            "description": f"Environment {i} of the dashboard benchmark",
            "environmentURL": f"https://{host}/",
            "tags": ["bench", f"team-{i % 8}"],
            "target": {"host": host},
            # Configured but not enabled: the engine must never probe these made-up hosts.
            "healthCheck": {"enabled": False, "endpoint": f"https://{host}/health"},
        }
    )


def make_status(rng: random.Random) -> Status:
    healthy = rng.random() < 0.85
    checked = NOW - timedelta(seconds=rng.randint(0, 60))
    return Status(
        health=HealthState.HEALTHY if healthy else HealthState.UNHEALTHY,
        last_check=checked,
        message="OK" if healthy else "HTTP 503",
        response_time=rng.uniform(20, 400),
        status_code=200 if healthy else 503,
        since=checked - timedelta(minutes=rng.randint(1, 600)),
        consecutive_failures=0 if healthy else 1,
    )


def make_samples(environment_id: str, rng: random.Random) -> list[HealthSample]:
    return [
        HealthSample(
            environment_id=environment_id,
            timestamp=NOW - timedelta(minutes=5 * k + rng.random()),
            health=HealthState.HEALTHY,
            response_time=rng.uniform(20, 400),
            status_code=200,
        )
        for k in range(SAMPLES_PER_ENVIRONMENT)
    ]


async def populate(data_dir: Path, count: int) -> float:
    """Store count environments with a status and an hour of samples; return seconds taken."""
    storage = SqliteStorage(load_settings(environ={"ENVDECK_DATA_DIR": str(data_dir)}).sqlite_path)
    rng = random.Random(11)
    started = time.perf_counter()
    await storage.open()
    try:
        repo = storage.environments
        for first in range(0, count, BATCH):
            chunk = [make_environment(i) for i in range(first, min(first + BATCH, count))]
            created = await asyncio.gather(*(repo.create(e) for e in chunk))
            await repo.update_statuses({e.id: make_status(rng) for e in created})
            samples = [s for e in created for s in make_samples(e.id, rng)]
            await storage.health_samples.record(samples)
    finally:
        await storage.close()
    return time.perf_counter() - started


def session_script(url: str) -> str:
    """Sign in through the API and return a script that puts the session where the UI keeps it."""
    response = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    session = json.dumps(json.dumps(response.json()))
    return f"window.localStorage.setItem('envdeck.session', {session});"


def load_once(browser: Browser, url: str, sign_in: str, wait_for: str) -> dict[str, float]:
    """Open the dashboard in a fresh context; return the marks (ms from navigation start).

    A load that never gets there (the UI being rebuilt under the server, say) is tried again.
    """
    for attempt in range(3):
        try:
            return _load(browser, url, sign_in, wait_for)
        except PlaywrightTimeout:
            print(f"  a load of {url} timed out (attempt {attempt + 1})", file=sys.stderr)
    raise RuntimeError(f"the dashboard at {url} never rendered")


def _load(browser: Browser, url: str, sign_in: str, wait_for: str) -> dict[str, float]:
    # The page's CSP forbids eval, which Playwright's wait_for_function needs.
    context = browser.new_context(
        base_url=url, viewport={"width": 1600, "height": 1000}, bypass_csp=True
    )
    try:
        context.add_init_script(sign_in)
        context.add_init_script(OBSERVER)
        page = context.new_page()
        page.goto("/environments", wait_until="commit")
        page.wait_for_function(
            f"window.__benchMarks && window.__benchMarks.{wait_for}", timeout=30_000
        )
        marks: dict[str, float] = page.evaluate("window.__benchMarks")
        return marks
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--environments", type=int, default=1000)
    parser.add_argument("--loads", type=int, default=10, help="page loads per server")
    args = parser.parse_args()
    loads = 2 if args.quick else args.loads
    count = 200 if args.quick else args.environments
    if not (STATIC_DIR / "index.html").is_file():
        sys.exit("the UI is not built: run `make install`")
    if not Path(CHROMIUM).is_file():
        sys.exit(f"bench/dashboard.py: needs Chromium at {CHROMIUM} (apt-get install chromium)")

    with tempfile.TemporaryDirectory(prefix="envdeck-dashboard-") as tmp:
        full_dir, empty_dir = Path(tmp, "full"), Path(tmp, "empty")
        full_dir.mkdir()
        empty_dir.mkdir()
        seconds = asyncio.run(populate(full_dir / "data", count))
        print(f"stored {count:,} environments (with an hour of samples each) in {seconds:.1f} s")
        with ExitStack() as stack:
            full_url = stack.enter_context(envdeck_server(full_dir))
            empty_url = stack.enter_context(envdeck_server(empty_dir))
            full_session, empty_session = session_script(full_url), session_script(empty_url)
            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            # One load of each first, not measured: the server's and the OS's caches warm up.
            load_once(browser, full_url, full_session, "sparklines")
            load_once(browser, empty_url, empty_session, "empty")
            cards: list[float] = []
            sparklines: list[float] = []
            shell: list[float] = []
            for _ in range(loads):
                marks = load_once(browser, full_url, full_session, "sparklines")
                cards.append(marks["cards"])
                sparklines.append(marks["sparklines"])
                shell.append(load_once(browser, empty_url, empty_session, "empty")["empty"])
            browser.close()

    report(count, loads, cards, sparklines, shell)


def report(
    count: int, loads: int, cards: list[float], sparklines: list[float], shell: list[float]
) -> None:
    first, drawn, base = (statistics.median(x) for x in (cards, sparklines, shell))
    print(f"\nDashboard first render, {count:,} environments, median of {loads} cold loads")
    print(f"  {'figure':<34} {'median ms':>10} {'p90 ms':>10}")
    rows = [
        ("cards shown (1 page of 24)", cards),
        ("sparklines drawn", sparklines),
        ("baseline: app shell, 0 environments", shell),
    ]
    for label, values in rows:
        print(f"  {label:<34} {statistics.median(values):>10.0f} {percentile(values, 90):>10.0f}")
    target = f"first_render_ms<{TARGET_MS}"
    print(
        bench_line(
            "dashboard",
            "first_render_ms",
            first,
            "ms",
            baseline="shell_render_ms",
            ratio=first / base,
            target=target,
            ok=first < TARGET_MS,
        ),
        flush=True,
    )
    print(
        bench_line(
            "dashboard",
            "sparklines_drawn_ms",
            drawn,
            "ms",
            baseline="shell_render_ms",
            ratio=drawn / base,
            target="informational",
            ok=True,
        ),
        flush=True,
    )
    print(
        bench_line(
            "dashboard",
            "shell_render_ms",
            base,
            "ms",
            baseline="shell_render_ms",
            ratio=1.0,
            target="baseline",
            ok=True,
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
