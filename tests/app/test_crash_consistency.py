"""Crashes: the server or the command SIGKILLed in the middle of an import and of a burst of codings.

After a restart the database must be consistent: a transcript is there with all its turns and sentences, as
a complete import of its file makes them, or not at all; no row refers to a missing row (asked explicitly,
since SQLite checks foreign keys only on connections that turn them on); the full-text index agrees with
the sentences; every coding the server acknowledged is kept, lies inside its transcript and quotes it; the
audit log describes what is there. Then the same import, or a new coding, succeeds.

An importing process is killed only once it is demonstrably deep in its uncommitted writes: it is stopped
(SIGSTOP) and the database is asked what it holds (SQLite: the write lock, with a megabyte of the import's
pages spilled into the write-ahead log; PostgreSQL: the lock of the sentences it is copying, with half the
study's transcripts inserted), no transcript being committed yet; only then, still stopped, is it killed, so
what the test saw is what the process left behind. A burst of codings is killed once 150 of its 600
requests are answered, with the others in flight or waiting.
"""

from __future__ import annotations

import hashlib
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col, select

from app.db import make_engine
from app.demo_study import write_study
from coding.models import Code, Coding
from tests.app.servers import ROOT, LiveClient, LiveServer, dyadic_environment
from tests.factories import make_code, researcher, study
from transcripts import nlp
from transcripts.formats import parse
from transcripts.formats.speakers import Speakers
from transcripts.manifest import read_manifest
from transcripts.models import AuditEvent, ImportJob, Transcript, Turn
from transcripts.projects import create_project

pytestmark = pytest.mark.slow

APPLICATION = "dyadic-under-test"  # PostgreSQL's application_name of the processes the tests kill
PROJECT = "Crash study"
PATIENCE = 600.0  # seconds: anything slower than this on two shared cores is a hang
HTMX = {"HX-Request": "true"}


# --- what a complete import of each file makes ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expected:
    text: str
    checksum: str
    words: int
    turns: list[tuple[int, str, str, int, int, float | None]]  # position, speaker, role, start, end, time
    sentences: list[tuple[int, int, int, str]]  # turn position, start, end, lemmas


@dataclass(frozen=True, slots=True)
class Study:
    manifest: Path
    files: dict[str, Expected]  # by file name


def expected_files(manifest: Path) -> dict[str, Expected]:
    """What a complete import makes of each file of the manifest, by the importer's own parser and analyser."""
    files = {}
    for row in read_manifest(manifest.read_bytes()):
        data = (manifest.parent / row.file).read_bytes()
        parsed = parse(row.file, data, speakers=Speakers(row.participant, row.role))
        analyses = list(nlp.analyse((parsed.text[t.start : t.end], t.start) for t in parsed.turns))
        files[Path(row.file).name] = Expected(
            text=parsed.text,
            checksum=hashlib.sha256(data).hexdigest(),
            words=sum(analysis.words for analysis in analyses),
            turns=[
                (position, turn.speaker[:80], turn.role, turn.start, turn.end, turn.timestamp)
                for position, turn in enumerate(parsed.turns)
            ],
            sentences=[
                (position, sentence.start, sentence.end, sentence.lemmas)
                for position, analysis in enumerate(analyses)
                for sentence in analysis.sentences
            ],
        )
    return files


@pytest.fixture(scope="module")
def generated_study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    """The demo generator's study, scaled up: 41 interviews, about 250,000 words, several seconds to import."""
    manifest = write_study(tmp_path_factory.mktemp("study"), dyads=20, sessions=(3,), words_per_interview=6000)
    return Study(manifest, expected_files(manifest))


# --- consistency -----------------------------------------------------------------------------------------


def dialect(engine: Engine) -> str:
    return engine.dialect.name


