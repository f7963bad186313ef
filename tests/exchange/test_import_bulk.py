"""The import's bulk path for codings: rows written past the ORM (COPY on PostgreSQL), GUIDs checked against
the database in one query, times stored as the ORM stores them, SQLite's page cache given back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.exchange import codings_in
from app.exchange.archive import Limits
from app.exchange.errors import ExchangeRefused
from app.exchange.qdpx_export import export_project
from app.exchange.qdpx_import import Options, import_project
from coding.models import Coding
from tests.exchange.builders import SCHEMAS, coded_study
from tests.exchange.snapshot import snapshot
from transcripts import store
from transcripts.projects import project_by_name

OPTIONS = Options(Limits(50 * 2**20, 1000), schema_dir=SCHEMAS)


def _guids(session: Session, project_id: int | None) -> set[str]:
    return set(session.exec(select(Coding.guid).where(Coding.project_id == project_id)))


def test_taken_coding_guids_are_replaced_and_free_ones_kept(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "files")
    original = _guids(session, study.project.id)
    export_project(session, project=study.project, path=tmp_path / "a.qdpx", schema_dir=SCHEMAS)

    import_project(session, path=tmp_path / "a.qdpx", project_name="copy", user=study.ana, options=OPTIONS)
    copy = project_by_name(session, "copy")
    assert copy is not None
    renewed = _guids(session, copy.id)
    assert len(renewed) == len(original) == 5 and not renewed & original  # every one taken: all new

    session.connection().execute(text("DELETE FROM coding WHERE project_id = :p"), {"p": study.project.id})
    session.commit()
    import_project(session, path=tmp_path / "a.qdpx", project_name="again", user=study.ana, options=OPTIONS)
    again = project_by_name(session, "again")
    assert again is not None
    assert _guids(session, again.id) == original  # free again: the file's own GUIDs


def test_codings_stored_in_several_batches_are_all_there(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = coded_study(session, tmp_path / "files")
    before = snapshot(session, study.project)
    export_project(session, project=study.project, path=tmp_path / "a.qdpx", schema_dir=SCHEMAS)
    monkeypatch.setattr(codings_in, "BATCH", 2)
    import_project(session, path=tmp_path / "a.qdpx", project_name="copy", user=study.ana, options=OPTIONS)
    copy = project_by_name(session, "copy")
    assert copy is not None
    assert snapshot(session, copy)["codings"] == before["codings"]


def test_imported_codings_carry_the_import_time_as_the_orm_writes_it(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "files")
    export_project(session, project=study.project, path=tmp_path / "a.qdpx", schema_dir=SCHEMAS)
    started = datetime.now(UTC)
    import_project(session, path=tmp_path / "a.qdpx", project_name="copy", user=study.ana, options=OPTIONS)
    copy = project_by_name(session, "copy")
    assert copy is not None
    session.expire_all()
    for coding in session.exec(select(Coding).where(Coding.project_id == copy.id)):
        when = coding.created_at if coding.created_at.tzinfo else coding.created_at.replace(tzinfo=UTC)
        assert started - timedelta(seconds=1) <= when <= datetime.now(UTC)
        assert coding.updated_at == coding.created_at
    # the stored text is the one the ORM stores (SQLite keeps times as strings: same shape as the original's)
    stored: dict[int | None, object] = {
        project: session.connection()
        .execute(text("SELECT created_at FROM coding WHERE project_id = :p"), {"p": project})
        .scalars()
        .first()
        for project in (study.project.id, copy.id)
    }
    assert type(stored[copy.id]) is type(stored[study.project.id])
    if isinstance(stored[copy.id], str):
        assert len(str(stored[copy.id])) == len(str(stored[study.project.id]))


def _cache_size(session: Session) -> int:
    return int(session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_sqlite_gets_its_page_cache_back_after_an_import(session: Session, tmp_path: Path) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("a SQLite connection setting")
    study = coded_study(session, tmp_path / "files")
    export_project(session, project=study.project, path=tmp_path / "a.qdpx", schema_dir=SCHEMAS)
    before = _cache_size(session)
    import_project(session, path=tmp_path / "a.qdpx", project_name="copy", user=study.ana, options=OPTIONS)
    assert _cache_size(session) == before
    with pytest.raises(ExchangeRefused):  # refused inside the import: the setting comes back all the same
        import_project(session, path=tmp_path / "a.qdpx", project_name=" ", user=study.ana, options=OPTIONS)
    assert _cache_size(session) == before


def test_the_bulk_page_cache_grows_a_small_cache_and_never_shrinks_a_large_one(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("a SQLite connection setting")
    connection = session.connection()
    connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default: 2 MB
    with store.page_cache(session, mib=32):
        assert _cache_size(session) == -32 * 1024
    assert _cache_size(session) == -2000
    connection.exec_driver_sql("PRAGMA cache_size = -65536")  # what app.db.make_engine gives: 64 MiB
    with store.page_cache(session, mib=32):
        assert _cache_size(session) == -65536
    assert _cache_size(session) == -65536
