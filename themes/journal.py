"""The reflexive journal: dated project memos in which researchers note their assumptions, decisions and
reactions as the analysis goes on (reflexive thematic analysis treats this as part of the method)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from themes.models import JournalEntry
from transcripts.audit import record
from transcripts.errors import InvalidInput
from transcripts.members import require
from transcripts.models import Project, User

MAX_ENTRY = 50_000


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    author: str
    written_at: datetime
    phase: int | None
    text: str


def write_entry(session: Session, *, project: Project, text: str, user: User, phase: int | None = None) -> Entry:
    """Add a dated entry to the project's journal (optionally tied to a phase). Commits."""
    require(session, project_id=project.id, user=user, role="coder", doing="write in the journal")  # type: ignore[arg-type]
    text = text.strip()
    if not text:
        raise InvalidInput("a journal entry needs some text")
    if len(text) > MAX_ENTRY:
        raise InvalidInput(f"a journal entry has at most {MAX_ENTRY:,} characters")
    if phase is not None and phase not in range(1, 7):
        raise InvalidInput(f"there is no phase {phase}: the phases are 1 to 6")
    entry = JournalEntry(project_id=project.id, author_id=user.id, phase=phase, text=text)  # type: ignore[arg-type]
    session.add(entry)
    session.flush()
    record(
        session,
        project_id=project.id,
        user_id=user.id,
        action="journal.write",
        entity="journal",
        entity_id=entry.id,
        after={"phase": phase, "text": text},
    )
    session.commit()
    return Entry(entry.id, user.name, entry.written_at, phase, text)  # type: ignore[arg-type]


def journal(session: Session, *, project_id: int) -> list[Entry]:
    """The project's journal, newest first."""
    rows = session.exec(
        select(JournalEntry, User.name)
        .outerjoin(User, col(User.id) == JournalEntry.author_id)
        .where(JournalEntry.project_id == project_id)
        .order_by(col(JournalEntry.written_at).desc(), col(JournalEntry.id).desc())
    ).all()
    return [Entry(e.id, name or "someone", e.written_at, e.phase, e.text) for e, name in rows]  # type: ignore[arg-type]
