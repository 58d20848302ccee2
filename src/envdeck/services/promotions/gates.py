"""What a pipeline's stages run now, and the gates a promotion into one stage must pass.

Everything here is worked out from a snapshot (`Board`: each stage's environments with when
they reached their version, the versions that passed each stage by a promotion, the
reservations holding the environments) and a moment, so it can be evaluated for the board, for
the gates endpoint and for a promotion alike. docs/promotions.md states the rules.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from envdeck.domain.base import format_utc
from envdeck.domain.environment import Environment, HealthState
from envdeck.domain.promotion import Gate, GateCheck, Pipeline, Stage, soaked_for
from envdeck.domain.reservation import CurrentAndNext, ReservationPolicy
from envdeck.durations import format_duration


@dataclass
class Member:
    """One environment of a stage, with when it reached the version it runs (by a succeeded
    upgrade or rollback to it; None when it merely reports it)."""

    env: Environment
    reached_at: datetime | None = None

    @property
    def version(self) -> str:
        return self.env.system_info.app_version

    @property
    def healthy(self) -> bool:
        return self.env.status.health is HealthState.HEALTHY

    @property
    def verified_since(self) -> datetime | None:
        """Since when it has run its version healthy (None: it is not healthy now)."""
        if not self.healthy or self.env.status.since is None:
            return None
        if self.reached_at is None:
            return self.env.status.since
        return max(self.env.status.since, self.reached_at)


@dataclass
class StageState:
    stage: Stage
    members: list[Member] = field(default_factory=list)
    # Environments also selected by another stage of the pipeline, by name.
    shared: list[str] = field(default_factory=list)

    @property
    def environments(self) -> list[Environment]:
        return [member.env for member in self.members]

    @property
    def common_version(self) -> str | None:
        """The version every environment reports, when they all report the same one."""
        versions = {member.version for member in self.members}
        if len(versions) != 1:
            return None
        (version,) = versions
        return version or None

    def verified_since(self, version: str) -> datetime | None:
        """When `version` became verified here (every environment runs it healthy), or None."""
        if not self.members or any(member.version != version for member in self.members):
            return None
        moments = [member.verified_since for member in self.members]
        if any(moment is None for moment in moments):
            return None
        return max(moment for moment in moments if moment is not None)

    def why_not_verified(self, version: str) -> str:
        name = self.stage.name
        if not self.members:
            return f"{name} has no environments"
        others = sorted(
            f"{m.env.name} runs {m.version or 'no known version'}"
            for m in self.members
            if m.version != version
        )
        if others:
            return f"{version} is not on every environment of {name}: " + ", ".join(others[:5])
        unhealthy = sorted(f"{m.env.name} is {m.env.status.health.value}" for m in self.members)
        unhealthy = [text for text in unhealthy if not text.endswith(" healthy")]
        return f"{name} runs {version} but " + ", ".join(unhealthy[:5])


@dataclass
class Board:
    """A pipeline's stages as they are now, and what the gates read besides."""

    pipeline: Pipeline
    stages: list[StageState]
    # (stage name, version) pairs that a succeeded promotion took there.
    promoted: set[tuple[str, str]] = field(default_factory=set)
    reservations: dict[str, CurrentAndNext] = field(default_factory=dict)


def _gate(name: str, passed: bool, message: str) -> Gate:
    return Gate(name=name, passed=passed, message=message)


