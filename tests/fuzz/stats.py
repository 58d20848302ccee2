"""What the fuzzer sent and what came back, summed up at the end of the run.

Under pytest-xdist the fuzz tests run in a worker: it hands its stats to the controller as plain
JSON-able data (`as_data`, through `config.workeroutput`), and the controller merges them
(`merge`) before printing the summary (tests/fuzz/conftest.py).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

# Answers that are not the client's fault yet allowed (tests/fuzz/schema.py): a target that
# failed (502), storage that did not answer (503).
UPSTREAM_FAILURES = frozenset({502, 503})


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

    def as_data(self) -> dict[str, Any]:
        """Return these stats as JSON-able data (what an xdist worker sends its controller)."""
        return {
            "statuses": [
                [role, operation, {str(code): count for code, count in counts.items()}]
                for (role, operation), counts in self.statuses.items()
            ],
            "repairs": dict(self.repairs),
            "refusedLookups": self.refused_lookups,
            "refusedConnects": self.refused_connects,
        }

    def merge(self, data: dict[str, Any]) -> None:
        """Add stats that as_data() returned (in another process) to these."""
        for role, operation, counts in data["statuses"]:
            for code, count in counts.items():
                self.statuses[role, operation][int(code)] += count
        self.repairs.update(data["repairs"])
        self.refused_lookups += data["refusedLookups"]
        self.refused_connects += data["refusedConnects"]

    def operation_lines(self) -> list[str]:
        """Return one line per role and operation with its statuses."""
        return [
            f"{role} {operation}: "
            + ", ".join(f"{code}: {count}" for code, count in sorted(counts.items()))
            for (role, operation), counts in sorted(self.statuses.items())
        ]

    def upstream_failure_lines(self) -> list[str]:
        """Return one line per role and operation that answered 502 or 503, with how often."""
        return [
            f"{role} {operation}: "
            + ", ".join(
                f"{code}: {counts[code]}" for code in sorted(UPSTREAM_FAILURES) if counts[code]
            )
            for (role, operation), counts in sorted(self.statuses.items())
            if any(counts[code] for code in UPSTREAM_FAILURES)
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
