"""The cluster tier: real `envdeck serve` processes sharing one MongoDB (issue 17).

Each test module gets one cluster (`cluster`, module-scoped: it starts once and its tests share
it), shaped by the module's `CLUSTER = ClusterConfig(...)` if it has one. Run the tier with

    pytest tests/cluster -n 2 --dist loadfile

(`--dist loadfile` keeps a module, and so its cluster, on one worker). When a test fails, the
end of every instance's output is attached to the report. The SQLite side of the issue (a
second `envdeck serve` on one data dir is refused, naming the holder) is
tests/integration/test_serve_lock.py.
"""

from collections.abc import Generator, Iterator

import pytest

from tests.support.cluster import Cluster, ClusterConfig, start_cluster


@pytest.fixture(scope="module")
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    config: ClusterConfig = getattr(request.module, "CLUSTER", ClusterConfig())
    with start_cluster(tmp_path_factory.mktemp("cluster"), config) as running:
        yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and "cluster" in getattr(item, "funcargs", {}):
        running: Cluster = item.funcargs["cluster"]  # type: ignore[attr-defined]
        report.sections.append(("instances' output", running.logs_of_instances()))
    return report
