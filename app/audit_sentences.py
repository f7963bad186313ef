"""The audit log in words: each event as a sentence ("renamed code 'Trust' to 'Trusting'"), with a link to the
thing it is about while that thing exists.

Plain Python (no FastAPI, no Jinja); the names an event mentions come from ``app/audit_names.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.audit_names import Names
from coding.codebook import FIELD_LABELS as CODE_FIELDS
from coding.tree import counted
from themes.history import FIELD_LABELS as THEME_FIELDS
from themes.phases import ITEMS
from themes.themes import TEXT_FIELDS
from transcripts.audit import quoted_list
from transcripts.audit_view import AuditRow

# What each kind of thing is called on the page (the log's own names where they read well).
KIND_LABELS = {
    "agreementround": "agreement round",
    "extractreview": "extract review",
    "pseudonym_decision": "pseudonymisation decision",
    "journal": "journal entry",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@dataclass(frozen=True, slots=True)
class AuditLine:
    """An event ready to show: when in local time, who, the sentence, and where the thing is (None: gone)."""

    row: AuditRow
    when: datetime
    who: str
    sentence: str
    link: str | None


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys both states hold, with different values."""
    return [key for key in before if key in after and before[key] != after[key]]


def _coding(row: AuditRow, names: Names, who_id: int | None) -> str:
    action, before, after = row.action, row.before, row.after
    state = after or before
    whose = ""
    if state.get("coder_id") not in (None, who_id):
        whose = " (another coder's)"
    if action == "coding.create":
        return f"coded {names.coding(after)}"
    if action == "coding.delete":
        return f"removed the coding {names.coding(before)}{whose}"
    if action == "coding.update":
        parts = []
        if before.get("code_id") != after.get("code_id"):
            parts.append(
                f"recoded {names.quote(after)} from {names.code(before.get('code_id'))} to "
                f"{names.code(after.get('code_id'))} in {names.transcript(after.get('transcript_id'))}"
            )
        if (before.get("start"), before.get("end")) != (after.get("start"), after.get("end")):
            wider = after.get("end", 0) - after.get("start", 0) > before.get("end", 0) - before.get("start", 0)
            parts.append(f"{'widened' if wider else 'narrowed'} the coding {names.coding(after)}")
        if before.get("memo") != after.get("memo"):
            parts.append(f"wrote the memo of the coding {names.coding(after)}")
        return "; ".join(parts) + whose if parts else f"changed the coding {names.coding(after)}"
    if action == "coding.undo":
        undone = names.undone.get(row.before.get("undone"))  # type: ignore[arg-type]
        if undone is None:
            return "undid a change to a coding"
        return f"undid this change: {_coding(undone, names, undone.user_id)}"
    return action


def _named(row: AuditRow, lookup: Callable[[Any], str]) -> str:
    """The thing's name as its event states it, else as it is known now (or was last known)."""
    stated = row.after.get("name") or row.before.get("name")
    return repr(stated) if isinstance(stated, str) else lookup(row.entity_id)


def _where(after: dict[str, Any], under: str) -> str:
    return f"{under} {after['parent']!r}" if after.get("parent") else "to the top level"


def _code(row: AuditRow, names: Names) -> str:
    action, before, after = row.action, row.before, row.after
    name, moved = _named(row, names.code), counted(len(after.get("moved") or []), "coding")
    if action == "code.create":
        if after.get("split_from_name"):
            return f"split code {name} off {after['split_from_name']!r}"
        return f"created code {name}" + (f" under {after['parent']!r}" if after.get("parent") else "")
    if action == "code.update":
        parts = [f"renamed code {before['name']!r} to {after['name']!r}"] if "name" in _changed(before, after) else []
        others = [CODE_FIELDS.get(key, key) for key in _changed(before, after) if key not in ("name", "position")]
        if others:
            parts.append(f"changed the {', '.join(others)} of code {name}")
        return "; ".join(parts) or f"edited code {name}"
    if action == "code.move":
        if before.get("parent_id") == after.get("parent_id"):
            return f"moved code {names.code(row.entity_id)} to place {after.get('position', 0) + 1}"
        return f"moved code {names.code(row.entity_id)} {_where(after, 'under')}"
    if action == "code.merge":
        return f"merged code {name} into {after.get('into_name')!r} ({moved} moved)"
    if action == "code.merge_into":
        return f"merged {quoted_list(after.get('merged') or ['codes'])} into code {name}"
    if action == "code.split":
        return f"split code {name}: {moved} went to the new code {after.get('new_code')!r}"
    if action == "code.delete":
        held = counted(len(before.get("codings") or []), "coding")
        if after.get("codings") == "deleted":
            return f"deleted code {name} with its {held}"
        if after.get("codings") == "moved_to_parent":
            return f"deleted code {name}; its {held} moved to {after.get('into_name')!r}"
        return f"deleted code {name}"
    return f"{action} on code {name}"


