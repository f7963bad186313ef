"""The audit log: every change appends an event in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from transcripts.models import AuditEvent, User


def record(
    session: Session,
    *,
    project_id: int | None,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event (flushed, not committed: it lands with the change it describes)."""
    event = AuditEvent(
        project_id=project_id,
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(event)
    return event


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event in a thing's history (a code's, a theme's): who did what, when, the state before and after,
    the fields it changed, and a summary in words."""

    id: int
    at: datetime
    who: str | None
    action: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: list[Change]

    @property
    def version(self) -> int | None:
        """The thing's version number after this event, where the event carries one (themes do)."""
        return (self.after or {}).get("version")


Summarise = Callable[[str, dict[str, Any], dict[str, Any], list[Change]], str]


def history(
    session: Session, *, entity: str, entity_id: int, born: str, fields: Mapping[str, str], summarise: Summarise
) -> list[HistoryEntry]:
    """The audit events of one thing, newest first, back to its creation (``born``: an id freed by a deletion
    may be used again), each with the ``fields`` it changed and ``summarise``'s words for it."""
    rows = session.exec(
        select(AuditEvent, User.name)
        .outerjoin(User, col(User.id) == col(AuditEvent.user_id))
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(col(AuditEvent.id).desc())
    ).all()
    entries = []
    for event, who in rows:
        before, after = event.before or {}, event.after or {}
        changes = [
            Change(key, before[key], after[key])
            for key in fields
            if key in before and key in after and before[key] != after[key]
        ]
        summary = summarise(event.action, before, after, changes)
        entries.append(
            HistoryEntry(event.id or 0, event.at, who, event.action, summary, event.before, event.after, changes)
        )
        if event.action == born:
            break
    return entries


def quoted_list(names: Sequence[str]) -> str:
    """'A', 'B' and 'C'."""
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
