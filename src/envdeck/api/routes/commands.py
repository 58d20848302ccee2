"""Command previews: the exact restart or upgrade command a dialog asks to confirm (users)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from envdeck.api.deps import CommandPreviewsDep, OperatorPrincipal
from envdeck.api.schemas import ApiModel, error_responses
from envdeck.domain.command_kinds import CommandType
from envdeck.services.operations.previews import Preview, PreviewKind


class HttpRequestPreview(ApiModel):
    method: str
    url: str
    # Secret header values are "********".
    headers: dict[str, str]
    body: Any = None


class CommandPreviewPublic(ApiModel):
    """An SSH script (`command`, run on `target`) or an HTTP request (`request`)."""

    type: CommandType
    command: str | None = None
    target: str | None = None
    request: HttpRequestPreview | None = None

    @classmethod
    def of(cls, preview: Preview) -> "CommandPreviewPublic":
        shown = preview.command
        request = None
        if shown.method is not None:  # a request, not a script
            request = HttpRequestPreview(
                method=shown.method, url=shown.url or "", headers=shown.headers, body=shown.body
            )
        return cls(
            type=CommandType(shown.type),
            command=shown.command,
            target=preview.target,
            request=request,
        )


router = APIRouter(tags=["operations"])


@router.get(
    "/environments/{environment_id}/commands/preview",
    response_model=CommandPreviewPublic,
    response_model_exclude_none=True,
    responses=error_responses(401, 403, 404, 422, 502),
    summary="Show the exact restart or upgrade command, with secrets masked",
)
async def preview_command(
    environment_id: str,
    _user: OperatorPrincipal,
    previews: CommandPreviewsDep,
    kind: Annotated[PreviewKind, Query(alias="type", description="restart or upgrade")],
    # Versions are at most 128 characters (checked with a message saying so); 1024, even
    # percent-encoded, keeps the URL well under the request line uvicorn accepts (64 KiB).
    version: Annotated[
        str | None, Query(max_length=1024, description="the upgrade's target version")
    ] = None,
) -> CommandPreviewPublic:
    """Render the command with the version filled in (quoted or encoded for where it lands);
    without a version, `{VERSION}` is left in place."""
    preview = await previews.preview(environment_id, kind, version)
    return CommandPreviewPublic.of(preview)
