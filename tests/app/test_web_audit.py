"""The audit log's page: the events in words, the filters (a form without script, htmx on top), the pages,
the downloads read back, and the refusal for coders and viewers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from coding.apply import apply_code
from coding.codebook import create_code, update_code
from tests.factories import researcher, study
from transcripts.audit import record
from transcripts.models import Project, Transcript, User


def setup(session: Session, tmp_path: Path) -> tuple[Project, Transcript, User, User]:
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    ben = researcher(session, "Ben")
    code = create_code(session, project_id=project.id, user=ana, name="Trust")  # type: ignore[arg-type]
    start = transcript.text.index("I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=start + 12, coder=ben)  # type: ignore[arg-type]
    update_code(session, code_id=code.id, user=ana, name="Trusting")  # type: ignore[arg-type]
    return project, transcript, ana, ben


def rows(html: str) -> list[tuple[str, str, str | None]]:
    """The table's events: who, what, and the link (None: the thing is gone)."""
    page = lxml.html.fromstring(html)
    found = []
    for tr in page.xpath("//table[contains(@class, 'audit')]/tbody/tr"):
        link = tr.xpath("string(td[@class='where']/a/@href)") or None
        found.append((tr.xpath("string(td[@class='who'])"), tr.xpath("string(td[@class='what'])"), link))
    return found


def test_the_log_in_words_newest_first_with_links(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _, _, _ = setup(session, tmp_path)
    response = client.get(f"/projects/{project.id}/audit")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    assert page.xpath(f"//nav[@aria-label='Project']/a[@href='/projects/{project.id}/audit']")
    assert rows(response.text)[:2] == [
        ("Ana", "renamed code 'Trust' to 'Trusting'", f"/projects/{project.id}/codebook/1"),
        ("Ben", "coded “I felt heard” with 'Trusting' in C2, session 3", f"/projects/{project.id}/codings/1"),
    ]
    assert rows(response.text)[-1] == ("Ana", "created the project 'IPR study'", f"/projects/{project.id}")
    (when,) = page.xpath("//tbody/tr[1]/td[@class='when']/time")
    assert when.get("datetime").endswith("+00:00") and len(when.text) == len("2026-01-31 12:00")
    assert page.xpath("string(//h2[@class='audit-count'])") == "5 events"


def test_filters_work_without_script_and_keep_their_values(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _, _, ben = setup(session, tmp_path)
    base = f"/projects/{project.id}/audit"
    page = lxml.html.fromstring(client.get(base).text)
    (form,) = page.xpath("//form[@aria-label='Which events']")
    assert form.get("method") == "get" and form.get("action") == base
    assert [o.text for o in form.xpath(".//select[@name='person']/option")] == ["anyone", "Ana", "Ben"]

    assert [r[1] for r in rows(client.get(f"{base}?person={ben.id}").text)] == [
        "coded “I felt heard” with 'Trusting' in C2, session 3"
    ]
    assert [r[1] for r in rows(client.get(f"{base}?kind=code").text)] == [
        "renamed code 'Trust' to 'Trusting'",
        "created code 'Trust'",
    ]
    assert len(rows(client.get(f"{base}?action=project.create").text)) == 1
    found = client.get(f"{base}?q=trusting&kind=coding")
    assert [r[1] for r in rows(found.text)] == ["coded “I felt heard” with 'Trusting' in C2, session 3"]
    kept = lxml.html.fromstring(found.text)
    assert kept.xpath("string(//input[@name='q']/@value)") == "trusting"
    assert kept.xpath("string(//select[@name='kind']/option[@selected]/@value)") == "coding"
    downloads = kept.xpath("//p[@class='downloads']/a/@href")
    assert downloads == [f"{base}.csv?kind=coding&q=trusting", f"{base}.xlsx?kind=coding&q=trusting"]

    assert rows(client.get(f"{base}?from=2000-01-01&to=2000-12-31").text) == []
    assert len(rows(client.get(f"{base}?from=2000-01-01").text)) == 5
    refused = client.get(f"{base}?from=31.12.2025")
    assert refused.status_code == 422
    message = lxml.html.fromstring(refused.text).xpath("string(//p[@role='alert'])")
    assert message == "the 'from' date '31.12.2025' is not a date like 2026-03-31"

    fragment = client.get(f"{base}?person={ben.id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and len(rows(fragment.text)) == 1
    assert fragment.headers["Vary"] == "HX-Request"


def test_pages_of_a_hundred_keep_the_filters(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _, ana, _ = setup(session, tmp_path)
    for _ in range(150):
        record(
            session, project_id=project.id, user_id=ana.id, action="phase.note", entity="project", after={"phase": 2}
        )
    session.commit()
    first = lxml.html.fromstring(client.get(f"/projects/{project.id}/audit?action=phase.note").text)
    assert len(first.xpath("//tbody/tr")) == 100
    (older,) = set(first.xpath("//nav[@aria-label='Pages of events']/a[@rel='next']/@href"))
    assert older == f"/projects/{project.id}/audit?action=phase.note&page=2"
    second = client.get(older).text
    assert len(rows(second)) == 50 and {r[1] for r in rows(second)} == {"wrote the note on phase 2"}


def test_downloads_hold_the_filtered_events_and_never_a_formula(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, _, _ = setup(session, tmp_path)
    mallory = researcher(session, '=HYPERLINK("http://x")')
    code = create_code(session, project_id=project.id, user=mallory, name="@SUM(A1)")  # type: ignore[arg-type]
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=0, end=3, coder=mallory)  # type: ignore[arg-type]

    response = client.get(f"/projects/{project.id}/audit.csv?kind=code")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["who"], r["action"], r["what"]) for r in table] == [
        ('\'=HYPERLINK("http://x")', "code.create", "created code '@SUM(A1)'"),
        ("Ana", "code.update", "renamed code 'Trust' to 'Trusting'"),
        ("Ana", "code.create", "created code 'Trust'"),
    ]
    assert table[0]["after"].startswith('{"colour"') and '"name": "@SUM(A1)"' in table[0]["after"]

    response = client.get(f"/projects/{project.id}/audit.xlsx?kind=code")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    who = header.index("who") + 1
    cell = sheet.cell(row=2, column=who)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s", "stored as text, not a formula"
    assert [sheet.cell(row=r, column=header.index("what") + 1).value for r in range(2, 5)] == [
        "created code '@SUM(A1)'",
        "renamed code 'Trust' to 'Trusting'",
        "created code 'Trust'",
    ]
    assert sheet.max_row == 4
    assert client.get(f"/projects/{project.id}/audit.pdf").status_code == 404


def test_coders_and_viewers_are_refused_in_one_line(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _, _, _ = setup(session, tmp_path)
    researcher(session, "Cleo", role="viewer")
    for person, role in (("Ben", "coder"), ("Cleo", "viewer")):
        client.cookies.set("dyadic_person", person)
        for url in (f"/projects/{project.id}/audit", f"/projects/{project.id}/audit.csv"):
            refused = client.get(url)
            assert refused.status_code == 403, (person, url)
            page = lxml.html.fromstring(refused.text)
            (line,) = page.xpath("//p[@role='alert']")
            assert line.text_content().startswith(f"{person} is a {role} in this project")
            assert not page.xpath("//table[contains(@class, 'audit')]")
        nav = lxml.html.fromstring(client.get(f"/projects/{project.id}").text)  # no link to a page they may not see
        assert nav.xpath("//nav[@aria-label='Project']/a[text()='Codebook']")
        assert not nav.xpath(f"//nav[@aria-label='Project']/a[@href='/projects/{project.id}/audit']")
