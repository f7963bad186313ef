"""A theme's history: the audit events of a theme read back as its versions, newest first, each with who,
when, a summary in words and the state before and after. Merged, split, renamed and discarded themes keep
theirs; a deleted theme's history stays readable through its id."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from coding.tree import counted
from themes.themes import TEXT_FIELDS
from transcripts.audit import Change, HistoryEntry, history, quoted_list

FIELD_LABELS = {"name": "name", **TEXT_FIELDS, "status": "status", "parent_id": "parent theme"}


ThemeVersion = HistoryEntry  # a theme's history entry; its ``version`` is the theme's version after it


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
        return f"codes added: {quoted_list(after.get('added_names', []))}"
    if action == "theme.code_remove":
        return f"code removed: {quoted_list(after.get('removed_names', []))}"
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
        return f"{quoted_list(after.get('merged', []))} merged into this theme"
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
    return history(
        session, entity="theme", entity_id=theme_id, born="theme.create", fields=FIELD_LABELS, summarise=_summary
    )
