"""Export: every .qdpx and .qdc validates against the REFI-QDA schemas and says what it cannot carry."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlmodel import Session, select

from app.exchange.guids import normalised
from app.exchange.qdc import export_codebook
from app.exchange.qdpx_export import export_project
from coding.models import Code, Coding
from tests.exchange.builders import SCHEMAS, coded_study, project_xml, schema
from transcripts.models import Transcript

NS = "{urn:QDA-XML:project:1.0}"


def test_project_export_validates_and_carries_the_study(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "files")
    report = export_project(session, project=study.project, path=tmp_path / "p.qdpx", schema_dir=SCHEMAS)

    root = project_xml(tmp_path / "p.qdpx")
    validator = schema("project")
    assert validator.validate(root), validator.error_log
    assert [child.tag.removeprefix(NS) for child in root] == [
        "Users",
        "CodeBook",
        "Variables",
        "Cases",
        "Sources",
        "Notes",
        "Links",
        "Sets",
        "NoteRef",
    ]
    assert report.counts["sources"] == 3 and report.counts["codings"] == 5 and report.counts["coded passages"] == 4
    assert any("theme status" in item for item in report.not_carried)
    assert {u.get("name") for u in root.iter(f"{NS}User")} == {"Ana", "Ben"}
    assert [c.get("name") for c in root.iter(f"{NS}Case")] == ["Dyad 1", "Dyad 2"]

    transcripts = {t.name: t for t in session.exec(select(Transcript).where(Transcript.project_id == study.project.id))}
    with zipfile.ZipFile(tmp_path / "p.qdpx") as archive:
        assert archive.namelist()[0] == "project.qde"
        for source in root.iter(f"{NS}TextSource"):
            guid = source.get("guid")
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            data = archive.read(f"sources/{guid}.txt")
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            text = data.decode("utf-8")
            assert text == transcripts[source.get("name")].text
            for selection in source.iter(f"{NS}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                codings = session.exec(select(Coding).where(Coding.guid == selection[0].get("guid"))).all()
                assert [(c.start, c.end, c.text) for c in codings] == [(start, end, text[start:end])]
    passage = next(s for s in root.iter(f"{NS}PlainTextSelection") if "vertraut 😊" in s.get("name"))
    assert {c.get("creatingUser") for c in passage.iter(f"{NS}Coding")} == {
        u.get("guid") for u in root.iter(f"{NS}User")
    }
    description = next(c for c in root.iter(f"{NS}Code") if c.get("name") == "Vertrauen 🤝")[0].text
    assert description.startswith("Trust in the therapist.") and "Inclusion criteria: Explicit trust." in description
    assert [s.get("name") for s in root.iter(f"{NS}Set")] == ["Trust in silence", "Trust in silence::Waiting"]


def test_exports_are_stable_byte_for_byte(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "files")
    export_project(session, project=study.project, path=tmp_path / "a.qdpx")
    export_project(session, project=study.project, path=tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    guids = [e.get("guid") for e in project_xml(tmp_path / "a.qdpx").iter() if e.get("guid")]
    assert all(normalised(g) == g for g in guids) and len(guids) == len(set(guids))


def test_codebook_export_validates_and_strips_characters_xml_cannot_hold(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "files")
    code = session.get(Code, study.codes["silence"].id)
    code.definition = "Quiet\x01 moments\x0b."
    session.add(code)
    session.commit()
    report = export_codebook(session, project=study.project, path=tmp_path / "c.qdc", schema_dir=SCHEMAS)

    from lxml import etree

    root = etree.parse(str(tmp_path / "c.qdc"))
    validator = schema("codebook")
    assert validator.validate(root), validator.error_log
    assert report.counts["codes"] == 3 and report.counts["themes (sets)"] == 2
    assert "2 characters that XML cannot hold were left out" in report.notes[0]
    silence = next(c for c in root.iter("{*}Code") if c.get("name") == "silence")
    assert silence[0].text == "Quiet moments."
    code_guids = {c.get("guid") for c in root.iter("{*}Code")}
    members = [m.get("guid") for m in root.iter("{*}MemberCode")]
    assert len(members) == 3 and set(members) <= code_guids


def test_a_project_without_codes_has_no_codebook(session: Session, tmp_path: Path) -> None:
    from app.exchange.errors import ExchangeRefused
    from tests.factories import researcher
    from transcripts.projects import create_project

    project = create_project(session, name="Empty", user=researcher(session))
    export_project(session, project=project, path=tmp_path / "e.qdpx", schema_dir=SCHEMAS)
    assert schema("project").validate(project_xml(tmp_path / "e.qdpx"))
    try:
        export_codebook(session, project=project, path=tmp_path / "e.qdc")
    except ExchangeRefused as exc:
        assert "has no codes" in str(exc)
    else:
        raise AssertionError("an empty codebook was exported")
