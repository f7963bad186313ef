"""Hand-built archives with the deviations of real exports: other offset models, mapped variable names,
duplicate selections, whole-source codings, dangling references, Sources/ in capitals, no internal://."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlmodel import Session, select

from app.exchange.archive import Limits
from app.exchange.qdpx_export import export_project
from app.exchange.qdpx_import import Options, import_project
from coding.models import Coding
from tests.exchange.builders import coded_study
from tests.factories import researcher
from transcripts.models import Dyad, Participant, Transcript
from transcripts.projects import project_by_name

LIMITS = Limits(10 * 2**20, 100)
USER = "aaaaaaaa-0000-0000-0000-000000000001"
CODE = "cccccccc-0000-0000-0000-000000000001"


def qdpx(
    path: Path, origin: str, text: bytes, selections: str, *, folder: str = "sources", internal: bool = True
) -> Path:
    reference = "internal://s.txt" if internal else "s.txt"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:0:10" name="p" origin="{origin}">
<Users><User guid="{USER}" name="Vera"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="moment" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="bbbbbbbb-0000-0000-0000-000000000001" name="Interview" plainTextPath="{reference}">
{selections}
</TextSource></Sources></Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("My Project.qde", qde.encode("utf-8"))
        archive.writestr(f"{folder}/s.txt", text)
    return path


def selection(start: int, end: int, code: str = CODE, user: str = USER) -> str:
    return (
        f'<PlainTextSelection guid="dddddddd-0000-0000-0000-{start:06d}{end:06d}" startPosition="{start}" '
        f'endPosition="{end}"><Coding guid="eeeeeeee-0000-0000-0000-{start:06d}{end:06d}" creatingUser="{user}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def codings(session: Session, name: str) -> list[str]:
    project = project_by_name(session, name)
    return [c.text for c in session.exec(select(Coding).where(Coding.project_id == project.id).order_by(Coding.start))]


def test_nvivo_offsets_count_utf16_units_and_crlf(session: Session, tmp_path: Path) -> None:
    text = "I: Wie war das?\r\n\r\nB: Gut 😊 wirklich gut.\r\n"
    emoji_end = text.index("😊") + 1
    after = text.index("wirklich")
    # UTF-16: the emoji counts two; so "wirklich gut" starts one unit later than its code point
    units = after + 1
    body = selection(units, units + len("wirklich gut")) + selection(emoji_end, emoji_end + 3)
    path = qdpx(tmp_path / "n.qdpx", "NVivo 14", b"\xef\xbb\xbf" + text.encode("utf-8"), body, folder="Sources")
    report = import_project(session, path=path, project_name="N", user=researcher(session), options=Options(LIMITS))
    assert codings(session, "N") == ["wirklich gut"]
    assert any("does not land on the text" in item and "UTF-16" in item for item in report.not_imported)
    (transcript,) = session.exec(select(Transcript)).all()
    assert transcript.text == text  # kept exactly: CRLF and all, the BOM dropped
    assert any("CR or CRLF line ends: kept exactly" in w for w in report.warnings)
    assert transcript.turn_count == 2


def test_atlas_offsets_count_crlf_as_one(session: Session, tmp_path: Path) -> None:
    text = "I: Frage?\r\n\r\nB: Antwort hier.\r\n"
    lf = text.replace("\r\n", "\n")
    start = lf.index("Antwort")
    path = qdpx(tmp_path / "a.qdpx", "ATLAS.ti 9", text.encode("utf-8"), selection(start, start + 7), internal=False)
    import_project(session, path=path, project_name="A", user=researcher(session), options=Options(LIMITS))
    assert codings(session, "A") == ["Antwort"]


def test_duplicates_merge_whole_source_codings_and_dangling_references_warn(session: Session, tmp_path: Path) -> None:
    text = "B: eins zwei drei\n"
    body = (
        selection(3, 7)
        + selection(3, 7)  # NVivo-style: one selection per coding, identical ranges
        + selection(8, 12, code="cccccccc-0000-0000-0000-00000000dead")
        + selection(13, 17, user="aaaaaaaa-0000-0000-0000-00000000dead")
        + f'<Coding guid="ffffffff-0000-0000-0000-000000000001" creatingUser="{USER}">'
        + f'<CodeRef targetGUID="{CODE}"/></Coding>'
    )
    path = qdpx(tmp_path / "d.qdpx", "qc 1.3", text.encode("utf-8"), body)
    report = import_project(session, path=path, project_name="D", user=researcher(session), options=Options(LIMITS))
    assert codings(session, "D") == [text, "eins"]
    assert report.counts["duplicate codings merged"] == 1 and report.counts["whole-source codings"] == 1
    assert any("code cccccccc-0000-0000-0000-00000000dead that the codebook lacks" in i for i in report.not_imported)
    assert any(
        "user aaaaaaaa-0000-0000-0000-00000000dead, whom the file does not list" in i for i in report.not_imported
    )
    coder = session.exec(select(Coding.coder_id)).first()
    assert coder is not None


def test_variable_names_are_mapped(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "files")
    export_project(session, project=study.project, path=tmp_path / "p.qdpx")
    with zipfile.ZipFile(tmp_path / "p.qdpx") as original, zipfile.ZipFile(tmp_path / "g.qdpx", "w") as german:
        for name in original.namelist():
            data = original.read(name)
            if name == "project.qde":
                data = data.replace(b'name="role"', b'name="Rolle"').replace(b'name="participant"', b'name="PERSON"')
            german.writestr(name, data)
    user = study.ana
    unmapped = import_project(
        session, path=tmp_path / "g.qdpx", project_name="Ohne", user=user, options=Options(LIMITS)
    )
    assert sum("placeholder participant" in w for w in unmapped.warnings) == 3
    options = Options(LIMITS, mapping={"Rolle": "role", "person": "participant"})
    mapped = import_project(session, path=tmp_path / "g.qdpx", project_name="Mit", user=user, options=options)
    assert not any("placeholder" in w for w in mapped.warnings)
    project = project_by_name(session, "Mit")
    people = session.exec(
        select(Dyad.label, Participant.role, Participant.pseudonym)
        .join(Dyad, Dyad.id == Participant.dyad_id)
        .where(Participant.project_id == project.id)
    ).all()
    assert sorted(people) == [("Dyad 1", "client", "C1"), ("Dyad 1", "therapist", "T1"), ("Dyad 2", "client", "C2")]


def test_import_into_a_project_someone_else_leads_is_refused(session: Session, tmp_path: Path) -> None:
    import pytest

    from app.exchange.errors import ExchangeRefused

    study = coded_study(session, tmp_path / "files")
    export_project(session, project=study.project, path=tmp_path / "p.qdpx")
    with pytest.raises(ExchangeRefused, match="not an owner or lead"):
        import_project(
            session, path=tmp_path / "p.qdpx", project_name=study.project.name, user=study.ben, options=Options(LIMITS)
        )
