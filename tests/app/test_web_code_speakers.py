"""Coding by speaker through the web: the form, the preview of the turns, coding them, and refusals.
Pages are parsed (lxml); what the database keeps is counted through the ``session`` fixture."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
from fastapi.testclient import TestClient
from httpx import Response
from lxml.html import HtmlElement
from sqlalchemy import func
from sqlmodel import Session, select

from coding.models import Code, Coding
from tests.factories import make_code, study
from transcripts.models import AuditEvent, Participant, Project, Transcript

CLIENT_SPEECH = [
    "Here, when she went quiet. I trusted her then (laughs).",
    "I felt heard, for the first time — really heard.",
]


def tree(response: Response) -> HtmlElement:
    return lxml.html.document_fromstring(response.text)


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def texts(root: HtmlElement, xpath: str) -> list[str]:
    return [text(element) for element in root.xpath(xpath)]


def counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    codings = session.exec(select(func.count()).select_from(Coding)).one()
    return codings, session.exec(select(func.count()).select_from(AuditEvent)).one()


def setup(session: Session, tmp_path: Path) -> tuple[Project, Code]:
    project, _ = study(session, tmp_path / "study")
    return project, make_code(session, project, "Voice")


def transcript_id(session: Session, project: Project, pseudonym: str) -> int:
    query = select(Transcript.id).join(Participant).where(Participant.pseudonym == pseudonym)
    return session.exec(query.where(Transcript.project_id == project.id)).one()  # type: ignore[return-value]


def test_form_then_preview_then_code_the_clients_turns(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    base = f"/projects/{project.id}/code-speakers"
    codebook = tree(client.get(f"/projects/{project.id}/codebook"))
    assert codebook.xpath("//a[@href=$h]", h=base)

    form = tree(client.get(base)).xpath("//form[@aria-label='Code by speaker']")[0]
    assert form.get("method") == "post" and form.get("action") == f"{base}/preview"
    assert form.xpath(".//select[@name='code_id']/option/@value") == ["", str(code.id)]
    assert form.xpath(".//select[@name='role']/option/@value") == [
        "",
        "interviewer",
        "client",
        "therapist",
        "interpreter",
    ]
    assert form.xpath(".//fieldset[@class='dyad-choice']//input[@name='dyad']/@value") == ["Dyad 2", "Dyad 10"]
    c2, c10 = transcript_id(session, project, "C2"), transcript_id(session, project, "C10")
    assert len(form.xpath(".//input[@name='transcript']")) == 5

    preview = client.post(f"{base}/preview", data={"code_id": str(code.id), "role": "client", "dyad": "Dyad 2"})
    assert preview.status_code == 200
    page = tree(preview)
    assert texts(page, "//*[@class='summary']") == ["2 turns in 1 transcript will be coded with “Voice”."]
    assert texts(page, "//table[contains(@class, 'passages')]//td/a") == CLIENT_SPEECH
    assert texts(page, "//table[contains(@class, 'passages')]//td[@class='label']") == ["(client, dyad 2)"] * 2
    assert page.xpath("//table[contains(@class, 'speaker-transcripts')]/tbody/tr/@data-transcript") == [str(c2)]
    assert page.xpath("//select[@name='role']/option[@selected]/@value") == ["client"]  # the choice is kept
    assert counts(session)[0] == 0  # a preview codes nothing

    confirm = page.xpath("//section[@aria-label='Coding preview']//form")[0]
    fields = [(i.get("name"), i.get("value")) for i in confirm.xpath(".//input[@type='hidden']")]
    assert fields == [
        ("csrf_token", client.headers["X-CSRF-Token"]),
        ("code_id", str(code.id)),
        ("role", "client"),
        ("dyad", "Dyad 2"),
    ]
    form_data: dict[str, list[str]] = {}
    for name, value in fields:
        form_data.setdefault(name, []).append(value)
    done = client.post(confirm.get("action"), data=form_data, follow_redirects=False)
    assert done.status_code == 303
    target = urlsplit(done.headers["location"])
    assert target.path == base
    assert parse_qs(target.query) == {"code": [str(code.id)], "role": ["client"], "coded": ["2"], "transcripts": ["1"]}
    assert counts(session)[0] == 2
    stored = session.exec(select(Coding)).all()
    assert sorted(c.text for c in stored) == sorted(CLIENT_SPEECH) and {c.transcript_id for c in stored} == {c2}

    after = tree(client.get(done.headers["location"]))
    assert texts(after, "//*[@role='status']") == [
        "Coded 2 turns in 1 transcript with “Voice”. See the code and its extracts"
    ]
    link = after.xpath("//*[@role='status']/a/@href")[0]
    assert link == f"/projects/{project.id}/codebook/{code.id}" and client.get(link).status_code == 200

    # Both clients now: the two turns coded already are said so, and only the other two are coded.
    again = tree(client.post(f"{base}/preview", data={"code_id": str(code.id), "role": "client"}))
    assert texts(again, "//*[@class='summary']") == ["2 turns in 1 transcript will be coded with “Voice”."]
    assert texts(again, "//td[contains(@class, 'coded')]") == ["2", "0"]
    second = client.post(base, data={"code_id": str(code.id), "role": "client", "transcript": [str(c2), str(c10)]})
    assert second.history and "coded=2&transcripts=1" in second.history[0].headers["location"]
    assert counts(session)[0] == 4
    third = client.post(base, data={"code_id": str(code.id), "role": "client"})
    assert texts(tree(third), "//*[@role='status']") == [
        "Nothing new to code: these turns were coded with “Voice” already. See the code and its extracts"
    ]
    assert counts(session)[0] == 4


def test_htmx_gets_only_the_preview(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    response = client.post(
        f"/projects/{project.id}/code-speakers/preview",
        data={"code_id": str(code.id), "role": "interviewer"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response.headers["vary"] == "HX-Request"
    fragment = lxml.html.fragment_fromstring(response.text, create_parent="div")
    assert fragment.xpath("//h1") == [] and fragment.xpath("//form[@aria-label='Code by speaker']") == []
    assert texts(fragment, "//*[@class='summary']") == ["9 turns in 5 transcripts will be coded with “Voice”."]


def test_refusals_are_one_line_with_422_and_change_nothing(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, code = setup(session, tmp_path)
    other, _ = study(session, tmp_path / "other", name="Another study")
    foreign = make_code(session, other, "Foreign")
    foreign_transcript = transcript_id(session, other, "C2")
    before = counts(session)
    base = f"/projects/{project.id}/code-speakers"
    cases = [
        ({"role": "supervisor"}, "no one speaks as 'supervisor' in this project "
                                 "(roles: interviewer, client, therapist, interpreter)"),
        ({"code_id": str(foreign.id)}, f"the code with id {foreign.id} belongs to another project"),
        ({"code_id": ""}, "choose the code to apply to the turns"),
        ({"role": ""}, "choose whose turns to code"),
        ({"transcript": str(foreign_transcript)},
         f"the transcript with id {foreign_transcript} belongs to another project"),
        ({"transcript": "abc"}, "'abc' is not a transcript"),
        ({"role": "interpreter", "dyad": "Dyad 10"}, "nothing to code: no turns of the 'interpreter' role in the "
                                                     "chosen transcripts"),
    ]  # fmt: skip
    for change, message in cases:
        data = {"code_id": str(code.id), "role": "client"} | change
        for url in (f"{base}/preview", base):
            response = client.post(url, data=data)
            assert response.status_code == 422, (url, change)
            page = tree(response)
            assert texts(page, "//*[@role='alert']") == [message]
            assert page.xpath("//form[@aria-label='Code by speaker']")  # the form again, to correct the choice
            assert page.xpath("//section[@aria-label='Coding preview']") == []
    assert counts(session) == before
    assert client.post(base, data={"code_id": "999", "role": "client"}).status_code == 404
    assert (
        client.post("/projects/999/code-speakers", data={"code_id": str(code.id), "role": "client"}).status_code == 404
    )
    assert client.get("/projects/999/code-speakers").status_code == 404
    assert counts(session) == before
