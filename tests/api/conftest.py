"""Fixtures of the API tests: the app with the API (and the token page) included, a coded study, tokens.

``client`` is the app as a script sees it: no cookies of a page, no form token; a test sends a token in
``Authorization: Bearer …`` or nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import api
from app.main import create_app
from app.routes import account_tokens
from app.settings import Settings
from coding.apply import apply_code
from coding.models import Code, Coding
from tests.factories import make_code, researcher, study
from transcripts.members import join
from transcripts.models import Project, Transcript, User
from transcripts.projects import ensure_user
from transcripts.tokens import create_token


def includes(app: FastAPI, router: APIRouter) -> bool:
    return any(getattr(route, "original_router", None) is router for route in app.routes)


def with_api(app: FastAPI) -> FastAPI:
    """The API and the token page, unless ``create_app`` includes them already (then nothing is added twice)."""
    if not includes(app, api.router):
        app.include_router(api.router)
    if not includes(app, account_tokens.router):
        app.include_router(account_tokens.router, include_in_schema=False)
    return app


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    app = with_api(create_app(settings))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Study:
    """The small study (two dyads, five interviews), two codes, one coding by Ana, and everyone's tokens."""

    project: Project
    transcript: Transcript
    codes: dict[str, Code]
    coding: Coding
    people: dict[str, User]
    tokens: dict[str, str]

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def url(self, path: str = "") -> str:
        return f"/api/v1/projects/{self.project.id}{path}"


@pytest.fixture
def ipr(session: Session, tmp_path: Path) -> Study:
    """Ana owns the project; Ben is a coder, Dora a lead, Cleo a viewer; Eve has an account but no part in it."""
    project, _ = study(session, tmp_path)
    people = {"Ana": researcher(session, "Ana")}
    for name, role in (("Ben", "coder"), ("Dora", "lead"), ("Cleo", "viewer")):
        people[name] = researcher(session, name, role=role)
    other = Project(name="Eve's study")
    session.add(other)
    session.commit()
    people["Eve"] = ensure_user(session, name="Eve")
    join(session, project_id=other.id, user=people["Eve"], role="owner")  # type: ignore[arg-type]
    session.commit()
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    codes = {"heard": make_code(session, project, "Feeling heard"), "trust": make_code(session, project, "Trust")}
    codes["elsewhere"] = make_code(session, other, "Elsewhere")
    start = transcript.text.index("I felt heard")
    coding = apply_code(
        session,
        transcript_id=transcript.id,  # type: ignore[arg-type]
        code_id=codes["heard"].id,  # type: ignore[arg-type]
        start=start,
        end=start + len("I felt heard"),
        coder=people["Ana"],
    )
    tokens = {name: create_token(session, user=user, name="tests")[1] for name, user in people.items()}
    return Study(project, transcript, codes, coding, people, tokens)