def _hours(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds >= 3600:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def evaluate(
    board: Board,
    index: int,
    version: str | None,
    now: datetime,
    requester_id: str | None,
    listed: dict[str, str] | None = None,
) -> GateCheck:
    """Return the gates a promotion of `version` (None: the previous stage's) into stage
    `index` meets at `now`. `listed` maps environment names to why their version list refuses
    the version (None: the lists were not read)."""
    state = board.stages[index]
    gates = [_environments_gate(state)]
    previous = board.stages[index - 1] if index > 0 else None
    if version is None and previous is not None:
        version = previous.common_version
    gates.append(_version_gate(state, previous, version, listed))
    if previous is not None and version is not None:
        since = previous.verified_since(version)
        if since is None:
            gates.append(_gate("previousStage", False, previous.why_not_verified(version)))
        else:
            gates.append(
                _gate(
                    "previousStage",
                    True,
                    f"{version} verified on {previous.stage.name} since {format_utc(since)}",
                )
            )
        gates.append(_soak_gate(previous, since, version, now))
        gates.append(_lineage_gate(board, index, version))
    gates.append(_reservations_gate(state, board.reservations, requester_id))
    gates.append(_idle_gate(state))
    return GateCheck(version=version, passed=all(gate.passed for gate in gates), gates=gates)


def _environments_gate(state: StageState) -> Gate:
    name = state.stage.name
    if not state.members:
        return _gate("environments", False, f"{name} selects no environment")
    if state.shared:
        shared = ", ".join(state.shared[:5])
        return _gate("environments", False, f"in another stage of this pipeline too: {shared}")
    manual = [env.name for env in state.environments if not env.upgrade_config.enabled]
    if manual:
        return _gate("environments", False, f"no upgrade configured: {', '.join(manual[:5])}")
    count = len(state.members)
    return _gate("environments", True, f"{count} environment{'s' if count != 1 else ''}")


def _version_gate(
    state: StageState,
    previous: StageState | None,
    version: str | None,
    listed: dict[str, str] | None,
) -> Gate:
    if version is None:
        if previous is None:
            return _gate("version", False, f"{state.stage.name} is the first stage: give a version")
        versions = sorted({m.version or "unknown" for m in previous.members}) or ["nothing"]
        return _gate(
            "version",
            False,
            f"{previous.stage.name} runs no single version ({', '.join(versions[:5])}): give one",
        )
    if listed:
        refused = ", ".join(f"{name}: {why}" for name, why in sorted(listed.items())[:5])
        return _gate("version", False, f"{version} is refused by {refused}")
    checked = "" if listed is None else " (listed)"
    return _gate("version", True, f"{version}{checked}")


def _soak_gate(previous: StageState, since: datetime | None, version: str, now: datetime) -> Gate:
    soak = previous.stage.soak_time
    name = previous.stage.name
    if since is None:
        return _gate("soakTime", False, f"{version} is not verified on {name} yet")
    ran = soaked_for(since, now)
    message = f"{name} has run {version} healthy for {_hours(ran)} of {format_duration(soak)}"
    return _gate("soakTime", ran >= soak, message)


def _lineage_gate(board: Board, index: int, version: str) -> Gate:
    skipped = [
        state.stage.name
        for state in board.stages[: index - 1]
        if (state.stage.name, version) not in board.promoted
        and state.verified_since(version) is None
    ]
    if skipped:
        return _gate("lineage", False, f"{version} never passed {', '.join(skipped)}")
    passed = [state.stage.name for state in board.stages[:index]]
    return _gate("lineage", True, f"{version} passed {' → '.join(passed)}")


def _reservations_gate(
    state: StageState, reservations: dict[str, CurrentAndNext], requester_id: str | None
) -> Gate:
    held = []
    for env in state.environments:
        current = reservations.get(env.id, CurrentAndNext()).current
        if env.reservation_policy is not ReservationPolicy.EXCLUSIVE or current is None:
            continue
        if current.holder.user_id != requester_id:
            held.append(
                f"{env.name} is reserved by {current.holder.username} until"
                f" {format_utc(current.end)}"
            )
    if held:
        return _gate("reservations", False, "; ".join(held[:5]))
    return _gate("reservations", True, "no exclusive reservation in the way")


def _idle_gate(state: StageState) -> Gate:
    busy = [
        f"{env.name} ({env.active_operation.type.value})"
        for env in state.environments
        if env.active_operation is not None
    ]
    if busy:
        return _gate("idle", False, f"operations run on {', '.join(busy[:5])}")
    return _gate("idle", True, "no operation runs on the stage")
