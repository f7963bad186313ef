"""Coding passages: applying a code to a span, changing or removing a coding, undoing the last change.

Every change commits once and appends an audit event (who, when, before/after) in the same transaction.
Spans are ``[start, end)`` code points into the transcript's canonical text, which never changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from coding.errors import CodingRefused, NotFound
from coding.models import Code, Coding, _guid
from coding.overlay import Overlay
from coding.visibility import seen_turns
from transcripts.audit import record
from transcripts.errors import NotPermitted
from transcripts.members import may_code, may_lead, require_coder, role_of
from transcripts.models import AuditEvent, Transcript, User, utcnow
from transcripts.study import TranscriptText, TurnView, transcript_text


@dataclass(frozen=True, slots=True)
class Span:
    transcript_id: int
    start: int
    end: int


def _state(coding: Coding) -> dict[str, Any]:
    return {
        "transcript_id": coding.transcript_id,
        "code_id": coding.code_id,
        "coder_id": coding.coder_id,
        "start": coding.start,
        "end": coding.end,
        "memo": coding.memo,
    }


def _code(session: Session, code_id: int) -> Code:
    code = session.get(Code, code_id)
    if code is None:
        raise NotFound(f"no code with id {code_id}")
    return code


def _checked(transcript: Transcript | None, code: Code, span: Span) -> Transcript:
    if transcript is None:
        raise NotFound(f"no transcript with id {span.transcript_id}")
    _check(span, code, transcript)
    return transcript


def _check(span: Span, code: Any, transcript: Transcript | TranscriptText) -> None:
    """Refuse a span outside the transcript, or a code of another project (``code``: anything with a code's
    ``name`` and ``project_id``, the ORM's or a plain row)."""
    text = transcript.text
    if code.project_id != transcript.project_id:
        raise CodingRefused(f"the code {code.name!r} belongs to another project")
    if span.start >= span.end:
        raise CodingRefused(f"a coding needs a span: start {span.start} is not before end {span.end}")
    if span.start < 0 or span.end > len(text):
        raise CodingRefused(
            f"the span [{span.start}, {span.end}) lies outside the transcript (its text has {len(text)} characters)"
        )


def _new(session: Session, transcript: Transcript, code: Code, span: Span, coder: User) -> Coding:
    coding = Coding(
        project_id=transcript.project_id,
        transcript_id=transcript.id,  # type: ignore[arg-type]
        code_id=code.id,  # type: ignore[arg-type]
        coder_id=coder.id,
        start=span.start,
        end=span.end,
        text=transcript.text[span.start : span.end],
    )
    session.add(coding)
    session.flush()
    record(
        session,
        project_id=transcript.project_id,
        user_id=coder.id,
        action="coding.create",
        entity="coding",
        entity_id=coding.id,
        after=_state(coding),
    )
    return coding


def apply_code(session: Session, *, transcript_id: int, code_id: int, start: int, end: int, coder: User) -> Coding:
    """Apply a code to ``[start, end)`` of a transcript as ``coder``. Two coders coding the same span each
    keep their coding; the same coder applying the same code to the same span twice gets the first back."""
    transcript = transcript_text(session, transcript_id)
    if transcript is None:
        _code(session, code_id)  # an unknown code says so first
        raise NotFound(f"no transcript with id {transcript_id}")
    found, _ = _store(session, transcript=transcript, code_id=code_id, start=start, end=end, coder=coder)
    coding = get_coding(session, found)  # read before the commit, so that no transaction is left open
    session.commit()
    return coding


# Storing a coding is a request per selection, so store_coding runs statements prepared once, in plain SQL
# or Core: building ORM statements (and their cache keys) and objects cost more than running the statements
# (BENCHMARKS.md, "Coding"). One read finds the code, the coder's role and the same coding made before.
_TARGET = sa.text(
    "SELECT code.name, code.project_id,"
    " (SELECT role FROM member WHERE project_id = :project AND user_id = :coder) AS role,"
    " (SELECT min(id) FROM coding WHERE transcript_id = :transcript AND code_id = :code AND coder_id = :coder"
    '  AND start = :start AND "end" = :end) AS same,'
    " EXISTS (SELECT 1 FROM agreementround WHERE project_id = :project AND status = 'open') AS rounds"
    " FROM code WHERE code.id = :code"
)
_INSERT_CODING = sa.insert(Coding.__table__).returning(Coding.__table__.c.id)  # type: ignore[attr-defined]
_INSERT_EVENT = sa.insert(AuditEvent.__table__)  # type: ignore[attr-defined]


def store_coding(
    session: Session, *, transcript: TranscriptText, code_id: int, start: int, end: int, coder: User
) -> int:
    """``apply_code`` to a transcript already read (the reading view holds its text), without reading the
    coding back: the id of the coding stored, or of the same one stored before. A long transcript's text is
    read once per request, not twice."""
    coding_id, _ = _store(session, transcript=transcript, code_id=code_id, start=start, end=end, coder=coder)
    session.commit()
    return coding_id


class Shown(NamedTuple):
    """A coding stored, and the turns it touched as its coder sees them."""

    coding_id: int
    turns: list[TurnView]
    overlay: Overlay


def store_coding_shown(
    session: Session,
    *,
    transcript: TranscriptText,
    code_id: int,
    start: int,
    end: int,
    coder: User,
    coder_id: int | None = None,
) -> Shown:
    """``store_coding``, and the turns it touched with the codings the coder sees there (``coder_id``: one
    coder's only), read in the same transaction before its commit: on PostgreSQL a new transaction after the
    commit cost a connection check, a BEGIN and a ROLLBACK, each a round trip."""
    coding_id, rounds = _store(session, transcript=transcript, code_id=code_id, start=start, end=end, coder=coder)
    turns, layer = seen_turns(
        session, transcript=transcript, spans=[(start, end)], me=coder, coder_id=coder_id, rounds_open=rounds
    )
    session.commit()
    return Shown(coding_id, turns, layer)


def _store(
    session: Session, *, transcript: TranscriptText, code_id: int, start: int, end: int, coder: User
) -> tuple[int, bool]:
    """The coding's id, stored with its audit event if new (not committed), and whether the project has an
    open agreement round (read with the code, for the fragment)."""
    params = {"code": code_id, "project": transcript.project_id, "transcript": transcript.id, "coder": coder.id}
    found = session.execute(_TARGET, params | {"start": start, "end": end}).first()
    if found is None:
        raise NotFound(f"no code with id {code_id}")
    _check(Span(transcript.id, start, end), found, transcript)
    if not may_code(found.role):
        require_coder(session, project_id=transcript.project_id, user=coder)  # refuses, saying why
    if found.same is not None:
        return int(found.same), bool(found.rounds)
    now = utcnow()
    state: dict[str, Any] = {  # what the audit event keeps of a coding (as _state)
        "transcript_id": transcript.id,
        "code_id": code_id,
        "coder_id": coder.id,
        "start": start,
        "end": end,
        "memo": "",
    }
    row = {**state, "project_id": transcript.project_id, "text": transcript.text[start:end], "guid": _guid()}
    coding_id: int = session.execute(_INSERT_CODING, row | {"created_at": now, "updated_at": now}).scalar_one()
    event = {"action": "coding.create", "entity": "coding", "entity_id": coding_id, "before": None, "after": state}
    session.execute(_INSERT_EVENT, event | {"project_id": transcript.project_id, "user_id": coder.id, "at": now})
    return coding_id, bool(found.rounds)


def apply_code_to_spans(session: Session, *, code_id: int, spans: Sequence[Span], coder: User) -> list[Coding]:
    """Apply one code to many spans (e.g. every hit of a search, every turn of a role) in one transaction;
    spans this coder has already coded with the code are left as they are."""
    code = _code(session, code_id)
    require_coder(session, project_id=code.project_id, user=coder)
    transcripts = {
        t.id: t
        for t in session.exec(select(Transcript).where(col(Transcript.id).in_({s.transcript_id for s in spans})))
    }
    existing = {
        (c.transcript_id, c.start, c.end)
        for c in session.exec(
            select(Coding).where(
                Coding.code_id == code_id,
                Coding.coder_id == coder.id,
                col(Coding.transcript_id).in_(transcripts),
            )
        )
    }
    created = []
    for span in dict.fromkeys(spans):  # in order, each span once
        transcript = _checked(transcripts.get(span.transcript_id), code, span)
        if (span.transcript_id, span.start, span.end) not in existing:
            created.append(_new(session, transcript, code, span, coder))
    session.commit()
    return created


def update_coding(
    session: Session,
    *,
    coding_id: int,
    user: User,
    code_id: int | None = None,
    start: int | None = None,
    end: int | None = None,
    memo: str | None = None,
) -> Coding:
    """Change a coding's code, widen or narrow its span, or write its memo."""
    coding = _changeable(session, coding_id, user)
    before = _state(coding)
    code = _code(session, code_id if code_id is not None else coding.code_id)
    span = Span(coding.transcript_id, coding.start if start is None else start, coding.end if end is None else end)
    transcript = _checked(session.get(Transcript, coding.transcript_id), code, span)
    coding.code_id, coding.start, coding.end = code.id, span.start, span.end  # type: ignore[assignment]
    coding.text = transcript.text[span.start : span.end]
    if memo is not None:
        coding.memo = memo.strip()
    coding.updated_at = utcnow()
    session.add(coding)
    record(
        session,
        project_id=coding.project_id,
        user_id=user.id,
        action="coding.update",
        entity="coding",
        entity_id=coding.id,
        before=before,
        after=_state(coding),
    )
    session.commit()
    return coding


def delete_coding(session: Session, *, coding_id: int, user: User) -> None:
    """Remove a coding (its audit event keeps what it was, so that it can be undone)."""
    coding = _changeable(session, coding_id, user)
    record(
        session,
        project_id=coding.project_id,
        user_id=user.id,
        action="coding.delete",
        entity="coding",
        entity_id=coding.id,
        before=_state(coding),
    )
    session.delete(coding)
    session.commit()


def undo_last(session: Session, *, project_id: int, user: User) -> str | None:
    """Undo this person's last change to a coding in the project; returns what was undone, or None."""
    require_coder(session, project_id=project_id, user=user)
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.project_id == project_id, AuditEvent.user_id == user.id, AuditEvent.entity == "coding")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    if event is None or event.action == "coding.undo":  # one step back, not a history walk
        return None
    coding = session.get(Coding, event.entity_id) if event.entity_id else None
    if event.action == "coding.create" and coding is not None:
        session.delete(coding)
        done = "removed the coding just made"
    elif event.action == "coding.update" and coding is not None and event.before:
        for key in ("code_id", "start", "end", "memo"):
            setattr(coding, key, event.before[key])
        transcript = session.get(Transcript, coding.transcript_id)
        coding.text = transcript.text[coding.start : coding.end] if transcript else coding.text
        session.add(coding)
        done = "restored the coding as it was"
    elif event.action == "coding.delete" and event.before:
        transcript = session.get(Transcript, event.before["transcript_id"])
        if transcript is None or session.get(Code, event.before["code_id"]) is None:
            return None
        restored = Coding(
            project_id=project_id,
            text=transcript.text[event.before["start"] : event.before["end"]],
            **{k: event.before[k] for k in ("transcript_id", "code_id", "coder_id", "start", "end", "memo")},
        )
        session.add(restored)
        done = "brought the deleted coding back"
    else:
        return None
    record(
        session,
        project_id=project_id,
        user_id=user.id,
        action="coding.undo",
        entity="coding",
        entity_id=event.entity_id,
        before={"undone": event.id},
    )
    session.commit()
    return done


def _changeable(session: Session, coding_id: int, user: User) -> Coding:
    """The coding, if ``user`` may change it: coders change their own codings, leads and owners anyone's."""
    coding = get_coding(session, coding_id)
    require_coder(session, project_id=coding.project_id, user=user)
    if coding.coder_id != user.id and not may_lead(role_of(session, project_id=coding.project_id, user=user)):
        raise NotPermitted(
            f"this coding is another coder's; {user.name} may change only their own (leads may change any)"
        )
    return coding


def get_coding(session: Session, coding_id: int) -> Coding:
    coding = session.get(Coding, coding_id)
    if coding is None:
        raise NotFound(f"no coding with id {coding_id}")
    return coding


def codings_in(session: Session, *, transcript_id: int, start: int = 0, end: int | None = None) -> list[Coding]:
    """The codings of a transcript that overlap ``[start, end)``, in text order."""
    query = select(Coding).where(Coding.transcript_id == transcript_id, Coding.end > start)
    if end is not None:
        query = query.where(Coding.start < end)
    return list(session.exec(query.order_by(col(Coding.start), col(Coding.end).desc(), col(Coding.id))))
