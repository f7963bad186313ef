"""Looking at a study: its transcripts, one transcript with its turns, and the overview grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from transcripts.errors import NotFound
from transcripts.models import Dyad, Participant, Project, ReadMark, Transcript, User
from transcripts.order import natural_key, role_key
from transcripts.rows import fetch_all


@dataclass(frozen=True, slots=True)
class TranscriptInfo:
    id: int
    name: str
    file: str
    format: str
    dyad: str
    dyad_id: int
    group: str | None
    role: str
    participant: str
    participant_id: int
    session: int
    date: date | None
    turns: int
    words: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "file": self.file,
            "dyad": self.dyad,
            "role": self.role,
            "participant": self.participant,
            "session": self.session,
            "turns": self.turns,
            "words": self.words,
        }


class TurnView(NamedTuple):
    """One turn as the views show it. A named tuple, not a frozen dataclass: a reading view builds thousands,
    and a tuple is built five times faster."""

    id: int
    position: int
    speaker: str
    role: str
    start: int
    end: int
    text: str
    timestamp: float | None
    end_time: float | None

    def as_json(self) -> dict[str, object]:
        return {
            "speaker": self.speaker,
            "role": self.role,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "timestamp": self.timestamp,
        }


@dataclass(frozen=True, slots=True)
class TranscriptView:
    info: TranscriptInfo
    text: str
    encoding: str | None
    notes: list[str]
    turns: list[TurnView]

    def as_json(self) -> dict[str, object]:
        return {
            **self.info.as_json(),
            "format": self.info.format,
            "date": self.info.date.isoformat() if self.info.date else None,
            "text": self.text,
            "turns": [turn.as_json() for turn in self.turns],
        }


def _info_query() -> Any:
    return (
        select(Transcript, Participant, Dyad)
        .join(Participant, col(Participant.id) == Transcript.participant_id)
        .join(Dyad, col(Dyad.id) == Participant.dyad_id)
    )


def _info(transcript: Transcript, person: Participant, dyad: Dyad) -> TranscriptInfo:
    return TranscriptInfo(
        id=transcript.id,  # type: ignore[arg-type]
        name=transcript.name,
        file=transcript.original_filename,
        format=transcript.format,
        dyad=dyad.label,
        dyad_id=dyad.id,  # type: ignore[arg-type]
        group=dyad.group,
        role=person.role,
        participant=person.pseudonym,
        participant_id=person.id,  # type: ignore[arg-type]
        session=transcript.session,
        date=transcript.interview_date,
        turns=transcript.turn_count,
        words=transcript.word_count,
    )


def sort_key(info: TranscriptInfo) -> tuple[object, ...]:
    return (natural_key(info.dyad), info.session, role_key(info.role), info.participant)


def list_transcripts(session: Session, *, project_id: int) -> list[TranscriptInfo]:
    """Every transcript of the project, by dyad (natural order), session and role."""
    rows = session.exec(_info_query().where(Transcript.project_id == project_id)).all()
    return sorted((_info(*row) for row in rows), key=sort_key)


def transcript_info(session: Session, transcript_id: int) -> TranscriptInfo:
    row = session.exec(_info_query().where(Transcript.id == transcript_id)).first()
    if row is None:
        raise NotFound(f"no transcript with id {transcript_id}")
    return _info(*row)


# The reading view's turns and sentences, thousands of rows: plain SQL prepared once, read as plain rows
# (through the ORM, building the statement and its rows cost more than SQLite's work).
_TURNS = (  # run on the driver's cursor (transcripts/rows.py): a long transcript has thousands of turns
    'SELECT id, position, speaker, role, start, "end", timestamp, end_time FROM turn'
    ' WHERE transcript_id = ? AND "end" > ? ORDER BY position'
)
# The turns overlapping a span. Turns are indexed by position, not by offset, so the sentences' index on
# their start (sentences lie inside their turns, and turns follow each other in the text) finds the
# positions to look between: from the turn of the last sentence starting at or before the span's start to
# the turn of the first starting at or after its end. A 100,000-word transcript has ~9,000 turns; without
# the bounds every one of them was read to store a coding.
_SENTENCE_TURN = (
    "SELECT turn.position FROM sentence JOIN turn ON turn.id = sentence.turn_id"
    " WHERE sentence.transcript_id = :transcript AND sentence.start {} ORDER BY sentence.start {} LIMIT 1"
)
_SOME_TURNS = sa.text(
    'SELECT id, position, speaker, role, start, "end", timestamp, end_time FROM turn'
    ' WHERE transcript_id = :transcript AND "end" > :start AND start < :end'
    f" AND position >= coalesce(({_SENTENCE_TURN.format('<= :start', 'DESC')}), 0)"
    f" AND position <= coalesce(({_SENTENCE_TURN.format('>= :end', 'ASC')}), :last)"
    " ORDER BY position"
)


_TEXT = sa.text("SELECT id, project_id, text FROM transcript WHERE id = :transcript")


class TranscriptText(NamedTuple):
    id: int
    project_id: int
    text: str


def transcript_text(session: Session, transcript_id: int) -> TranscriptText | None:
    """A transcript's canonical text and project, and nothing else: what a fragment of the reading view needs."""
    row = session.execute(_TEXT, {"transcript": transcript_id}).first()
    return TranscriptText(*row) if row else None


