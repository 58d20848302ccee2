"""Pipelines and promotions: define the road, read the board, promote, approve, cancel.

A promotion is accepted only when its gates pass (gates.py), evaluated on a fresh snapshot of
the pipeline's environments; storage keeps one promotion per pipeline stage open. A promotion
that needs no approval starts at once; one that does waits for another admin, whose approval
evaluates the gates again and starts it. The runs are tasks of this process (runner.py); a
promotion left running by a process that stopped is closed as failed at the next start-up.
"""

import asyncio
import builtins
from collections.abc import Callable
from datetime import datetime

import structlog

from envdeck.adapters.events import EventBus, PromotionUpdated
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.config import PromotionsSettings
from envdeck.domain.auth import Principal
from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.domain.errors import (
    Conflict,
    EnvdeckError,
    Forbidden,
    ShuttingDown,
    ValidationFailed,
)
from envdeck.domain.log import LogLevel, LogType
from envdeck.domain.operation import OperationListOptions, OperationStatus, OperationType
from envdeck.domain.promotion import (
    Approval,
    GateCheck,
    GateNotMet,
    Person,
    Pipeline,
    PipelineListOptions,
    Promotion,
    PromotionListOptions,
    PromotionOpen,
    PromotionStatus,
    Rejection,
    Target,
    TargetStatus,
)
from envdeck.domain.user import Role
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.operations.service import OperationService
from envdeck.services.operations.templates import validate_version
from envdeck.services.operations.version_lists import VersionLists
from envdeck.services.promotions.gates import Board, Member, StageState, evaluate
from envdeck.services.promotions.notices import PromotionNotices
from envdeck.services.promotions.runner import PromotionRun

log = structlog.get_logger(__name__)

# Environments read per page while building a board.
_PAGE = 200
# How many succeeded operations back an environment's arrival at its version is looked for.
_HISTORY = 10


def person_of(actor: Principal) -> Person:
    return Person(user_id=actor.user_id, username=actor.username)


