"""`dyadic token`: create (printed once), list, revoke — the commands in process, on a real database."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

import app.cli  # noqa: F401  (registers every command group)
from app.cli.base import cli
from transcripts.errors import NotFound
from transcripts.projects import ensure_user
from transcripts.tokens import user_for_token


@pytest.fixture
def dyadic(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DYADIC_DATABASE_URL", db_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, ["token", *args])


def test_a_token_is_printed_once_listed_by_its_prefix_and_revoked(dyadic, session: Session) -> None:  # type: ignore[no-untyped-def]
    ensure_user(session, name="Ana")
    session.commit()
    created = dyadic("create", "notebook", "--user", "Ana")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("dyd_") and "\n" not in token
    assert "shown only once" in created.stderr
    user = user_for_token(session, token)
    assert user is not None and user.name == "Ana"

    listed = json.loads(dyadic("list", "--user", "Ana", "--format", "json").stdout)
    assert [(t["user"], t["name"], t["prefix"], t["revoked_at"]) for t in listed] == [
        ("Ana", "notebook", token[:8], None)
    ]
    text = dyadic("list").stdout
    assert f"{token[:8]}…" in text and token not in text

    revoked = dyadic("revoke", str(listed[0]["id"]))
    assert revoked.exit_code == 0, revoked.output
    assert revoked.stdout.strip() == f"revoked token 'notebook' (id {listed[0]['id']}) of Ana"
    assert user_for_token(session, token) is None
    assert "revoked" in dyadic("list", "--user", "Ana").stdout


def test_a_mistyped_person_or_token_is_refused(dyadic) -> None:  # type: ignore[no-untyped-def]
    for args, message in (
        (("create", "notebook", "--user", "Nobody"), "no person called 'Nobody'"),
        (("revoke", "999"), "no token with id 999"),
    ):
        result = dyadic(*args)
        assert isinstance(result.exception, NotFound) and str(result.exception) == message, args
        assert result.stdout == ""
