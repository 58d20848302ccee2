"""`envdeck promote PIPELINE STAGE`: a release pipeline moves a version into a stage of an
Envdeck pipeline and, with --wait, follows the promotion to its end (docs/promotions.md).

It talks to the server given by --url (or ENVDECK_URL) with an API token, as `envdeck reserve`
does (cli_remote.py). What a script may rely on is the exit status (EXIT_CODES); on success
without --wait, one JSON document on stdout; with --wait, one line per change on stdout; a
failure is one line on stderr, followed by the failed gates of a refused promotion.
"""

import re
import time
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer

from envdeck.cli_remote import (
    REFUSED,
    UNAVAILABLE,
    Refusal,
    Remote,
    TokenOption,
    UrlOption,
    error_of,
    exit_with,
    one_line,
    print_json,
)

# The exit statuses, a contract with the release pipelines that call this command.
FAILED = 3  # --wait: the promotion failed, was rejected or cancelled
INTERRUPTED = 130  # --wait: stopped following (Ctrl-C); the promotion continues

# Each paragraph on one line: the help formatter wraps them to the terminal itself.
EXIT_CODES = "\n".join(
    [
        "Exit status:",
        "  0  promoted (without --wait: accepted, perhaps awaiting approval)",
        f"  {REFUSED}  refused: a gate is not met (each failed gate is printed), another "
        "promotion of the stage is open (who holds it is printed), no token, bad token, not "
        "allowed, no such pipeline or stage, invalid input",
        f"  {FAILED}  --wait: the promotion failed (the environment, its operation and error "
        "are printed), was rejected or cancelled",
        f"  {UNAVAILABLE}  the server did not answer, failed or is busy: retry later",
    ]
)
HELP = "\n\n".join(
    [
        "Promote a version into a stage of a pipeline: upgrade every environment of the stage.",
        "The server refuses a promotion whose gates are not met (the version not verified or "
        "not soaked on the stage before, an environment busy or reserved, ...) and says which. "
        "An accepted one may wait for an admin's approval first.",
        "Without --wait, prints the promotion as JSON once accepted. With --wait, prints its "
        "progress, one line per change (approvals, each environment's upgrade), until it "
        "succeeded, failed, was rejected or cancelled.",
        "Example: envdeck promote shop prod --version 2.5.0 --wait",
    ]
)

TIMEOUT_SECONDS = 60
POLL_SECONDS = 1.0  # following without the WebSocket: read the promotion this often
# Following over the WebSocket: read the promotion anyway after this long without a frame of
# it, so that a frame lost on the way (a server restart, another instance) costs only a delay.
QUIET_SECONDS = 5.0
# How long the server may not answer while a promotion is followed before giving up (exit 4):
# long enough for a restart of Envdeck, whose promotions go on.
GRACE_SECONDS = 60.0

# What the API's ids look like (and nothing that would change a request's path).
ID = re.compile(r"[0-9a-f]{24}")
OVER = ("succeeded", "failed", "rejected", "cancelled")
PAGE_LIMIT = 200


