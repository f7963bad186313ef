"""The exchange page in a browser without JavaScript: downloads, upload → preview → mapping → import (into this
project and as a new one), and refusals that import nothing. HTML asserted through a parser."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from lxml import html as lxml_html
from sqlmodel import Session, func, select

from app.exchange.qdpx_export import project_archive
from app.exchange.report import ExportReport
from coding.models import Code, Coding
from tests.exchange.builders import SAMPLES, coded_study
from transcripts.models import Participant, Project, Transcript


def page(response):  # type: ignore[no-untyped-def]
    return lxml_html.document_fromstring(response.text)


def counts(tree) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = tree.xpath("//table[contains(@class, 'exchange-counts')]/tbody/tr[count(td)=2]")
    return {row.xpath("string(td[1])"): int(row.xpath("string(td[2])")) for row in rows}


def uploads(tmp_path: Path) -> list[Path]:
    root = tmp_path / "var" / "uploads"
    return sorted(root.iterdir()) if root.is_dir() else []


def renamed_role(session: Session, project: Project) -> bytes:
    """The study's .qdpx with its variable ``role`` called ``Rolle``, as a German-language program might write."""
    data = project_archive(session, project=project, report=ExportReport())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "project.qde":
                content = content.replace(b'name="role"', b'name="Rolle"')
            target.writestr(info, content)
    return out.getvalue()


