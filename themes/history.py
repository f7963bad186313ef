"""A theme's history: the audit events of a theme read back as its versions, newest first, each with who,
when, a summary in words and the state before and after. Merged, split, renamed and discarded themes keep
theirs; a deleted theme's history stays readable through its id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from coding.tree import counted
from themes.themes import TEXT_FIELDS
from transcripts.models import AuditEvent, User

FIELD_LABELS = {"name": "name", **TEXT_FIELDS, "status": "status", "parent_id": "parent theme"}


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class ThemeVersion:
    """One event in a theme's history: who did what, when, and the theme before and after."""

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
        """The theme's version number after this event (None where the event does not carry it)."""
        return (self.after or {}).get("version")


def _quoted(names: Sequence[str]) -> str:
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _summary(action: str, before: dict[str, Any], after: dict[str, Any], changes: list[Change]) -> str:
    if action == "theme.create":
        codes = counted(len(after.get("codes", [])), "code")
        if after.get("split_from_name"):
            return f"split off from {after['split_from_name']!r}, taking {codes}"
        where = f"as a subtheme of {after['parent']!r}" if after.get("parent") else "at the top level"
        return f"created {where} with {codes}"
    if action == "theme.update":
        parts = [f"renamed {c.before!r} to {c.after!r}" for c in changes if c.field == "name"]
        for c in changes:
            if c.field == "status":
                why = f" with its parent {after['with_parent']!r}" if after.get("with_parent") else ""
                parts.append(f"status {c.before} → {c.after}{why}")
        if any(c.field == "parent_id" for c in changes):
            parts.append(f"moved under {after['parent']!r}" if after.get("parent") else "moved to the top level")
        others = [FIELD_LABELS[c.field] for c in changes if c.field in TEXT_FIELDS]
        if others:
            parts.append("rewrote the " + ", ".join(others))
        return "; ".join(parts) or "edited"
    if action == "theme.codes_add":
        return f"codes added: {_quoted(after.get('added_names', []))}"
    if action == "theme.code_remove":
        return f"code removed: {_quoted(after.get('removed_names', []))}"
    if action == "theme.extract_choose":
        return "an extract chosen to illustrate it"
    if action == "theme.extract_drop":
        return "a chosen extract dropped"
    if action == "theme.move":
        why = (
            " (its parent was merged)"
            if after.get("merged")
            else " (its parent was deleted)"
            if after.get("deleted")
            else ""
        )
        if before.get("parent_id") != after.get("parent_id"):
            where = f"under {after['parent']!r}" if after.get("parent") else "to the top level"
            return f"moved {where}{why}"
        return f"moved from place {before.get('position', 0) + 1} to {after.get('position', 0) + 1}"
    if action == "theme.merge":
        codes = counted(len(after.get("codes_moved", [])), "code")
        extracts = counted(len(after.get("extracts_moved", [])), "chosen extract")
        return f"merged into {after.get('into_name')!r} ({codes} and {extracts} moved there); kept as discarded"
    if action == "theme.merge_into":
        return f"{_quoted(after.get('merged', []))} merged into this theme"
    if action == "theme.split":
        codes = counted(len(after.get("codes_moved", [])), "code")
        return f"split: {codes} went to the new theme {after.get('new_theme')!r}"
    if action == "theme.delete":
        return "deleted"
    return action


def theme_history(session: Session, *, theme_id: int) -> list[ThemeVersion]:
    """What happened to a theme, newest first: its creation (or split from another theme), renames and edits,
    status changes (discarding), codes added and removed, extracts chosen, moves, merges into it or of it
    into another, splits — each with who, when, and the theme before and after."""
    rows = session.exec(
        select(AuditEvent, User.name)
        .outerjoin(User, col(User.id) == col(AuditEvent.user_id))
        .where(AuditEvent.entity == "theme", AuditEvent.entity_id == theme_id)
        .order_by(col(AuditEvent.id).desc())
    ).all()
    versions = []
    for event, who in rows:
        before, after = event.before or {}, event.after or {}
        changes = [
            Change(key, before[key], after[key])
            for key in FIELD_LABELS
            if key in before and key in after and before[key] != after[key]
        ]
        summary = _summary(event.action, before, after, changes)
        versions.append(
            ThemeVersion(event.id or 0, event.at, who, event.action, summary, event.before, event.after, changes)
        )
        if event.action == "theme.create":  # an id freed by a deletion may be used again: stop at the birth
            break
    return versions
