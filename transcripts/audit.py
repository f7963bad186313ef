"""The audit log: every change appends an event in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from transcripts.models import AuditEvent


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
