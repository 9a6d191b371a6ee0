"""What an import reports: its counts, its row errors, and the errors of a mapping."""

from __future__ import annotations

from dataclasses import dataclass, field


class MappingError(Exception):
    """The mapping file itself is wrong (unknown field, bad type …)."""


class FieldError(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}"


@dataclass
class ImportResult:
    file: str
    mapping: str
    dry_run: bool = False
    encoding: str = ""
    rows_read: int = 0
    rows_skipped: int = 0  # history rows, deleted rows
    persons_imported: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0
    households_imported: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    pending_resolved: int = 0  # pending move-ins found in the register and removed
    guard: str = ""  # "empty" or "drop" when the nightly guard refused the file
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def rows_rejected(self) -> int:
        return len({e.line for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "mapping": self.mapping,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "status": "rejected" if self.rejected else ("checked" if self.dry_run else "imported"),
            "rows": {"read": self.rows_read, "skipped": self.rows_skipped},
            "persons": {
                "imported": self.persons_imported,
                "updated": self.persons_updated,
                "unchanged": self.persons_unchanged,
                "rejected": self.rows_rejected,
            },
            "households": {
                "imported": self.households_imported,
                "updated": self.households_updated,
                "unchanged": self.households_unchanged,
            },
            "pending_resolved": self.pending_resolved,
            "guard": self.guard,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }
