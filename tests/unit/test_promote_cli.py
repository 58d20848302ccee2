"""What `envdeck promote --wait` prints as a promotion changes: one line per change, never a
change backwards (the command itself runs against a live server in tests/integration)."""

from typing import Any

from envdeck.cli_promote import FAILED, is_older, outcome, progress, target_line
from envdeck.cli_watch import websocket_url


def target(name: str, status: str = "pending", **fields: Any) -> dict[str, Any]:
    return {
        "environmentId": f"id-{name}",
        "environmentName": name,
        "fromVersion": "2.4.1",
        "status": status,
        "operationId": None,
        "rollbackOperationId": None,
        "message": "",
    } | fields


def promotion(status: str = "running", *targets: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": "65a1b2c3d4e5f60718293a4b",
        "pipelineName": "shop",
        "stage": "prod",
        "version": "2.5.0",
        "status": status,
        "requestedBy": {"userId": "u1", "username": "release-bot"},
        "approvalsRequired": 0,
        "approvals": [],
        "rejection": None,
        "targets": list(targets),
        "message": "",
    } | fields


def test_the_first_sight_names_the_promotion_its_status_and_every_environment() -> None:
    first = promotion("running", target("prod-eu"), target("prod-us"))
    assert progress(None, first) == [
        "promotion 65a1b2c3d4e5f60718293a4b: 2.5.0 into shop/prod, requested by release-bot",
        "promotion running",
        "prod-eu: pending: 2.4.1 → 2.5.0",
        "prod-us: pending: 2.4.1 → 2.5.0",
    ]


def test_only_what_changed_is_printed() -> None:
    before = promotion("running", target("prod-eu"), target("prod-us"))
    after = promotion("running", target("prod-eu", "running", operationId="op1"), target("prod-us"))
    assert progress(before, after) == ["prod-eu: running (operation op1): upgrading 2.4.1 → 2.5.0"]
    assert progress(after, after) == []


def test_the_end_comes_after_the_last_environment() -> None:
    before = promotion("running", target("prod-eu", "running", operationId="op1"))
    after = promotion(
        "succeeded",
        target("prod-eu", "succeeded", operationId="op1", message="upgraded to 2.5.0"),
        message="2.5.0 is on prod (1 upgraded)",
    )
    assert progress(before, after) == [
        "prod-eu: succeeded (operation op1): upgraded to 2.5.0",
        "promotion succeeded: 2.5.0 is on prod (1 upgraded)",
    ]


def test_an_approval_awaited_says_by_whom_then_the_approval_comes_before_the_run() -> None:
    waiting = promotion("awaiting_approval", target("prod-eu"), approvalsRequired=1)
    assert progress(None, waiting)[1] == (
        "promotion awaiting approval: 1 more from an admin other than release-bot"
        " (POST /api/v1/promotions/65a1b2c3d4e5f60718293a4b/approve, or the Pipelines page)"
    )
    approved = promotion(
        "running",
        target("prod-eu", "running", operationId="op1"),
        approvalsRequired=1,
        approvals=[{"userId": "u2", "username": "ada", "at": "…", "selfApproved": False}],
    )
    assert progress(waiting, approved) == [
        "approved by ada",
        "promotion running",
        "prod-eu: running (operation op1): upgrading 2.4.1 → 2.5.0",
    ]


def test_a_rejection_names_who_and_why() -> None:
    waiting = promotion("awaiting_approval", target("prod-eu"), approvalsRequired=1)
    rejected = promotion(
        "rejected",
        target("prod-eu", "skipped"),
        rejection={"userId": "u2", "username": "ada", "at": "…", "reason": "freeze\nuntil Monday"},
    )
    assert progress(waiting, rejected) == [
        "rejected by ada: freeze until Monday",
        "prod-eu: skipped",
        "promotion rejected",
    ]


def test_a_failed_environment_shows_its_operation_and_error() -> None:
    failed = target(
        "prod-us", "failed", operationId="op2", message="upgrade failed: still reports 2.4.1"
    )
    assert target_line(failed, "2.5.0") == (
        "prod-us: failed (operation op2): upgrade failed: still reports 2.4.1"
    )


def test_the_roll_back_of_an_environment_names_its_operation() -> None:
    upgraded = target("prod-eu", "succeeded", operationId="op1")
    rolling = upgraded | {"status": "rolling_back", "rollbackOperationId": "op3"}
    assert progress(promotion("running", upgraded), promotion("running", rolling)) == [
        "prod-eu: rolling back (operation op1, rollback operation op3): rolling back to 2.4.1"
    ]
    back = rolling | {"status": "rolled_back"}
    assert target_line(back, "2.5.0") == (
        "prod-eu: rolled back (operation op1, rollback operation op3): back on 2.4.1"
    )
    stuck = rolling | {"status": "succeeded", "message": "rollback failed: down"}
    assert target_line(stuck, "2.5.0") == (
        "prod-eu: succeeded (operation op1, rollback operation op3): rollback failed: down"
    )
    assert not is_older(promotion("failed", stuck), promotion("running", rolling))
    assert is_older(promotion("running", upgraded), promotion("running", rolling))


def test_a_state_read_before_the_last_one_is_older() -> None:
    running = promotion("running", target("prod-eu", "running", operationId="op1"))
    done = promotion("running", target("prod-eu", "succeeded", operationId="op1"))
    assert is_older(running, done)
    assert not is_older(done, running)
    assert is_older(promotion("awaiting_approval"), promotion("running"))
    assert not is_older(done, done)


def test_the_websocket_is_found_under_the_servers_url() -> None:
    assert websocket_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/ws"
    assert websocket_url("https://ops.example.com/envdeck/") == "wss://ops.example.com/envdeck/ws"


def test_a_promotion_that_did_not_succeed_is_exit_3_saying_why() -> None:
    no_server: Any = None  # read only for a failed environment without a message
    rejection = {"userId": "u2", "username": "ada", "at": "…", "reason": "freeze"}
    rejected = outcome(no_server, promotion("rejected", rejection=rejection))
    assert rejected.exit_code == FAILED
    assert rejected.message == "the promotion of 2.5.0 into shop/prod was rejected by ada: freeze"

    cancelled = outcome(no_server, promotion("cancelled", message="cancelled by olive"))
    assert cancelled.message == (
        "the promotion of 2.5.0 into shop/prod was cancelled: cancelled by olive"
    )
    interrupted = promotion("failed", message="interrupted: the instance running it stopped")
    assert outcome(no_server, interrupted).message == (
        "the promotion of 2.5.0 into shop/prod failed: interrupted: the instance running it stopped"
    )

    failed = promotion(
        "failed",
        target("prod-eu", "rolled_back", operationId="op1", rollbackOperationId="op3"),
        target("prod-us", "failed", operationId="op2", message="upgrade failed: down"),
    )
    assert outcome(no_server, failed).message == (
        "the promotion of 2.5.0 into shop/prod failed: prod-us (operation op2): "
        "upgrade failed: down"
    )