def test_the_page_offers_downloads_and_says_what_is_not_carried(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    study = coded_study(session, tmp_path / "study")
    pid = study.project.id
    tree = page(client.get(f"/projects/{pid}/exchange"))
    links = tree.xpath("//section[@id='export']//a/@href")
    assert f"/projects/{pid}/export.qdpx" in links and f"/projects/{pid}/export.qdc" in links
    not_carried = tree.xpath("//ul[@class='not-carried']/li/text()")
    assert any(item.startswith("theme status (candidate, developing)") for item in not_carried)
    assert tree.xpath("//nav//a[text()='Exchange']/@href") == [f"/projects/{pid}/exchange"]

    qdpx = client.get(f"/projects/{pid}/export.qdpx")
    assert qdpx.status_code == 200 and qdpx.headers["content-type"] == "application/zip"
    assert qdpx.content == project_archive(session, project=study.project, report=ExportReport())
    assert 'filename="IPR_exchange.qdpx"' in qdpx.headers["content-disposition"]
    qdc = client.get(f"/projects/{pid}/export.qdc")
    assert qdc.status_code == 200 and b"<CodeBook" in qdc.content and "Vertrauen 🤝".encode() in qdc.content


def test_a_codebook_export_of_a_project_without_codes_is_refused_with_one_line(client: TestClient) -> None:
    created = client.post("/projects", data={"name": "Empty"}, follow_redirects=False)
    pid = created.headers["location"].rsplit("/", 1)[1]
    refused = client.get(f"/projects/{pid}/export.qdc")
    assert refused.status_code == 422
    assert (
        page(refused).xpath("string(//p[@class='error'])")
        == "project 'Empty' has no codes: a codebook needs at least one"
    )


def test_upload_preview_map_and_import_into_a_new_project(client: TestClient, session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "study")
    data = renamed_role(session, study.project)
    projects = page(client.get("/"))
    assert projects.xpath("//form[@action='/exchange/preview']//input[@type='file']/@name") == ["file"]

    preview = client.post(
        "/exchange/preview", data={"name": "Copy"}, files={"file": ("ipr.qdpx", data, "application/zip")}
    )
    assert preview.status_code == 200, preview.text
    tree = page(preview)
    assert counts(tree)["transcripts"] == 3 and counts(tree)["codings"] == 5
    warnings = tree.xpath("//ul[@class='warnings']/li/text()")
    assert any("has no role: placeholder participant" in w for w in warnings)
    assert "Rolle" in tree.xpath("//input[@name='var']/@value")
    token = tree.xpath("string(//input[@name='upload']/@value)")
    assert [folder.name for folder in uploads(tmp_path)] == [token]
    session.expire_all()
    assert session.exec(select(Project).where(Project.name == "Copy")).first() is None  # a preview stores nothing

    variables = tree.xpath("//input[@name='var']/@value")
    mapping = [("role" if name == "Rolle" else "") for name in variables]
    again = client.post("/exchange/preview", data={"upload": token, "name": "Copy", "var": variables, "map": mapping})
    tree = page(again)
    assert not any("has no role" in w for w in tree.xpath("//ul[@class='warnings']/li/text()"))
    assert tree.xpath("//select[@name='map']/option[@selected]/@value") == ["role"]

    done = client.post("/exchange/import", data={"upload": token, "name": "Copy", "var": variables, "map": mapping})
    assert done.status_code == 200, done.text
    tree = page(done)
    assert counts(tree)["transcripts"] == 3
    assert uploads(tmp_path) == []
    session.expire_all()
    copy = session.exec(select(Project).where(Project.name == "Copy")).one()
    roles = session.exec(select(Participant.pseudonym, Participant.role).where(Participant.project_id == copy.id))
    assert sorted(roles) == [("C1", "client"), ("C2", "client"), ("T1", "therapist")]
    assert session.exec(select(func.count()).select_from(Coding).where(Coding.project_id == copy.id)).one() == 5
    assert tree.xpath("//p[@class='imported']/a/@href") == [f"/projects/{copy.id}"]

    again = client.post("/exchange/import", data={"upload": token, "name": "Copy 2"})
    assert again.status_code == 422
    assert page(again).xpath("string(//p[@class='error'])").startswith("the upload has expired")


def test_a_codebook_into_this_project(client: TestClient, session: Session, tmp_path: Path) -> None:
    created = client.post("/projects", data={"name": "Codes"}, follow_redirects=False)
    pid = int(created.headers["location"].rsplit("/", 1)[1])
    sample = (SAMPLES / "atlasti-23.4-win_codebook.qdc").read_bytes()
    preview = client.post(f"/projects/{pid}/exchange/preview", files={"file": ("book.qdc", sample, "application/xml")})
    tree = page(preview)
    assert preview.status_code == 200 and counts(tree).get("codes", 0) > 0
    assert session.exec(select(func.count()).select_from(Code).where(Code.project_id == pid)).one() == 0
    token = tree.xpath("string(//input[@name='upload']/@value)")
    assert tree.xpath("//form[contains(@class, 'exchange-confirm')]/@action") == [f"/projects/{pid}/exchange/import"]
    done = client.post(f"/projects/{pid}/exchange/import", data={"upload": token})
    assert done.status_code == 200
    session.expire_all()
    assert (
        session.exec(select(func.count()).select_from(Code).where(Code.project_id == pid)).one()
        == counts(page(done))["codes"]
    )


def test_hostile_and_wrong_files_are_refused_with_one_line(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    created = client.post("/projects", data={"name": "Target"}, follow_redirects=False)
    pid = created.headers["location"].rsplit("/", 1)[1]
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("project.qde", b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
        archive.writestr("sources/../../evil.txt", b"x")
    refused = client.post(f"/projects/{pid}/exchange/preview", files={"file": ("evil.qdpx", slip.getvalue())})
    assert refused.status_code == 422
    error = page(refused).xpath("//p[@class='error']/text()")
    assert error == [
        "evil.qdpx: the entry 'sources/../../evil.txt' points outside the archive (zip slip): not imported"
    ]
    assert uploads(tmp_path) == []

    entities = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CodeBook>&a;</CodeBook>'
    refused = client.post("/exchange/preview", files={"file": ("bad.qdc", entities)})
    assert refused.status_code == 422
    assert page(refused).xpath("string(//p[@class='error'])").startswith("bad.qdc: a DOCTYPE")
    wrong = client.post("/exchange/preview", files={"file": ("notes.docx", b"PK")})
    assert page(wrong).xpath("string(//p[@class='error'])").startswith("notes.docx: choose a REFI-QDA project")
    taken = client.post(
        "/exchange/preview",
        data={"name": "Target"},
        files={"file": ("x.qdc", (SAMPLES / "taguette-1.5.2_codebook.qdc").read_bytes())},
    )
    assert (
        page(taken).xpath("string(//p[@class='error'])")
        == "a project called 'Target' exists already: choose another name"
    )
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Project)).one() == 1
    assert session.exec(select(func.count()).select_from(Transcript)).one() == 0
    assert uploads(tmp_path) == []


def test_the_tidy_codings_and_the_backup_download(client: TestClient, session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "study")
    pid = study.project.id
    links = page(client.get(f"/projects/{pid}/exchange")).xpath("//section[@id='export']//a/@href")
    assert {f"/projects/{pid}/codings.csv", f"/projects/{pid}/codings.xlsx", f"/projects/{pid}/backup.zip"} <= set(
        links
    )
    tidy = client.get(f"/projects/{pid}/codings.csv")
    assert tidy.status_code == 200 and tidy.headers["content-type"].startswith("text/csv")
    assert tidy.text.splitlines()[0].startswith("project,code,code_path,themes,") and len(tidy.text.splitlines()) == 6
    assert client.get(f"/projects/{pid}/codings.xlsx").content[:2] == b"PK"
    assert client.get(f"/projects/{pid}/codings.ods").status_code == 404
    backup = client.get(f"/projects/{pid}/backup.zip")
    assert backup.status_code == 200
    with zipfile.ZipFile(io.BytesIO(backup.content)) as archive:
        assert "manifest.json" in archive.namelist() and "tables/coding.jsonl" in archive.namelist()
