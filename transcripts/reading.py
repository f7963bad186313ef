"""Familiarisation: who has read which transcript, and each reader's memos on transcripts and dyads."""

from __future__ import annotations

from sqlmodel import Session, col, select

from transcripts.audit import record
from transcripts.errors import InvalidInput, NotFound
from transcripts.models import Dyad, Memo, ReadMark, Transcript, User, utcnow

MEMO_KINDS = ("familiarisation", "dyad")
MAX_MEMO = 100_000


def set_read(session: Session, *, transcript_id: int, user: User, read: bool) -> bool:
    """Mark a transcript as read (or unread) by ``user``; returns the new state."""
    transcript = session.get(Transcript, transcript_id)
    if transcript is None:
        raise NotFound(f"no transcript with id {transcript_id}")
    mark = session.exec(
        select(ReadMark).where(ReadMark.transcript_id == transcript_id, ReadMark.user_id == user.id)
    ).first()
    if read and mark is None:
        session.add(ReadMark(user_id=user.id, transcript_id=transcript_id))  # type: ignore[arg-type]
    elif not read and mark is not None:
        session.delete(mark)
    record(
        session,
        project_id=transcript.project_id,
        user_id=user.id,
        action="transcript.read" if read else "transcript.unread",
        entity="transcript",
        entity_id=transcript_id,
    )
    session.commit()
    return read


def readers(session: Session, *, transcript_id: int) -> list[str]:
    return list(
        session.exec(
            select(User.name)
            .join(ReadMark, col(ReadMark.user_id) == User.id)
            .where(ReadMark.transcript_id == transcript_id)
            .order_by(col(User.name))
        )
    )


def save_memo(
    session: Session, *, author: User, body: str, transcript_id: int | None = None, dyad_id: int | None = None
) -> Memo:
    """Write the author's memo on a transcript (familiarisation) or a dyad: one per person and target."""
    if (transcript_id is None) == (dyad_id is None):
        raise InvalidInput("a memo belongs to one transcript or one dyad")
    if len(body) > MAX_MEMO:
        raise InvalidInput(f"a memo has at most {MAX_MEMO:,} characters")
    target = session.get(Transcript, transcript_id) if transcript_id else session.get(Dyad, dyad_id)
    if target is None:
        raise NotFound("the memo's transcript or dyad does not exist")
    kind = "familiarisation" if transcript_id else "dyad"
    assert author.id is not None
    memo = _memo(session, author_id=author.id, kind=kind, transcript_id=transcript_id, dyad_id=dyad_id)
    before = {"body": memo.body} if memo else None
    if memo is None:
        memo = Memo(
            project_id=target.project_id,
            author_id=author.id,
            kind=kind,
            transcript_id=transcript_id,
            dyad_id=dyad_id,
        )
    memo.body = body.strip()
    memo.updated_at = utcnow()
    session.add(memo)
    session.flush()
    record(
        session,
        project_id=target.project_id,
        user_id=author.id,
        action="memo.save",
        entity="memo",
        entity_id=memo.id,
        before=before,
        after={"body": memo.body},
    )
    session.commit()
    return memo


def _memo(
    session: Session, *, author_id: int, kind: str, transcript_id: int | None, dyad_id: int | None
) -> Memo | None:
    query = select(Memo).where(Memo.author_id == author_id, Memo.kind == kind)
    query = query.where(Memo.transcript_id == transcript_id) if transcript_id else query.where(Memo.dyad_id == dyad_id)
    return session.exec(query).first()


def memos(session: Session, *, transcript_id: int | None = None, dyad_id: int | None = None) -> list[tuple[Memo, str]]:
    """All memos on a transcript or dyad with their authors' names, the most recent first."""
    query = select(Memo, User.name).join(User, col(User.id) == Memo.author_id)
    query = query.where(Memo.transcript_id == transcript_id) if transcript_id else query.where(Memo.dyad_id == dyad_id)
    return [(memo, name) for memo, name in session.exec(query.order_by(col(Memo.updated_at).desc())) if memo.body]