def _theme(row: AuditRow, names: Names) -> str:
    action, before, after = row.action, row.before, row.after
    name, codes = _named(row, names.theme), counted(len(after.get("codes_moved") or []), "code")
    if action == "theme.create":
        if after.get("split_from_name"):
            return f"split theme {name} off {after['split_from_name']!r}"
        return f"created theme {name}" + (f" as a subtheme of {after['parent']!r}" if after.get("parent") else "")
    if action == "theme.update":
        changed = _changed(before, after)
        parts = [f"renamed theme {before['name']!r} to {after['name']!r}"] if "name" in changed else []
        if "status" in changed:
            status = after["status"]
            parts.append(f"discarded theme {name}" if status == "discarded" else f"set theme {name} to {status}")
        if "parent_id" in changed:
            parts.append(f"moved theme {name} {_where(after, 'under')}")
        others = [label for key, label in THEME_FIELDS.items() if key in changed and key in TEXT_FIELDS]
        if others:
            parts.append(f"rewrote the {', '.join(others)} of theme {name}")
        return "; ".join(parts) or f"edited theme {name}"
    if action == "theme.codes_add":
        return f"added {quoted_list(after.get('added_names') or ['codes'])} to theme {name}"
    if action == "theme.code_remove":
        return f"removed {quoted_list(after.get('removed_names') or ['a code'])} from theme {name}"
    if action == "theme.extract_choose":
        return f"chose an extract for theme {name}"
    if action == "theme.extract_drop":
        return f"dropped a chosen extract of theme {name}"
    if action == "theme.move":
        if before.get("parent_id") == after.get("parent_id"):
            return f"moved theme {names.theme(row.entity_id)} to place {after.get('position', 0) + 1}"
        return f"moved theme {names.theme(row.entity_id)} {_where(after, 'under')}"
    if action == "theme.merge":
        return f"merged theme {name} into {after.get('into_name')!r}"
    if action == "theme.merge_into":
        return f"merged {quoted_list(after.get('merged') or ['themes'])} into theme {name}"
    if action == "theme.split":
        return f"split theme {name}: {codes} went to the new theme {after.get('new_theme')!r}"
    if action == "theme.delete":
        return f"deleted theme {name}"
    return f"{action} on theme {name}"


def _verdict(after: dict[str, Any], names: Names) -> str:
    theme = names.theme(after.get("theme_id"))
    if after.get("verdict") == "fits":
        return f"judged that an extract fits theme {theme}"
    if after.get("verdict") == "does_not_fit":
        return f"judged that an extract does not fit theme {theme}"
    return f"moved an extract of theme {theme} to {names.theme(after.get('target_theme_id'))}"


def _imported(after: dict[str, Any]) -> str:
    files, skipped = after.get("imported") or [], after.get("skipped") or []
    listed = f" ({', '.join(files[:3])}{' …' if len(files) > 3 else ''})" if files else ""
    return f"imported {counted(len(files), 'transcript')}{listed}" + (
        f"; {len(skipped)} already there" if skipped else ""
    )


