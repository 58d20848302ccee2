"""The fleet's per-environment record of health requests, which the cluster tests read."""

from envdeck.demo.fleet import Target, target_checks


def target(*started: float, overlapped: tuple[float, ...] = ()) -> Target:
    t = Target("env", "healthy", "2.3.0", ["2.3.0"])
    t.started.extend(started)
    t.overlapped.extend(overlapped)
    t.requests = len(started)
    return t


def test_it_counts_the_requests_of_the_window_and_the_gap_reaching_into_it() -> None:
    seen = target(100.0, 110.0, 125.0, 135.0, overlapped=(135.0,))

    summary = target_checks(seen, since=120.0, now=140.0, with_gaps=True)

    assert summary["requests"] == 2
    assert summary["overlaps"] == 1
    assert summary["first"] == 125.0
    assert summary["last"] == 135.0
    assert summary["gaps"] == [15.0, 10.0]  # 110 -> 125 began before the window
    assert summary["maxGap"] == 15.0
    assert summary["sinceLast"] == 5.0
    assert summary["complete"] is True


def test_it_shows_the_wait_of_an_environment_no_longer_checked() -> None:
    summary = target_checks(target(100.0, 110.0), since=120.0, now=150.0)

    assert summary["requests"] == 0
    assert summary["first"] is None
    assert summary["maxGap"] is None
    assert summary["sinceLast"] == 40.0
    assert "gaps" not in summary


def test_a_window_older_than_what_is_kept_is_incomplete() -> None:
    seen = target(100.0, 110.0)
    seen.requests = 100  # 98 earlier requests were no longer kept

    assert target_checks(seen, since=0.0, now=120.0)["complete"] is False
    assert target_checks(seen, since=105.0, now=120.0)["complete"] is True
