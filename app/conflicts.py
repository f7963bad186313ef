"""Two people edited the same code or theme: the second sees both versions side by side, theirs kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from transcripts.audit import HistoryEntry


@dataclass(frozen=True, slots=True)
class Difference:
    label: str
    saved: str
    yours: str


@dataclass(frozen=True, slots=True)
class Conflict:
    who: str | None
    at: datetime | None
    differences: list[Difference]


def conflict(
    *, yours: Mapping[str, Any], saved: Mapping[str, Any], labels: Mapping[str, str], history: Sequence[HistoryEntry]
) -> Conflict:
    """The fields in which the form differs from what is saved now, and who saved it last (history: newest
    first)."""
    differences = [
        Difference(label, str(saved.get(key) or ""), str(yours.get(key) or ""))
        for key, label in labels.items()
        if str(saved.get(key) or "").strip() != str(yours.get(key) or "").strip()
    ]
    last = history[0] if history else None
    return Conflict(last.who if last else None, last.at if last else None, differences)
