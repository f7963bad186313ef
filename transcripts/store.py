"""Writing turns and sentences in bulk, the fastest way each engine offers, and indexing them for search.

A study holds millions of words, so this is the one place that leaves the ORM: PostgreSQL gets COPY
with ids drawn from the table's sequence; SQLite gets plain ``executemany`` with ids assigned after the
current maximum (safe: the import's transaction already holds SQLite's write lock). Sentences reach the
full-text index here too, in one statement per import, because FTS5 indexes far faster in bulk than
row by row. Nothing else writes sentences. ``insert_rows`` is the same bulk write for other tables whose
ids the database assigns (the REFI-QDA import's codings). ``BulkWriter`` runs these writes on a thread of
its own, so that the database works on one batch while the caller analyses the next.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, bindparam, text
from sqlmodel import Session

from transcripts.formats import ParsedTurn
from transcripts.models import INTERVIEWER

TURN_COLUMNS = 'id, transcript_id, position, speaker, role, start, "end", timestamp, end_time'
SENTENCE_COLUMNS = 'transcript_id, turn_id, start, "end", lemmas'
SentenceRow = tuple[int, int, int, int, str]  # transcript_id, turn_id, start, end, lemmas
WRITER_BATCH = 5_000  # rows a ``BulkWriter`` writes at once
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
    """At least ``mib`` of SQLite page cache for the length of a bulk write, then the connection's own again.

    SQLite's default (2 MB) is far smaller than the indexes a bulk write touches: an index of random keys
    (GUIDs) has its pages evicted and read back over and over (a 200,000-coding import spent half its
    insert time on that). ``app.db.make_engine`` already gives its connections more; a smaller cache is
    never imposed. PostgreSQL's buffers are the server's: nothing to do there."""
    if _dialect(session) != "sqlite":
        yield
        return
    connection = session.connection()
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    page = int(connection.exec_driver_sql("PRAGMA page_size").scalar_one())
    if (-before if before < 0 else before * page // 1024) >= mib * 1024:  # negative: KiB; positive: pages
        yield
        return
    connection.exec_driver_sql(f"PRAGMA cache_size = {-mib * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


def insert_turns(session: Session, *, transcript_id: int, turns: Sequence[ParsedTurn]) -> list[int]:
    """Store a transcript's turns in order; returns their ids."""
    if not turns:
        return []
    ids = allocate_turn_ids(session, len(turns))
    insert_rows(session, "turn", TURN_COLUMNS, turn_rows(transcript_id, turns, ids))
    return ids


def allocate_turn_ids(session: Session, count: int) -> list[int]:
    """``count`` new turn ids, in order: drawn from the table's sequence on PostgreSQL; after the current
    maximum on SQLite (safe once the transaction has written: it holds SQLite's write lock)."""
    if count <= 0:
        return []
    connection = session.connection()
    if _dialect(session) == "postgresql":
        return list(
            connection.execute(
                text("SELECT nextval(pg_get_serial_sequence('turn', 'id')) FROM generate_series(1, :n)"),
                {"n": count},
            ).scalars()
        )
    first = connection.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM turn").scalar_one()
    return list(range(first, first + count))


def turn_rows(transcript_id: int, turns: Sequence[ParsedTurn], ids: Sequence[int]) -> list[tuple[object, ...]]:
    """Rows for ``TURN_COLUMNS``: the turns in order, with their ids."""
    return [
        _turn_row(turn_id, transcript_id, position, turn)
        for position, (turn_id, turn) in enumerate(zip(ids, turns, strict=True))
    ]


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
    if rows:
        _write(session.connection(), table, columns, rows)


def _write(connection: Connection, table: str, columns: str, rows: Sequence[Sequence[object]]) -> None:
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor().copy(  # type: ignore[union-attr]
            f"COPY {table} ({columns}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns.split(","))
    connection.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(rows))


class BulkWriter:
    """``insert_rows`` on a thread of its own, for the length of a ``with`` block, in one transaction.

    The caller adds rows and goes on with its own work (parsing, spaCy) while the database stores the
    earlier ones: on PostgreSQL the server's work (row-by-row foreign key checks, indexes) otherwise waits
    for the client's and the other way round. Rows are gathered per table and written ``batch`` at a time;
    tables are written in the order they were first added, so a table's rows may refer to an earlier
    table's. Meanwhile the writer owns the connection: the caller must not use the session until the block
    ends. The block ends only once the writer has stopped; the writer's error, if any, is raised there (or
    at the next ``add``), as it was raised.

    Only PostgreSQL gets the thread: its server works in a process of its own, and the writer mostly waits
    for it. SQLite works inside this process, row by row, taking Python's lock for each: beside a busy
    caller the two would hand that lock to and fro (an import took twice as long), so there the batches are
    written in the caller's thread, as ``insert_rows`` would."""

    def __init__(self, session: Session, *, batch: int | None = None) -> None:
        self.connection = session.connection()  # taken here, in the caller's thread
        self.batch = batch or WRITER_BATCH
        self.pending: dict[tuple[str, str], list[Sequence[object]]] = {}
        self.count = 0
        self.error: BaseException | None = None
        self.jobs: queue.Queue[list[tuple[str, str, list[Sequence[object]]]] | None] = queue.Queue(maxsize=4)
        self.thread: threading.Thread | None = None
        if self.connection.dialect.name == "postgresql":
            self.thread = threading.Thread(target=self._run, name="bulk writer", daemon=True)

    def __enter__(self) -> BulkWriter:
        if self.thread is not None:
            self.thread.start()
        return self

    def add(self, table: str, columns: str, rows: Sequence[Sequence[object]]) -> None:
        if self.error is not None:
            raise self.error
        self.pending.setdefault((table, columns), []).extend(rows)
        self.count += len(rows)
        if self.count >= self.batch:
            self._send()

    def _send(self) -> None:
        job = [(table, columns, rows) for (table, columns), rows in self.pending.items() if rows]
        self.pending = {key: [] for key in self.pending}
        self.count = 0
        if not job:
            return
        if self.thread is None:
            for table, columns, rows in job:
                _write(self.connection, table, columns, rows)
            return
        self.jobs.put(job)  # blocks while the writer is four batches behind: memory stays bounded

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # failed (or given up): the rest is dropped, the caller rolls back
            try:
                for table, columns, rows in job:
                    _write(self.connection, table, columns, rows)
            except BaseException as exc:  # handed to the caller's thread
                self.error = exc

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if exc is None and self.error is None:
            self._send()
        elif self.error is None:
            self.error = exc  # the caller failed: the writer drops what is left
        if self.thread is None:
            return
        self.jobs.put(None)
        interrupted: BaseException | None = None
        while self.thread.is_alive():  # the connection is the caller's again only once the writer has stopped
            try:
                self.thread.join()
            except BaseException as caught:  # e.g. Ctrl-C: still wait, then raise it
                interrupted = caught
        if interrupted is not None:
            raise interrupted
        if exc is None and self.error is not None:
            raise self.error


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
