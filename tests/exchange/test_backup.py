"""Dyadic's own backup: every project table covered, a restore whose exports equal the original's, refusals
of hostile or unknown archives that change nothing, and SQLite's online copy of the whole database."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from app.db import make_engine
from app.exchange.archive import Limits
from app.exchange.backup import SOFT_REFERENCES, backup_project, scoped_tables, sqlite_copy
from app.exchange.errors import ExchangeRefused
from app.exchange.qdc import codebook_xml
from app.exchange.qdpx_export import project_archive
from app.exchange.report import ExportReport
from app.exchange.restore import restore_project
from coding.agreement_models import AgreementRound
from coding.models import Coding
from tests.exchange.builders import coded_study
from themes.frequency import frequency_table
from themes.history import theme_history
from themes.models import ChecklistTick, ExtractReview, PhaseNote, ProjectPhase, Theme, ThemeExtract
from themes.pseudonym_models import Pseudonym, PseudonymDecision
from themes.table_export import table_csv
from transcripts.models import AuditEvent, Project, ReadMark, Sentence, Transcript, Turn

LIMITS = Limits(2**30, 1000)
GUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def full_study(session: Session, folder: Path) -> Project:
    """The exchange study plus everything REFI-QDA cannot carry: phase, checklist, notes, read marks, chosen
    extracts, reviews, the pseudonym dictionary and decisions, an agreement round."""
    study = coded_study(session, folder)
    pid = study.project.id
    theme = session.exec(select(Theme).where(Theme.project_id == pid, Theme.parent_id.is_not(None))).one()  # type: ignore[union-attr]
    codings = session.exec(select(Coding).where(Coding.project_id == pid).order_by(Coding.id)).all()
    transcript = session.exec(select(Transcript).where(Transcript.project_id == pid)).first()
    assert transcript is not None and theme.parent_id is not None
    session.add_all(
        [
            ProjectPhase(project_id=pid, phase=4, updated_by_id=study.ana.id),
            ChecklistTick(project_id=pid, item="transcripts_checked", ticked_by_id=study.ben.id),
            PhaseNote(project_id=pid, phase=2, text="Coded twice.", updated_by_id=study.ana.id),
            ReadMark(user_id=study.ben.id, transcript_id=transcript.id),
            ThemeExtract(theme_id=theme.id, coding_id=codings[2].id, position=0, chosen_by_id=study.ana.id),
            ExtractReview(
                theme_id=theme.id, coding_id=codings[0].id, verdict="move", target_theme_id=theme.parent_id, note="?"
            ),
            Pseudonym(project_id=pid, term="Maria", term_key="maria", replacement="[partner]"),
            PseudonymDecision(
                project_id=pid,
                export_kind="report",
                coding_id=codings[1].id,
                quote_key=f"{codings[1].id}+{codings[0].id}",
                quote_hash="0" * 64,
                decision="accepted",
                decided_by_id=study.ben.id,
            ),
            AgreementRound(
                project_id=pid,
                name="Round 1",
                coder_ids=[study.ana.id, study.ben.id],
                code_ids=[study.codes["trust"].id],
                created_by_id=study.ana.id,
            ),
        ]
    )
    session.commit()
    return study.project


def exports(session: Session, project: Project) -> tuple[bytes, bytes, str]:
    qdpx = project_archive(session, project=project, report=ExportReport())
    qdc = codebook_xml(session, project=project, report=ExportReport())
    return qdpx, qdc, table_csv(frequency_table(session, project_id=project.id or 0))


def members(qdpx: bytes) -> dict[bytes, bytes]:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        return {info.filename.encode(): archive.read(info) for info in archive.infolist()}


def same_but_guids(left: bytes, right: bytes, pairs: dict[bytes, bytes]) -> bool:
    """Equal once each GUID of ``left`` is read as the one at the same place in ``right`` (a consistent
    one-to-one renaming, collected in ``pairs``)."""
    if GUID.sub(b"G", left) != GUID.sub(b"G", right):
        return False
    return all(pairs.setdefault(a, b) == b for a, b in zip(GUID.findall(left), GUID.findall(right), strict=True))


def rows_per_table(session: Session, project: Project, tmp_path: Path, name: str) -> dict[str, int]:
    path = tmp_path / f"{name}.zip"
    return dict(backup_project(session, project=project, path=path).counts)


def test_every_project_table_is_covered() -> None:
    scoped = {scope.table.name for scope in scoped_tables()}
    every = set(SQLModel.metadata.tables)
    assert "user" not in scoped and {"project", "coding", "sentence", "readmark", "extractreview"} <= scoped
    # A table that refers (through any chain of foreign keys) to a project's rows must be in the backup; the
    # only tables outside it are the people, whom the backup carries by name, and their accounts (never carried).
    for table in SQLModel.metadata.sorted_tables:
        parents = {fk.column.table.name for fk in table.foreign_keys} - {table.name}
        if parents & scoped:
            assert table.name in scoped, f"{table.name} refers to project rows but is not backed up"
    people = {"user", "login_session", "login_failure", "api_token"}
    assert every - scoped == people, f"tables neither backed up nor people: {sorted(every - scoped - people)}"
    for table, column in SOFT_REFERENCES:
        assert column in SQLModel.metadata.tables[table].c


def test_backup_then_restore_gives_equal_exports(session: Session, tmp_path: Path) -> None:
    project = full_study(session, tmp_path / "study")
    before = exports(session, project)
    counts = rows_per_table(session, project, tmp_path, "original")
    path = tmp_path / "backup.zip"
    backup_project(session, project=project, path=path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        people = [json.loads(line) for line in archive.read("tables/user.jsonl").splitlines()]
    assert people and all(set(person) == {"id", "name", "created_at"} for person in people)  # no password hashes
    assert manifest["format"] == "dyadic-project-backup" and manifest["format_version"] == 1
    assert manifest["alembic_revision"] and manifest["counts"]["coding"] == 5 and manifest["project"] == project.name
    assert {f"tables/{scope.table.name}.jsonl" for scope in scoped_tables()} <= names

    report = restore_project(session, path=path, limits=LIMITS, name="Restored")
    assert report.new_guids == 5 + 3 + 2  # codings, codes and themes: the original holds their GUIDs
    restored = session.get(Project, report.project_id)
    assert restored is not None and restored.name == "Restored" and restored.id != project.id
    assert rows_per_table(session, restored, tmp_path, "restored") == counts
    after = exports(session, restored)

    assert after[2] == before[2]  # the frequency table, byte for byte
    pairs: dict[bytes, bytes] = {}
    assert same_but_guids(before[1], after[1], pairs)  # the codebook: only the renewed GUIDs differ
    left, right = members(before[0]), members(after[0])
    assert len(left) == len(right)
    for (name_a, data_a), (name_b, data_b) in zip(left.items(), right.items(), strict=True):
        assert same_but_guids(name_a, name_b, pairs)
        data_a = data_a.replace(b'name="IPR exchange"', b'name="Restored"')
        assert same_but_guids(data_a, data_b, pairs), name_a

    # History, read marks and search come back with the project.
    for source_id, target_id in ((project.id, restored.id),):
        old_theme, new_theme = (
            session.exec(select(Theme).where(Theme.project_id == pid, Theme.parent_id.is_(None))).one()  # type: ignore[union-attr]
            for pid in (source_id, target_id)
        )
        assert len(theme_history(session, theme_id=new_theme.id or 0)) == len(
            theme_history(session, theme_id=old_theme.id or 0)
        )
    events = session.exec(select(AuditEvent).where(AuditEvent.project_id == restored.id)).all()
    coding_ids = set(session.exec(select(Coding.id).where(Coding.project_id == restored.id)))
    assert {e.entity_id for e in events if e.entity == "coding"} <= coding_ids
    assert sum(e.entity == "coding" for e in events) >= 5
    rounds = session.exec(select(AgreementRound).where(AgreementRound.project_id == restored.id)).one()
    assert set(rounds.code_ids or []) <= set(session.exec(select(Theme.id)).all()) | set(
        session.exec(select(Coding.code_id).where(Coding.project_id == restored.id))
    )
    decision = session.exec(select(PseudonymDecision).where(PseudonymDecision.project_id == restored.id)).one()
    assert decision.quote_key.split("+")[0] == str(decision.coding_id) and decision.coding_id in coding_ids
    turns = session.exec(
        select(func.count()).select_from(Turn).join(Transcript).where(Transcript.project_id == restored.id)
    ).one()
    sentences = session.exec(
        select(func.count()).select_from(Sentence).join(Transcript).where(Transcript.project_id == restored.id)
    ).one()
    assert turns == counts["turn"] and sentences == counts["sentence"] > 0


def test_a_restore_into_another_database_keeps_the_codebook_byte_for_byte(
    session: Session, tmp_path: Path, sqlite_template: Path
) -> None:
    project = full_study(session, tmp_path / "study")
    before = exports(session, project)
    path = tmp_path / "backup.zip"
    backup_project(session, project=project, path=path)
    other = tmp_path / "other.db"
    shutil.copyfile(sqlite_template, other)
    engine = make_engine(f"sqlite:///{other}")
    with Session(engine, expire_on_commit=False) as elsewhere:
        report = restore_project(elsewhere, path=path, limits=LIMITS)
        assert report.new_guids == 0 and report.project == project.name
        restored = elsewhere.get(Project, report.project_id)
        assert restored is not None
        after = exports(elsewhere, restored)
    engine.dispose()
    assert after[1] == before[1] and after[2] == before[2]
    pairs: dict[bytes, bytes] = {}
    for (name_a, data_a), (name_b, data_b) in zip(members(before[0]).items(), members(after[0]).items(), strict=True):
        assert same_but_guids(name_a, name_b, pairs) and same_but_guids(data_a, data_b, pairs)
    assert all(a == b for a, b in pairs.items() if a in before[1])  # code and theme GUIDs kept


def rewrite(path: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = change.get(info.filename, source.read(info))
            if data is not None:
                out.writestr(info.filename, data)
        for name, data in change.items():
            if name not in source.namelist() and data is not None:
                out.writestr(name, data)
    return target


@pytest.mark.parametrize(
    "case, expected",
    [
        ("newer format", "backup format version 2 is not one this Dyadic reads (up to 1)"),
        ("unknown revision", "schema revision '99999999_9999', which this Dyadic does not know"),
        ("no manifest", "not a Dyadic backup (no manifest.json)"),
        ("bad row", "tables/coding.jsonl line 1 is not valid JSON"),
        ("unknown column", "the table coding has no column 'colour'"),
        ("dangling", "refers to transcript 123456, which the backup does not hold"),
        ("zip slip", "points outside the archive (zip slip)"),
    ],
)
def test_hostile_or_unknown_archives_are_refused_and_change_nothing(
    session: Session, tmp_path: Path, case: str, expected: str
) -> None:
    project = full_study(session, tmp_path / "study")
    path = backup_project(session, project=project, path=tmp_path / "backup.zip").path
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        first = json.loads(archive.read("tables/coding.jsonl").splitlines()[0])
    changes: dict[str, bytes | None] = {
        "newer format": {"manifest.json": json.dumps(manifest | {"format_version": 2}).encode()},
        "unknown revision": {"manifest.json": json.dumps(manifest | {"alembic_revision": "99999999_9999"}).encode()},
        "no manifest": {"manifest.json": None},
        "bad row": {"tables/coding.jsonl": b"{not json\n"},
        "unknown column": {"tables/coding.jsonl": json.dumps(first | {"colour": "#fff"}).encode()},
        "dangling": {"tables/coding.jsonl": json.dumps(first | {"transcript_id": 123456}).encode()},
        "zip slip": {"../evil.jsonl": b"{}"},
    }[case]
    hostile = rewrite(Path(path), tmp_path / "hostile.zip", changes)
    counts = {t: session.exec(select(func.count()).select_from(t)).one() for t in (Project, Coding, Transcript)}
    with pytest.raises(ExchangeRefused) as refused:
        restore_project(session, path=hostile, limits=LIMITS, name="Hostile")
    assert expected in str(refused.value) and "\n" not in str(refused.value)
    session.expire_all()
    assert {t: session.exec(select(func.count()).select_from(t)).one() for t in counts} == counts
    assert session.exec(select(Project).where(Project.name == "Hostile")).first() is None


def test_a_restore_under_a_taken_name_is_refused(session: Session, tmp_path: Path) -> None:
    project = full_study(session, tmp_path / "study")
    backup_project(session, project=project, path=tmp_path / "b.zip")
    with pytest.raises(ExchangeRefused, match="a project called 'IPR exchange' exists already"):
        restore_project(session, path=tmp_path / "b.zip", limits=LIMITS)


def test_the_whole_sqlite_database_through_the_online_backup(session: Session, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    full_study(session, tmp_path / "study")
    copy = tmp_path / "copy.db"
    if engine.dialect.name != "sqlite":
        with pytest.raises(ExchangeRefused, match="a whole-database copy is for SQLite"):
            sqlite_copy(engine, copy)
        assert not copy.exists()
        return
    sqlite_copy(engine, copy)
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT name FROM project").fetchall() == [("IPR exchange",)]
        assert connection.execute("SELECT count(*) FROM coding").fetchone() == (5,)
        assert connection.execute("SELECT count(*) FROM sentence_fts").fetchone()[0] > 0
    with pytest.raises(ExchangeRefused, match="exists already"):
        sqlite_copy(engine, copy)


def test_the_commands(db_url: str, session: Session, tmp_path: Path) -> None:
    from tests.exchange.test_cli import dyadic

    full_study(session, tmp_path / "study")
    made = dyadic(db_url, "backup", "--project", "IPR exchange", "-o", str(tmp_path / "b.zip"))
    assert made.returncode == 0, made.stderr
    assert (
        made.stdout.startswith(f"backed up project 'IPR exchange' to {tmp_path / 'b.zip'}: ")
        and "5 coding" in made.stdout
    )
    restored = dyadic(db_url, "restore", str(tmp_path / "b.zip"), "--as", "Copy")
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("restored project 'Copy' (id ") and "10 GUIDs were in use" in restored.stdout
    again = dyadic(db_url, "restore", str(tmp_path / "b.zip"), "--as", "Copy")
    assert again.returncode == 1
    assert again.stderr.strip() == "error: a project called 'Copy' exists already: restore it --as another name"
    neither = dyadic(db_url, "backup", "-o", str(tmp_path / "x.zip"))
    assert neither.returncode == 1 and neither.stderr.strip() == "error: give either --project NAME or --database"
    whole = dyadic(db_url, "backup", "--database", "-o", str(tmp_path / "whole.db"))
    if db_url.startswith("sqlite"):
        assert whole.returncode == 0 and (tmp_path / "whole.db").stat().st_size > 0
    else:
        assert whole.returncode == 1 and whole.stderr.startswith("error: a whole-database copy is for SQLite")
