"""A code's history: the audit events of a code read back as what happened to it, newest first, each with
who, when, a summary in words and the state before and after."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from coding.codebook import FIELD_LABELS
from coding.tree import counted
from transcripts.audit import Change, HistoryEntry, history, quoted_list


def _spot(state: dict[str, Any]) -> str:
    return f"under {state['parent']!r}" if state.get("parent") else "the top level"


def _among(state: dict[str, Any]) -> str:
    return f"among the subcodes of {state['parent']!r}" if state.get("parent") else "among the top-level codes"


def _summary(action: str, before: dict[str, Any], after: dict[str, Any], changes: list[Change]) -> str:
    if action == "code.create":
        if after.get("split_from_name"):
            return (
                f"split off from {after['split_from_name']!r}, taking {counted(len(after.get('moved', [])), 'coding')}"
            )
        return f"created under {after['parent']!r}" if after.get("parent") else "created at the top level"
    if action == "code.update":
        parts = [f"renamed {c.before!r} to {c.after!r}" for c in changes if c.field == "name"]
        others = [FIELD_LABELS.get(c.field, c.field) for c in changes if c.field not in ("name", "position")]
        if others:
            parts.append("changed the " + ", ".join(others))
        return "; ".join(parts) or "edited"
    if action == "code.move":
        why = ""
        if after.get("merged"):
            why = " (its parent was merged)"
        elif after.get("deleted"):
            why = " (its parent was deleted)"
        if before.get("parent_id") != after.get("parent_id"):
            return f"moved from {_spot(before)} to {_spot(after)}{why}"
        return f"moved from place {before.get('position', 0) + 1} to {after.get('position', 0) + 1} {_among(after)}"
    if action == "code.merge":
        moved, collapsed = counted(len(after.get("moved", [])), "coding"), len(after.get("collapsed", []))
        joined = f", {counted(collapsed, 'duplicate')} joined with the same passage there" if collapsed else ""
        return f"merged into {after.get('into_name')!r}: {moved} moved{joined}"
    if action == "code.merge_into":
        joined = f", {counted(after.get('collapsed', 0), 'duplicate')} joined" if after.get("collapsed") else ""
        moved = counted(after.get("moved", 0), "coding")
        return f"{quoted_list(after.get('merged', []))} merged into this code: {moved} moved here{joined}"
    if action == "code.split":
        return f"split: {counted(len(after.get('moved', [])), 'coding')} went to the new code {after.get('new_code')!r}"
    if action == "code.delete":
        n = counted(len(before.get("codings") or []), "coding")
        if after.get("codings") == "deleted":
            return f"deleted with its {n}"
        if after.get("codings") == "moved_to_parent":
            return f"deleted; its {n} moved to {after.get('into_name')!r}"
        return "deleted"
    return action


def code_history(session: Session, *, code_id: int) -> list[HistoryEntry]:
    """What happened to a code, newest first: its creation (or split from another code), edits and renames,
    moves, merges into it, splits from it — each with who, when, and the state before and after. The history
    of a merged or deleted code stays readable through its id."""
    return history(
        session, entity="code", entity_id=code_id, born="code.create", fields=FIELD_LABELS, summarise=_summary
    )
