"""Health checks shared out over three instances, and taken over when one is killed (issue 17).

Three `envdeck serve` on one MongoDB check 300 fleet environments every 10 s. The fleet sees
every request, so it tells whether each environment was checked once per interval by one
instance at a time. Then one instance is killed with SIGKILL while it runs an operation: its
environments must be checked again within two lease periods, and its operation (only it) must
become `interrupted` with an activity-log entry.

No figure is timed by the test itself: the fleet's record of request times is read after
generous waits, and states are polled for until deadlines.
"""

import time
from typing import Any

import pytest

from tests.support.cluster import Cluster, ClusterConfig, Instance, wait_for

pytestmark = pytest.mark.cluster

CLUSTER = ClusterConfig(
    instances=3,
    environments=300,
    # Teardown must not wait for the survivor's long operation.
    environ={"ENVDECK_SERVER__SHUTDOWN_TIMEOUT": "3s"},
)
INTERVAL = CLUSTER.interval
LEASE = CLUSTER.lease
# Room for a loaded 2-core machine on top of interval + 2 leases: a check's own time, the
# health flush, a scheduler tick, SecantusDB's latency.
SLACK = 5.0
# How long an edit may take to reach every instance (a change stream, under load).
FOLLOW = 3.0
WINDOW_INTERVALS = 3
DEADLINE = 60.0
# Environments an earlier test changed (a check switched off for a while): their gaps are not
# the kill's doing.
TOUCHED: set[str] = set()


def settled(cluster: Cluster) -> float:
    """Wait until every environment has been checked at least twice (its first check after
    creation and one on schedule); return the wall-clock time from which to measure."""

    def every_one_checked() -> float | None:
        checks = cluster.checks()
        return time.time() if all(c["requests"] >= 2 for c in checks.values()) else None

    return wait_for(
        "every environment checked twice", every_one_checked, INTERVAL * 2 + LEASE * 2 + DEADLINE
    )


def worst(check: dict[str, Any]) -> float:
    """The longest an environment waited between checks, counting the wait still open."""
    return max(check["maxGap"] or 0.0, check["sinceLast"] or 0.0)


def describe(checks: dict[str, dict[str, Any]], names: list[str]) -> str:
    return "; ".join(
        f"{n}: {checks[n]['requests']} requests, {checks[n]['overlaps']} overlaps,"
        f" longest wait {worst(checks[n]):.1f} s"
        + (f", gaps {[round(g, 1) for g in checks[n]['gaps']]}" if "gaps" in checks[n] else "")
        for n in names[:10]
    )


def health_checks(instance: Instance) -> float:
    return instance.metric("envdeck_health_checks_total")


def test_every_environment_is_checked_once_per_interval_by_one_instance_at_a_time(
    cluster: Cluster,
) -> None:
    since = settled(cluster)
    before = {i.name: health_checks(i) for i in cluster.live}
    time.sleep(INTERVAL * WINDOW_INTERVALS)
    checks = cluster.checks(since, gaps=True)
    done = {i.name: health_checks(i) - before[i.name] for i in cluster.live}

    overlapping = [n for n, c in checks.items() if c["overlaps"]]
    assert not overlapping, f"checked by two at once: {describe(checks, overlapping)}"
    # Over three intervals each environment is due three times; the window's edges may add or
    # take one. Two checks close together (half an interval) are a duplicate, overlap or not.
    expected = range(WINDOW_INTERVALS - 1, WINDOW_INTERVALS + 2)
    off_rate = [n for n, c in checks.items() if c["requests"] not in expected]
    assert not off_rate, f"not checked once per interval: {describe(checks, off_rate)}"
    doubled = [n for n, c in checks.items() if c["gaps"] and min(c["gaps"]) < INTERVAL / 2]
    assert not doubled, f"checked twice within half an interval: {describe(checks, doubled)}"
    # Every instance takes a share of the work.
    assert all(count > 0 for count in done.values()), f"checks per instance: {done}"


