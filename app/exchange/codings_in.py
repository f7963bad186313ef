"""Codings from a source's ``PlainTextSelection``s (and whole-source ``Coding``s), on import.

Positions are converted from the file's offset model (``offsets``); a selection that does not land on the
text is reported and left out, never shifted. Identical codings (same code, coder and span — NVivo writes one
selection per coding) are merged. A coding whose code or coder the file does not define is left out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.exchange.guids import normalised
from app.exchange.offsets import Positions
from app.exchange.report import ImportReport
from app.exchange.xml import Element, kid, kids, text_of
from coding.models import Code, Coding
from transcripts.models import Transcript, User


@dataclass(slots=True)
class CodingContext:
    """What every source's codings need: codes and users by GUID, notes' texts, the importing person."""

    session: Session
    project_id: int
    report: ImportReport
    codes: dict[str, Code]
    users: dict[str, User]
    importer: User
    notes: dict[str, str]
    offsets: str
    used_notes: set[str] = field(default_factory=set)
    taken_guids: set[str] = field(default_factory=set)
    seen: set[tuple[int, int, int | None, int, int]] = field(default_factory=set)
    anonymous: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)  # codings not yet stored

    def store(self) -> None:
        """Insert the pending codings in one statement (Core, not ORM objects: a project has hundreds of
        thousands). Called when the batch is full and at the end of the import."""
        if self.pending:
            self.session.connection().execute(Coding.__table__.insert(), self.pending)  # type: ignore[attr-defined]
            self.pending = []

    def load_taken(self, root: Element) -> None:
        """GUIDs of codings in the file that the database holds already (so they get new ones)."""
        guids = sorted({g for g in (normalised(c.get("guid")) for c in root.iter("{*}Coding")) if g})
        for index in range(0, len(guids), 500):
            chunk = guids[index : index + 500]
            self.taken_guids.update(self.session.exec(select(Coding.guid).where(col(Coding.guid).in_(chunk))))

    def load_existing(self, transcript_id: int) -> None:
        rows = self.session.exec(
            select(Coding.code_id, Coding.coder_id, Coding.start, Coding.end).where(
                Coding.transcript_id == transcript_id
            )
        )
        self.seen.update((transcript_id, code, coder, start, end) for code, coder, start, end in rows)


BATCH = 20_000  # codings stored at once


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def import_codings(context: CodingContext, source: Element, transcript: Transcript, name: str) -> None:
    text = transcript.text
    positions = Positions(text, context.offsets)
    for selection in kids(source, "PlainTextSelection"):
        label = selection.get("name") or selection.get("guid") or "?"
        codings = list(kids(selection, "Coding"))
        memo = text_of(selection, "Description").strip()
        memo_parts = [memo] if memo else []
        for ref in kids(selection, "NoteRef"):
            target = normalised(ref.get("targetGUID")) or ""
            if target in context.notes:
                context.used_notes.add(target)
                memo_parts.append(context.notes[target])
        if not codings:
            context.report.skip(f"source {name!r}: selection {label!r} holds no coding (a comment?)")
            continue
        raw_start, raw_end = _int(selection.get("startPosition")), _int(selection.get("endPosition"))
        start = positions.to_code_points(raw_start) if raw_start is not None else None
        end = positions.to_code_points(raw_end) if raw_end is not None else None
        if start is None or end is None or start >= end:
            context.report.skip(
                f"source {name!r}: selection {label!r} [{raw_start}, {raw_end}) does not land on the text "
                f"({len(text)} characters, offsets read as {context.offsets})"
            )
            continue
        if _mid_word(text, start) or _mid_word(text, end):
            context.report.warn(f"source {name!r}: selection {label!r} [{start}, {end}) begins or ends inside a word")
        for element in codings:
            _coding(context, element, transcript, start, end, "\n\n".join(memo_parts), where=f"{name!r}, {label!r}")
    for element in kids(source, "Coding"):
        if not text:
            context.report.skip(f"source {name!r}: a coding of the whole source, whose text is empty")
            continue
        context.report.counts["whole-source codings"] += 1
        _coding(context, element, transcript, 0, len(text), "", where=f"{name!r} (whole source)")


def _mid_word(text: str, position: int) -> bool:
    return 0 < position < len(text) and text[position - 1].isalnum() and text[position].isalnum()


def _coding(
    context: CodingContext, element: Element, transcript: Transcript, start: int, end: int, memo: str, *, where: str
) -> None:
    ref = kid(element, "CodeRef")
    target = ref.get("targetGUID") if ref is not None else None
    code = context.codes.get(normalised(target) or "")
    if code is None:
        context.report.skip(f"source {where}: a coding of code {target} that the codebook lacks")
        return
    creator = element.get("creatingUser") or element.getparent().get("creatingUser")
    if creator:
        coder = context.users.get(normalised(creator) or "")
        if coder is None:
            context.report.skip(f"source {where}: a coding by user {creator}, whom the file does not list")
            return
    else:
        coder = context.importer
        context.anonymous += 1
    for ref in kids(element, "NoteRef"):
        target = normalised(ref.get("targetGUID")) or ""
        if target in context.notes:
            context.used_notes.add(target)
            memo = "\n\n".join(part for part in (memo, context.notes[target]) if part)
    assert transcript.id is not None and code.id is not None
    key = (transcript.id, code.id, coder.id, start, end)
    if key in context.seen:
        context.report.counts["duplicate codings merged"] += 1
        return
    context.seen.add(key)
    guid = normalised(element.get("guid"))
    if guid is None or guid in context.taken_guids:
        guid = str(uuid.uuid4())
    context.taken_guids.add(guid)
    now = datetime.now(UTC)
    context.pending.append(
        {
            "project_id": context.project_id,
            "transcript_id": transcript.id,
            "code_id": code.id,
            "coder_id": coder.id,
            "start": start,
            "end": end,
            "text": transcript.text[start:end],
            "memo": memo,
            "guid": guid,
            "created_at": now,
            "updated_at": now,
        }
    )
    if len(context.pending) >= BATCH:
        context.store()
    context.report.counts["codings"] += 1