def _renamed(what: str, key: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    if before.get(key) != after.get(key):
        return f"renamed {what} {before.get(key)!r} to {after.get(key)!r}"
    return f"edited {what} {after.get(key)!r}"


def _study(row: AuditRow, names: Names) -> str | None:
    """The project, its team, its transcripts, dyads and participants, read marks and memos."""
    action, before, after = row.action, row.before, row.after
    if action == "project.create":
        return f"created the project {after.get('name')!r}"
    if action == "transcripts.import":
        return _imported(after)
    if action == "member.add":
        return f"added {after.get('user')} to the team as {after.get('role')}"
    if action == "member.role":
        return f"made {after.get('user')} a {after.get('role')} (was {before.get('role')})"
    if action == "dyad.update":
        return _renamed("dyad", "label", before, after)
    if action == "participant.update":
        return _renamed("participant", "pseudonym", before, after)
    if action == "dyad.attributes":
        return f"set the attributes of dyad {names.dyads.get(row.entity_id or 0, row.entity_id)!r} from a file"
    if action == "participant.attributes":
        person = names.participants.get(row.entity_id or 0, row.entity_id)
        return f"set the attributes of participant {person!r} from a file"
    if action in ("transcript.read", "transcript.unread"):
        return f"marked {names.transcript(row.entity_id)} as {'read' if action.endswith('.read') else 'not read'}"
    if action == "memo.save":
        return f"wrote a memo on {_memo_target(row, names)}"
    return None


def _analysis(row: AuditRow, names: Names) -> str | None:
    """Agreement rounds, reviews, phases, the checklist, the journal, pseudonyms and the exchange."""
    action, before, after = row.action, row.before, row.after
    if action in ("agreement.start", "agreement.close"):
        return f"{'started' if action.endswith('start') else 'closed'} the agreement round {after.get('name')!r}"
    if action == "theme.extract_review":
        return _verdict(after, names)
    if action == "theme.extract_review_clear":
        return f"took back the verdict on an extract of theme {names.theme(before.get('theme_id'))}"
    if action == "phase.move":
        return f"moved the project from phase {before.get('phase')} to phase {after.get('phase')}"
    if action in ("checklist.tick", "checklist.untick"):
        verb = "ticked" if action.endswith(".tick") else "took back the tick of"
        return f"{verb} “{_item(after.get('item'))}”"
    if action == "phase.note":
        return f"wrote the note on phase {after.get('phase')}"
    if action == "journal.write":
        return "wrote in the journal" + (f" (phase {after['phase']})" if after.get("phase") else "")
    if action == "pseudonym.add":
        return f"added {after.get('term')!r} → {after.get('replacement')!r} to the pseudonym dictionary"
    if action == "pseudonym.update":
        return f"changed the pseudonym {before.get('term')!r} to {after.get('term')!r} → {after.get('replacement')!r}"
    if action == "pseudonym.remove":
        return f"removed {before.get('term')!r} from the pseudonym dictionary"
    if row.entity == "pseudonym_decision":
        return f"{after.get('decision')} {after.get('term')!r} in a quote of the {after.get('export')} export"
    if action == "exchange.import_codebook":
        return f"imported a codebook from {after.get('file')}"
    if action == "exchange.import_qdpx":
        return f"imported the project file {after.get('file')}"
    if action == "exchange.restore":
        return f"restored the project from the backup {after.get('file')}"
    return None


def _other(row: AuditRow, names: Names) -> str:
    said = _study(row, names) or _analysis(row, names)
    if said is not None:
        return said
    return f"{row.action} ({kind_label(row.entity)}{f' {row.entity_id}' if row.entity_id else ''})"


def _item(key: Any) -> str:
    item = ITEMS.get(key) if isinstance(key, str) else None
    return item.text.rstrip(".") if item else str(key)


def _memo_target(row: AuditRow, names: Names) -> str:
    transcript_id, dyad_id = names.memos.get(row.entity_id, (None, None))  # type: ignore[arg-type]
    if transcript_id is not None:
        return names.transcript(transcript_id)
    if dyad_id is not None:
        return f"dyad {names.dyads.get(dyad_id, dyad_id)!r}"
    return "a transcript or dyad"


def sentence(row: AuditRow, names: Names) -> str:
    """What happened, in words, as the rest of a sentence that starts with who did it."""
    if row.entity == "coding":
        return _coding(row, names, row.user_id)
    if row.entity == "code":
        return _code(row, names)
    if row.entity == "theme":
        return _theme(row, names)
    return _other(row, names)


def link(row: AuditRow, names: Names, project_id: int) -> str | None:
    """Where the thing is now; None when it is gone."""
    base, thing = f"/projects/{project_id}", row.entity_id
    state = row.after or row.before
    if row.entity == "coding":
        if thing in names.codings:
            return f"{base}/codings/{thing}"
        original = names.undone.get(row.before.get("undone")) if row.action == "coding.undo" else None  # type: ignore[arg-type]
        transcript_id = (original.after or original.before if original else state).get("transcript_id")
        return f"{base}/transcripts/{transcript_id}" if transcript_id in names.transcripts else None
    if row.entity == "code":
        return f"{base}/codebook/{thing}" if thing in names.codes else None
    if row.entity == "theme":
        return f"{base}/themes/{thing}" if thing in names.themes else None
    if row.entity == "extractreview":
        theme_id = state.get("theme_id")
        return f"{base}/themes/{theme_id}/review" if theme_id in names.themes else None
    if row.entity == "transcript":
        return f"{base}/transcripts/{thing}" if thing in names.transcripts else None
    if row.entity == "memo":
        transcript_id, dyad_id = names.memos.get(thing, (None, None))  # type: ignore[arg-type]
        if transcript_id is not None:
            return f"{base}/transcripts/{transcript_id}"
        return f"{base}/dyads/{dyad_id}" if dyad_id is not None else None
    if row.entity == "dyad":
        return f"{base}/dyads/{thing}" if thing in names.dyads else None
    if row.entity == "participant":
        return f"{base}/registry" if thing in names.participants else None
    if row.entity == "agreementround":
        return f"{base}/agreement/{thing}" if thing in names.rounds else None
    pages = {"member": "/team", "project": "", "journal": "/journal", "pseudonym": "/pseudonyms"}
    pages["pseudonym_decision"] = "/pseudonyms"
    return base + pages[row.entity] if row.entity in pages else None


def describe(
    session: Session, *, project_id: int, rows: Sequence[AuditRow], names: Names | None = None
) -> list[AuditLine]:
    """The events in words, local time and links (``names``: a reader kept across batches)."""
    if not rows:
        return []
    names = names or Names(session, project_id)
    names.read(rows)
    return [
        AuditLine(
            row,
            row.at.astimezone(),
            row.who or "someone no longer known",
            sentence(row, names),
            link(row, names, project_id),
        )
        for row in rows
    ]