def assert_database_intact(engine: Engine) -> None:
    """SQLite's own checks; then, on both engines, no foreign key of any table points at a missing row."""
    with engine.connect() as connection:
        if dialect(engine) == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        present = set(inspect(connection).get_table_names())
        orphans = {}
        for table in SQLModel.metadata.sorted_tables:
            for key in table.foreign_keys if table.name in present else ():
                column, target = key.parent.name, key.column
                found = connection.execute(
                    text(
                        f'SELECT count(*) FROM "{table.name}" AS t WHERE t."{column}" IS NOT NULL AND NOT EXISTS '
                        f'(SELECT 1 FROM "{target.table.name}" AS r WHERE r."{target.name}" = t."{column}")'
                    )
                ).scalar_one()
                if found:
                    orphans[f"{table.name}.{column}"] = found
    assert orphans == {}, f"rows pointing at missing rows: {orphans}"


def assert_search_index_agrees(engine: Engine) -> None:
    """The full-text index holds exactly the sentences, and finds by lemma what the lemmas hold."""
    with engine.connect() as connection:
        lemmas: dict[int, str] = dict(connection.execute(text("SELECT id, lemmas FROM sentence")).all())
        probes = ("trust", "quiet", "silence", "feel")
        if dialect(engine) == "sqlite":
            try:  # with rank 1 FTS5 also compares its index with the external content (the sentence table)
                connection.exec_driver_sql("INSERT INTO sentence_fts(sentence_fts, rank) VALUES ('integrity-check', 1)")
            except DBAPIError as exc:
                raise AssertionError(f"FTS5's integrity check: {exc.orig}") from None
            indexed = set(connection.exec_driver_sql("SELECT id FROM sentence_fts_docsize").scalars())
            assert indexed == set(lemmas), "the full-text index and the sentences disagree"
            found = {
                word: set(
                    connection.exec_driver_sql(
                        "SELECT rowid FROM sentence_fts WHERE sentence_fts MATCH ?", (f'"{word}"',)
                    ).scalars()
                )
                for word in probes
            }
        else:
            stale = connection.execute(
                text("SELECT count(*) FROM sentence WHERE search_vector IS DISTINCT FROM to_tsvector('simple', lemmas)")
            ).scalar_one()
            assert stale == 0
            found = {
                word: set(
                    connection.execute(
                        text("SELECT id FROM sentence WHERE search_vector @@ to_tsquery('simple', :word)"),
                        {"word": word},
                    ).scalars()
                )
                for word in probes
            }
    for word in probes:
        assert found[word] == {key for key, value in lemmas.items() if word in re.findall(r"\w+", value)}, word


def stored_transcripts(session: Session, project_id: int) -> dict[str, Transcript]:
    rows = session.exec(select(Transcript).where(Transcript.project_id == project_id)).all()
    return {transcript.original_filename: transcript for transcript in rows}


def assert_transcript_complete(session: Session, transcript: Transcript, expected: Expected) -> None:
    """The transcript as a complete import of its file makes it: text, turns, sentences, counts."""
    name = transcript.original_filename
    assert (transcript.text, transcript.checksum) == (expected.text, expected.checksum), name
    assert (transcript.turn_count, transcript.word_count) == (len(expected.turns), expected.words), name
    turns = session.exec(select(Turn).where(Turn.transcript_id == transcript.id).order_by(col(Turn.position))).all()
    assert [(t.position, t.speaker, t.role, t.start, t.end, t.timestamp) for t in turns] == expected.turns, name
    sentences = session.connection().execute(
        text(
            'SELECT turn.position, sentence.start, sentence."end", sentence.lemmas FROM sentence '
            "JOIN turn ON turn.id = sentence.turn_id WHERE sentence.transcript_id = :id "
            "AND turn.transcript_id = :id ORDER BY turn.position, sentence.start"
        ),
        {"id": transcript.id},
    )
    assert [tuple(row) for row in sentences] == expected.sentences, name


