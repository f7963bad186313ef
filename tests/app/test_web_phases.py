"""The project page as a phase workflow, and the reflexive journal, through the web app."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import study


def page(client: TestClient, url: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.text)


def test_moving_phases_ticking_and_noting_from_the_project_page(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _ = study(session, tmp_path)
    home = page(client, f"/projects/{project.id}")
    assert home.xpath("string(//li[@id='phase-1']//span[contains(@class, 'current')])") == "the project is here"
    assert "5 transcripts have no codings" in home.xpath("string(//li[@id='phase-2'])")

    moved = client.post(f"/projects/{project.id}/phase", data={"phase": 3}, follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (303, f"/projects/{project.id}#phase-3")
    client.post(f"/projects/{project.id}/checklist/transcripts-checked", data={"phase": 1, "ticked": "true"})
    client.post(f"/projects/{project.id}/phases/2/note", data={"text": "Coding <b>both</b> partners together."})

    home = page(client, f"/projects/{project.id}")
    assert home.xpath("//li[contains(@class, 'phase-current')]/@id") == ["phase-3"]
    (ticked,) = home.xpath("//li[@id='phase-1']//ul[@class='checklist']/li[@class='ticked']")
    assert "Transcripts checked against the recordings" in ticked.text_content()
    assert "— Ana," in ticked.text_content()
    assert home.xpath("string(//li[@id='phase-2']//textarea)") == "Coding <b>both</b> partners together."
    assert not home.xpath("//li[@id='phase-2']//b"), "a note is text, never markup"


def test_a_refused_move_says_why_on_the_page(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    response = client.post(f"/projects/{project.id}/phase", data={"phase": 9})
    assert response.status_code == 422
    assert lxml.html.fromstring(response.text).xpath("string(//p[@role='alert'])") == (
        "there is no phase 9: the phases are 1 to 6"
    )


def test_the_journal_is_linked_from_every_project_page_and_keeps_entries(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _ = study(session, tmp_path)
    for url in (f"/projects/{project.id}", f"/projects/{project.id}/overview", f"/projects/{project.id}/codebook"):
        assert page(client, url).xpath("//nav//a[@href=$u]", u=f"/projects/{project.id}/journal")
    empty = client.post(f"/projects/{project.id}/journal", data={"text": "  ", "phase": "2"})
    assert empty.status_code == 422 and "a journal entry needs some text" in empty.text
    client.post(
        f"/projects/{project.id}/journal", data={"text": "I expected <script>x()</script> ruptures.", "phase": "2"}
    )
    journal = page(client, f"/projects/{project.id}/journal")
    (entry,) = journal.xpath("//ol[@class='journal']/li")
    assert "I expected <script>x()</script> ruptures." in entry.text_content()
    assert "Ana" in entry.text_content() and "phase 2" in entry.text_content()
    assert not journal.xpath("//ol[@class='journal']//script")
