"""Codings from a source's ``PlainTextSelection``s (and whole-source ``Coding``s), on import.

Positions are converted from the file's offset model (``offsets``); a selection that does not land on the
text is reported and left out, never shifted. Identical codings (same code, coder and span — NVivo writes one
selection per coding) are merged. A coding whose code or coder the file does not define is left out.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.exchange.guids import normalised
from app.exchange.offsets import Positions
from app.exchange.report import ImportReport
from app.exchange.xml import Element, kids
from coding.models import Code, Coding
from transcripts import store
from transcripts.models import Transcript, User

COLUMNS = 'project_id, transcript_id, code_id, coder_id, start, "end", text, memo, guid, created_at, updated_at'


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
    pending: list[tuple[object, ...]] = field(default_factory=list)  # codings not yet stored
    _code_ids: dict[str | None, int | None] = field(default_factory=dict)
    _coder_ids: dict[str, int | None] = field(default_factory=dict)
    writer: store.BulkWriter | None = None  # while set, codings are stored through it (``qdpx_import``)
    now: object = None  # the import's time, as the database driver takes it (see ``__post_init__``)

    def __post_init__(self) -> None:
        # The rows bypass SQLAlchemy, so the time is converted as its column type would (SQLite: a string).
        dialect = self.session.get_bind().dialect
        convert = Coding.__table__.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[attr-defined]
        now = datetime.now(UTC)
        self.now = convert(now) if convert else now

    def code_id(self, reference: str | None) -> int | None:
        """The id of the code a ``CodeRef`` names (None: the codebook lacks it). The same few GUIDs come back
        for every coding, so each is read once."""
        if reference not in self._code_ids:
            code = self.codes.get(normalised(reference) or "")
            self._code_ids[reference] = code.id if code is not None else None
        return self._code_ids[reference]

    def coder_id(self, reference: str) -> int | None:
        """The id of the user a ``creatingUser`` names (None: the file does not list them), read once each."""
        if reference not in self._coder_ids:
            coder = self.users.get(normalised(reference) or "")
            self._coder_ids[reference] = coder.id if coder is not None else None
        return self._coder_ids[reference]

    def store(self) -> None:
        """Insert the pending codings in bulk (``store.insert_rows``: COPY on PostgreSQL; no ORM objects or
        Core statements: a project has hundreds of thousands), or hand them to the writer. Called when the
        batch is full and at the end."""
        if self.writer is not None:
            self.writer.add("coding", COLUMNS, self.pending)
        else:
            store.insert_rows(self.session, "coding", COLUMNS, self.pending)
        self.pending = []

    def load_taken(self, root: Element) -> None:
        """GUIDs of codings in the file that the database holds already (so they get new ones), in one query:
        a re-imported project brings hundreds of thousands."""
        guids = list({g for g in (normalised(c.get("guid")) for c in root.iter("{*}Coding")) if g})
        if not guids:
            return
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            found = connection.execute(sa.text("SELECT guid FROM coding WHERE guid = ANY(:guids)"), {"guids": guids})
        else:
            found = connection.execute(
                sa.text("SELECT guid FROM coding WHERE guid IN (SELECT value FROM json_each(:guids))"),
                {"guids": json.dumps(guids)},
            )
        self.taken_guids.update(found.scalars())

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
    # Children are found by lxml's own tag filter ("{*}": any namespace), not by ``xml.kids``: a project has
    # hundreds of thousands of selections, and the filter in C is several times faster.
    text = transcript.text
    assert transcript.id is not None
    positions = Positions(text, context.offsets)
    for selection in source.iterchildren("{*}PlainTextSelection"):
        label = selection.get("name") or selection.get("guid") or "?"
        codings = list(selection.iterchildren("{*}Coding"))
        description = selection.find("{*}Description")
        memo = "".join(description.itertext()).strip() if description is not None else ""
        memo_parts = [memo] if memo else []
        for ref in selection.iterchildren("{*}NoteRef"):
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
        memo, where = "\n\n".join(memo_parts), f"{name!r}, {label!r}"
        for element in codings:
            _coding(context, element, transcript.id, text, start, end, memo, where=where)
    for element in kids(source, "Coding"):
        if not text:
            context.report.skip(f"source {name!r}: a coding of the whole source, whose text is empty")
            continue
        context.report.counts["whole-source codings"] += 1
        _coding(context, element, transcript.id, text, 0, len(text), "", where=f"{name!r} (whole source)")


def _mid_word(text: str, position: int) -> bool:
    return 0 < position < len(text) and text[position - 1].isalnum() and text[position].isalnum()


def _coding(
    context: CodingContext,
    element: Element,
    transcript_id: int,
    text: str,
    start: int,
    end: int,
    memo: str,
    *,
    where: str,
) -> None:
    ref = element.find("{*}CodeRef")
    target = ref.get("targetGUID") if ref is not None else None
    code_id = context.code_id(target)
    if code_id is None:
        context.report.skip(f"source {where}: a coding of code {target} that the codebook lacks")
        return
    creator = element.get("creatingUser") or element.getparent().get("creatingUser")
    if creator:
        coder_id = context.coder_id(creator)
        if coder_id is None:
            context.report.skip(f"source {where}: a coding by user {creator}, whom the file does not list")
            return
    else:
        coder_id = context.importer.id
        context.anonymous += 1
    for ref in element.iterchildren("{*}NoteRef"):
        target = normalised(ref.get("targetGUID")) or ""
        if target in context.notes:
            context.used_notes.add(target)
            memo = "\n\n".join(part for part in (memo, context.notes[target]) if part)
    key = (transcript_id, code_id, coder_id, start, end)
    if key in context.seen:
        context.report.counts["duplicate codings merged"] += 1
        return
    context.seen.add(key)
    guid = normalised(element.get("guid"))
    if guid is None or guid in context.taken_guids:
        guid = str(uuid.uuid4())
    context.taken_guids.add(guid)
    now = context.now
    context.pending.append((context.project_id, transcript_id, code_id, coder_id, start, end, text[start:end], memo,
                            guid, now, now))  # fmt: skip
    if len(context.pending) >= BATCH:
        context.store()
    context.report.counts["codings"] += 1
