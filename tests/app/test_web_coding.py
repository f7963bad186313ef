"""Coding in the reading view through the web app: stripes, the panel, changes, removal, undo."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from coding.models import Coding
from tests.factories import make_code, study
from transcripts.models import Transcript

HTMX = {"HX-Request": "true"}


def setup(session: Session, tmp_path: Path):  # type: ignore[no-untyped-def]
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    code = make_code(session, project, "Feeling heard", colour="#e15759")
    start = transcript.text.index("I felt heard")
    return project, transcript, code, start, start + len("I felt heard")


def code_selection(client: TestClient, project, transcript, code, start: int, end: int):  # type: ignore[no-untyped-def]
    """Post a selection as the reading view's code picker does."""
    return client.post(
        f"/projects/{project.id}/transcripts/{transcript.id}/codings",
        data={"start": start, "end": end, "code_id": code.id},
        headers=HTMX,
    )


def test_coding_a_selection_answers_with_the_turn_and_its_stripe(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, start, end = setup(session, tmp_path)
    response = code_selection(client, project, transcript, code, start, end)
    assert response.status_code == 200
    fragments = lxml.html.fragments_fromstring(response.text)
    (turn,) = [f for f in fragments if f.get("hx-swap-oob") == "true"]
    coded = turn.xpath(".//span[contains(@class, 'coded')]")
    assert [span.text for span in coded] == ["I felt heard"]
    (stripe,) = turn.xpath(".//a[contains(@class, 'stripe')]")
    assert stripe.get("title") == "Feeling heard — Ana"
    assert f"code-{code.id}" in stripe.get("class")
    assert "<html" not in response.text

    page = lxml.html.fromstring(client.get(f"/projects/{project.id}/transcripts/{transcript.id}").text)
    assert [s.text for s in page.xpath("//span[contains(@class, 'coded')]")] == ["I felt heard"]
    speech = page.xpath(f"//section[@id='{turn.get('id')}']//p[@class='speech']")[0]
    assert speech.text_content() == transcript.text[int(turn.get("data-start")) : int(turn.get("data-end"))]
    colours = client.get(f"/projects/{project.id}/codes.css").text
    assert f".code-{code.id} {{ --code: #e15759; }}" in colours


def test_a_bad_selection_is_refused_in_one_line_and_nothing_is_stored(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, start, _ = setup(session, tmp_path)
    response = code_selection(client, project, transcript, code, start, start)
    assert response.status_code == 422
    assert (
        lxml.html.fromstring(response.text).text_content()
        == f"a coding needs a span: start {start} is not before end {start}"
    )
    assert session.exec(select(Coding)).all() == []


def test_the_panel_changes_the_span_by_words_and_the_memo(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, start, end = setup(session, tmp_path)
    code_selection(client, project, transcript, code, start, end)
    coding = session.exec(select(Coding)).one()
    panel = lxml.html.fromstring(client.get(f"/projects/{project.id}/codings/{coding.id}", headers=HTMX).text)
    assert panel.xpath("//blockquote")[0].text == "I felt heard"
    response = client.post(
        f"/projects/{project.id}/codings/{coding.id}",
        data={"code_id": code.id, "start": start, "end": end, "memo": "the first time", "adjust": "end+"},
        headers=HTMX,
    )
    assert response.status_code == 200
    session.refresh(coding)
    assert (coding.text, coding.memo) == ("I felt heard, for", "the first time")


def test_removing_a_coding_offers_undo_which_brings_it_back(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, start, end = setup(session, tmp_path)
    code_selection(client, project, transcript, code, start, end)
    coding = session.exec(select(Coding)).one()
    removed = client.post(f"/projects/{project.id}/codings/{coding.id}/delete", headers=HTMX)
    assert "The coding was removed." in removed.text
    assert session.exec(select(Coding)).all() == []
    undo = client.post(
        f"/projects/{project.id}/codings-undo",
        data={"back": f"/projects/{project.id}/transcripts/{transcript.id}"},
        headers=HTMX,
    )
    assert undo.headers["HX-Redirect"] == f"/projects/{project.id}/transcripts/{transcript.id}"
    assert [c.text for c in session.exec(select(Coding)).all()] == ["I felt heard"]


def test_the_coder_filter_shows_one_coders_codings(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, start, end = setup(session, tmp_path)
    code_selection(client, project, transcript, code, start, end)
    client.post("/me", data={"name": "Ben"})
    mine = lxml.html.fromstring(client.get(f"/projects/{project.id}/transcripts/{transcript.id}?coder=me").text)
    everyone = lxml.html.fromstring(client.get(f"/projects/{project.id}/transcripts/{transcript.id}").text)
    assert mine.xpath("//span[contains(@class, 'coded')]") == []
    assert [s.text for s in everyone.xpath("//span[contains(@class, 'coded')]")] == ["I felt heard"]


def test_a_coding_of_another_project_is_not_found(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, start, end = setup(session, tmp_path)
    code_selection(client, project, transcript, code, start, end)
    coding = session.exec(select(Coding)).one()
    other = client.post("/projects", data={"name": "Other"}, follow_redirects=False).headers["location"]
    assert client.get(f"{other}/codings/{coding.id}").status_code == 404