def assert_import_consistent(engine: Engine, project_id: int, generated: Study, *, complete: bool) -> None:
    """The project holds the whole study, each transcript complete (``complete``), or nothing of it; the
    audit log's import events name exactly the transcripts there are."""
    assert_database_intact(engine)
    assert_search_index_agrees(engine)
    with Session(engine) as session:
        stored = stored_transcripts(session, project_id)
        assert sorted(stored) == (sorted(generated.files) if complete else [])
        for name, transcript in stored.items():
            assert_transcript_complete(session, transcript, generated.files[name])
        for table in ("dyad", "participant"):  # created by the import, in its transaction
            rows = session.connection().execute(
                text(f"SELECT count(*) FROM {table} WHERE project_id = :id"), {"id": project_id}
            )
            assert (rows.scalar_one() > 0) == complete, table
        events = session.exec(
            select(AuditEvent).where(AuditEvent.project_id == project_id, AuditEvent.action == "transcripts.import")
        ).all()
        logged = sorted(Path(file).name for event in events for file in (event.after or {}).get("imported", []))
        assert logged == sorted(stored)


def assert_codings_consistent(engine: Engine) -> None:
    """Every coding inside its transcript, quoting it, in its code's project; the audit log and the codings
    describe each other (a coding created once, and every created coding still there, as none was removed)."""
    assert_database_intact(engine)
    with Session(engine) as session:
        texts = {t.id: (t.project_id, t.text) for t in session.exec(select(Transcript))}
        codes = {code.id: code.project_id for code in session.exec(select(Code))}
        codings = {coding.id or 0: coding for coding in session.exec(select(Coding))}
        for coding in codings.values():
            project_id, whole = texts[coding.transcript_id]
            assert coding.project_id == project_id == codes[coding.code_id], coding
            assert 0 <= coding.start < coding.end <= len(whole), coding
            assert coding.text == whole[coding.start : coding.end], coding
        created: dict[int, list[AuditEvent]] = {}
        for event in session.exec(select(AuditEvent).where(AuditEvent.entity == "coding")):
            assert event.action == "coding.create", event
            created.setdefault(event.entity_id or 0, []).append(event)
        assert sorted(created) == sorted(codings), "audit events and codings disagree"
        for coding_id, (event,) in created.items():
            coding = codings[coding_id]
            state = (coding.transcript_id, coding.code_id, coding.coder_id, coding.start, coding.end)
            after = event.after or {}
            assert tuple(after[key] for key in ("transcript_id", "code_id", "coder_id", "start", "end")) == state


# --- catching a process in the middle of its writes, and killing it ----------------------------------------------


def process_url(db_url: str) -> str:
    """The database URL for a child process: on PostgreSQL its connections carry a name of their own."""
    return db_url if db_url.startswith("sqlite") else f"{db_url}?application_name={APPLICATION}"


def sqlite_file(engine: Engine) -> Path:
    return Path(engine.url.database or "")


