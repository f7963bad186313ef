"""The import in two passes with a writer: the database's work overlaps the analysis of the next source, and
still the import is one transaction (a failure anywhere stores nothing, with its own one-line error), its
report reads in the order of the file, and the parsed tree keeps every character of a text."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session

from app.exchange import qdpx_import
from app.exchange.archive import Limits
from app.exchange.errors import ExchangeRefused
from app.exchange.qdpx_export import export_project
from app.exchange.qdpx_import import Options, import_project
from app.exchange.report import ImportReport
from app.exchange.xml import parse, text_of
from tests.exchange.builders import SCHEMAS, coded_study
from tests.exchange.snapshot import counts, snapshot
from transcripts import store
from transcripts.projects import project_by_name

OPTIONS = Options(Limits(50 * 2**20, 1000), schema_dir=SCHEMAS)

SQLITE_TRIGGER = (
    "CREATE TRIGGER refuse_codings BEFORE INSERT ON coding BEGIN SELECT RAISE(ABORT, 'no codings today'); END"
)
POSTGRES_TRIGGER = [
    "CREATE FUNCTION refuse_codings() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no codings today'; END $$ "
    "LANGUAGE plpgsql",
    "CREATE TRIGGER refuse_codings BEFORE INSERT ON coding FOR EACH ROW EXECUTE FUNCTION refuse_codings()",
]


def _writers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "bulk writer"]


@pytest.mark.parametrize("batch", [1, 5_000])  # the error met at the next batch, or when the writer ends
def test_a_failure_in_the_writer_stores_nothing_and_raises_its_own_error(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    study = coded_study(session, tmp_path / "files")
    export_project(session, project=study.project, path=tmp_path / "a.qdpx", schema_dir=SCHEMAS)
    postgres = session.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGER if postgres else [SQLITE_TRIGGER]:
        session.connection().exec_driver_sql(statement)
    session.commit()
    before = counts(session)
    monkeypatch.setattr(store, "WRITER_BATCH", batch)
    try:
        with pytest.raises(Exception, match="no codings today") as raised:
            import_project(session, path=tmp_path / "a.qdpx", project_name="copy", user=study.ana, options=OPTIONS)
        assert "no codings today" in str(raised.value).splitlines()[0]  # the database's own error, first
        assert not _writers()  # stopped before the rollback
        assert counts(session) == before and project_by_name(session, "copy") is None
    finally:
        session.rollback()
        drop = (
            ["DROP TRIGGER refuse_codings ON coding", "DROP FUNCTION refuse_codings()"]
            if postgres
            else ["DROP TRIGGER refuse_codings"]
        )
        for statement in drop:
            session.connection().exec_driver_sql(statement)
        session.commit()
    import_project(session, path=tmp_path / "a.qdpx", project_name="copy", user=study.ana, options=OPTIONS)
    copy = project_by_name(session, "copy")
    assert copy is not None and snapshot(session, copy)["codings"] == snapshot(session, study.project)["codings"]


def test_a_refusal_while_the_writer_has_rows_stores_nothing_and_keeps_its_line(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = coded_study(session, tmp_path / "files")
    export_project(session, project=study.project, path=tmp_path / "a.qdpx", schema_dir=SCHEMAS)
    session.commit()
    before = counts(session)
    monkeypatch.setattr(store, "WRITER_BATCH", 1)  # the first source's rows are with the writer by then
    analysed = qdpx_import.analysed_rows
    calls = []

    def refusing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise ExchangeRefused("the second source cannot be analysed")
        return analysed(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(qdpx_import, "analysed_rows", refusing)
    with pytest.raises(ExchangeRefused) as raised:
        import_project(session, path=tmp_path / "a.qdpx", project_name="copy", user=study.ana, options=OPTIONS)
    assert str(raised.value) == "the second source cannot be analysed"
    assert not _writers()
    assert counts(session) == before and project_by_name(session, "copy") is None


def test_the_report_joins_its_parts_in_order() -> None:
    report = ImportReport()
    report.counts["codes"] += 2
    first, later, second = ImportReport(), ImportReport(), ImportReport()
    second.warn("source 2")
    second.counts["transcripts"] += 1
    later.counts["codings"] += 3
    later.skip("source 1: a selection")
    later.warn("source 1: a coding")
    first.warn("source 1")
    first.counts["transcripts"] += 1
    report.join([first, later, second])
    assert report.warnings == ["source 1", "source 1: a coding", "source 2"]
    assert report.not_imported == ["source 1: a selection"]
    assert list(report.counts.items()) == [("codes", 2), ("transcripts", 2), ("codings", 3)]
    assert report.counts == Counter(codes=2, transcripts=2, codings=3)


def _project(content: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">\n'
        f'  <Sources>\n    <TextSource guid="x" name="s">\n      <PlainTextContent>{content}</PlainTextContent>\n'
        "    </TextSource>\n  </Sources>\n</Project>\n"
    ).encode()


@pytest.mark.parametrize(
    "content, kept",
    [
        ("  Hello  ", "  Hello  "),
        ("   ", "   "),
        ("\n", "\n"),
        ("  <!-- a comment -->Hello", "  Hello"),  # next to a comment: parsed with every character
        ("  <?pi here?>Hello", "  Hello"),
        ("  <![CDATA[Hello]]>", "  Hello"),
        ("  &#32;Hello", "   Hello"),
    ],
)
def test_parsing_drops_indentation_but_never_a_texts_white_space(content: str, kept: str) -> None:
    root = parse(_project(content), what="p.qde")
    source = root[0][0]
    assert text_of(source, "PlainTextContent") == kept
    if "<" not in content:
        assert root.text is None and source.tail is None  # the indentation between elements is gone
