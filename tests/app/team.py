"""Team mode for tests: its settings on a real PostgreSQL database, and browsers that log in."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from tests.conftest import _empty_postgres

SECRET = "test-secret-" + "x" * 40
PASSWORD = "a long team password"


def team_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Team mode needs PostgreSQL: the session's test database, emptied."""
    url: str = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return Settings(database_url=url, data_dir=tmp_path / "var", mode="team", secret_key=SECRET)  # type: ignore[arg-type]


def form_token(client: TestClient, path: str = "/login") -> str:
    token: str = lxml.html.fromstring(client.get(path).text).xpath("string(//meta[@name='csrf-token']/@content)")
    return token


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Log in through the form, as a browser does, and carry the new form token from then on."""
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": form_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = form_token(client, "/")
    return client
