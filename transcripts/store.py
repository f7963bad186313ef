"""Writing turns and sentences in bulk, the fastest way each engine offers, and indexing them for search.

A study holds millions of words, so this is the one place that leaves the ORM: PostgreSQL gets COPY
with ids drawn from the table's sequence; SQLite gets plain ``executemany`` with ids assigned after the
current maximum (safe: the import's transaction already holds SQLite's write lock). Sentences reach the
full-text index here too, in one statement per import, because FTS5 indexes far faster in bulk than
row by row. Nothing else writes sentences. ``insert_rows`` is the same bulk write for other tables whose
ids the database assigns (the REFI-QDA import's codings).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import bindparam, text
from sqlmodel import Session

from transcripts.formats import ParsedTurn
from transcripts.models import INTERVIEWER

TURN_COLUMNS = 'id, transcript_id, position, speaker, role, start, "end", timestamp, end_time'
SENTENCE_COLUMNS = 'transcript_id, turn_id, start, "end", lemmas'
SentenceRow = tuple[int, int, int, int, str]  # transcript_id, turn_id, start, end, lemmas
_INTERVIEWER_TURNS = text(f"SELECT id FROM turn WHERE role = '{INTERVIEWER}' AND transcript_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_FLAG_CHECK = text(
    "UPDATE sentence SET interviewer = NOT interviewer WHERE transcript_id IN :ids AND interviewer <> "
    f"(turn_id IN (SELECT id FROM turn WHERE role = '{INTERVIEWER}' AND transcript_id IN :ids))"
).bindparams(bindparam("ids", expanding=True))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@contextmanager
def page_cache(session: Session, *, mib: int) -> Iterator[None]:
    """A larger SQLite page cache for the length of a bulk write, then the connection's own again.

    The default (2 MB) is far smaller than the indexes a bulk write touches: an index of random keys
    (GUIDs) has its pages evicted and read back over and over (a 200,000-coding import spent half its
    insert time on that). PostgreSQL's buffers are the server's: nothing to do there."""
    if _dialect(session) != "sqlite":
        yield
        return
    connection = session.connection()
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = {-mib * 1024}")  # negative: KiB rather than pages
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


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
    """Store sentences (their turns stored already), each flagged if the interviewer said it: search reads
    the flag instead of every found sentence's turn."""
    if not rows:
        return
    interviewer = set(
        session.connection().execute(_INTERVIEWER_TURNS, {"ids": sorted({row[0] for row in rows})}).scalars()
    )
    flagged = [(*row, row[1] in interviewer) for row in rows]
    insert_rows(session, "sentence", f"{SENTENCE_COLUMNS}, interviewer", flagged)


def insert_rows(session: Session, table: str, columns: str, rows: Sequence[Sequence[object]]) -> None:
    """Rows whose ids the database assigns, in bulk: COPY on PostgreSQL, ``executemany`` on SQLite.
    ``columns`` is the SQL column list (quoted where needed); values are as the driver takes them."""
    if not rows:
        return
    connection = session.connection()
    if _dialect(session) == "postgresql":
        with connection.connection.driver_connection.cursor().copy(  # type: ignore[union-attr]
            f"COPY {table} ({columns}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns.split(","))
    connection.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(rows))


def index_sentences(session: Session, *, transcript_ids: Sequence[int]) -> None:
    """Add the transcripts' sentences to the full-text index (PostgreSQL's tsvector column is generated).

    Their interviewer flags are checked against their turns first: a backup made before sentences had the
    flag restores them without it."""
    if not transcript_ids:
        return
    session.connection().execute(_FLAG_CHECK, {"ids": sorted(transcript_ids)})
    if _dialect(session) == "postgresql":
        return
    marks = ", ".join("?" for _ in transcript_ids)
    session.connection().exec_driver_sql(
        f"INSERT INTO sentence_fts(rowid, lemmas) SELECT id, lemmas FROM sentence WHERE transcript_id IN ({marks})",
        tuple(transcript_ids),
    )
