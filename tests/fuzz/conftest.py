"""Fixtures of the fuzz tier: one seeded world per role (docs/testing.md, "Fuzzing")."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fuzz.sandbox import Refusals, loopback_only
from tests.fuzz.schema import KNOWN_IDS, openapi_document
from tests.fuzz.stats import STATS
from tests.fuzz.world import World, running_world


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Refusals]:
    """No socket of this process leaves the machine while the module's servers run."""
    with loopback_only() as refusals:
        yield refusals
    STATS.refused_lookups += refusals.lookups
    STATS.refused_connects += refusals.connects


@pytest.fixture(scope="module", params=["admin", "viewer"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sandbox: Refusals
) -> Iterator[World]:
    """A fresh app per role, seeded, signed in as that role's principal."""
    role: str = request.param
    with running_world(tmp_path_factory.mktemp(f"fuzz-{role}"), role) as world:
        # The cases come from the document this very server serves.
        served = httpx.get(world.openapi_url, timeout=30).json()
        assert served == openapi_document(), "the served OpenAPI differs from the fuzzed one"
        yield world
        KNOWN_IDS.clear()


# Upstream-failure lines are printed without -v too while there are at most this many.
SHORT = 12


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker, hand the stats to the controller (plain JSON-able data)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and STATS.statuses:
        workeroutput["fuzz_stats"] = STATS.as_data()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: without the plugin it is never called
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the xdist controller, add a finished worker's stats to this process's."""
    data = getattr(node, "workeroutput", {}).get("fuzz_stats")
    if data is not None:
        STATS.merge(data)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS.statuses:
        return
    terminalreporter.section("fuzzing")
    verbose = terminalreporter.config.get_verbosity() > 0
    for line in [*STATS.operation_lines(), *STATS.lines()] if verbose else STATS.lines():
        terminalreporter.write_line(line)
    upstream = STATS.upstream_failure_lines()
    if upstream and (verbose or len(upstream) <= SHORT):
        terminalreporter.write_line("answered 502 (a target failed) or 503 (storage did not):")
        for line in upstream:
            terminalreporter.write_line(f"  {line}")
    elif upstream:
        terminalreporter.write_line(
            f"{len(upstream)} operations answered 502 or 503 (-v lists them)"
        )
