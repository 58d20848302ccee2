"""One notification per transition from three instances on one MongoDB, across a kill -9.

A webhook receiver on loopback (an Apprise `json://` channel) counts what the cluster sends
while fleet environments go down and come back. Whichever instance checks an environment,
and however often it is checked while down, each transition is announced exactly once: also
when the instance that was checking is killed in the middle of a round of transitions, and a
new instance (which has announced nothing itself) joins.

Exactly once has one exception, which the outbox documents: a message the killed instance was
sending at the moment of the kill (received, not yet marked sent) is sent again by a survivor.
A repeat is allowed only for a message whose first copy arrived within `IN_FLIGHT` of the kill.

"Nothing more" is checked after waiting a further interval and a lease (two, and some, after
the kill), long enough for every environment to be checked again by whichever instance holds
it.
"""

import re
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.support.cluster import Cluster, ClusterConfig, wait_for
from tests.support.receiver import Receiver

pytestmark = pytest.mark.cluster

CLUSTER = ClusterConfig(
    instances=3, environments=60, environ={"ENVDECK_SERVER__SHUTDOWN_TIMEOUT": "3s"}
)
INTERVAL = CLUSTER.interval
LEASE = CLUSTER.lease
PATH = "/cluster-alerts"
TITLE = re.compile(r"^\[Envdeck\] (\S+) (is unhealthy|recovered)$")
# Long enough for each environment to be decided (a check, the flush, a delivery) once more;
# after a kill, also for the killed instance's shards to be taken over.
SETTLE = INTERVAL + LEASE + 2
SETTLE_AFTER_KILL = INTERVAL + 2 * LEASE + 5
DEADLINE = 60.0
# A message received this shortly before the kill may have been in flight when it came.
IN_FLIGHT = 1.0


@pytest.fixture(scope="module")
def receiver(cluster: Cluster) -> Iterator[Receiver]:
    server = Receiver().start()
    body = {
        "name": "cluster webhook",
        "url": server.apprise_url(PATH),
        "events": ["environment.unhealthy", "environment.recovered"],
        "scope": {"kind": "all"},
    }
    created = cluster.api(cluster.instances[0]).post("/notifications/channels", json=body)
    assert created.status_code == 201, created.text
    yield server
    server.stop()


def announced(receiver: Receiver, names: list[str], what: str) -> Counter[str]:
    """Count the messages saying `what` ("is unhealthy" or "recovered") about these names."""
    counts: Counter[str] = Counter()
    for message in receiver.messages:
        match = TITLE.match(message.title)
        if message.path == PATH and match and match.group(2) == what and match.group(1) in names:
            counts[match.group(1)] += 1
    return counts


def wait_for_each(receiver: Receiver, names: list[str], what: str, seconds: float) -> None:
    """Wait until each name has had at least one `what` message."""
    wait_for(
        f"'{what}' for each of {len(names)} environments",
        lambda: len(announced(receiver, names, what)) == len(names) or None,
        seconds,
        every=0.5,
    )


def first_received(receiver: Receiver, name: str, what: str) -> float:
    return min(
        m.received_at
        for m in receiver.messages
        if m.path == PATH and m.title == f"[Envdeck] {name} {what}"
    )


def in_flight(received_at: float, killed_at: float | None) -> bool:
    return killed_at is not None and killed_at - IN_FLIGHT <= received_at <= killed_at


def assert_once_each(
    receiver: Receiver, names: list[str], what: str, killed_at: float | None = None
) -> None:
    """Each name announced once; twice only if the first copy was in flight at `killed_at`."""
    counts = announced(receiver, names, what)
    missing = [name for name in names if counts[name] == 0]
    doubled = {
        name: n
        for name, n in counts.items()
        if n > 1 and not (n == 2 and in_flight(first_received(receiver, name, what), killed_at))
    }
    assert not missing, f"'{what}' never sent for {missing}"
    assert not doubled, f"'{what}' sent more than once: {doubled}"


def go(cluster: Cluster, names: list[str], behaviour: str) -> None:
    for name in names:
        cluster.fleet.set_behaviour(name, behaviour)


def test_each_transition_is_announced_once_whichever_instance_checks(
    cluster: Cluster, receiver: Receiver
) -> None:
    names = list(cluster.environments)[:9]

    go(cluster, names, "down")
    wait_for_each(receiver, names, "is unhealthy", INTERVAL + 2 * LEASE + DEADLINE)
    time.sleep(SETTLE)  # each checked again, still down: nothing new to say
    assert_once_each(receiver, names, "is unhealthy")

    go(cluster, names, "healthy")
    wait_for_each(receiver, names, "recovered", INTERVAL + 2 * LEASE + DEADLINE)
    time.sleep(SETTLE)
    assert_once_each(receiver, names, "recovered")
    assert_once_each(receiver, names, "is unhealthy")


def test_a_kill_in_the_middle_of_transitions_neither_loses_nor_repeats_one(
    cluster: Cluster, receiver: Receiver
) -> None:
    names = list(cluster.environments)[10:31]
    doomed = cluster.live[-1]

    go(cluster, names, "down")
    # Half an interval in, the doomed instance has decided about some of its share only.
    time.sleep(INTERVAL / 2)
    killed_at = cluster.kill(doomed)
    joined = cluster.start_instance()  # a newcomer, which has announced nothing itself
    wait_for_each(receiver, names, "is unhealthy", CLUSTER.ttl + INTERVAL + 2 * LEASE + DEADLINE)
    time.sleep(SETTLE_AFTER_KILL)
    assert_once_each(receiver, names, "is unhealthy", killed_at)

    go(cluster, names, "healthy")
    wait_for_each(receiver, names, "recovered", INTERVAL + 2 * LEASE + DEADLINE)
    time.sleep(SETTLE)
    assert_once_each(receiver, names, "recovered")
    assert_once_each(receiver, names, "is unhealthy", killed_at)
    assert joined.running
