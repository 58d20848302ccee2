"""The promotion gates on a snapshot and an injected clock: soak time, lineage, reservations,
shared environments, versions."""

from datetime import UTC, datetime, timedelta
from typing import Any

from envdeck.domain.environment import ActiveOperation, Environment
from envdeck.domain.ids import new_id
from envdeck.domain.operation import OperationType
from envdeck.domain.promotion import Pipeline, Stage
from envdeck.domain.reservation import CurrentAndNext, Holder, Reservation, ReservationPolicy
from envdeck.services.promotions.gates import Board, Member, StageState, evaluate

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
OLIVE = Holder(user_id=new_id(), username="olive")


def env(
    name: str, version: str, *, healthy_since: datetime | None = T0, **fields: Any
) -> Environment:
    health = "healthy" if healthy_since is not None else "unhealthy"
    return Environment.model_validate(
        {
            "id": new_id(),
            "name": name,
            "upgradeConfig": {"enabled": True, "upgradeCommand": {"command": "deploy {VERSION}"}},
            "status": {"health": health, "since": healthy_since or T0},
            "systemInfo": {"appVersion": version},
        }
        | fields
    )


def board(*stages: tuple[str, list[Member]], soak: timedelta = timedelta(hours=24)) -> Board:
    pipeline = Pipeline(
        name="shop",
        stages=[Stage(name=name, tags=[name], soak_time=soak) for name, _ in stages],
    )
    states = [
        StageState(stage, members)
        for stage, (_, members) in zip(pipeline.stages, stages, strict=True)
    ]
    return Board(pipeline, states)


def gates(b: Board, index: int, version: str | None, now: datetime) -> dict[str, Any]:
    check = evaluate(b, index, version, now, OLIVE.user_id)
    return {"passed": check.passed, "promoting": check.version} | {
        g.name: (g.passed, g.message) for g in check.gates
    }


def test_a_version_is_refused_until_it_soaked_on_the_previous_stage() -> None:
    reached = T0 + timedelta(hours=1)
    b = board(
        ("staging", [Member(env("staging-1", "2.5.0"), reached_at=reached)]),
        ("prod", [Member(env("prod-1", "2.4.0"))]),
    )

    early = gates(b, 1, None, reached + timedelta(hours=2))
    ripe = gates(b, 1, None, reached + timedelta(hours=24))

    assert early["promoting"] == "2.5.0"
    assert early["soakTime"] == (False, "staging has run 2.5.0 healthy for 2h00m of 1d")
    assert not early["passed"]
    assert ripe["soakTime"][0]
    assert ripe["passed"]


def test_soak_counts_from_the_later_of_the_upgrade_and_the_last_recovery() -> None:
    recovered = T0 + timedelta(hours=10)
    b = board(
        ("staging", [Member(env("s-1", "2.5.0", healthy_since=recovered), reached_at=T0)]),
        ("prod", [Member(env("p-1", "2.4.0"))]),
    )

    assert not gates(b, 1, None, T0 + timedelta(hours=25))["soakTime"][0]
    assert gates(b, 1, None, recovered + timedelta(hours=24))["soakTime"][0]


def test_an_unhealthy_or_mixed_previous_stage_is_not_verified() -> None:
    now = T0 + timedelta(days=3)
    mixed = board(
        ("qa", [Member(env("qa-1", "2.5.0")), Member(env("qa-2", "2.4.0"))]),
        ("prod", [Member(env("p-1", "2.4.0"))]),
    )
    sick = board(
        ("qa", [Member(env("qa-1", "2.5.0", healthy_since=None))]),
        ("prod", [Member(env("p-1", "2.4.0"))]),
    )

    assert gates(mixed, 1, None, now)["promoting"] is None
    assert gates(mixed, 1, "2.5.0", now)["previousStage"] == (
        False,
        "2.5.0 is not on every environment of qa: qa-2 runs 2.4.0",
    )
    assert gates(sick, 1, "2.5.0", now)["previousStage"] == (
        False,
        "qa runs 2.5.0 but qa-1 is unhealthy",
    )


def test_a_version_must_have_passed_every_earlier_stage() -> None:
    now = T0 + timedelta(days=3)
    b = board(
        ("dev", [Member(env("dev-1", "2.6.0"))]),
        ("qa", [Member(env("qa-1", "2.6.0"))]),
        ("staging", [Member(env("st-1", "2.5.1"))]),
        ("prod", [Member(env("p-1", "2.4.0"))]),
    )

    assert gates(b, 3, None, now)["lineage"] == (False, "2.5.1 never passed dev, qa")
    b.promoted = {("dev", "2.5.1"), ("qa", "2.5.1")}
    assert gates(b, 3, None, now)["lineage"] == (True, "2.5.1 passed dev → qa → staging")
    assert gates(b, 3, None, now)["passed"]


def test_the_first_stage_needs_a_version_and_no_soak() -> None:
    b = board(("dev", [Member(env("dev-1", "2.4.0"))]))

    assert gates(b, 0, None, T0)["version"] == (False, "dev is the first stage: give a version")
    assert gates(b, 0, None, T0)["passed"] is False
    assert gates(b, 0, "2.5.0", T0)["passed"] is True
    assert "soakTime" not in gates(b, 0, "2.5.0", T0)


def test_an_exclusive_reservation_by_someone_else_blocks_the_stage() -> None:
    prod = env("p-1", "2.4.0", reservationPolicy=ReservationPolicy.EXCLUSIVE)
    b = board(("prod", [Member(prod)]))
    holder = Holder(user_id=new_id(), username="bob")
    held = Reservation(
        id=new_id(),
        environment_id=prod.id,
        environment_name="p-1",
        holder=holder,
        purpose="load test",
        start=T0,
        end=T0 + timedelta(hours=2),
    )
    b.reservations = {prod.id: CurrentAndNext(current=held)}

    refused = gates(b, 0, "2.5.0", T0)
    assert refused["reservations"] == (
        False,
        "p-1 is reserved by bob until 2026-06-01T14:00:00.000Z",
    )
    b.reservations = {prod.id: CurrentAndNext(current=held.model_copy(update={"holder": OLIVE}))}
    assert gates(b, 0, "2.5.0", T0)["reservations"][0]


def test_a_busy_shared_or_manual_stage_is_refused() -> None:
    busy = env("p-1", "2.4.0")
    busy.active_operation = ActiveOperation(id=new_id(), type=OperationType.RESTART, started_at=T0)
    manual = env("p-2", "2.4.0", upgradeConfig={"enabled": False})

    b = board(("prod", [Member(busy), Member(manual)]))
    assert gates(b, 0, "2.5.0", T0)["idle"] == (False, "operations run on p-1 (restart)")
    assert gates(b, 0, "2.5.0", T0)["environments"] == (False, "no upgrade configured: p-2")
    b.stages[0].shared = ["p-1"]
    assert gates(b, 0, "2.5.0", T0)["environments"] == (
        False,
        "in another stage of this pipeline too: p-1",
    )
    assert gates(board(("empty", [])), 0, "2.5.0", T0)["environments"] == (
        False,
        "empty selects no environment",
    )
