"""Form tokens: an unsafe request without the page's token is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.main import create_app
from app.settings import Settings
from transcripts.models import Project


@pytest.fixture
def bare_client(settings: Settings) -> Iterator[TestClient]:
    """A browser that has not loaded any page yet (no cookie, no token)."""
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def projects(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Project)).one()


def test_a_form_from_another_site_is_refused_and_changes_nothing(bare_client: TestClient, session: Session) -> None:
    response = bare_client.post("/projects", data={"name": "Forged"}, follow_redirects=False)
    assert response.status_code == 403
    alert = lxml.html.fromstring(response.text).xpath("string(//p[@role='alert'])")
    assert alert.startswith("this form came without its security token")
    assert projects(session) == 0


def test_the_pages_token_lets_a_form_through_as_field_or_header(bare_client: TestClient, session: Session) -> None:
    page = bare_client.get("/")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("dyadic_csrf=") and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    tree = lxml.html.fromstring(page.text)
    token = tree.xpath("string(//meta[@name='csrf-token']/@content)")
    assert token and tree.xpath("string(//form[@action='/projects']/input[@name='csrf_token']/@value)") == token

    by_field = bare_client.post("/projects", data={"name": "By field", "csrf_token": token}, follow_redirects=False)
    assert by_field.status_code == 303
    by_header = bare_client.post(
        "/projects", data={"name": "By header"}, headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert by_header.status_code == 200
    assert projects(session) == 2


def test_a_token_for_another_browser_is_refused(bare_client: TestClient, settings: Settings, session: Session) -> None:
    other = TestClient(bare_client.app)
    stolen = lxml.html.fromstring(other.get("/").text).xpath("string(//meta[@name='csrf-token']/@content)")
    bare_client.get("/")  # this browser's own cookie
    response = bare_client.post("/projects", data={"name": "Forged", "csrf_token": stolen}, follow_redirects=False)
    assert response.status_code == 403
    assert projects(session) == 0


def test_an_upload_form_carries_its_token_too(bare_client: TestClient, session: Session) -> None:
    token = lxml.html.fromstring(bare_client.get("/").text).xpath("string(//meta[@name='csrf-token']/@content)")
    files = {"file": ("x.qdpx", b"not a zip", "application/octet-stream")}
    refused = bare_client.post("/exchange/preview", files=files, follow_redirects=False)
    assert refused.status_code == 403
    accepted = bare_client.post("/exchange/preview", files=files, data={"csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 422  # past the token check: the archive itself is judged, and refused
    assert "zip" in lxml.html.fromstring(accepted.text).xpath("string(//p[@role='alert'])")
    assert projects(session) == 0