def promote(
    pipeline: Annotated[
        str, typer.Argument(metavar="PIPELINE", help="The pipeline, by name (or id).")
    ],
    stage: Annotated[str, typer.Argument(metavar="STAGE", help="The stage to promote into.")],
    version: Annotated[
        str | None,
        typer.Option(
            help="The version (needed into the first stage; into a later one, the version "
            "verified on the stage before it by default, and it must be verified there)."
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="Follow the promotion to its end, one line per change; the exit status says "
            "how it ended.",
        ),
    ] = False,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Promote a version into a stage of a pipeline (what --help says is HELP)."""
    try:
        with Remote(url, token, "promotions", TIMEOUT_SECONDS) as remote:
            found = find_pipeline(remote, pipeline)
            promotion = request_promotion(remote, found, stage, version)
            if not wait:
                print_json(promotion)
                return
            ended = follow(remote, promotion, _print_lines)
            if ended["status"] != "succeeded":
                raise outcome(remote, ended)
    except Refusal as refusal:
        exit_with(refusal)
    except (KeyError, TypeError, AttributeError) as exc:  # JSON not shaped as Envdeck's answers
        exit_with(
            Refusal(
                f"the server answered what Envdeck does not ({type(exc).__name__}: {exc}): is"
                " --url an Envdeck with promotions?",
                REFUSED,
            )
        )


def _print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        typer.echo(line)  # flushed at once: a pipeline's log shows each change as it happens


def find_pipeline(remote: Remote, reference: str) -> dict[str, Any]:
    """Return the pipeline named `reference`, or the one with that id."""
    page = 1
    while True:
        listed = remote.call("GET", "/api/v1/pipelines", page=page, limit=PAGE_LIMIT)
        for pipeline in listed["items"]:
            if pipeline["name"] == reference:
                return dict(pipeline)
        if page >= listed["pagination"]["totalPages"]:
            break
        page += 1
    if ID.fullmatch(reference):
        response = remote.send("GET", f"/api/v1/pipelines/{reference}")
        if response.status_code != 404:
            return dict(remote.decoded(response))
    raise Refusal(f"no pipeline named {reference!r}", REFUSED)


def request_promotion(
    remote: Remote, pipeline: dict[str, Any], stage: str, version: str | None
) -> dict[str, Any]:
    """POST the promotion; return it, or raise what its refusal means for a pipeline."""
    stages = [s["name"] for s in pipeline["stages"]]
    if stage not in stages:
        raise Refusal(
            f"pipeline {pipeline['name']} has no stage {stage!r} (its stages: {', '.join(stages)})",
            REFUSED,
        )
    response = remote.send(
        "POST",
        f"/api/v1/pipelines/{pipeline['id']}/stages/{stage}/promotions",
        {"version": version} if version else {},
    )
    error = error_of(response)
    if error is not None and error.code == "GATE_NOT_MET":
        gates = [gate for gate in error.details.get("gates", []) if not gate.get("passed")]
        raise Refusal(
            f"{error.message} (HTTP {error.status})",
            REFUSED,
            error.status,
            [f"gate {gate['name']}: {gate['message']}" for gate in gates],
        )
    if error is not None and error.status == 409:
        raise Refusal(
            f"{error.message} (HTTP {error.status})",
            REFUSED,
            error.status,
            _holder(remote, error.details.get("promotionId")),
        )
    return dict(remote.decoded(response))


def _holder(remote: Remote, promotion_id: Any) -> list[str]:
    """Describe the open promotion that holds the stage (nothing if it cannot be read)."""
    if not isinstance(promotion_id, str) or not ID.fullmatch(promotion_id):
        return []
    try:
        held = remote.call("GET", f"/api/v1/promotions/{promotion_id}")
    except Refusal:
        return [f"held by promotion {promotion_id}"]
    return [
        f"held by promotion {promotion_id}: {held['version']}, requested by "
        f"{held['requestedBy']['username']} at {held['createdAt']}, {_status(held['status'])}"
    ]


# --- following a promotion ----------------------------------------------------------------


def follow(
    remote: Remote, promotion: dict[str, Any], emit: Callable[[list[str]], None]
) -> dict[str, Any]:
    """Emit the promotion's changes until it is over; return it as it ended.

    Changes come as `promotion_update` frames over the WebSocket; without one (a proxy that
    does not pass WebSockets, a lost connection) the promotion is read every second instead.
    """
    from envdeck.cli_watch import PromotionWatch, WatchLost

    current = promotion
    emit(progress(None, current))
    reader = _Reader(remote, f"/api/v1/promotions/{promotion['id']}")
    watch = None
    try:
        if current["status"] not in OVER:
            watch = PromotionWatch.open(remote.url, remote.token)
        update: dict[str, Any] | None = reader.read()  # what changed before the watch began
        while True:
            if update is not None and not is_older(update, current):
                emit(progress(current, update))
                current = update
            if current["status"] in OVER:
                return current
            update = None
            if watch is not None:
                try:
                    update = watch.next(promotion["id"], QUIET_SECONDS)
                except WatchLost:
                    watch.close()
                    watch = None
            else:
                time.sleep(POLL_SECONDS)
            if update is None:
                update = reader.read()
    except KeyboardInterrupt:
        raise Refusal(
            f"stopped following; promotion {promotion['id']} continues on the server (GET"
            f" /api/v1/promotions/{promotion['id']})",
            INTERRUPTED,
        ) from None
    finally:
        if watch is not None:
            watch.close()


class _Reader:
    """GET the promotion; a server that does not answer is waited for up to GRACE_SECONDS."""

    def __init__(self, remote: Remote, path: str) -> None:
        self._remote = remote
        self._path = path
        self._lost_since: float | None = None

    def read(self) -> dict[str, Any] | None:
        try:
            promotion = dict(self._remote.call("GET", self._path))
        except Refusal as refusal:
            if refusal.exit_code != UNAVAILABLE:
                raise
            now = time.monotonic()
            self._lost_since = self._lost_since or now
            if now - self._lost_since > GRACE_SECONDS:
                raise Refusal(
                    f"{refusal.message}; the promotion continues on the server (GET {self._path})",
                    UNAVAILABLE,
                ) from None
            return None
        self._lost_since = None
        return promotion


_STATUS_RANK = {"awaiting_approval": 0, "running": 1}  # any other status is over: 2


def _target_rank(target: dict[str, Any]) -> int:
    """Order a target's states: pending, running, ended, rolling back, rolled back (or left
    as it was when its roll-back failed: ended, with the roll-back's operation named)."""
    status = target["status"]
    ranks = {"pending": 0, "running": 1, "rolling_back": 3, "rolled_back": 4}
    if status in ranks:
        return ranks[status]
    return 4 if target.get("rollbackOperationId") else 2


def is_older(candidate: dict[str, Any], current: dict[str, Any]) -> bool:
    """Tell whether candidate is an earlier state than current (a frame that was on its way
    while the promotion was read), which would print changes backwards."""
    if _STATUS_RANK.get(candidate["status"], 2) < _STATUS_RANK.get(current["status"], 2):
        return True
    if len(candidate["approvals"]) < len(current["approvals"]):
        return True
    now = {t["environmentId"]: _target_rank(t) for t in current["targets"]}
    return any(_target_rank(t) < now.get(t["environmentId"], 0) for t in candidate["targets"])


def progress(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Return one line per change from before to after; every line of after when before is
    None (the promotion as first seen)."""
    lines: list[str] = []
    if before is None:
        lines.append(
            f"promotion {after['id']}: {after['version']} into {after['pipelineName']}/"
            f"{after['stage']}, requested by {after['requestedBy']['username']}"
        )
    seen = before["approvals"] if before else []
    for approval in after["approvals"][len(seen) :]:
        self_approved = " (self-approved)" if approval.get("selfApproved") else ""
        lines.append(f"approved by {approval['username']}{self_approved}")
    if after.get("rejection") and not (before and before.get("rejection")):
        rejection = after["rejection"]
        lines.append(f"rejected by {rejection['username']}: {rejection['reason']}")
    status_changed = before is None or before["status"] != after["status"]
    if status_changed and after["status"] not in OVER:
        lines.append(_status_line(after))
    previous = {t["environmentId"]: t for t in before["targets"]} if before else {}
    for target in after["targets"]:
        if _target_key(target) != _target_key(previous.get(target["environmentId"])):
            lines.append(target_line(target, after["version"]))
    if status_changed and after["status"] in OVER:
        lines.append(_status_line(after))
    return [one_line(line) for line in lines]


def _status(status: str) -> str:
    return status.replace("_", " ")


def _status_line(promotion: dict[str, Any]) -> str:
    status = promotion["status"]
    line = f"promotion {_status(status)}"
    if status == "awaiting_approval":
        missing = promotion["approvalsRequired"] - len(promotion["approvals"])
        line += (
            f": {missing} more from an admin other than {promotion['requestedBy']['username']}"
            f" (POST /api/v1/promotions/{promotion['id']}/approve, or the Pipelines page)"
        )
    if promotion.get("message"):
        line += f": {promotion['message']}"
    elif status == "succeeded":
        line += f": {promotion['version']} is on {promotion['stage']}"
    return line


def _target_key(target: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if target is None:
        return None
    return (target["status"], target["operationId"], target["rollbackOperationId"])


def target_line(target: dict[str, Any], version: str) -> str:
    """Return the line that says where one environment of the promotion is: its status, its
    operations, and what the server says of it (or, when it says nothing, what the status
    means)."""
    name, status = target["environmentName"], target["status"]
    line = f"{name}: {_status(status)}"
    operations = []
    if target["operationId"]:
        operations.append(f"operation {target['operationId']}")
    if target["rollbackOperationId"]:
        operations.append(f"rollback operation {target['rollbackOperationId']}")
    if operations:
        line += f" ({', '.join(operations)})"
    since = target.get("fromVersion") or "the version it ran"
    meanings = {
        "pending": f"{since} → {version}",
        "running": f"upgrading {since} → {version}",
        "succeeded": f"runs {version}",
        "rolling_back": f"rolling back to {since}",
        "rolled_back": f"back on {since}",
    }
    detail = target.get("message") or meanings.get(status)
    return f"{line}: {detail}" if detail else line


def outcome(remote: Remote, promotion: dict[str, Any]) -> Refusal:
    """Return the failure (exit 3) of a promotion that ended other than succeeded."""
    what = f"the promotion of {promotion['version']} into {promotion['pipelineName']}/" + str(
        promotion["stage"]
    )
    status = promotion["status"]
    if status == "rejected" and promotion.get("rejection"):
        rejection = promotion["rejection"]
        return Refusal(
            f"{what} was rejected by {rejection['username']}: {rejection['reason']}", FAILED
        )
    failed = [t for t in promotion["targets"] if t["status"] == "failed"]
    if status == "failed" and failed:
        causes = [_failure(remote, target) for target in failed]
        return Refusal(f"{what} failed: {causes[0]}", FAILED, details=causes[1:])
    verb = "failed" if status == "failed" else f"was {_status(status)}"
    message = f": {promotion['message']}" if promotion.get("message") else ""
    return Refusal(f"{what} {verb}{message}", FAILED)


def _failure(remote: Remote, target: dict[str, Any]) -> str:
    """Say which environment failed, by which operation, and why."""
    operation_id = target["operationId"]
    cause = f"{target['environmentName']}"
    if operation_id:
        cause += f" (operation {operation_id})"
    error = target.get("message")
    if not error and operation_id and ID.fullmatch(operation_id):
        try:
            operation = remote.call("GET", f"/api/v1/operations/{operation_id}")
            error = (operation.get("error") or {}).get("message") or operation.get("status")
        except Refusal:
            error = None
    return f"{cause}: {error or 'failed'}"