class PromotionService:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        operations: OperationService,
        version_lists: VersionLists,
        activity: ActivityLog,
        bus: EventBus,
        clock: Callable[[], datetime],
        settings: PromotionsSettings,
        notices: PromotionNotices,
        *,
        instance_id: str | None = None,
        poll_interval: float | None = None,
    ) -> None:
        self._storage = storage
        self._operations = operations
        self._version_lists = version_lists
        self._activity = activity
        self._bus = bus
        self._clock = clock
        self._settings = settings
        self._notices = notices
        self._instance_id = instance_id
        self._poll_interval = poll_interval
        self._runs: dict[str, asyncio.Task[None]] = {}
        self._stopping = False

    def now(self) -> datetime:
        return self._clock()

    # ---- pipelines ------------------------------------------------------------------------

    async def list_pipelines(self, options: PipelineListOptions) -> tuple[list[Pipeline], int]:
        return await self._storage.pipelines.list(options)

    async def get_pipeline(self, pipeline_id: str) -> Pipeline:
        return await self._storage.pipelines.get_by_id(pipeline_id)

    async def create_pipeline(self, actor: Principal, pipeline: Pipeline) -> Pipeline:
        _require_admin(actor, "create pipelines")
        await self._refuse_shared(pipeline)
        created = await self._storage.pipelines.create(pipeline.model_copy(update={"id": ""}))
        self._record(actor, "pipeline_created", f"{actor.username} created pipeline {created.name}")
        return created

    async def update_pipeline(self, actor: Principal, pipeline: Pipeline) -> Pipeline:
        _require_admin(actor, "change pipelines")
        await self._storage.pipelines.get_by_id(pipeline.id)
        await self._refuse_shared(pipeline)
        updated = await self._storage.pipelines.update(pipeline)
        self._record(actor, "pipeline_updated", f"{actor.username} changed pipeline {updated.name}")
        return updated

    async def delete_pipeline(self, actor: Principal, pipeline_id: str) -> None:
        _require_admin(actor, "delete pipelines")
        pipeline = await self._storage.pipelines.get_by_id(pipeline_id)
        if await self._storage.promotions.list_open(pipeline_id):
            raise Conflict(f"a promotion of {pipeline.name} is open: cancel it first")
        await self._storage.pipelines.delete(pipeline_id)
        msg = f"{actor.username} deleted pipeline {pipeline.name}"
        self._record(actor, "pipeline_deleted", msg)

    async def _refuse_shared(self, pipeline: Pipeline) -> None:
        """Refuse a pipeline whose stages would share an environment (422 naming it)."""
        await self._validate_environment_ids(pipeline)
        board = await self._board(pipeline, with_history=False)
        for index, state in enumerate(board.stages):
            if state.shared:
                raise ValidationFailed(
                    f"an environment belongs to at most one stage: {', '.join(state.shared[:5])}"
                    f" in {state.stage.name} and another stage",
                    {"field": f"stages.{index}", "environments": state.shared},
                )

    async def _validate_environment_ids(self, pipeline: Pipeline) -> None:
        for index, stage in enumerate(pipeline.stages):
            if not stage.environment_ids:
                continue
            options = EnvironmentListOptions(ids=stage.environment_ids, limit=_PAGE)
            found = {env.id for env in await self._storage.environments.find(options)}
            missing = [env_id for env_id in stage.environment_ids if env_id not in found]
            if missing:
                raise ValidationFailed(
                    f"stage {stage.name} lists unknown environments: {', '.join(missing[:5])}",
                    {"field": f"stages.{index}.environmentIds"},
                )

    # ---- the board and the gates ------------------------------------------------------------

    async def _environments(self) -> list[Environment]:
        found: list[Environment] = []
        page = 1
        while True:
            batch = await self._storage.environments.find(
                EnvironmentListOptions(page=page, limit=_PAGE)
            )
            found.extend(batch)
            if len(batch) < _PAGE:
                return found
            page += 1

    async def _reached_at(self, env: Environment) -> datetime | None:
        """When env reached the version it runs by a succeeded upgrade or rollback (None:
        it merely reports it)."""
        version = env.system_info.app_version
        if not version:
            return None
        recent, _ = await self._storage.operations.list(
            OperationListOptions(
                environment_id=env.id, status=OperationStatus.SUCCEEDED, limit=_HISTORY
            )
        )
        for op in recent:
            if op.type in (OperationType.UPGRADE, OperationType.ROLLBACK):
                return op.finished_at if op.params.version == version else None
        return None

    async def _board(self, pipeline: Pipeline, *, with_history: bool = True) -> Board:
        environments = await self._environments()
        stages = [StageState(stage) for stage in pipeline.stages]
        owners: dict[str, list[str]] = {}
        for env in environments:
            for state in stages:
                if state.stage.selects(env):
                    state.members.append(Member(env))
                    owners.setdefault(env.id, []).append(state.stage.name)
        for state in stages:
            state.shared = sorted(m.env.name for m in state.members if len(owners[m.env.id]) > 1)
        board = Board(pipeline, stages)
        if not with_history:
            return board
        members = [member for state in stages for member in state.members]
        reached = await asyncio.gather(*(self._reached_at(m.env) for m in members))
        for member, at in zip(members, reached, strict=True):
            member.reached_at = at
        succeeded, _ = await self._storage.promotions.list(
            PromotionListOptions(
                pipeline_id=pipeline.id, status=PromotionStatus.SUCCEEDED, limit=200
            )
        )
        board.promoted = {(p.stage, p.version) for p in succeeded}
        ids = [member.env.id for member in members]
        board.reservations = await self._storage.reservations.current_and_next(ids, self._clock())
        return board

    async def board(self, pipeline_id: str) -> tuple[Board, list[GateCheck], list[Promotion]]:
        """Return the pipeline's board, the gates of a promotion into each stage without a
        version (the version lists are not read), and its open promotions."""
        pipeline = await self._storage.pipelines.get_by_id(pipeline_id)
        board = await self._board(pipeline)
        now = self._clock()
        checks = [evaluate(board, i, None, now, None) for i in range(len(board.stages))]
        return board, checks, await self._storage.promotions.list_open(pipeline_id)

    async def gates(
        self, actor: Principal, pipeline_id: str, stage: str, version: str | None
    ) -> GateCheck:
        """Return the gates a promotion of version into stage would meet now."""
        pipeline = await self._storage.pipelines.get_by_id(pipeline_id)
        index = pipeline.stage_index(stage)
        board = await self._board(pipeline)
        return await self._check(board, index, version, actor)

    async def _check(
        self, board: Board, index: int, version: str | None, actor: Principal
    ) -> GateCheck:
        now = self._clock()
        first = evaluate(board, index, version, now, actor.user_id)
        if first.version is None:
            return first
        listed = await self._refusing_lists(board.stages[index].environments, first.version)
        return evaluate(board, index, first.version, now, actor.user_id, listed)

    async def _refusing_lists(
        self, environments: list[Environment], version: str
    ) -> dict[str, str]:
        """Return, by environment name, why its version list refuses version."""
        refused: dict[str, str] = {}
        for env in environments:
            if not env.upgrade_config.enabled:
                continue
            try:
                listed = None
                if env.upgrade_config.version_list_url is not None:
                    listed = await self._version_lists.fetch(env)
                validate_version(version, listed)
            except EnvdeckError as error:
                refused[env.name] = error.message
        return refused

    # ---- promoting ------------------------------------------------------------------------

    async def promote(
        self, actor: Principal, pipeline_id: str, stage: str, version: str | None
    ) -> Promotion:
        """Check the gates and open a promotion of version (None: the previous stage's) into
        stage: running at once, or awaiting approval. GateNotMet (422) when a gate fails;
        PromotionOpen (409) when another promotion of the stage is open."""
        if actor.role is Role.VIEWER:
            raise Forbidden("viewers cannot promote")
        self._refuse_if_stopping()
        pipeline = await self._storage.pipelines.get_by_id(pipeline_id)
        index = pipeline.stage_index(stage)
        board = await self._board(pipeline)
        check = await self._check(board, index, version, actor)
        if not check.passed or check.version is None:
            # A promotion of the stage opened meanwhile (its upgrades fail the `idle` gate):
            # that one holds the stage, which is what the caller must hear.
            for other in await self._storage.promotions.list_open(pipeline.id):
                if other.stage == stage:
                    raise PromotionOpen.by(other)
            raise GateNotMet.of(check, stage)
        state = board.stages[index]
        required = state.stage.approvals_required(state.environments)
        now = self._clock()
        promotion = await self._storage.promotions.create(
            Promotion(
                pipeline_id=pipeline.id,
                pipeline_name=pipeline.name,
                stage=stage,
                stage_index=index,
                version=check.version,
                status=PromotionStatus.AWAITING_APPROVAL if required else PromotionStatus.RUNNING,
                requested_by=person_of(actor),
                approvals_required=required,
                gates=check.gates,
                targets=[_target(m.env, check.version) for m in state.members],
                max_parallel=state.stage.max_parallel,
                rollback_on_failure=state.stage.rollback_on_failure,
                started_at=None if required else now,
                owner_instance=None if required else self._instance_id,
            )
        )
        waits = " (awaiting approval)" if required else ""
        self._record(
            actor,
            "promotion_awaiting_approval" if required else "promotion_requested",
            f"{actor.username} promoted {promotion.version} to {pipeline.name}/{stage}{waits}",
            promotion,
        )
        await self._changed(promotion)
        if not required:
            self._launch(promotion, actor)
        return promotion

    async def approve(self, actor: Principal, promotion_id: str) -> Promotion:
        _require_admin(actor, "approve promotions")
        self._refuse_if_stopping()
        promotion = await self._storage.promotions.get_by_id(promotion_id)
        _require_status(promotion, PromotionStatus.AWAITING_APPROVAL)
        own = promotion.requested_by.user_id == actor.user_id
        if own and not self._settings.allow_self_approval:
            raise Forbidden(
                "another admin must approve a promotion you requested (two-person rule)",
                {"reason": "self_approval"},
            )
        if any(a.user_id == actor.user_id for a in promotion.approvals):
            raise Conflict("you approved this promotion already")
        pipeline = await self._storage.pipelines.get_by_id(promotion.pipeline_id)
        board = await self._board(pipeline)
        index = pipeline.stage_index(promotion.stage)
        requester = promotion.requested_by.user_id
        check = evaluate(board, index, promotion.version, self._clock(), requester)
        if not check.passed:
            raise GateNotMet.of(check, promotion.stage)
        approved = promotion.model_copy(deep=True)
        approved.approvals.append(
            Approval(
                user_id=actor.user_id, username=actor.username, at=self._clock(), self_approved=own
            )
        )
        approved.gates = check.gates
        if len(approved.approvals) >= approved.approvals_required:
            approved.status = PromotionStatus.RUNNING
            approved.started_at = self._clock()
            approved.owner_instance = self._instance_id
            state = board.stages[index]
            approved.targets = [_target(m.env, approved.version) for m in state.members]
        if not await self._storage.promotions.replace(approved, PromotionStatus.AWAITING_APPROVAL):
            raise Conflict("the promotion changed meanwhile: reload it")
        if own:
            self._record(
                actor,
                "promotion_self_approved",
                f"{actor.username} approved their own promotion of {approved.version} to"
                f" {approved.pipeline_name}/{approved.stage} (promotions.allowSelfApproval)",
                approved,
                level=LogLevel.WARNING,
            )
        else:
            self._record(
                actor,
                "promotion_approved",
                f"{actor.username} approved the promotion of {approved.version} to"
                f" {approved.pipeline_name}/{approved.stage}",
                approved,
            )
        await self._changed(approved)
        if approved.status is PromotionStatus.RUNNING:
            self._launch(approved, actor)
        return approved

    async def reject(self, actor: Principal, promotion_id: str, reason: str) -> Promotion:
        _require_admin(actor, "reject promotions")
        promotion = await self._storage.promotions.get_by_id(promotion_id)
        _require_status(promotion, PromotionStatus.AWAITING_APPROVAL)
        rejected = promotion.model_copy(deep=True)
        now = self._clock()
        rejected.status = PromotionStatus.REJECTED
        rejected.rejection = Rejection(
            user_id=actor.user_id, username=actor.username, at=now, reason=reason
        )
        rejected.finished_at = now
        rejected.message = f"rejected by {actor.username}: {reason}"
        for target in rejected.targets:
            if target.status is TargetStatus.PENDING:
                target.status = TargetStatus.SKIPPED
        if not await self._storage.promotions.replace(rejected, PromotionStatus.AWAITING_APPROVAL):
            raise Conflict("the promotion changed meanwhile: reload it")
        self._record(
            actor,
            "promotion_rejected",
            f"{actor.username} rejected the promotion of {rejected.version} to"
            f" {rejected.pipeline_name}/{rejected.stage}: {reason}",
            rejected,
            level=LogLevel.WARNING,
        )
        await self._changed(rejected)
        return rejected

    async def cancel(self, actor: Principal, promotion_id: str) -> Promotion:
        """Cancel an open promotion (its requester's, or any for an admin): one awaiting
        approval ends at once; a running one stops starting upgrades and cancels those running
        (its runner, on whichever instance, carries it out at its next step)."""
        promotion = await self._storage.promotions.get_by_id(promotion_id)
        if actor.role is not Role.ADMIN and promotion.requested_by.user_id != actor.user_id:
            raise Forbidden("only the requester or an admin may cancel a promotion")
        if not promotion.is_open:
            raise Conflict(
                f"promotion {promotion.id} already {promotion.status.value}",
                {"promotionId": promotion.id, "status": promotion.status.value},
            )
        cancelled = promotion.model_copy(deep=True)
        cancelled.status = PromotionStatus.CANCELLED
        cancelled.message = f"cancelled by {actor.username}"
        if promotion.status is PromotionStatus.AWAITING_APPROVAL:
            cancelled.finished_at = self._clock()
            for target in cancelled.targets:
                target.status = TargetStatus.SKIPPED
        if not await self._storage.promotions.replace(cancelled, promotion.status):
            raise Conflict("the promotion changed meanwhile: reload it")
        self._record(
            actor,
            "promotion_cancelled",
            f"{actor.username} cancelled the promotion of {cancelled.version} to"
            f" {cancelled.pipeline_name}/{cancelled.stage}",
            cancelled,
        )
        await self._changed(cancelled)
        return cancelled

    # ---- reading ----------------------------------------------------------------------------

    async def list_promotions(
        self, options: PromotionListOptions
    ) -> tuple[builtins.list[Promotion], int]:
        return await self._storage.promotions.list(options)

    async def get_promotion(self, promotion_id: str) -> Promotion:
        return await self._storage.promotions.get_by_id(promotion_id)

    # ---- running ----------------------------------------------------------------------------

    def _launch(self, promotion: Promotion, actor: Principal) -> None:
        run = PromotionRun(
            promotion,
            actor,
            self._storage,
            self._operations,
            self._clock,
            self._changed,
            **({} if self._poll_interval is None else {"poll_interval": self._poll_interval}),
        )
        task = asyncio.create_task(run.run(), name=f"promotion {promotion.id}")
        self._runs[promotion.id] = task
        task.add_done_callback(lambda done: self._runs.pop(promotion.id, None))

    async def _changed(self, promotion: Promotion) -> None:
        self._bus.publish(PromotionUpdated(promotion=promotion.model_copy(deep=True)))
        if promotion.status is PromotionStatus.AWAITING_APPROVAL and not promotion.approvals:
            await self._notices.awaiting_approval(promotion)
        elif promotion.status is PromotionStatus.SUCCEEDED:
            self._record(
                None, "promotion_succeeded", promotion.message, promotion, level=LogLevel.SUCCESS
            )
            await self._notices.succeeded(promotion)
        elif promotion.status is PromotionStatus.FAILED:
            self._record(
                None, "promotion_failed", promotion.message, promotion, level=LogLevel.ERROR
            )
            await self._notices.failed(promotion)

    async def recover_interrupted(self, live_instances: set[str] | None = None) -> int:
        """Close as failed the running promotions whose instance is gone (all of them but
        this instance's when live_instances is None: this process is alone); return how
        many."""
        closed = 0
        for promotion in await self._storage.promotions.list_open():
            if promotion.status is not PromotionStatus.RUNNING or promotion.id in self._runs:
                continue
            owner = promotion.owner_instance
            if live_instances is not None and owner in live_instances:
                continue
            failed = promotion.model_copy(deep=True)
            failed.status = PromotionStatus.FAILED
            failed.finished_at = self._clock()
            failed.message = "interrupted: the instance running it stopped"
            for target in failed.targets:
                if target.status is TargetStatus.PENDING:
                    target.status = TargetStatus.SKIPPED
            if await self._storage.promotions.replace(failed, PromotionStatus.RUNNING):
                closed += 1
                await self._changed(failed)
        return closed

    def _refuse_if_stopping(self) -> None:
        if self._stopping:
            raise ShuttingDown()

    async def close(self) -> None:
        """Stop the runs of this process (their promotions are closed at the next start)."""
        self._stopping = True
        for task in list(self._runs.values()):
            await cancel_and_wait(task)

    # ---- the activity log ----------------------------------------------------------------

    def _record(
        self,
        actor: Principal | None,
        action: str,
        message: str,
        promotion: Promotion | None = None,
        *,
        level: LogLevel = LogLevel.INFO,
    ) -> None:
        details = {}
        if promotion is not None:
            details = {
                "promotionId": promotion.id,
                "pipelineId": promotion.pipeline_id,
                "stage": promotion.stage,
                "version": promotion.version,
            }
        self._activity.record(
            type=LogType.ACTION,
            action=action,
            level=level,
            message=message,
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else None,
            details=details,
        )


def _target(env: Environment, version: str) -> Target:
    current = env.system_info.app_version
    target = Target(environment_id=env.id, environment_name=env.name, from_version=current)
    if current == version:
        target.status = TargetStatus.SKIPPED
        target.message = f"already runs {version}"
    return target


def _require_admin(actor: Principal, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden(f"only admins may {what}")


def _require_status(promotion: Promotion, status: PromotionStatus) -> None:
    if promotion.status is not status:
        raise Conflict(
            f"promotion {promotion.id} is {promotion.status.value}, not {status.value}",
            {"promotionId": promotion.id, "status": promotion.status.value},
        )