def log_bytes(engine: Engine) -> int:
    """The size of SQLite's write-ahead log: it grows as a transaction's pages spill from the writer's cache."""
    wal = sqlite_file(engine).with_name(sqlite_file(engine).name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def transcript_ids_drawn(engine: Engine) -> int:
    """PostgreSQL's transcript id sequence, which an insert advances at once, committed or not."""
    with engine.connect() as connection:
        sequence = connection.execute(text("SELECT pg_get_serial_sequence('transcript', 'id')")).scalar_one()
        last, called = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
    return int(last) if called else 0


@dataclass
class Watch:
    """What another connection can see of an import into ``project_id`` while its process is stopped."""

    engine: Engine
    project_id: int
    transcripts: int  # in the study

    def __post_init__(self) -> None:
        self.held = 0  # looks in a row at which the stopped process held SQLite's write lock
        self.sqlite = dialect(self.engine) == "sqlite"
        self.before = log_bytes(self.engine) if self.sqlite else transcript_ids_drawn(self.engine)

    def deep_in_its_writes(self) -> bool:
        """Whether the stopped process holds uncommitted writes of the import, and many: on SQLite it holds
        the write lock, and either has spilled a megabyte of pages into the log or has held the lock at five
        looks in a row (a large page cache keeps the pages until the commit, and a progress note holds the lock
        for a moment only); on PostgreSQL its connection holds the lock of the sentences it copied and has
        inserted half the study's transcripts. And no transcript of the project is committed."""
        if self.sqlite:
            probe = sqlite3.connect(sqlite_file(self.engine), timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")  # refused at once while another process holds the write lock
                probe.execute("ROLLBACK")
                self.held = 0
                return False
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            self.held += 1
            try:
                if log_bytes(self.engine) < self.before + 2**20 and self.held < 5:
                    return False
                committed = probe.execute("SELECT count(*) FROM transcript WHERE project_id = ?", (self.project_id,))
                return int(committed.fetchone()[0]) == 0
            except sqlite3.OperationalError as exc:  # stopped as it rewrote the log's index: look again later
                if "locked" not in str(exc):
                    raise
                return False
            finally:
                probe.close()
        with self.engine.connect() as connection:
            copying = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE application_name = :name "
                    "AND relation = 'sentence'::regclass AND mode = 'RowExclusiveLock' AND granted"
                ),
                {"name": APPLICATION},
            ).scalar_one()
            committed = connection.execute(
                text("SELECT count(*) FROM transcript WHERE project_id = :id"), {"id": self.project_id}
            ).scalar_one()
        drawn = transcript_ids_drawn(self.engine) - self.before
        return bool(copying) and drawn >= self.transcripts // 2 and committed == 0


@contextmanager
def stopped(pid: int) -> Iterator[None]:
    """The process frozen (SIGSTOP) for a look at what it holds; continued afterwards unless it died."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


def kill_while_storing(process: subprocess.Popen[bytes] | None, watch: Watch) -> None:
    """Poll until the process is caught, stopped, deep in the import's uncommitted writes; SIGKILL it then."""
    assert process is not None
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it was caught writing"
        with stopped(process.pid):
            if watch.deep_in_its_writes():
                os.kill(process.pid, signal.SIGKILL)
                assert process.wait(timeout=60) == -signal.SIGKILL
                return
        time.sleep(0.02)
    raise AssertionError("the import was never caught writing")


def wait_until_disconnected(engine: Engine) -> None:
    """On PostgreSQL, until the server has noticed the dead client and rolled its transaction back."""
    if dialect(engine) == "sqlite":
        return
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"), {"name": APPLICATION}
            ).scalar_one()
        if not left:
            return
        time.sleep(0.1)
    raise AssertionError("the killed process's connections stayed open")


def new_project(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as session:
        project = create_project(session, name=PROJECT, user=researcher(session))
        assert project.id is not None
        return project.id


# --- an import killed while it stores -------------------------------------------------------------------


def dyadic_command(*arguments: str) -> list[str]:
    return [sys.executable, "-c", "from app.cli import main; main()", *arguments]


def test_an_import_killed_while_it_stores_leaves_nothing_and_can_be_run_again(
    db_url: str, tmp_path: Path, generated_study: Study
) -> None:
    engine = make_engine(db_url)
    env = dyadic_environment(process_url(db_url), tmp_path / "var")
    command = dyadic_command("import", "transcripts", "--project", PROJECT, "--manifest", str(generated_study.manifest))
    try:
        project_id = new_project(engine)
        watch = Watch(engine, project_id, len(generated_study.files))
        with (tmp_path / "import.log").open("wb") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            kill_while_storing(process, watch)
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=60)
        wait_until_disconnected(engine)
        engine.dispose()

        engine = make_engine(db_url)  # the database opened anew, as after a restart
        assert_import_consistent(engine, project_id, generated_study, complete=False)

        again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=PATIENCE, check=False)
        assert again.returncode == 0, again.stderr.decode(errors="replace")
        assert_import_consistent(engine, project_id, generated_study, complete=True)
    finally:
        engine.dispose()


