"""Search through the web: the page and its htmx fragment, keyword in context, and coding all hits after a
preview. Pages are parsed (lxml); what the database keeps is counted through the ``session`` fixture."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from lxml.html import HtmlElement
from sqlalchemy import func
from sqlmodel import Session, select

from coding.models import Code, Coding
from tests.factories import make_code, researcher, study
from transcripts.models import Project
from transcripts.projects import create_project


def tree(response: Response) -> HtmlElement:
    return lxml.html.document_fromstring(response.text)


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def texts(root: HtmlElement, xpath: str) -> list[str]:
    return [text(element) for element in root.xpath(xpath)]


def codings(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Coding)).one()


def setup(session: Session, tmp_path: Path) -> tuple[Project, Code]:
    project, _ = study(session, tmp_path / "study")
    return project, make_code(session, project, "Trust")


def test_the_page_shows_hits_in_keyword_in_context_form(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    response = client.get(f"/projects/{project.id}/search", params={"q": "trust"})
    assert response.status_code == 200
    page = tree(response)
    assert page.xpath("//form[@role='search' and @method='get']//input[@name='q']/@value") == ["trust"]
    rows = page.xpath("//table[contains(@class, 'kwic')]/tbody/tr")
    assert texts(page, "//table[contains(@class, 'kwic')]//td[@class='word']//mark") == [
        "trusted", "trusting", "trusted", "trusting",
    ]  # fmt: skip
    assert texts(page, "//td[contains(@class, 'label')]") == [
        "(client, dyad 2)", "(therapist, dyad 2)", "(client, dyad 10)", "(therapist, dyad 10)",
    ]  # fmt: skip
    first = rows[0]
    assert text(first.xpath("td[@class='left']")[0]) == "Here, when she went quiet. I"
    assert text(first.xpath("td[@class='right']")[0]) == "her then (laughs)."
    assert text(first.xpath("td[contains(@class, 'stamp')]")[0]) == "00:00:12"
    assert text(first.xpath("td[contains(@class, 'speaker')]")[0]) == "B C2"
    link = first.xpath("td[@class='word']/a/@href")[0]
    assert link.startswith(f"/projects/{project.id}/transcripts/") and link.endswith("#turn-1")
    assert client.get(link.split("#")[0]).status_code == 200
    assert texts(page, "//*[@class='hits-count']") == ["4"]
    assert texts(page, "//*[@class='transcripts-count']") == ["4"]
    assert "not what matters" in text(page.xpath("//section[@aria-label='Hits']")[0])
    # Code all hits: a form that posts the query, with the project's codes to choose from.
    form = page.xpath("//form[@action=$a]", a=f"/projects/{project.id}/search/code")[0]
    assert form.xpath(".//input[@name='q']/@value") == ["trust"]
    assert form.xpath(".//select[@name='code_id']/option/@value") == ["", str(code.id)]
    assert response.headers["vary"] == "HX-Request"


def test_htmx_gets_only_the_results(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _ = setup(session, tmp_path)
    response = client.get(
        f"/projects/{project.id}/search", params={"q": "trust", "dyad": "Dyad 10"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = lxml.html.fragment_fromstring(response.text, create_parent="div")
    assert fragment.xpath("//form[@role='search']") == [] and fragment.xpath("//h1") == []
    assert texts(fragment, "//td[contains(@class, 'label')]") == ["(client, dyad 10)", "(therapist, dyad 10)"]


def test_a_query_without_words_is_refused_with_422_and_kept(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _ = setup(session, tmp_path)
    response = client.get(f"/projects/{project.id}/search", params={"q": "?!"})
    assert response.status_code == 422
    page = tree(response)
    assert texts(page, "//*[@role='alert']") == ["the query '?!' has no words to search for"]
    assert page.xpath("//input[@name='q']/@value") == ["?!"]
    assert client.get(f"/projects/{project.id}/search").status_code == 200  # no query yet: just the form
    assert client.get("/projects/999/search", params={"q": "trust"}).status_code == 404


def test_a_long_list_of_hits_comes_in_pages(
    client: TestClient, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = setup(session, tmp_path)
    everything = tree(client.get(f"/projects/{project.id}/search", params={"q": "I", "show": "all"}))
    total = len(everything.xpath("//table[contains(@class, 'kwic')]/tbody/tr"))
    assert texts(everything, "//*[@class='hits-count']") == [str(total)]
    monkeypatch.setattr("app.routes.coding.search.PAGE", 3)
    second = tree(client.get(f"/projects/{project.id}/search", params={"q": "I", "page": 2}))
    assert len(second.xpath("//table[contains(@class, 'kwic')]/tbody/tr")) == 3
    assert texts(second, "//nav[@aria-label='Pages of hits']/span")[0] == f"Hits 4–6 of {total}"
    assert second.xpath("//a[@rel='prev']/@href") and second.xpath("//a[@rel='next']/@href")


def test_coding_all_hits_previews_then_codes_their_sentences(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, code = setup(session, tmp_path)
    form = {"q": "felt heard", "role": "client", "speakers": "participants", "code_id": str(code.id)}
    preview = client.post(f"/projects/{project.id}/search/code", data=form)
    assert preview.status_code == 200
    page = tree(preview)
    summary = text(page.xpath("//*[@class='summary']")[0])
    assert summary == "2 passages in 2 transcripts will be coded with “Trust”."
    assert "single word" in text(page.xpath("//section[@aria-label='Coding preview']")[0])
    assert (
        texts(page, "//table[contains(@class, 'passages')]//td/a")
        == ["I felt heard, for the first time — really heard."] * 2
    )
    assert codings(session) == 0  # a preview codes nothing

    confirm = page.xpath("//form[.//input[@name='confirm']]")[0]
    fields = {i.get("name"): i.get("value") for i in confirm.xpath(".//input")}
    assert fields | {"code_id": str(code.id), "confirm": "yes"} == fields
    done = client.post(confirm.get("action"), data=fields, follow_redirects=False)
    assert done.status_code == 303
    back = urlsplit(done.headers["location"])
    assert back.path == f"/projects/{project.id}/search"
    assert parse_qs(back.query) | {"coded": ["2"]} == {"q": ["felt heard"], "role": ["client"], "coded": ["2"],
                                                       "code": [str(code.id)]}  # fmt: skip
    assert codings(session) == 2
    stored = session.exec(select(Coding)).all()
    assert {c.text for c in stored} == {"I felt heard, for the first time — really heard."}
    assert {c.code_id for c in stored} == {code.id}
    message = tree(client.get(done.headers["location"])).xpath("//*[@role='status']")
    assert [text(m) for m in message] == ["Coded 2 passages with “Trust”."]


def test_a_code_of_another_project_is_refused_and_nothing_changes(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _ = setup(session, tmp_path)
    other = create_project(session, name="Another study", user=researcher(session))
    foreign = make_code(session, other, "Foreign")
    for confirm in ("", "yes"):
        response = client.post(
            f"/projects/{project.id}/search/code", data={"q": "trust", "code_id": str(foreign.id), "confirm": confirm}
        )
        assert response.status_code == 422
        assert texts(tree(response), "//*[@role='alert']") == [
            f"the code with id {foreign.id} belongs to another project"
        ]
    missing = client.post(
        f"/projects/{project.id}/search/code", data={"q": "trust", "code_id": "999", "confirm": "yes"}
    )
    assert missing.status_code == 404
    no_code = client.post(f"/projects/{project.id}/search/code", data={"q": "trust", "code_id": ""})
    assert no_code.status_code == 422
    assert codings(session) == 0