def test_deleted_and_disabled_environments_are_dropped_by_every_instance(
    cluster: Cluster,
) -> None:
    a, b, c = cluster.live[:3]
    names = list(cluster.environments)
    # One created through each instance and one found at start, edited through another.
    deleted, disabled = names[len(names) // 2 + 1], names[1]
    deleted_id, disabled_id = cluster.environments[deleted], cluster.environments[disabled]

    assert cluster.api(b).delete(f"/environments/{deleted_id}").status_code == 204
    patch = {"healthCheck": {"enabled": False}}
    response = cluster.api(c).patch(f"/environments/{disabled_id}", json=patch)
    assert response.status_code == 200, response.text
    changed_at = time.time()
    del cluster.environments[deleted]
    TOUCHED.add(disabled)

    # An instance that did not follow would check them again within an interval. A check that
    # began just before the change may still be answered; none may begin after it has spread.
    time.sleep(INTERVAL + FOLLOW + 1)
    after = cluster.fleet.checks(changed_at + FOLLOW)["environments"]
    assert after[deleted]["requests"] == 0, after[deleted]
    assert after[disabled]["requests"] == 0, after[disabled]

    patch = {"healthCheck": {"enabled": True}}
    response = cluster.api(a).patch(f"/environments/{disabled_id}", json=patch)
    assert response.status_code == 200, response.text
    enabled_at = time.time()
    wait_for(
        f"{disabled} checked again once enabled",
        lambda: cluster.checks(enabled_at)[disabled]["requests"] > 0 or None,
        INTERVAL + 2 * LEASE + DEADLINE,
    )


def test_a_killed_instance_s_checks_are_taken_over_and_only_its_operation_interrupted(
    cluster: Cluster,
) -> None:
    survivor, other, doomed = cluster.live[:3]
    names = list(cluster.environments)
    doomed_env, survivor_env = names[-1], names[-2]
    # Restarts that stay in verification: health answers 503 "restarting" for ten minutes.
    for name in (doomed_env, survivor_env):
        cluster.fleet.configure(name, restartDownSeconds=600)
    doomed_op = start_restart(cluster, doomed, doomed_env)
    survivor_op = start_restart(cluster, survivor, survivor_env)
    for instance, op in ((doomed, doomed_op), (survivor, survivor_op)):
        cluster.wait_for_operation(instance, op, "running", DEADLINE)
    assert health_checks(doomed) > 0, "the instance to kill checked nothing: nothing to take over"

    killed_at = cluster.kill(doomed)

    interrupted = cluster.wait_for_operation(
        survivor, doomed_op, "interrupted", CLUSTER.ttl + 2 * LEASE + DEADLINE
    )
    doomed_id = cluster.environments[doomed_env]
    assert interrupted["environmentId"] == doomed_id

    def entries_of_interruption() -> list[dict[str, Any]] | None:
        entries = cluster.log_entries(other, environmentId=doomed_id, action="restart")
        found = [e for e in entries if (e.get("details") or {}).get("status") == "interrupted"]
        return found or None

    entries = wait_for("an activity-log entry of the interruption", entries_of_interruption, 30)
    assert len(entries) == 1, entries
    # Its environment is free again.
    environment = cluster.api(other).get(f"/environments/{doomed_id}")
    assert environment.json().get("activeOperation") is None, environment.text

    # The survivor's operation runs on; nothing else was interrupted.
    assert cluster.operation(other, survivor_op)["status"] == "running"
    interrupted_ops = cluster.operations(other, status="interrupted")
    assert [op["id"] for op in interrupted_ops] == [doomed_op]

    # Every environment checked again within two leases of the kill: measured from one interval
    # before it, once the bound has passed (a wait still open counts).
    bound = INTERVAL + 2 * LEASE + SLACK
    time.sleep(max(0.0, killed_at + bound + 1 - time.time()))
    checks = cluster.checks(killed_at - INTERVAL, gaps=True)
    left_out = {doomed_env, survivor_env} | TOUCHED
    watched = {n: c for n, c in checks.items() if n not in left_out}
    late = sorted((n for n, c in watched.items() if worst(c) > bound), key=names.index)
    first = min(c["first"] or killed_at for c in (watched[n] for n in late)) if late else 0
    assert not late, (
        f"{len(late)} waited longer than {bound:.0f} s after the kill (the window's first"
        f" request {first - killed_at:+.1f} s from it): {describe(watched, late)}"
    )
    overlapping = [n for n, c in watched.items() if c["overlaps"]]
    assert not overlapping, f"checked by two at once: {describe(watched, overlapping)}"

    cancelled = cluster.api(survivor).post(f"/operations/{survivor_op}/cancel")
    assert cancelled.status_code == 202, cancelled.text


def start_restart(cluster: Cluster, instance: Instance, name: str) -> str:
    response = cluster.api(instance).post(f"/environments/{cluster.environments[name]}/restart")
    assert response.status_code == 202, response.text
    return str(response.json()["operationId"])
