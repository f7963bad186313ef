"""Import of real files written by ATLAS.ti, NVivo, qc, Taguette and the standard's own examples (read from
../shared/refi-qda/samples, never copied): what is created, and what is warned about or left out."""

from __future__ import annotations

from sqlmodel import Session, select

from app.exchange.archive import Limits
from app.exchange.qdc import import_codebook
from app.exchange.qdpx_import import Options, import_project
from app.exchange.report import ImportReport
from coding.models import Code, Coding
from tests.exchange.builders import SAMPLES, SCHEMAS
from tests.factories import researcher
from themes.models import JournalEntry, Theme, ThemeCode
from transcripts.models import Participant, Project, Transcript
from transcripts.projects import project_by_name

OPTIONS = Options(Limits(50 * 2**20, 1000), schema_dir=SCHEMAS)


def load(session: Session, name: str) -> tuple[Project, ImportReport]:
    path = SAMPLES / name
    user = researcher(session)
    if path.suffix == ".qdc":
        report = import_codebook(session, path=path, project_name=name, user=user, max_bytes=10**7, schema_dir=SCHEMAS)
    else:
        report = import_project(session, path=path, project_name=name, user=user, options=OPTIONS)
    project = project_by_name(session, name)
    assert project is not None and report.created_project
    return project, report


def codes_of(session: Session, project: Project) -> dict[str, Code]:
    return {c.name: c for c in session.exec(select(Code).where(Code.project_id == project.id))}


def themes_of(session: Session, project: Project) -> dict[str, Theme]:
    return {t.name: t for t in session.exec(select(Theme).where(Theme.project_id == project.id))}


def test_atlasti_23_codebook(session: Session) -> None:
    project, report = load(session, "atlasti-23.4-win_codebook.qdc")
    codes = codes_of(session, project)
    assert list(codes) == ["code1"] and codes["code1"].definition == "description"
    assert codes["code1"].colour == "#46aa00"
    assert codes["code1"].guid == "1ff58b12-6f6f-4b0c-8be5-bbdc91f55294"
    theme = themes_of(session, project)["code group 1"]
    assert theme.definition == "kategorie 1"
    assert session.exec(select(ThemeCode.code_id).where(ThemeCode.theme_id == theme.id)).all() == [codes["code1"].id]
    assert not [w for w in report.warnings if w.startswith("schema")]


def test_atlasti_9_codebook_in_an_old_namespace(session: Session) -> None:
    project, report = load(session, "atlasti-9.0-win_codebook_ns-0-4.qdc")
    codes = codes_of(session, project)
    assert set(codes) == {"code1", "code1.1", "code2", "code3", "code:3.1"}
    assert codes["code1.1"].parent_id == codes["code1"].id
    themes = themes_of(session, project)
    assert themes["codeGroup1.1"].parent_id == themes["codeGroup1"].id
    assert any("schema" in w and "codebook:0:4" in w for w in report.warnings)
    assert any("'code3' is not codable" in w for w in report.warnings)
    assert any("parent theme 'codeGroup1' had no set" in w for w in report.warnings)


def test_refi_example_codebook_with_braced_guids_and_an_empty_sets(session: Session) -> None:
    project, report = load(session, "refi-spec-annexA1_codebook_portableqda-copy.qdc")
    codes = codes_of(session, project)
    assert len(codes) == 6 and codes["Economy"].guid == "d7aa29da-519b-4946-9b90-253b6db8fd0a"
    assert codes["Economy"].colour == "#ffff00" and codes["Liberals"].definition.startswith("Democrats")
    assert any("Sets" in w and "Missing child" in w for w in report.warnings)


def test_taguette_codebook_keeps_names_as_written(session: Session) -> None:
    project, _ = load(session, "taguette-1.5.2_codebook.qdc")
    assert "Émotions – «accents» & <markup>" in codes_of(session, project)
    assert "interesting\\places" in codes_of(session, project)


def test_atlasti_example_project_without_sources(session: Session) -> None:
    project, report = load(session, "atlasti-8.4-mac_refi-spec-annexA2_project.qde")
    codes = codes_of(session, project)
    assert {"Coke", "Coke::diet Coke", "happiness", "milk"} <= set(codes)
    assert codes["Coke::diet Coke"].definition == "non sucré"
    themes = themes_of(session, project)
    assert set(themes) == {"Feelings", "negative feelings", "positive feelings", "Breakfast food"}
    assert report.offsets.endswith("(ATLAS.ti)")
    assert '"rushed"' in codes  # the set members' codes are all found
    assert any("'Simon.docx': its text is not in the file" in item for item in report.not_imported)
    assert any("PDFSource" in item for item in report.not_imported)
    assert any("set 'gender: male': a set of sources" in item for item in report.not_imported)
    assert any("link 'Memo-Quotation Relation'" in item for item in report.not_imported)
    journal = session.exec(select(JournalEntry.text).where(JournalEntry.project_id == project.id)).all()
    assert any(text.startswith("Research Plan\n\nday to day log") for text in journal)
    assert report.counts["users"] == 3


def test_nvivo_project_with_one_byte_sources(session: Session) -> None:
    project, report = load(session, "nvivo-15.0-mac_codebook-and-empty-sources.qdpx")
    assert (
        len(session.exec(select(Code.id).where(Code.project_id == project.id)).all()) == report.counts["codes"] == 262
    )
    assert report.offsets.startswith("UTF-16")
    (transcript,) = session.exec(select(Transcript).where(Transcript.project_id == project.id)).all()
    assert transcript.text == "\n" and transcript.turn_count == 0
    person = session.get(Participant, transcript.participant_id)
    assert person.role == "participant"
    assert any("has no role and participant: placeholder" in w and "Unassigned" in w for w in report.warnings)
    assert any("has the same text as transcript" in w for w in report.warnings)


def test_qc_project_with_coded_lines(session: Session) -> None:
    project, report = load(session, "qc-1.3.2_demo_coded.qdpx")
    transcripts = {t.name: t for t in session.exec(select(Transcript).where(Transcript.project_id == project.id))}
    assert set(transcripts) == {"board_2017.txt", "admin-1.txt"}
    codings = session.exec(select(Coding).where(Coding.project_id == project.id)).all()
    assert len(codings) == report.counts["codings"] == 205
    board = transcripts["board_2017.txt"]
    for coding in codings:
        text = transcripts["board_2017.txt"].text if coding.transcript_id == board.id else ""
        if text:
            assert coding.text == text[coding.start : coding.end]
            assert coding.start == 0 or text[coding.start - 1] == "\n"  # whole lines, as qc codes them
    assert board.turn_count > 10 and board.word_count > 5000
    assert all(t.text.startswith(t.text.lstrip("\ufeff")) for t in transcripts.values())
