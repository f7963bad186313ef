"""What a project holds, in terms that survive an exchange (no ids, no GUIDs): for round-trip comparisons."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from coding.models import Code, Coding
from themes.models import JournalEntry, Theme, ThemeCode
from transcripts.models import Dyad, Memo, Participant, Project, Transcript, User


def snapshot(session: Session, project: Project) -> dict[str, Any]:
    pid = project.id
    users = {u.id: u.name for u in session.exec(select(User))}
    dyads = {d.id: d for d in session.exec(select(Dyad).where(Dyad.project_id == pid))}
    people = {p.id: p for p in session.exec(select(Participant).where(Participant.project_id == pid))}
    transcripts = {t.id: t for t in session.exec(select(Transcript).where(Transcript.project_id == pid))}

    def source(transcript_id: int) -> tuple[str, str, str, int]:
        t = transcripts[transcript_id]
        p = people[t.participant_id]
        return (dyads[p.dyad_id].label, p.role, p.pseudonym, t.session)

    codes = {c.id: c for c in session.exec(select(Code).where(Code.project_id == pid))}

    def path(code_id: int) -> str:
        code = codes[code_id]
        return (path(code.parent_id) + "/" if code.parent_id in codes else "") + code.name

    themes = {t.id: t for t in session.exec(select(Theme).where(Theme.project_id == pid))}

    def theme_path(theme_id: int) -> str:
        theme = themes[theme_id]
        return (theme_path(theme.parent_id) + "::" if theme.parent_id in themes else "") + theme.name

    members: dict[int, set[str]] = {theme_id: set() for theme_id in themes}
    for link in session.exec(select(ThemeCode)):
        if link.theme_id in themes:
            members[link.theme_id].add(path(link.code_id))
    memos = []
    for memo in session.exec(select(Memo).where(Memo.project_id == pid)):
        target = source(memo.transcript_id) if memo.transcript_id else dyads[memo.dyad_id].label
        memos.append((memo.kind, target, users[memo.author_id], memo.body))
    return {
        "dyads": {(d.label, d.group, tuple(sorted(d.attributes.items()))) for d in dyads.values()},
        "sources": {source(t.id): t.text for t in transcripts.values()},
        "codes": {(path(c.id), c.definition, c.inclusion, c.exclusion, c.example, c.colour) for c in codes.values()},
        "codings": {
            (source(c.transcript_id), c.start, c.end, path(c.code_id), users.get(c.coder_id), c.memo, c.text)
            for c in session.exec(select(Coding).where(Coding.project_id == pid))
        },
        "memos": sorted(memos),
        "themes": {
            (theme_path(t.id), t.definition, t.central_concept, t.scope, t.memo, frozenset(members[t.id]))
            for t in themes.values()
            if t.status != "discarded"
        },
        "journal": sorted(
            (users.get(j.author_id) or "", j.phase or 0, j.text)
            for j in session.exec(select(JournalEntry).where(JournalEntry.project_id == pid))
        ),
    }


def counts(session: Session) -> dict[str, int]:
    """Rows of every table an import writes to (to prove that a refused import wrote nothing)."""
    from sqlalchemy import func

    tables = (Project, Dyad, Participant, Transcript, Code, Coding, Memo, Theme, ThemeCode, JournalEntry, User)
    return {table.__name__: session.exec(select(func.count()).select_from(table)).one() for table in tables}
