"""The Team page, and a viewer refused when coding in the browser."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from coding.models import Coding
from tests.factories import make_code, study
from transcripts.models import Transcript


def test_local_people_join_as_owners_and_a_viewer_is_refused_coding(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    code = make_code(session, project, "Feeling heard")
    client.cookies.set("dyadic_person", "Ben")
    page = lxml.html.fromstring(client.get(f"/projects/{project.id}/team").text)
    rows = {row.xpath("string(td[1])"): row.xpath("string(.//option[@selected])") for row in page.xpath("//tbody/tr")}
    assert rows == {"Ana": "owner", "Ben": "owner"}  # Ben opened the project at this machine: he joined

    added = client.post(f"/projects/{project.id}/team", data={"name": "Cleo", "role": "viewer"})
    assert added.status_code == 200 and "Cleo" in added.text
    client.cookies.set("dyadic_person", "Cleo")
    start = transcript.text.index("I felt heard")
    refused = client.post(
        f"/projects/{project.id}/transcripts/{transcript.id}/codings",
        data={"start": start, "end": start + 12, "code_id": code.id},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 403
    assert "Cleo is a viewer in this project" in refused.text
    assert session.exec(select(func.count()).select_from(Coding)).one() == 0
    page = lxml.html.fromstring(client.get(f"/projects/{project.id}/team").text)
    assert not page.xpath("//select"), "a viewer sees the team but cannot change it"


def test_a_bad_team_change_says_why_and_keeps_the_form(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    client.cookies.set("dyadic_person", "Ana")
    response = client.post(f"/projects/{project.id}/team", data={"name": "Ana", "role": "coder"})
    assert response.status_code == 422
    page = lxml.html.fromstring(response.text)
    assert page.xpath("string(//p[@role='alert'])") == "Ana is a member already; change their role instead"
    assert page.xpath("string(//input[@name='name']/@value)") == "Ana"
