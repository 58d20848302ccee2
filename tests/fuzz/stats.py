"""What the fuzzer sent and what came back, summed up at the end of the run."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class FuzzStats:
    # (role, "METHOD /path") -> status code -> responses
    statuses: dict[tuple[str, str], Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    repairs: Counter[str] = field(default_factory=Counter)
    # Destinations off this machine the server tried to reach (tests/fuzz/sandbox.py).
    refused_lookups: int = 0
    refused_connects: int = 0

    def record(self, role: str, operation: str, status: int) -> None:
        self.statuses[role, operation][status] += 1

    def operation_lines(self) -> list[str]:
        """Return one line per role and operation with its statuses."""
        return [
            f"{role} {operation}: "
            + ", ".join(f"{code}: {count}" for code, count in sorted(counts.items()))
            for (role, operation), counts in sorted(self.statuses.items())
        ]

    def lines(self) -> list[str]:
        """Return one line per role: operations, requests, and how the answers were spread."""
        lines = []
        for role in sorted({role for role, _ in self.statuses}):
            per_operation = [c for (r, _), c in self.statuses.items() if r == role]
            total: Counter[int] = sum(per_operation, Counter())
            requests = sum(total.values())
            spread = ", ".join(f"{code}: {count}" for code, count in sorted(total.items()))
            lines.append(
                f"{role}: {len(per_operation)} operations, {requests} requests "
                f"({requests / len(per_operation):.0f} per operation; {spread}); "
                f"principal repaired {self.repairs[role]} times"
            )
        lines.append(
            f"refused by the loopback sandbox: {self.refused_lookups} name lookups, "
            f"{self.refused_connects} connections"
        )
        return lines


STATS = FuzzStats()
