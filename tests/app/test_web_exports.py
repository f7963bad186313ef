"""The exports in the browser (without JavaScript): the pseudonym dictionary, the check with replace/accept
per finding, then the download; HTML asserted through a parser."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from sqlmodel import Session, select

from tests.themes.export_study import build
from themes.pseudonym_models import Pseudonym, PseudonymDecision


@pytest.fixture
def pid(session: Session, tmp_path: Path) -> int:
    return build(session, tmp_path / "study", name="IPR").pid


def page(response):  # type: ignore[no-untyped-def]
    return lxml_html.document_fromstring(response.text)


def test_the_dictionary_add_edit_remove(client: TestClient, pid: int, session: Session) -> None:
    added = client.post(f"/projects/{pid}/pseudonyms", data={"term": "Maria", "kind": "person", "replacement": ""},
                        follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    tree = page(client.get(f"/projects/{pid}/pseudonyms"))
    assert tree.xpath("//table[contains(@class, 'pseudonyms')]//input[@name='term']/@value") == ["Maria"]
    assert tree.xpath("//table[contains(@class, 'pseudonyms')]//input[@name='replacement']/@value") == ["[name]"]

    clash = client.post(f"/projects/{pid}/pseudonyms", data={"term": "MARIA", "kind": "place", "note": "again"})
    assert clash.status_code == 422
    tree = page(clash)
    assert tree.xpath("string(//p[@class='error'])") == "'Maria' is in the pseudonym dictionary already"
    assert tree.xpath("//form[contains(@class, 'pseudonym-add')]//input[@name='note']/@value") == ["again"]

    entry = session.exec(select(Pseudonym)).one()
    edited = client.post(f"/projects/{pid}/pseudonyms/{entry.id}",
                         data={"term": "Maria", "kind": "person", "replacement": "[partner]", "note": ""},
                         follow_redirects=False)  # fmt: skip
    assert edited.status_code == 303
    session.expire_all()
    assert session.get(Pseudonym, entry.id).replacement == "[partner]"  # type: ignore[union-attr]
    gone = client.post(f"/projects/{pid}/pseudonyms/{entry.id}/delete", follow_redirects=False)
    assert gone.status_code == 303
    assert session.exec(select(Pseudonym)).all() == []
    assert client.post(f"/projects/{pid}/pseudonyms/999/delete").status_code == 404


def test_check_then_replace_then_download(client: TestClient, pid: int, session: Session) -> None:
    client.post(f"/projects/{pid}/pseudonyms", data={"term": "Maria", "replacement": "[partner]"})
    exports = page(client.get(f"/projects/{pid}/exports"))
    links = exports.xpath("//section[contains(@class, 'export')]//a/@href")
    assert f"/projects/{pid}/exports/seminar?format=docx" in links
    assert f"/projects/{pid}/exports/report?format=tex" in links

    check = page(client.get(f"/projects/{pid}/exports/report?format=docx"))
    assert check.xpath("string(//p[@id='export-status'])").startswith("Blocked: 1 possible identifier")
    assert check.xpath("//a[@id='download']") == []
    (finding,) = check.xpath("//li[contains(@class, 'finding')]")
    assert finding.xpath("string(.//strong[@class='term'])") == "Maria"
    assert finding.xpath(".//input[@name='replacement']/@value") == ["[partner]"]
    assert len(check.xpath("//li[contains(@class, 'pair')]")) == 1  # partners side by side: a warning
    blocked = client.get(f"/projects/{pid}/exports/report/download?format=docx")
    assert blocked.status_code == 409

    form = {name: finding.xpath(f".//input[@name='{name}']/@value")[0] for name in ("format", "coding_id", "term")}
    data = {**form, "replacement": "[sister]", "decision": "replaced"}
    decided = client.post(f"/projects/{pid}/exports/report/decisions", data=data, follow_redirects=False)
    assert decided.status_code == 303
    assert decided.headers["location"] == f"/projects/{pid}/exports/report?format=docx"
    check = page(client.get(decided.headers["location"]))
    decision = " ".join(check.xpath("string(//p[@class='decision'])").split())
    assert decision.startswith("Replaced by “[sister]” by Ana, 20")
    (download,) = check.xpath("//a[@id='download']/@href")
    response = client.get(download)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="IPR-themes.docx"'
    text = Document(io.BytesIO(response.content)).tables[0].rows[1].cells[4].text
    assert "when [sister] went quiet" in text and "Maria" not in text

    pair_key = check.xpath("//li[contains(@class, 'pair')]//input[@name='quote_key']/@value")[0]
    client.post(f"/projects/{pid}/exports/report/decisions", data={"quote_key": pair_key, "decision": "acknowledged"})
    assert sorted(session.exec(select(PseudonymDecision.decision)).all()) == ["acknowledged", "replaced"]


def test_seminar_html_download_and_refusals(client: TestClient, pid: int) -> None:
    response = client.get(f"/projects/{pid}/exports/seminar/download?format=html")
    assert response.status_code == 200
    tree = lxml_html.document_fromstring(response.text)
    assert tree.xpath("//script") == []
    assert tree.xpath("string(//p[@class='prepared-by'])") == "Prepared by: Ana"
    bad = client.post(f"/projects/{pid}/exports/report/decisions",
                      data={"coding_id": "1", "term": "nobody", "decision": "accepted", "format": "md"})  # fmt: skip
    assert bad.status_code == 422
    assert page(bad).xpath("string(//p[@class='error'])") == "'nobody' is not a finding of the check in quote 1"
    assert client.get(f"/projects/{pid}/exports/paper").status_code == 404
    assert client.get(f"/projects/{pid}/exports/report/download?format=html").status_code == 404
