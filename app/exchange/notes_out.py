"""Memos as REFI-QDA ``Notes`` on export, and the list of what the standard cannot carry.

A familiarisation memo is referenced by its transcript's ``NoteRef``; a dyad memo by a ``Link`` from the
note to the dyad's case (a ``Case`` holds no ``NoteRef``); a coding's memo by the coding's ``NoteRef``; a
theme's memo is a ``MemberNote`` of its set; journal entries by the project's ``NoteRef``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.exchange.builder import Builder
from app.exchange.report import ExportReport
from app.exchange.xml import Element, iso
from coding.models import Coding
from themes.models import ChecklistTick, ExtractReview, JournalEntry, PhaseNote, ProjectPhase, Theme, ThemeExtract
from transcripts.models import AuditEvent, Dyad, Memo, Project, ReadMark, Transcript


@dataclass(slots=True)
class Note:
    guid: str
    name: str
    body: str
    author: str | None
    created: datetime | None
    modified: datetime | None


@dataclass(slots=True)
class Notes:
    notes: list[Note] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # guid, note, case
    transcript_refs: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    coding_refs: dict[int, str] = field(default_factory=dict)
    theme_refs: dict[int, str] = field(default_factory=dict)
    project_refs: list[str] = field(default_factory=list)
    author_ids: set[int | None] = field(default_factory=set)

    def theme_note(self, theme: Theme) -> str | None:
        return self.theme_refs.get(theme.id or 0)


def collect(
    session: Session, project: Project, *, guid: Callable[[str, object], str], user: Callable[[int | None], str | None]
) -> Notes:
    pid = project.id
    out = Notes()

    def add(
        kind: str,
        key: object,
        name: str,
        body: str,
        author: int | None,
        created: datetime | None,
        modified: datetime | None = None,
    ) -> str:
        note = Note(guid(kind, key), name, body, user(author), created, modified)
        out.notes.append(note)
        out.author_ids.add(author)
        return note.guid

    names = dict(session.exec(select(Transcript.id, Transcript.name).where(Transcript.project_id == pid)).all())
    labels = dict(session.exec(select(Dyad.id, Dyad.label).where(Dyad.project_id == pid)).all())
    memos = session.exec(select(Memo).where(Memo.project_id == pid).order_by(col(Memo.id)))
    for memo in memos:
        if not memo.body.strip():
            continue
        if memo.transcript_id is not None:
            name = f"Familiarisation memo: {names.get(memo.transcript_id, '')}"
            note = add("memo", memo.id, name, memo.body, memo.author_id, memo.created_at, memo.updated_at)
            out.transcript_refs[memo.transcript_id].append(note)
        elif memo.dyad_id is not None:
            name = f"Dyad memo: {labels.get(memo.dyad_id, '')}"
            note = add("memo", memo.id, name, memo.body, memo.author_id, memo.created_at, memo.updated_at)
            out.links.append((guid("memo-link", memo.id), note, guid("dyad", memo.dyad_id)))
        else:
            note = add("memo", memo.id, "Journal", memo.body, memo.author_id, memo.created_at, memo.updated_at)
            out.project_refs.append(note)
    codings = session.exec(select(Coding).where(Coding.project_id == pid, Coding.memo != "").order_by(col(Coding.id)))
    for coding in codings:
        if coding.memo.strip():
            out.coding_refs[coding.id or 0] = add(
                "coding-memo", coding.id, "Coding memo", coding.memo, coding.coder_id, coding.updated_at
            )
    for theme in session.exec(select(Theme).where(Theme.project_id == pid).order_by(col(Theme.id))):
        if theme.memo.strip() and theme.status != "discarded":
            name = f"Theme memo: {theme.name}"
            out.theme_refs[theme.id or 0] = add(
                "theme-memo", theme.id, name, theme.memo, theme.created_by_id, theme.updated_at
            )
    entries = session.exec(select(JournalEntry).where(JournalEntry.project_id == pid).order_by(col(JournalEntry.id)))
    for entry in entries:
        if entry.text.strip():
            name = f"Journal, phase {entry.phase}" if entry.phase else "Journal"
            out.project_refs.append(add("journal", entry.id, name, entry.text, entry.author_id, entry.written_at))
    return out


def write(builder: Builder, root: Element, notes: Notes, report: ExportReport) -> None:
    if notes.notes:
        holder = builder.add(root, "Notes")
        for note in notes.notes:
            element = builder.add(
                holder,
                "Note",
                guid=note.guid,
                name=note.name,
                creatingUser=note.author,
                creationDateTime=iso(note.created),
                modifiedDateTime=iso(note.modified),
            )
            builder.add(element, "PlainTextContent", note.body)
        report.counts["notes"] = len(notes.notes)
    if notes.links:
        holder = builder.add(root, "Links")
        for guid, origin, case in notes.links:
            builder.add(
                holder, "Link", guid=guid, name="Memo on dyad", direction="OneWay", originGUID=origin, targetGUID=case
            )


def _count(session: Session, query: object) -> int:
    return int(session.exec(query).one())  # type: ignore[call-overload]


def not_carried(session: Session, project: Project, report: ExportReport) -> None:
    """List what the project holds that QDA-XML has no place for (Dyadic's backup keeps it)."""
    pid = project.id
    themes = list(session.exec(select(Theme).where(Theme.project_id == pid)))
    theme_ids = [t.id for t in themes]
    items = []
    statuses = sorted({t.status for t in themes if t.status != "discarded"})
    if statuses:
        items.append(f"theme status ({', '.join(statuses)}); imported themes start as candidates")
    discarded = sum(t.status == "discarded" for t in themes)
    if discarded:
        items.append(f"{discarded} discarded themes (left out)")
    if theme_ids:
        extracts = _count(session, select(func.count()).where(col(ThemeExtract.theme_id).in_(theme_ids)))
        reviews = _count(session, select(func.count()).where(col(ExtractReview.theme_id).in_(theme_ids)))
        if extracts:
            items.append(f"{extracts} extracts chosen to illustrate themes")
        if reviews:
            items.append(f"{reviews} extract reviews (phase 4)")
    phase = session.exec(select(ProjectPhase.phase).where(ProjectPhase.project_id == pid)).first()
    if phase:
        items.append(f"the project's phase ({phase})")
    ticks = _count(session, select(func.count()).where(ChecklistTick.project_id == pid))
    if ticks:
        items.append(f"{ticks} ticks of the quality checklist")
    phase_notes = _count(session, select(func.count()).where(PhaseNote.project_id == pid, PhaseNote.text != ""))
    if phase_notes:
        items.append(f"{phase_notes} phase notes")
    reads = _count(
        session,
        select(func.count())
        .select_from(ReadMark)
        .join(Transcript, col(Transcript.id) == ReadMark.transcript_id)
        .where(Transcript.project_id == pid),
    )
    if reads:
        items.append(f"{reads} read marks")
    events = _count(session, select(func.count()).where(AuditEvent.project_id == pid))
    items.append(f"the audit log and code/theme history ({events} events)")
    items.append("team roles (owner, lead, coder, viewer); the analysis approach")
    items.append("speaker turns, time stamps and file formats (turns are found again from the text on import)")
    report.not_carried.extend(items)
