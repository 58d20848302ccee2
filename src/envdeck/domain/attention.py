"""What in the activity log needs a person: the entries the notification bell counts.

Everything is in the activity log; the bell counts (and its menu lists) only the entries one of
these rules matches, made by someone else since the reader last marked the log read. To have
the bell count something more, add a rule here: the storage backends, the API's `attention`
filter and flag, the WebSocket's `log` frames and the UI all follow this one list.
"""

from dataclasses import dataclass

from envdeck.domain.log import LogEntry, LogLevel, LogType

OPERATION_ACTIONS = ("restart", "upgrade", "rollback")


@dataclass(frozen=True)
class AttentionRule:
    """Entries of this type and one of these actions (and, when given, one of these levels)."""

    what: str  # for the reader: what a person is called to
    type: LogType
    actions: tuple[str, ...]
    levels: tuple[LogLevel, ...] = ()

    def matches(self, entry: LogEntry) -> bool:
        return (
            entry.type is self.type
            and entry.action in self.actions
            and (not self.levels or entry.level in self.levels)
        )


ATTENTION_RULES: tuple[AttentionRule, ...] = (
    AttentionRule(
        "an environment turned unhealthy",
        LogType.HEALTH_CHECK,
        ("check_health",),
        (LogLevel.ERROR,),
    ),
    AttentionRule(
        "a restart, upgrade or rollback failed",
        LogType.ACTION,
        OPERATION_ACTIONS,
        (LogLevel.ERROR,),
    ),
    AttentionRule(
        "a reservation ended, or was broken by someone else",
        LogType.ACTION,
        ("reservation_ended", "reservation_broken"),
    ),
    AttentionRule(
        "a promotion awaits an admin's approval, or failed",
        LogType.ACTION,
        ("promotion_awaiting_approval", "promotion_failed"),
    ),
)


def needs_attention(entry: LogEntry) -> bool:
    """Tell whether a log entry calls for a person (the bell counts it)."""
    return any(rule.matches(entry) for rule in ATTENTION_RULES)
