"""Dashboard benchmark: the environments dashboard in Chromium with 1,000 environments.

Runs the real `envdeck serve --demo --demo-count 1000` with the built UI: a simulated fleet on
loopback whose 1,000 environments the health engine checks every 10 s, so the server works
and the page receives live status updates the whole time (health-check load, as in
production). The baseline in the same run is the same UI on a server with 0 environments
(the empty shell: its "No environments yet" state). In a fresh, signed-in browser context:

- first card: a cold load of `/environments` (a first visit), from navigation start to the
  first environment card in the DOM (and, informational, to the first sparkline drawn);
  the baseline is the empty shell's "No environments yet";
- then with 96 per page (chosen in the pagination, as a user would):
  - idle main thread: the share of wall time the page's main thread is busy over a quiet
    spell (Chromium's TaskDuration), live updates arriving;
  - scroll p95 frame: the window scrolled down and back up 40 px a frame, the 95th percentile
    of the times between animation frames;
  - keystroke to results: with "env-0014" typed, the time from the keydown of "2" to the
    grid showing env-00142 alone; on the empty shell, from the first key to "No environment
    matches these filters".

Each figure is printed with its ratio to the empty shell's same figure. Page loads alternate
between the two servers.

    python bench/dashboard.py [--quick] [--environments 1000] [--loads 5]

Targets: first card < 1 s, scroll p95 frame < 20 ms, keystroke to results < 150 ms, idle
main thread < 10 %.
"""

import argparse
import contextlib
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, bench_line, envdeck_server, percentile

from envdeck.api.ui import STATIC_DIR

CHROMIUM = "/usr/bin/chromium"
PER_PAGE = 96
SCROLL_PX_PER_FRAME = 40
# Every environment is checked once within its first 10 s; wait for most to have a status.
SETTLE_SECONDS = 120
TARGETS = {
    "first_card_ms": 1000.0,
    "scroll_p95_frame_ms": 20.0,
    "keystroke_to_results_ms": 150.0,
    "idle_main_thread_pct": 10.0,
}

# Stamps the first moment the dashboard shows a card (or, with no environment, its empty
# state), and the moment the first sparkline is drawn.
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

