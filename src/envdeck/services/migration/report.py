"""What a migration did (or, in a dry run, would do), line by line.

The report names every renamed environment, every secret moved into the vault or sealed, every
value that could not be carried, and warnings; never a secret value.
"""

from dataclasses import dataclass, field

COLLECTIONS = ("environments", "credentials", "users", "logs")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class MigrationReport:
    dry_run: bool = False
    counts: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in COLLECTIONS})
    renamed: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # A collection left as it was because writing it failed part way (all or nothing).
    failed: list[str] = field(default_factory=list)

    def merge(self, other: "MigrationReport") -> None:
        """Add another part's counts and entries to this report (a migration sent in parts)."""
        for name, counts in other.counts.items():
            for outcome in ("created", "updated", "skipped"):
                self.count(name, outcome, getattr(counts, outcome))
        for name in ("renamed", "secrets", "not_carried", "changed", "warnings", "failed"):
            getattr(self, name).extend(getattr(other, name))

    def count(self, collection: str, outcome: str, n: int = 1) -> None:
        counts = self.counts[collection]
        setattr(counts, outcome, getattr(counts, outcome) + n)

    def lines(self) -> list[str]:
        """Return the report as printed: counts, then each section that has entries."""
        head = "dry run: nothing was written" if self.dry_run else "migration done"
        out = [head]
        for name, c in self.counts.items():
            out.append(
                f"{name + ':':<14}{c.created} created, {c.updated} updated, {c.skipped} skipped"
            )
        sections = (
            ("renamed", self.renamed),
            ("secrets moved", self.secrets),
            ("values changed", self.changed),
            ("not carried", self.not_carried),
            ("warnings", self.warnings),
            ("failed", self.failed),
        )
        for title, entries in sections:
            if entries:
                out.append(f"{title} ({len(entries)}):")
                out.extend(f"  {entry}" for entry in entries)
        return out
