"""Fixtures of the fuzz tier: one seeded world per role (docs/testing.md, "Fuzzing")."""

from collections.abc import Iterator

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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if STATS.statuses:
        terminalreporter.section("fuzzing")
        verbose = terminalreporter.config.get_verbosity() > 0
        for line in [*STATS.operation_lines(), *STATS.lines()] if verbose else STATS.lines():
            terminalreporter.write_line(line)
