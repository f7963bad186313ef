"""Search reads whose speech a sentence is from the sentence itself (``Sentence.interviewer``, a copy of its
turn's role), not from its turn: the flag must agree with the turns after an import, after migration 0010
fills a database that held transcripts before it, and after restoring a backup made before the flag.

Each test runs on SQLite (FTS5) and on PostgreSQL (tsvector).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import astuple
from pathlib import Path

from alembic import command
from sqlmodel import Session, select

from app.db import alembic_config, make_engine
from app.exchange.archive import Limits
from app.exchange.backup import backup_project
from app.exchange.restore import restore_project
from coding.search import Filters, search_results
from tests.factories import study
from transcripts.models import INTERVIEWER, Sentence, Turn

QUERIES = ("trust", "quiet", "felt heard", "laugh")


def flags(session: Session, project_id: int | None = None) -> list[tuple[bool, str]]:
    query = select(Sentence.interviewer, Turn.role).join(Turn, Turn.id == Sentence.turn_id)  # type: ignore[arg-type]
    if project_id is not None:
        query = query.where(Sentence.transcript_id.in_(_transcripts(session, project_id)))  # type: ignore[attr-defined]
    return list(session.exec(query).all())


def _transcripts(session: Session, project_id: int) -> list[int]:
    from transcripts.models import Transcript

    return list(session.exec(select(Transcript.id).where(Transcript.project_id == project_id)).all())  # type: ignore[arg-type]


def agree(rows: list[tuple[bool, str]]) -> bool:
    """Every flag is its turn's role, and both kinds of speech are there."""
    return (
        all(bool(flag) == (role == INTERVIEWER) for flag, role in rows)
        and any(flag for flag, _ in rows)
        and not all(flag for flag, _ in rows)
    )


def results(session: Session, project_id: int) -> list[object]:
    """Every query's hits, totals and transcripts, for the participants' speech and for everyone's."""
    out: list[object] = []
    for query in QUERIES:
        for speakers in ("participants", "all"):
            found = search_results(session, project_id=project_id, query=query, filters=Filters(speakers=speakers))
            out.append((found.total, found.transcripts, [astuple(hit)[1:] for hit in found.hits]))
    return out


def test_an_import_flags_the_sentences_the_interviewer_said(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    assert agree(flags(session))
    participants = search_results(session, project_id=project.id, query="quiet")  # type: ignore[arg-type]
    everyone = search_results(session, project_id=project.id, query="quiet", filters=Filters(speakers="all"))  # type: ignore[arg-type]
    assert all(hit.speaker_role != INTERVIEWER for hit in participants.hits)
    assert participants.total <= everyone.total


def test_the_migration_fills_the_flag_of_sentences_already_stored(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        project, _ = study(session, tmp_path / "study")
        before = results(session, project.id)  # type: ignore[arg-type]
    engine.dispose()
    config = alembic_config(db_url)
    command.downgrade(config, "0009")  # a database from before the flag, holding a study
    command.upgrade(config, "head")
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        assert agree(flags(session))
        assert results(session, project.id) == before  # type: ignore[arg-type]
    engine.dispose()


def test_a_backup_from_before_the_flag_restores_with_the_flag_right(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    path, old = tmp_path / "backup.zip", tmp_path / "old-backup.zip"
    backup_project(session, project=project, path=path)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(old, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "tables/sentence.jsonl":
                rows = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
                assert rows and all("interviewer" in row for row in rows)
                lines = [json.dumps({k: v for k, v in row.items() if k != "interviewer"}) for row in rows]
                data = "\n".join(lines).encode()
            target.writestr(entry, data)
    report = restore_project(session, path=old, limits=Limits(2**30, 1000), name="Restored")
    session.commit()
    assert agree(flags(session, report.project_id))
    assert results(session, report.project_id) == results(session, project.id)  # type: ignore[arg-type]
