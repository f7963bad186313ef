"""Quotes for the exports: a coded extract with what a reader of a paper or a seminar pack needs beside it —
its quote label "(therapist, dyad 10)" (from metadata, never typed), the dyad and participant it comes from,
the session and the time stamp of the turn where it starts.

The label names whoever speaks where the extract starts (as the coded-extract retrieval does), so words of
the interviewer are labelled interviewer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from coding.models import Coding
from coding.search import quote_label
from transcripts.models import Dyad, Participant, Transcript, Turn

_BATCH = 500


@dataclass(frozen=True, slots=True)
class QuoteSource:
    """One coded extract, ready to quote."""

    coding_id: int
    text: str
    transcript_id: int
    start: int
    end: int
    dyad_id: int
    dyad: str
    participant_id: int
    participant: str
    role: str  # the interview's participant's role
    speaker_role: str  # whoever speaks where the extract starts
    session: int
    timestamp: float | None

    @property
    def label(self) -> str:
        """The quote label, e.g. "(therapist, dyad 10)"."""
        return quote_label(self.speaker_role, self.dyad)

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def quote_sources(session: Session, coding_ids: Iterable[int]) -> dict[int, QuoteSource]:
    """The codings with these ids (of any project: callers pass their own), by id."""
    ids = sorted(set(coding_ids))
    found: dict[int, QuoteSource] = {}
    for first in range(0, len(ids), _BATCH):
        batch = ids[first : first + _BATCH]
        rows = session.execute(
            sa_select(
                col(Coding.id),
                col(Coding.text),
                col(Coding.transcript_id),
                col(Coding.start),
                col(Coding.end),
                col(Dyad.id),
                col(Dyad.label),
                col(Participant.id),
                col(Participant.pseudonym),
                col(Participant.role),
                col(Transcript.session),
            )
            .join(Transcript, col(Transcript.id) == col(Coding.transcript_id))
            .join(Participant, col(Participant.id) == col(Transcript.participant_id))
            .join(Dyad, col(Dyad.id) == col(Participant.dyad_id))
            .where(col(Coding.id).in_(batch))
        ).all()
        for coding_id, text, transcript_id, start, end, dyad_id, dyad, person_id, pseudonym, role, number in rows:
            speaker_role, timestamp = _turn_at(session, transcript_id, start, role)
            found[coding_id] = QuoteSource(
                coding_id,
                text,
                transcript_id,
                start,
                end,
                dyad_id,
                dyad,
                person_id,
                pseudonym,
                role,
                speaker_role,
                number,
                timestamp,
            )
    return found


def _turn_at(session: Session, transcript_id: int, offset: int, role: str) -> tuple[str, float | None]:
    """The role and time stamp of the turn that holds ``offset`` (or the next one, for an offset in a label)."""
    row = session.execute(
        sa_select(col(Turn.role), col(Turn.timestamp))
        .where(col(Turn.transcript_id) == transcript_id, col(Turn.end) > offset)
        .order_by(col(Turn.start))
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (role, None)


def clock(seconds: float | None) -> str:
    """62.5 → ``00:01:02``; empty without a time stamp."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
