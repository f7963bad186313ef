"""Reading dyadically: the partners' transcripts of one dyad and session side by side.

Where every transcript gives time stamps, turns are placed in shared rows by time, so that what the
client and the therapist said about the same moment of the session stand level; otherwise each column
runs on its own and the page scrolls them together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from transcripts.errors import NotFound
from transcripts.models import Dyad, Participant, Transcript
from transcripts.order import role_key
from transcripts.study import TranscriptInfo, TurnView, transcript_info, turns_of

# Turns further apart than this in time do not share a row, even if the row has room.
ROW_WINDOW_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Column:
    info: TranscriptInfo
    turns: list[TurnView]

    @property
    def timed(self) -> bool:
        """Whether at least half of the turns carry a time stamp."""
        return bool(self.turns) and sum(turn.timestamp is not None for turn in self.turns) * 2 >= len(self.turns)


@dataclass(frozen=True, slots=True)
class Row:
    time: float | None
    cells: list[list[TurnView]]  # one list of turns per column


@dataclass(frozen=True, slots=True)
class DyadicView:
    dyad: Dyad
    session: int
    sessions: list[int]
    columns: list[Column]
    rows: list[Row]
    aligned: bool


def dyadic_view(session: Session, *, dyad_id: int, session_number: int | None = None) -> DyadicView:
    """The dyad's transcripts of one session (the first, unless named), aligned by time where possible."""
    dyad = session.get(Dyad, dyad_id)
    if dyad is None:
        raise NotFound(f"no dyad with id {dyad_id}")
    transcripts = session.exec(select(Transcript).join(Participant).where(Participant.dyad_id == dyad_id)).all()
    sessions = sorted({t.session for t in transcripts})
    if session_number is None:
        session_number = sessions[0] if sessions else 0
    elif session_number not in sessions:
        raise NotFound(f"{dyad.label} has no transcripts of session {session_number}")
    columns = [
        Column(transcript_info(session, t.id), turns_of(session, t))  # type: ignore[arg-type]
        for t in transcripts
        if t.session == session_number
    ]
    columns.sort(key=lambda column: (role_key(column.info.role), column.info.participant))
    aligned = len(columns) > 1 and all(column.timed for column in columns)
    rows = align(columns) if aligned else [Row(None, [column.turns for column in columns])]
    return DyadicView(dyad, session_number, sessions, columns, rows, aligned)


def align(columns: list[Column]) -> list[Row]:
    """Rows of turns by time: each row holds at most one turn per column, all within the window."""
    items: list[tuple[float, int, int, TurnView]] = []
    for index, column in enumerate(columns):
        time = 0.0
        for turn in column.turns:
            # An untimed turn follows the last stamp; a stamp that goes back in time cannot reorder a column.
            time = max(time, turn.timestamp) if turn.timestamp is not None else time
            items.append((time, index, turn.position, turn))
    items.sort(key=lambda item: item[:3])
    rows: list[Row] = []
    for time, index, _, turn in items:
        row = rows[-1] if rows else None
        if row is None or row.cells[index] or time - (row.time or 0.0) > ROW_WINDOW_SECONDS:
            row = Row(time, [[] for _ in columns])
            rows.append(row)
        row.cells[index].append(turn)
    return rows
