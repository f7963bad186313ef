"""Writing turns and sentences in bulk, the fastest way each engine offers, and indexing them for search.

A study holds millions of words, so this is the one place that leaves the ORM: PostgreSQL gets COPY
with ids drawn from the table's sequence; SQLite gets plain ``executemany`` with ids assigned after the
current maximum (safe: the import's transaction already holds SQLite's write lock). Sentences reach the
full-text index here too, in one statement per import, because FTS5 indexes far faster in bulk than
row by row. Nothing else writes sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel import Session

from transcripts.formats import ParsedTurn

TURN_COLUMNS = 'id, transcript_id, position, speaker, role, start, "end", timestamp, end_time'
SENTENCE_COLUMNS = 'transcript_id, turn_id, start, "end", lemmas'
SentenceRow = tuple[int, int, int, int, str]  # transcript_id, turn_id, start, end, lemmas


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_turns(session: Session, *, transcript_id: int, turns: Sequence[ParsedTurn]) -> list[int]:
    """Store a transcript's turns in order; returns their ids."""
    if not turns:
        return []
    connection = session.connection()
    if _dialect(session) == "postgresql":
        ids = list(
            connection.execute(
                text("SELECT nextval(pg_get_serial_sequence('turn', 'id')) FROM generate_series(1, :n)"),
                {"n": len(turns)},
            ).scalars()
        )
        with connection.connection.driver_connection.cursor().copy(  # type: ignore[union-attr]
            f"COPY turn ({TURN_COLUMNS}) FROM STDIN"
        ) as copy:
            for position, (turn_id, turn) in enumerate(zip(ids, turns, strict=True)):
                copy.write_row(_turn_row(turn_id, transcript_id, position, turn))
        return ids
    first = connection.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM turn").scalar_one()
    ids = list(range(first, first + len(turns)))
    connection.exec_driver_sql(
        f"INSERT INTO turn ({TURN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            _turn_row(turn_id, transcript_id, position, turn)
            for position, (turn_id, turn) in enumerate(zip(ids, turns, strict=True))
        ],
    )
    return ids


def _turn_row(turn_id: int, transcript_id: int, position: int, turn: ParsedTurn) -> tuple[object, ...]:
    return (turn_id, transcript_id, position, turn.speaker[:80], turn.role, turn.start, turn.end, turn.timestamp,
            turn.end_time)  # fmt: skip


def insert_sentences(session: Session, rows: Sequence[SentenceRow]) -> None:
    if not rows:
        return
    connection = session.connection()
    if _dialect(session) == "postgresql":
        with connection.connection.driver_connection.cursor().copy(  # type: ignore[union-attr]
            f"COPY sentence ({SENTENCE_COLUMNS}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.exec_driver_sql(f"INSERT INTO sentence ({SENTENCE_COLUMNS}) VALUES (?, ?, ?, ?, ?)", list(rows))


def index_sentences(session: Session, *, transcript_ids: Sequence[int]) -> None:
    """Add the transcripts' sentences to the full-text index (PostgreSQL's tsvector column is generated)."""
    if not transcript_ids or _dialect(session) == "postgresql":
        return
    marks = ", ".join("?" for _ in transcript_ids)
    session.connection().exec_driver_sql(
        f"INSERT INTO sentence_fts(rowid, lemmas) SELECT id, lemmas FROM sentence WHERE transcript_id IN ({marks})",
        tuple(transcript_ids),
    )
