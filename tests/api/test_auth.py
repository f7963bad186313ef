"""Who may call the API: a valid token, and membership of the project (strangers see "no such project")."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from tests.api.conftest import Study
from transcripts.accounts import set_active
from transcripts.tokens import create_token, revoke_token

READS = (
    "",
    "/dyads",
    "/participants",
    "/transcripts",
    "/codes",
    "/codings",
    "/themes",
    "/frequency",
    "/search?q=trust",
)


def refused_401(response: Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/json"
    detail: str = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    return detail


def test_a_call_without_a_token_or_with_a_wrong_one_is_refused(client: TestClient, ipr: Study) -> None:
    assert "Authorization: Bearer" in refused_401(client.get("/api/v1/me"))
    refused_401(client.get(ipr.url("/transcripts")))
    refused_401(client.post(ipr.url("/codings"), json={"transcript_id": 1, "code_id": 1, "start": 0, "end": 1}))
    refused_401(client.delete(ipr.url(f"/codings/{ipr.coding.id}")))
    for header in (
        f"Bearer {ipr.tokens['Ana']}x",
        f"Basic {ipr.tokens['Ana']}",
        "Bearer",
        "Bearer dyd_",
        ipr.tokens["Ana"],
    ):
        refused_401(client.get("/api/v1/me", headers={"Authorization": header}))
    assert client.get("/api/v1/me", headers=ipr.auth("Ana")).json() == {
        "id": ipr.people["Ana"].id,
        "name": "Ana",
        "is_admin": False,
    }


def test_a_revoked_token_stops_at_once_and_the_person_s_other_tokens_go_on(
    client: TestClient, session: Session, ipr: Study
) -> None:
    ana = ipr.people["Ana"]
    token, plaintext = create_token(session, user=ana, name="notebook")
    assert client.get(ipr.url(), headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200
    revoke_token(session, user=ana, token_id=token.id)  # type: ignore[arg-type]
    assert "revoked" in refused_401(client.get(ipr.url(), headers={"Authorization": f"Bearer {plaintext}"}))
    assert client.get(ipr.url(), headers=ipr.auth("Ana")).status_code == 200


def test_a_disabled_account_s_token_is_refused(client: TestClient, session: Session, ipr: Study) -> None:
    set_active(session, name="Ben", active=False)
    refused_401(client.get("/api/v1/projects", headers=ipr.auth("Ben")))


@pytest.mark.parametrize("path", READS)
def test_a_stranger_gets_exactly_what_a_missing_project_gives(client: TestClient, ipr: Study, path: str) -> None:
    eve = ipr.auth("Eve")
    stranger = client.get(ipr.url(path), headers=eve)
    missing_id = (ipr.project.id or 0) + 1000
    missing = client.get(ipr.url(path).replace(f"/projects/{ipr.project.id}", f"/projects/{missing_id}"), headers=eve)
    assert stranger.status_code == missing.status_code == 404
    assert stranger.json() == {"detail": f"no project with id {ipr.project.id}"}
    assert missing.json() == {"detail": f"no project with id {missing_id}"}
    assert stranger.headers["content-type"] == missing.headers["content-type"] == "application/json"


def test_strangers_cannot_code_or_remove_codings_either(client: TestClient, ipr: Study) -> None:
    start = ipr.transcript.text.index("I trusted")
    body = {"transcript_id": ipr.transcript.id, "code_id": ipr.codes["trust"].id, "start": start, "end": start + 9}
    created = client.post(ipr.url("/codings"), json=body, headers=ipr.auth("Eve"))
    removed = client.delete(ipr.url(f"/codings/{ipr.coding.id}"), headers=ipr.auth("Eve"))
    for response in (created, removed):
        assert response.status_code == 404
        assert response.json() == {"detail": f"no project with id {ipr.project.id}"}
    listed = client.get(ipr.url("/codings"), headers=ipr.auth("Ana")).json()
    assert [item["id"] for item in listed["items"]] == [ipr.coding.id]


def test_each_person_lists_only_their_projects_with_their_role(client: TestClient, ipr: Study) -> None:
    def listed(name: str) -> list[tuple[str, str]]:
        return [(p["name"], p["role"]) for p in client.get("/api/v1/projects", headers=ipr.auth(name)).json()]

    assert listed("Ana") == [("IPR study", "owner")]
    assert listed("Cleo") == [("IPR study", "viewer")]
    assert listed("Dora") == [("IPR study", "lead")]
    assert listed("Eve") == [("Eve's study", "owner")]
