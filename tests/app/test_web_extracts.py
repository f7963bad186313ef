"""Retrieval through the web, as a researcher without JavaScript meets it (htmx fragments asked for with the
``HX-Request`` header): the coded extracts of a code or several, filtered from the query string, each with
its quote label and a link to its place in the reading view; and the CSV, XLSX and DOCX downloads. Pages are
parsed with lxml; each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import lxml.html
import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from lxml.html import HtmlElement
from sqlmodel import Session, select

from coding.apply import Span, apply_code_to_spans, update_coding
from tests.coding.extract_study import CodedStudy, coded_study, transcript_of
from tests.factories import make_code, researcher, study
from transcripts.models import Dyad, Transcript
from transcripts.projects import create_project

HX = {"HX-Request": "true"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def coded(session: Session, tmp_path: Path) -> CodedStudy:
    found = coded_study(session, tmp_path)
    session.rollback()
    return found


def page(response: Response) -> HtmlElement:
    assert response.status_code == 200, response.text[:800]
    return lxml.html.document_fromstring(response.text)


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def items(tree: HtmlElement) -> list[HtmlElement]:
    return tree.xpath("//li[contains(@class, 'extract-item')]")


def quotes(tree: HtmlElement) -> list[str]:
    return [text(item.xpath(".//blockquote")[0]) for item in items(tree)]


def count_line(tree: HtmlElement) -> str:
    return text(tree.xpath("//*[contains(@class, 'extracts-count')]")[0])


def dyad_id(session: Session, coded: CodedStudy, label: str) -> int:
    return session.exec(select(Dyad.id).where(Dyad.project_id == coded.project.id, Dyad.label == label)).one() or 0


def test_the_extracts_of_a_code_show_label_session_time_coder_and_a_link_into_the_text(
    client: TestClient, session: Session, coded: CodedStudy
) -> None:
    pid = coded.project.id
    tree = page(client.get(f"/projects/{pid}/extracts", params={"code": coded.trust.id}))

    assert count_line(tree) == "4 extracts from 2 dyads"
    assert quotes(tree) == ["stop the recording", "trusted", "safe 🙏", "trusting"]
    trusted = items(tree)[1]
    source = text(trusted.xpath(".//p[@class='source']")[0])
    assert source.startswith("(client, dyad 2) · session 3 · 00:00:12 · coded by Ana · read in place")
    transcript = transcript_of(session, coded.project, "C2")
    assert trusted.xpath(".//a[@class='in-place']/@href") == [f"/projects/{pid}/transcripts/{transcript.id}#turn-1"]
    assert text(items(tree)[0].xpath(".//*[@class='label']")[0]) == "(interviewer, dyad 2)"
    # the form keeps the choice, and works without JavaScript (a GET form with a real action)
    form = tree.xpath("//form[@aria-label='Which extracts']")[0]
    assert (form.get("method"), form.get("action")) == ("get", f"/projects/{pid}/extracts")
    assert form.xpath(".//select[@name='code']/option[@selected]/@value") == [str(coded.trust.id)]
    # the downloads carry the same selection
    assert tree.xpath("//a[text()='CSV']/@href") == [f"/projects/{pid}/extracts.csv?code={coded.trust.id}"]


def test_filters_in_the_query_narrow_the_extracts(client: TestClient, session: Session, coded: CodedStudy) -> None:
    pid = coded.project.id
    relationship = coded.relationship.id

    assert len(items(page(client.get(f"/projects/{pid}/extracts")))) == 7
    therapists = page(client.get(f"/projects/{pid}/extracts", params={"role": "therapist"}))
    assert quotes(therapists) == ["silence", "trusting"]
    assert count_line(therapists) == "2 extracts from 2 dyads"
    own = page(client.get(f"/projects/{pid}/extracts", params={"code": relationship, "subcodes": ["0"]}))
    assert quotes(own) == ["heard"]
    # a form sends subcodes=0 and, when its box is ticked, subcodes=1 after it
    with_subcodes = page(client.get(f"/projects/{pid}/extracts?code={relationship}&subcodes=0&subcodes=1"))
    assert len(items(with_subcodes)) == 5
    params = {"dyad": dyad_id(session, coded, "Dyad 10"), "coder": coded.ben.id}
    assert quotes(page(client.get(f"/projects/{pid}/extracts", params=params))) == ["heard"]
    session_5 = page(client.get(f"/projects/{pid}/extracts", params={"session": "5", "group": "good outcome"}))
    assert quotes(session_5) == ["safe 🙏", "=SUM(A1)"]
    assert [text(m) for m in session_5.xpath("//p[@class='memo']")] == ["Memo: @check"]


def test_htmx_gets_only_the_results(client: TestClient, coded: CodedStudy) -> None:
    response = client.get(f"/projects/{coded.project.id}/extracts", params={"role": "therapist"}, headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    assert response.headers["vary"] == "HX-Request"
    fragment = lxml.html.fragment_fromstring(response.text, create_parent="div")
    assert quotes(fragment) == ["silence", "trusting"]


def test_user_text_is_escaped(client: TestClient, session: Session, coded: CodedStudy) -> None:
    coding = coded.codings["c2_trusted"]
    update_coding(session, coding_id=coding.id or 0, user=coded.ana, memo="<script>alert(1)</script>")
    response = client.get(f"/projects/{coded.project.id}/extracts")

    assert "<script>alert(1)</script>" not in response.text
    assert "Memo: <script>alert(1)</script>" in [text(m) for m in page(response).xpath("//p[@class='memo']")]


def test_bad_filters_get_one_line_and_422_and_a_foreign_code_404(
    client: TestClient, session: Session, coded: CodedStudy
) -> None:
    pid = coded.project.id
    response = client.get(f"/projects/{pid}/extracts", params={"session": "three"})
    assert response.status_code == 422
    tree = lxml.html.document_fromstring(response.text)
    assert [text(e) for e in tree.xpath("//*[@role='alert']")] == ["'three' is not a session number"]
    assert items(tree) == []

    unknown = client.get(f"/projects/{pid}/extracts", params={"role": "patient"})
    assert unknown.status_code == 422
    alert = lxml.html.document_fromstring(unknown.text).xpath("//*[@role='alert']")
    assert [text(e) for e in alert] == ["no role 'patient' in this project"]

    other = create_project(session, name="Pilot", user=coded.ana)
    foreign = make_code(session, other, "Elsewhere")
    assert client.get(f"/projects/{pid}/extracts", params={"code": foreign.id}).status_code == 404
    assert client.get(f"/projects/{pid}/extracts.csv", params={"code": foreign.id}).status_code == 404
    for value in ("²", "9" * 30):  # not an ASCII number, or too long for the database
        tree = lxml.html.document_fromstring(client.get(f"/projects/{pid}/extracts", params={"coder": value}).text)
        assert [text(e) for e in tree.xpath("//*[@role='alert']")] == [f"{value[:20]!r} is not a coder"]
    bad = client.get(f"/projects/{pid}/extracts.xlsx", params={"coder": "Ben"})
    assert (bad.status_code, bad.text) == (422, "'Ben' is not a coder\n")


def test_the_empty_states_say_what_to_do(
    client: TestClient, session: Session, tmp_path: Path, coded: CodedStudy
) -> None:
    project, _ = study(session, tmp_path / "uncoded", name="Uncoded")
    nothing = page(client.get(f"/projects/{project.id}/extracts"))
    assert count_line(nothing) == "0 extracts from 0 dyads"
    message = text(nothing.xpath("//p[@class='empty']")[0])
    assert message.startswith("No coded extracts match: nothing in this project has been coded yet.")

    none_left = page(client.get(f"/projects/{coded.project.id}/extracts", params={"role": "interpreter"}))
    message = text(none_left.xpath("//p[@class='empty']")[0])
    assert message.startswith("No coded extracts match: no passage coded with these codes lies in the dyads")


def test_downloads_have_their_types_names_and_the_selection(client: TestClient, coded: CodedStudy) -> None:
    pid, trust = coded.project.id, coded.trust.id

    response = client.get(f"/projects/{pid}/extracts.csv", params={"code": trust})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"extracts-ipr-study.csv\"; filename*=UTF-8''Extracts%20IPR%20study.csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["text"] for r in rows] == ["stop the recording", "trusted", "safe 🙏", "trusting"]
    assert {r["code"] for r in rows} == {"Trust"}

    workbook = client.get(f"/projects/{pid}/extracts.xlsx", params={"role": "therapist"})
    assert workbook.headers["content-type"] == XLSX
    assert workbook.headers["content-disposition"].startswith('attachment; filename="extracts-ipr-study.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert [row[15] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["silence", "trusting"]

    document = client.get(f"/projects/{pid}/extracts.docx", params={"code": trust})
    assert document.headers["content-type"] == DOCX
    assert document.headers["content-disposition"].startswith('attachment; filename="extracts-ipr-study.docx"')
    paragraphs = [p.text for p in docx.Document(io.BytesIO(document.content)).paragraphs]
    assert paragraphs[0] == "Coded extracts — Trust — IPR study"
    assert "trusted" in paragraphs and "safe 🙏" in paragraphs


def test_the_codebook_and_the_navigation_link_to_the_extracts(client: TestClient, coded: CodedStudy) -> None:
    pid = coded.project.id
    tree = page(client.get(f"/projects/{pid}/codebook"))

    for code in (coded.relationship, coded.trust, coded.silence):
        row = tree.xpath(f"//*[@id='code-row-{code.id}']")[0]
        assert row.xpath(".//a[text()='Extracts']/@href") == [f"/projects/{pid}/extracts?code={code.id}"]
    assert tree.xpath("//nav[@aria-label='Project']//a[text()='Extracts']/@href") == [f"/projects/{pid}/extracts"]
    code_page = page(client.get(f"/projects/{pid}/codebook/{coded.trust.id}"))
    assert code_page.xpath("//a[text()='Read its coded extracts']/@href") == [
        f"/projects/{pid}/extracts?code={coded.trust.id}"
    ]


def test_many_extracts_come_a_hundred_to_a_page_and_the_download_holds_all(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _ = study(session, tmp_path)
    code = make_code(session, project, "Every word")
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    spans = [Span(transcript.id, i, i + 1) for i in range(len(transcript.text) - 1)][:230]
    apply_code_to_spans(session, code_id=code.id, spans=spans, coder=researcher(session, "Ana"))
    url = f"/projects/{project.id}/extracts?code={code.id}"
    first = page(client.get(url))
    assert len(items(first)) == 100 and count_line(first).startswith("230 extracts")
    assert text(first.xpath("//nav[@class='pager']")[0]) == "page 1 of 3 next →"
    last = page(client.get(first.xpath("//nav[@class='pager']//a[@rel='next']/@href")[0].replace("page=2", "page=3")))
    assert len(items(last)) == 30 and last.xpath("//ol[@class='extract-list']/@start") == ["201"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/projects/{project.id}/extracts.csv?code={code.id}").text)))
    assert len(rows) == 230
