"""The words of each notification: what happened, where, since when, and a link to look.

Titles are short (chat services show them in bold, email as the subject); bodies are plain text
lines. The link is `{server.publicUrl}/environments/{id}`, the UI's environment page, when
publicUrl is set.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from envdeck.domain.operation import Operation, OperationStatus
from envdeck.services.notifications.sender import Message, MessageKind

PREFIX = "[Envdeck]"


def format_time(at: datetime | None) -> str:
    """Return a UTC time as "2026-05-01 22:00:01 UTC" (or "an unknown time")."""
    if at is None:
        return "an unknown time"
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(span: timedelta) -> str:
    """Return "42 s", "5 min", "1 h 5 min" or "2 d 3 h"."""
    seconds = max(int(span.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


@dataclass(frozen=True)
class Messages:
    """Builds messages; public_url is server.publicUrl (empty: no links)."""

    public_url: str = ""

    def link(self, environment_id: str | None) -> str | None:
        if not self.public_url or not environment_id:
            return None
        return f"{self.public_url}/environments/{environment_id}"

    def _body(self, lines: list[str], environment_id: str | None) -> str:
        link = self.link(environment_id)
        if link is not None:
            lines.append(f"Open: {link}")
        return "\n".join(lines)

    def unhealthy(
        self, environment_id: str, name: str, since: datetime | None, error: str
    ) -> Message:
        lines = [f"{name} is unhealthy since {format_time(since)}."]
        if error:
            lines.append(f"Check: {error}")
        return Message(
            f"{PREFIX} {name} is unhealthy",
            self._body(lines, environment_id),
            MessageKind.FAILURE,
        )

    def reminder(
        self, environment_id: str, name: str, since: datetime | None, error: str, now: datetime
    ) -> Message:
        lasting = f" ({format_duration(now - since)})" if since is not None else ""
        lines = [f"{name} is still unhealthy, since {format_time(since)}{lasting}."]
        if error:
            lines.append(f"Last check: {error}")
        return Message(
            f"{PREFIX} {name} is still unhealthy",
            self._body(lines, environment_id),
            MessageKind.WARNING,
        )

    def recovered(
        self,
        environment_id: str,
        name: str,
        since: datetime | None,
        unhealthy_since: datetime | None,
    ) -> Message:
        lines = [f"{name} is healthy again since {format_time(since)}."]
        if unhealthy_since is not None and since is not None:
            lines.append(
                f"It had been unhealthy since {format_time(unhealthy_since)} "
                f"({format_duration(since - unhealthy_since)})."
            )
        return Message(
            f"{PREFIX} {name} recovered", self._body(lines, environment_id), MessageKind.SUCCESS
        )

    def operation(self, op: Operation) -> Message:
        what = op.type.value
        if op.params.version and what != "restart":
            what += f" to {op.params.version}"
        succeeded = op.status is OperationStatus.SUCCEEDED
        outcome = "succeeded" if succeeded else op.status.value.replace("_", " ")
        lines = [f"The {what} of {op.environment_name} {outcome}."]
        who = op.requested_by.username or "automation"
        lines.append(f"Requested by {who}; started {format_time(op.started_at or op.created_at)}.")
        if op.duration_ms is not None:
            lines.append(f"Took {format_duration(timedelta(milliseconds=op.duration_ms))}.")
        if op.error is not None and not succeeded:
            lines.append(f"Error: {op.error.message}")
        elif op.verification is not None and op.verification.message:
            lines.append(f"Verification: {op.verification.message}")
        return Message(
            f"{PREFIX} {what} of {op.environment_name} {outcome}",
            self._body(lines, op.environment_id),
            MessageKind.SUCCESS if succeeded else MessageKind.FAILURE,
        )

    def version_changed(
        self, environment_id: str, name: str, previous: str, version: str, at: datetime
    ) -> Message:
        lines = [f"{name} reports version {version} since {format_time(at)} (was {previous})."]
        return Message(
            f"{PREFIX} {name} now runs {version}",
            self._body(lines, environment_id),
            MessageKind.INFO,
        )

    def test(self, channel_name: str, at: datetime) -> Message:
        lines = [
            f"This is a test message for the notification channel {channel_name!r}, "
            f"sent at {format_time(at)}.",
            "If you can read it, Envdeck's alerts will arrive here.",
        ]
        return Message(f"{PREFIX} Test notification", self._body(lines, None), MessageKind.INFO)