def turns_of(
    session: Session, transcript: Transcript | TranscriptText, *, start: int = 0, end: int | None = None
) -> list[TurnView]:
    """The transcript's turns in order; with ``start``/``end``, only those overlapping ``[start, end)``."""
    if end is None:
        rows = fetch_all(session, _TURNS, (transcript.id, start))
    else:
        span = {"start": start, "end": end, "last": 2**31 - 1}
        rows = session.execute(_SOME_TURNS, {"transcript": transcript.id} | span).all()
    text = transcript.text
    return [
        TurnView(turn_id, position, speaker, role, s, e, text[s:e], timestamp, end_time)
        for turn_id, position, speaker, role, s, e, timestamp, end_time in rows
    ]


def show_transcript(session: Session, transcript_id: int, *, project_id: int | None = None) -> TranscriptView:
    """A transcript with its canonical text and turns (``text[start:end]`` is each turn's speech); with
    ``project_id``, only a transcript of that project."""
    transcript = session.get(Transcript, transcript_id)
    if transcript is None or project_id not in (None, transcript.project_id):
        raise NotFound(f"no transcript with id {transcript_id}")
    return TranscriptView(
        transcript_info(session, transcript_id),
        transcript.text,
        transcript.encoding,
        list(transcript.report),
        turns_of(session, transcript),
    )


@dataclass(slots=True)
class Cell:
    """One transcript in the overview grid, and who has read it."""

    transcript: TranscriptInfo
    readers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OverviewRow:
    dyad: Dyad
    cells: dict[tuple[int, str], Cell]
    words: int


@dataclass(slots=True)
class Overview:
    """The study at a glance: dyads × sessions × roles."""

    sessions: list[int]
    roles: list[str]
    rows: list[OverviewRow]
    transcripts: int
    words: int
    read_by_me: int


def overview(session: Session, *, project: Project, user: User | None) -> Overview:
    infos = list_transcripts(session, project_id=project.id)  # type: ignore[arg-type]
    readers: dict[int, list[str]] = {}
    marks = session.exec(
        select(ReadMark.transcript_id, User.name)
        .join(User, col(User.id) == ReadMark.user_id)
        .join(Transcript, col(Transcript.id) == ReadMark.transcript_id)
        .where(Transcript.project_id == project.id)
        .order_by(col(User.name))
    ).all()
    for transcript_id, name in marks:
        readers.setdefault(transcript_id, []).append(name)
    dyads = sorted(
        session.exec(select(Dyad).where(Dyad.project_id == project.id)).all(),
        key=lambda d: natural_key(d.label),
    )
    roles = sorted(
        set(session.exec(select(Participant.role).where(Participant.project_id == project.id)).all()),
        key=role_key,
    )
    rows = {dyad.id: OverviewRow(dyad, {}, 0) for dyad in dyads}
    for info in infos:
        row = rows[info.dyad_id]
        row.cells[(info.session, info.role)] = Cell(info, readers.get(info.id, []))
        row.words += info.words
    mine = sum(1 for info in infos if user and user.name in readers.get(info.id, []))
    return Overview(
        sessions=sorted({info.session for info in infos}),
        roles=roles,
        rows=list(rows.values()),
        transcripts=len(infos),
        words=sum(info.words for info in infos),
        read_by_me=mine,
    )


# Each sentence's "start:end" is written by the database (three thousand f-strings fewer per reading view).
_SENTENCES = "SELECT turn_id, start || ':' || \"end\" FROM sentence WHERE transcript_id = ? ORDER BY start"


def sentences_of(session: Session, *, transcript_id: int) -> dict[int, str]:
    """Each turn's sentence spans (by turn id) as ``"start:end start:end"``: what a double-click in the
    reading view codes."""
    spans: dict[int, list[str]] = {}
    for turn_id, pair in fetch_all(session, _SENTENCES, (transcript_id,)):
        spans.setdefault(turn_id, []).append(pair)
    return {turn_id: " ".join(pairs) for turn_id, pairs in spans.items()}