# Scrolls the window down and back up, SCROLL_PX_PER_FRAME a frame, for `frames` frames;
# returns the time between consecutive animation frames (ms).
SCROLL = """
async ({ step, frames }) => {
  window.scrollTo(0, 0);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const times = [];
  let last = null;
  let direction = 1;
  return await new Promise((resolve) => {
    const tick = (now) => {
      if (last !== null) times.push(now - last);
      last = now;
      if (times.length >= frames) return resolve(times);
      const max = document.documentElement.scrollHeight - window.innerHeight;
      if (window.scrollY + step >= max) direction = -1;
      if (window.scrollY - step <= 0) direction = 1;
      window.scrollBy(0, direction * step);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

# Arms a stopwatch: from the next keydown to the moment `done()` holds after a DOM change.
KEYSTROKE = """
({ name }) => {
  const mark = (window.__benchKey = {});
  const done = name
    ? () => {
        const cards = document.querySelectorAll("main article");
        return cards.length === 1 && cards[0].getAttribute("aria-label") === name;
      }
    : () => document.body.innerText.includes("No environment matches these filters");
  document.addEventListener("keydown", () => { mark.down = performance.now(); },
    { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (mark.down !== undefined && done()) {
      mark.shown = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document.querySelector("main"),
    { childList: true, subtree: true, characterData: true, attributes: true });
}
"""


@dataclass
class Figures:
    """The samples of one server: first card, sparklines, and the 96-per-page view's."""

    first: list[float] = field(default_factory=list)
    sparklines: list[float] = field(default_factory=list)
    idle_pct: list[float] = field(default_factory=list)
    frames: list[float] = field(default_factory=list)
    keystrokes: list[float] = field(default_factory=list)


def sign_in(url: str) -> tuple[str, str]:
    """Sign in through the API; return the token and a script that puts the session where
    the UI keeps it."""
    response = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    session = json.dumps(json.dumps(response.json()))
    script = f"window.localStorage.setItem('envdeck.session', {session});"
    return str(response.json()["token"]), script


def wait_for_checks(url: str, token: str, count: int) -> None:
    """Wait until the fleet is registered and most of it has been checked once."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        summary = httpx.get(f"{url}/api/v1/environments/summary", headers=headers, timeout=30)
        body = summary.json()
        unknown = body["byHealth"].get("unknown", 0)
        if body["total"] >= count and unknown <= count // 20:
            print(f"  {body['total']:,} environments registered, {unknown} not checked yet")
            return
        time.sleep(2)
    raise RuntimeError(f"the demo fleet of {count:,} was not registered and checked in time")


class Dashboard:
    """Drives one server's dashboard in fresh browser contexts."""

    def __init__(self, browser: Any, url: str, session: str, count: int, quick: bool) -> None:
        """count: the environments the server has (0: the empty shell)."""
        self.browser, self.url, self.session = browser, url, session
        self.count, self.full = count, count > 0
        self.idle_seconds = 3 if quick else 10
        self.scroll_frames = 60 if quick else 240
        self.keystroke_trials = 2 if quick else 5

    def open(self) -> tuple[Any, Any]:
        # The page's CSP forbids eval, which Playwright's wait_for_function needs.
        context = self.browser.new_context(
            base_url=self.url, viewport={"width": 1600, "height": 1000}, bypass_csp=True
        )
        context.add_init_script(self.session)
        context.add_init_script(OBSERVER)
        return context, context.new_page()

    def first_render(self, figures: Figures) -> None:
        """A cold load: first card (or the empty state), and the first sparkline drawn."""
        context, page = self.open()
        try:
            page.goto("/environments", wait_until="commit")
            mark = "cards" if self.full else "empty"
            page.wait_for_function(f"window.__benchMarks.{mark}", timeout=60_000)
            if self.full:
                from playwright.sync_api import TimeoutError as PlaywrightTimeout

                # A fleet not drawn as sparklines yet leaves that figure out.
                with contextlib.suppress(PlaywrightTimeout):
                    page.wait_for_function("window.__benchMarks.sparklines", timeout=15_000)
            marks: dict[str, float] = page.evaluate("window.__benchMarks")
            figures.first.append(marks[mark])
            if "sparklines" in marks:
                figures.sparklines.append(marks["sparklines"])
        finally:
            context.close()

    def per_page_view(self, figures: Figures) -> None:
        """96 per page: idle main thread, scroll frames, keystroke to results."""
        context, page = self.open()
        try:
            page.goto("/environments")
            if self.full:
                page.locator("main article").first.wait_for(timeout=60_000)
                page.get_by_role("combobox", name="Per page:").click()
                page.get_by_role("option", name=str(PER_PAGE), exact=True).click()
                page.get_by_text(f"1\N{EN DASH}{PER_PAGE} of").wait_for(timeout=60_000)
            else:
                page.get_by_text("No environments yet").wait_for(timeout=60_000)
            page.wait_for_timeout(2_000)  # sparklines, live subscriptions
            figures.idle_pct.append(self.idle_busy_pct(context, page))
            figures.frames += page.evaluate(
                SCROLL, {"step": SCROLL_PX_PER_FRAME, "frames": self.scroll_frames}
            )
            page.evaluate("window.scrollTo(0, 0)")
            figures.keystrokes += self.keystrokes(page)
        finally:
            context.close()

    def idle_busy_pct(self, context: Any, page: Any) -> float:
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def busy() -> float:
            metrics = cdp.send("Performance.getMetrics")["metrics"]
            return float(next(m["value"] for m in metrics if m["name"] == "TaskDuration"))

        before, started = busy(), time.perf_counter()
        page.wait_for_timeout(self.idle_seconds * 1000)
        after, wall = busy(), time.perf_counter() - started
        return 100 * (after - before) / wall

    def keystrokes(self, page: Any) -> list[float]:
        box = page.get_by_role("searchbox", name="Search environments")
        times = []
        for trial in range(self.keystroke_trials):
            if self.full:
                # The demo's env-00013 … env-NNNNN: one of them, by name.
                name = f"env-{100 + (42 + 111 * trial) % (self.count - 100):05d}"
                box.fill(name[:-1])
                page.wait_for_function(
                    f"document.querySelector('main article')?.getAttribute('aria-label')"
                    f"?.startsWith('{name[:-1]}')",
                    timeout=30_000,
                )
                key = name[-1]
            else:
                name = ""
                box.fill("")
                page.get_by_text("No environments yet").wait_for(timeout=30_000)
                key = "e"
            page.wait_for_timeout(500)
            page.evaluate(KEYSTROKE, {"name": name})
            box.press(key)
            page.wait_for_function("window.__benchKey.shown", timeout=30_000)
            mark = page.evaluate("window.__benchKey")
            times.append(float(mark["shown"] - mark["down"]))
        box.fill("")
        return times


def run(args: argparse.Namespace) -> tuple[int, Figures, Figures]:
    from playwright.sync_api import sync_playwright

    count = 200 if args.quick else args.environments
    loads = 2 if args.quick else args.loads
    executable = Path(args.envdeck) if args.envdeck else None
    full, empty = Figures(), Figures()
    with tempfile.TemporaryDirectory(prefix="envdeck-dashboard-") as tmp, ExitStack() as stack:
        full_dir, empty_dir = Path(tmp, "full"), Path(tmp, "empty")
        full_dir.mkdir()
        empty_dir.mkdir()
        demo = ["--demo", "--demo-count", str(count)]
        checks_on = {"ENVDECK_HEALTH__ENABLED": "true"}
        full_url = stack.enter_context(envdeck_server(full_dir, checks_on, demo, executable))
        empty_url = stack.enter_context(envdeck_server(empty_dir, None, None, executable))
        token, full_session = sign_in(full_url)
        _, empty_session = sign_in(empty_url)
        wait_for_checks(full_url, token, count)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        stack.callback(browser.close)
        pages = (
            Dashboard(browser, full_url, full_session, count, args.quick),
            Dashboard(browser, empty_url, empty_session, 0, args.quick),
        )
        # One load of each first, not measured: the server's and the OS's caches warm up.
        for dashboard in pages:
            dashboard.first_render(Figures())
        for _ in range(loads):
            for dashboard, figures in zip(pages, (full, empty), strict=True):
                dashboard.first_render(figures)
        for dashboard, figures in zip(pages, (full, empty), strict=True):
            dashboard.per_page_view(figures)
    return count, full, empty


def report(count: int, full: Figures, empty: Figures) -> None:
    def p95(values: list[float]) -> float:
        return percentile(values, 95)

    rows: list[tuple[str, str, Callable[[list[float]], float], str, str]] = [
        ("first_card_ms", "first card (cold load)", statistics.median, "first", "ms"),
        ("sparklines_drawn_ms", "first sparkline drawn", statistics.median, "sparklines", "ms"),
        ("idle_main_thread_pct", f"idle main thread, {PER_PAGE}/page", statistics.median,
         "idle_pct", "%"),
        ("scroll_p95_frame_ms", f"scroll p95 frame, {PER_PAGE}/page", p95, "frames", "ms"),
        ("keystroke_to_results_ms", f"keystroke to results, {PER_PAGE}/page", statistics.median,
         "keystrokes", "ms"),
    ]  # fmt: skip
    print(f"\nDashboard, {count:,} environments under health checks vs the empty shell")
    print(f"  {'figure':<38} {'value':>9} {'shell':>9} {'ratio':>7}  target")
    lines = []
    for metric, label, summarise, attr, unit in rows:
        values, base_values = getattr(full, attr), getattr(empty, attr)
        if not values:
            print(f"  {label:<38} {'—':>9}  (not measured: none drawn)")
            continue
        value = summarise(values)
        # The empty shell draws no sparkline: that figure is compared with its first render.
        base = summarise(base_values) if base_values else statistics.median(empty.first)
        ratio = value / base if base > 0 else float("inf")
        limit = TARGETS.get(metric)
        target = f"{metric}<{limit:g}" if limit is not None else "informational"
        print(f"  {label:<38} {value:>9.1f} {base:>9.1f} {ratio:>7.2f}  {target}")
        lines.append(
            bench_line(
                "dashboard",
                metric,
                value,
                unit,
                baseline="empty_shell",
                ratio=ratio,
                target=target,
                ok=limit is None or value < limit,
            )
        )
    shell = statistics.median(empty.first)
    lines.append(
        bench_line(
            "dashboard",
            "shell_render_ms",
            shell,
            "ms",
            baseline="empty_shell",
            ratio=1.0,
            target="baseline",
            ok=True,
        )
    )
    print()
    for line in lines:
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--environments", type=int, default=1000)
    parser.add_argument("--loads", type=int, default=5, help="cold page loads per server")
    parser.add_argument(
        "--envdeck", help="the envdeck command to run (to compare another build), default ours"
    )
    args = parser.parse_args()
    if not (STATIC_DIR / "index.html").is_file():
        sys.exit("bench/dashboard.py: the UI is not built: run `make install`")
    if not Path(CHROMIUM).is_file():
        sys.exit(f"bench/dashboard.py: needs Chromium at {CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        sys.exit("bench/dashboard.py: needs Playwright for Python (pip install -e '.[dev]')")
    try:
        count, full, empty = run(args)
    # One line, not a traceback: `make bench` goes on to the next bench.
    except Exception as exc:
        first_line = (str(exc).splitlines() or [""])[0]
        sys.exit(f"bench/dashboard.py: {type(exc).__name__}: {first_line}")
    report(count, full, empty)


if __name__ == "__main__":
    main()
