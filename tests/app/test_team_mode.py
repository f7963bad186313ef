"""Team mode in the browser: settings it refuses, login and logout, cookies, the limit on guessing,
non-members getting 404, and only accounts joining a team."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, create_engine

from app.main import UnsafeSettings, create_app
from app.settings import Settings
from tests.app.team import PASSWORD, SECRET, form_token, log_in, team_settings
from tests.factories import researcher, study
from transcripts.accounts import MAX_FAILURES_PER_NAME, create_account
from transcripts.models import Project

pytestmark = pytest.mark.postgres


@pytest.fixture
def team(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Settings, Session]]:
    settings = team_settings(request, tmp_path)
    engine = create_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        yield settings, session
    engine.dispose()


@pytest.fixture
def app_client(team: tuple[Settings, Session]) -> Iterator[TestClient]:
    app = create_app(team[0])
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def alert(response_text: str) -> str:
    return str(lxml.html.fromstring(response_text).xpath("string(//p[@role='alert'])"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"database_url": "sqlite:///x.db", "secret_key": SECRET}, "team mode needs PostgreSQL"),
        ({"secret_key": None}, "team mode needs DYADIC_SECRET_KEY"),
        ({"secret_key": "short"}, "team mode needs DYADIC_SECRET_KEY of at least 32 characters"),
    ],
)
def test_team_mode_refuses_to_start_without_postgresql_and_a_secret(
    changes: dict[str, object], message: str, tmp_path: Path
) -> None:
    fields: dict[str, object] = {"database_url": "postgresql+psycopg://postgres@127.0.0.1:5432/test", "mode": "team"}
    settings = Settings(data_dir=tmp_path, **(fields | changes))  # type: ignore[arg-type]
    with pytest.raises(UnsafeSettings, match=message):
        create_app(settings)


def test_pages_ask_for_a_login_and_return_to_where_one_was(
    app_client: TestClient, team: tuple[Settings, Session], tmp_path: Path
) -> None:
    _, session = team
    project, _ = study(session, tmp_path)
    create_account(session, name="Ana", password=PASSWORD)
    page = f"/projects/{project.id}/codebook"
    asked = app_client.get(page, follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/login?next=%2Fprojects%2F1%2Fcodebook".replace(
        "1", str(project.id)
    )
    htmx = app_client.get(page, headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"].startswith("/login?next=")

    token = form_token(app_client)
    response = app_client.post(
        "/login", data={"name": "Ana", "password": PASSWORD, "next": page, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == page
    cookies = response.headers.get_list("set-cookie")
    login = next(c for c in cookies if c.startswith("dyadic_session="))
    assert "HttpOnly" in login and "samesite=lax" in login.lower() and "Secure" not in login
    assert any(c.startswith("dyadic_csrf=") for c in cookies), "the form token changes at login"
    codebook = app_client.get(page)
    assert codebook.status_code == 200
    header = lxml.html.fromstring(codebook.text).xpath("string(//form[@action='/logout'])")
    assert "Signed in as Ana" in " ".join(header.split())


def test_a_wrong_password_keeps_the_name_and_guessing_is_limited(
    app_client: TestClient, team: tuple[Settings, Session]
) -> None:
    create_account(team[1], name="Ana", password=PASSWORD)
    token = form_token(app_client)
    for _ in range(MAX_FAILURES_PER_NAME):
        wrong = app_client.post("/login", data={"name": "Ana", "password": "guess", "csrf_token": token})
        assert wrong.status_code == 401 and alert(wrong.text) == "wrong name or password"
        assert lxml.html.fromstring(wrong.text).xpath("string(//input[@name='name']/@value)") == "Ana"
    limited = app_client.post("/login", data={"name": "Ana", "password": PASSWORD, "csrf_token": token})
    assert limited.status_code == 429
    assert alert(limited.text) == "too many failed logins; wait 15 minutes and try again"
    assert app_client.get("/", follow_redirects=False).status_code == 303  # still not logged in


def test_a_forged_or_ended_session_opens_nothing(app_client: TestClient, team: tuple[Settings, Session]) -> None:
    create_account(team[1], name="Ana", password=PASSWORD)
    log_in(app_client, "Ana")
    signed = app_client.cookies["dyadic_session"]
    app_client.cookies.set("dyadic_session", signed[:-2] + ("AA" if not signed.endswith("AA") else "BB"))
    assert app_client.get("/", follow_redirects=False).status_code == 303
    app_client.cookies.set("dyadic_session", signed)
    assert app_client.get("/").status_code == 200

    assert app_client.post("/logout", follow_redirects=False).headers["location"] == "/login"
    app_client.cookies.set("dyadic_session", signed)  # a copy kept from before the logout
    assert app_client.get("/", follow_redirects=False).status_code == 303


def test_cookies_are_secure_behind_https(team: tuple[Settings, Session]) -> None:
    create_account(team[1], name="Ana", password=PASSWORD)
    app = create_app(team[0])
    with TestClient(app, base_url="https://dyadic.example") as client:
        token = form_token(client)
        response = client.post(
            "/login", data={"name": "Ana", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
        )
        assert all("Secure" in c for c in response.headers.get_list("set-cookie"))
    app.state.engine.dispose()


def test_a_non_member_gets_404_as_for_a_missing_project(
    app_client: TestClient, team: tuple[Settings, Session], tmp_path: Path
) -> None:
    _, session = team
    project, _ = study(session, tmp_path)
    create_account(session, name="Eve", password=PASSWORD)
    create_account(session, name="Ana", password=PASSWORD)  # the project's owner (from the study)
    log_in(app_client, "Eve")
    missing = app_client.get("/projects/999999/codebook")
    for path in (f"/projects/{project.id}", f"/projects/{project.id}/codebook", f"/projects/{project.id}/export.qdpx"):
        response = app_client.get(path)
        assert response.status_code == 404
        assert alert(response.text) == alert(missing.text).replace("999999", str(project.id))
    forged = app_client.post(f"/projects/{project.id}/codebook", data={"name": "Planted"})
    assert forged.status_code == 404
    listed = lxml.html.fromstring(app_client.get("/").text).xpath("//ul[@class='cards']//strong/text()")
    assert listed == [], "Eve's project list does not show others' projects"

    log_in(app_client, "Ana")
    assert lxml.html.fromstring(app_client.get("/").text).xpath("//ul[@class='cards']//strong/text()") == [project.name]


def test_only_people_with_accounts_join_a_team(
    app_client: TestClient, team: tuple[Settings, Session], tmp_path: Path
) -> None:
    _, session = team
    project, _ = study(session, tmp_path)
    create_account(session, name="Ana", password=PASSWORD)
    researcher(session, "Ghost", role="viewer")  # known by name (imported), no account
    log_in(app_client, "Ana")
    unknown = app_client.post(f"/projects/{project.id}/team", data={"name": "Bo", "role": "coder"})
    assert unknown.status_code == 422
    assert alert(unknown.text) == "no account called 'Bo'; an admin makes one with `dyadic user add`"
    create_account(session, name="Bo", password=PASSWORD)
    added = app_client.post(f"/projects/{project.id}/team", data={"name": "Bo", "role": "coder"})
    assert added.status_code == 200 and "Bo" in added.text
    assert session.get(Project, project.id) is not None


def test_changing_ones_password_in_the_browser(app_client: TestClient, team: tuple[Settings, Session]) -> None:
    create_account(team[1], name="Ana", password=PASSWORD)
    log_in(app_client, "Ana")
    differ = app_client.post("/account/password", data={"current": PASSWORD, "new": "x" * 12, "repeat": "y" * 12})
    assert differ.status_code == 422 and alert(differ.text) == "the new password and its repetition differ"
    done = app_client.post("/account/password", data={"current": PASSWORD, "new": "x" * 12, "repeat": "x" * 12})
    assert done.status_code == 200
    app_client.post("/logout")
    app_client.headers.pop("X-CSRF-Token")
    log_in(app_client, "Ana", "x" * 12)