def upload_study(client: LiveClient, project_id: int, generated: Study) -> int:
    """Upload the study's files and manifest as the import form does; returns the job's id."""
    assert client.page(f"/projects/{project_id}/import").status_code == 200
    folder = generated.manifest.parent
    files = [("files", (path.name, path.read_bytes())) for path in sorted(folder.glob("*/*")) if path.is_file()]
    files.append(("manifest", ("manifest.csv", generated.manifest.read_bytes())))
    response = client.post(f"/projects/{project_id}/import", data={"mode": "manifest"}, files=files)
    assert response.status_code == 303, response.text[:2000]
    found = re.fullmatch(rf"/projects/{project_id}/imports/(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def job(engine: Engine, job_id: int) -> ImportJob:
    with Session(engine) as session:
        found = session.get(ImportJob, job_id)
        assert found is not None
        return found


def wait_for_job(engine: Engine, job_id: int, done: Callable[[ImportJob], bool]) -> ImportJob:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        now = job(engine, job_id)
        if done(now):
            return now
        assert now.status in ("queued", "running"), f"the import ended: {now.status} {now.error}"
        time.sleep(0.02)
    raise AssertionError(f"the import job {job_id} is stuck: {job(engine, job_id)}")


def test_a_browser_import_killed_while_it_stores_leaves_nothing_and_can_be_run_again(
    db_url: str, tmp_path: Path, generated_study: Study
) -> None:
    engine = make_engine(db_url)
    env = dyadic_environment(process_url(db_url), tmp_path / "var")
    try:
        project_id = new_project(engine)
        with LiveServer(env, log=tmp_path / "server.log") as server, LiveClient(server.url) as client:
            watch = Watch(engine, project_id, len(generated_study.files))
            interrupted = upload_study(client, project_id, generated_study)
            # the job's progress says it has started storing; the lock then says its writes are under way
            wait_for_job(engine, interrupted, lambda now: now.stage.startswith("storing"))
            kill_while_storing(server.process, watch)
        wait_until_disconnected(engine)
        engine.dispose()

        engine = make_engine(db_url)
        assert_import_consistent(engine, project_id, generated_study, complete=False)
        with LiveServer(env, log=tmp_path / "server.log") as server, LiveClient(server.url) as client:
            assert client.page(f"/projects/{project_id}/imports/{interrupted}").status_code == 200
            again = upload_study(client, project_id, generated_study)
            finished = wait_for_job(engine, again, lambda now: now.status not in ("queued", "running"))
            assert (finished.status, finished.error) == ("done", None)
            assert_import_consistent(engine, project_id, generated_study, complete=True)
            assert client.page(f"/projects/{project_id}").status_code == 200
        # Nothing runs the interrupted job any more: it must not claim to be running (its page would poll
        # for ever and offer no second try with the uploaded files).
        left = job(engine, interrupted)
        assert left.status not in ("queued", "running"), (
            f"after the restart the interrupted import still says {left.status!r} ({left.stage!r}), "
            "though nothing runs it and nothing of it was stored"
        )
    finally:
        engine.dispose()


# --- a burst of codings killed in the middle ---------------------------------------------------------------


Span = tuple[int, int, int]  # transcript, start, end


def word_spans(session: Session, project_id: int) -> list[Span]:
    """Every run of whole words inside one turn's speech, in every transcript of the project, shuffled."""
    spans: list[Span] = []
    turns = session.exec(select(Turn, Transcript.text).join(Transcript).where(Transcript.project_id == project_id))
    for turn, whole in turns:
        found = re.finditer(r"\w+", whole[turn.start : turn.end])
        words = [(turn.start + match.start(), turn.start + match.end()) for match in found]
        spans += [(turn.transcript_id, s, e) for i, (s, _) in enumerate(words) for (_, e) in words[i:]]
    spans.sort()
    random.Random(7).shuffle(spans)
    return spans


@dataclass
class Burst:
    """Codings posted from several threads; what the server answered, and what it never did."""

    project_id: int
    code_id: int
    url: str = ""
    spans: queue.Queue[Span] = field(default_factory=queue.Queue)
    acknowledged: list[Span] = field(default_factory=list)
    refused: list[tuple[Span, int, str]] = field(default_factory=list)
    unanswered: list[Span] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self) -> None:
        with LiveClient(self.url) as client:
            try:
                client.page(f"/projects/{self.project_id}")
            except Exception:  # killed before this thread began: it posts nothing
                return
            while True:
                try:
                    span = self.spans.get_nowait()
                except queue.Empty:
                    return
                transcript_id, start, end = span
                try:
                    response = client.post(
                        f"/projects/{self.project_id}/transcripts/{transcript_id}/codings",
                        data={"start": start, "end": end, "code_id": self.code_id},
                        headers=HTMX,
                    )
                except Exception:  # the server died with this request in flight: it may or may not be stored
                    with self.lock:
                        self.unanswered.append(span)
                    return
                with self.lock:
                    if response.status_code == 200:
                        self.acknowledged.append(span)
                    else:
                        self.refused.append((span, response.status_code, response.text[:300]))

    def answered(self) -> int:
        with self.lock:
            return len(self.acknowledged) + len(self.refused)


