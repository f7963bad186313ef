"""What an export left out and what an import created, warned about or could not import.

Both reports are plain data, printed line by line by the CLI (and, later, shown by the upload page).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class ExportReport:
    """An export: what it wrote, and what the standard cannot carry (listed, never silently dropped)."""

    path: str = ""
    counts: Counter[str] = field(default_factory=Counter)
    not_carried: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        written = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n) or "nothing"
        out = [f"wrote {self.path}: {written}"]
        out += [f"  ! {note}" for note in self.notes]
        out += [f"  not carried by REFI-QDA: {item}" for item in self.not_carried]
        return out


@dataclass(slots=True)
class ImportReport:
    """An import: what it created, every warning, and every element it did not import."""

    project: str = ""
    project_id: int | None = None
    created_project: bool = False
    offsets: str = "code points"
    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    not_imported: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def skip(self, message: str) -> None:
        self.not_imported.append(message)

    def join(self, parts: list[ImportReport]) -> None:
        """Append the parts' warnings, omissions and counts, in order: an import fills one part per step
        of a source, some of them later (see ``qdpx_import``), and the report reads as if in one go."""
        for part in parts:
            self.warnings += part.warnings
            self.not_imported += part.not_imported
            self.counts.update(part.counts)  # new kinds come last, as they would have come

    def lines(self) -> list[str]:
        made = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n) or "nothing"
        where = f"new project {self.project!r}" if self.created_project else f"project {self.project!r}"
        out = [f"imported into {where}: {made}", f"  offsets read as {self.offsets}"]
        out += [f"  ! {warning}" for warning in self.warnings]
        out += [f"  not imported: {item}" for item in self.not_imported]
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "project_id": self.project_id,
            "created_project": self.created_project,
            "offsets": self.offsets,
            "counts": dict(self.counts),
            "warnings": list(self.warnings),
            "not_imported": list(self.not_imported),
        }
