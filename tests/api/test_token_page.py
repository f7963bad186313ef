"""The API-token page: a person creates a token (shown once), sees their tokens, revokes one; the token opens
the API until it is revoked. Every form carries the form token."""

from __future__ import annotations

import lxml.html
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from tests.conftest import with_form_token
from transcripts.account_models import ApiToken
from transcripts.projects import ensure_user
from transcripts.tokens import create_token


def page_of(response: Response) -> lxml.html.HtmlElement:
    page = lxml.html.fromstring(response.text)
    for form in page.xpath("//form[@method='post']"):
        assert form.xpath("string(.//input[@name='csrf_token']/@value)"), lxml.html.tostring(form)
    return page


def test_a_person_creates_a_token_sees_it_once_and_revokes_it(client: TestClient, session: Session) -> None:
    browser = with_form_token(client)
    empty = page_of(browser.get("/account/tokens"))
    assert empty.xpath("string(//p[@class='hint'][last()])") == "You have no tokens yet."

    created = browser.post("/account/tokens", data={"name": "analysis notebook"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    page = page_of(created)
    token = page.xpath("string(//code[@id='token-value'])")
    assert token.startswith("dyd_")
    assert page.xpath("string(//tbody/tr/td[1])") == "analysis notebook"
    assert page.xpath("string(//tbody/tr/td[2])") == token[:8] + "…"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "Ana"

    again = page_of(browser.get("/account/tokens"))
    assert not again.xpath("//code[@id='token-value']"), "the token is shown only on the page that created it"
    assert token not in lxml.html.tostring(again, encoding="unicode")

    stored = session.exec(select(ApiToken)).one()
    revoked = browser.post(f"/account/tokens/{stored.id}/revoke", follow_redirects=False)
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/account/tokens")
    listed = page_of(browser.get("/account/tokens"))
    assert listed.xpath("string(//tbody/tr/td[5])").strip().startswith("revoked ")
    assert not listed.xpath("//tbody//form"), "a revoked token has nothing left to revoke"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_without_a_name_is_refused_and_the_form_says_why(client: TestClient, session: Session) -> None:
    response = with_form_token(client).post("/account/tokens", data={"name": "  "})
    assert response.status_code == 422
    page = page_of(response)
    assert page.xpath("string(//p[@role='alert'])") == "a token needs a name of 1 to 80 characters"
    assert session.exec(select(ApiToken)).all() == []


def test_others_tokens_are_neither_listed_nor_revocable_here(client: TestClient, session: Session) -> None:
    bens, plaintext = create_token(session, user=ensure_user(session, name="Ben"), name="Ben's script")
    browser = with_form_token(client)
    page = page_of(browser.get("/account/tokens"))  # Ana, the local user
    assert "Ben's script" not in page.text_content()
    refused = browser.post(f"/account/tokens/{bens.id}/revoke", follow_redirects=False)
    assert refused.status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).json()["name"] == "Ben"


def test_a_form_without_its_form_token_changes_nothing(client: TestClient, session: Session) -> None:
    refused = client.post("/account/tokens", data={"name": "forged"})
    assert refused.status_code == 403
    assert session.exec(select(ApiToken)).all() == []