def stored_codings(engine: Engine, code_id: int) -> list[Span]:
    with Session(engine) as session:
        codings = session.exec(select(Coding).where(Coding.code_id == code_id)).all()
        return sorted((coding.transcript_id, coding.start, coding.end) for coding in codings)


def test_a_server_killed_in_a_burst_of_codings_keeps_every_acknowledged_coding_whole(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            project, _ = study(session, tmp_path / "study")
            code = make_code(session, project, "Feeling heard")
            assert project.id is not None and code.id is not None
            spans = word_spans(session, project.id)
        assert len(spans) > 600
        planned, spare = spans[:600], spans[600:]
        burst = Burst(project.id, code.id)
        for span in planned:
            burst.spans.put(span)
        env = dyadic_environment(process_url(db_url), tmp_path / "var")
        with LiveServer(env, log=tmp_path / "server.log") as server:
            burst.url = server.url
            threads = [threading.Thread(target=burst.post, daemon=True) for _ in range(8)]
            try:
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + PATIENCE
                while burst.answered() < 150:  # well under way, with hundreds still to come
                    assert time.monotonic() < deadline, "the burst of codings made no progress"
                    assert any(thread.is_alive() for thread in threads), "the burst ended before the kill"
                    time.sleep(0.01)
            finally:
                server.kill()
                for thread in threads:
                    thread.join(timeout=PATIENCE)
        wait_until_disconnected(engine)
        engine.dispose()

        assert burst.refused == [], "the server refused codings before it was killed"
        assert burst.unanswered, "no request was cut off by the kill"
        assert len(burst.acknowledged) < len(planned), "the burst was over before the kill"

        engine = make_engine(db_url)
        assert_codings_consistent(engine)
        stored = stored_codings(engine, code.id)
        assert len(stored) == len(set(stored)), "a coding was stored twice"
        assert set(burst.acknowledged) <= set(stored), "an acknowledged coding was lost"
        # what is stored beyond them was in flight at the kill: committed, its answer lost
        assert set(stored) - set(burst.acknowledged) <= set(burst.unanswered)

        with LiveServer(env, log=tmp_path / "server.log") as server, LiveClient(server.url) as client:
            transcript_id, start, end = spare[0]
            page = client.page(f"/projects/{project.id}/transcripts/{transcript_id}")
            assert page.status_code == 200
            assert lxml.html.fromstring(page.text).xpath("//p[@class='speech']")
            response = client.post(
                f"/projects/{project.id}/transcripts/{transcript_id}/codings",
                data={"start": start, "end": end, "code_id": code.id},
                headers=HTMX,
            )
            assert response.status_code == 200, response.text[:500]
        assert stored_codings(engine, code.id) == sorted([*stored, spare[0]])
        assert_codings_consistent(engine)
    finally:
        engine.dispose()
