"""Every project route × every role × member or not, in team mode: non-members get 404 (as for a project that
does not exist), members below the route's predicate get 403 and change nothing, the others get through.

The routes are walked from the app itself, so a new route is covered the day it is added; its predicate comes
from ``app/permissions.py`` (GET: members, POST: coders, unless the table says otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, create_engine, func, select

from app.main import create_app
from app.permissions import NEEDS, needed
from coding.agreement_models import AgreementRound
from coding.agreement_rounds import start_round
from coding.apply import apply_code
from coding.models import Code, Coding
from tests.app.team import PASSWORD, log_in, team_settings
from tests.factories import make_code, researcher, study
from themes.models import Theme
from themes.phases import CHECKLIST
from themes.pseudonym_models import Pseudonym
from themes.pseudonyms import add_pseudonym
from themes.themes import create_theme
from transcripts.accounts import create_account
from transcripts.models import AuditEvent, Dyad, Member, Participant, Transcript, User

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# Weakest first: refusals come before anything that may change the study.
PEOPLE = (("Eve", None), ("Vic", "viewer"), ("Cole", "coder"), ("Lea", "lead"), ("Ana", "owner"))
PARAM = re.compile(r"{(\w+)(?::\w+)?}")
MODELS: dict[str, type[SQLModel]] = {
    "transcript_id": Transcript,
    "dyad_id": Dyad,
    "participant_id": Participant,
    "code_id": Code,
    "code_a": Code,
    "code_b": Code,
    "coding_id": Coding,
    "theme_id": Theme,
    "round_id": AgreementRound,
    "entry_id": Pseudonym,
    "user_id": User,
}
# Import jobs live in the server's memory: there is none to ask for, so its page is 404 for everyone.
NO_OBJECT = {"/projects/{project_id}/imports/{job_id}"}


def project_routes(app: Any) -> Iterator[tuple[str, str]]:
    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "original_router"):
                if not route.original_router.prefix.startswith("/api"):  # the JSON API: tests/api
                    yield from walk(route.original_router.routes)
            elif isinstance(route, APIRoute):
                yield route

    for route in walk(app.router.routes):
        if route.path.startswith("/projects/{project_id}"):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path


class Study:
    def __init__(self, session: Session, tmp_path: Path) -> None:
        self.project, _ = study(session, tmp_path)
        for name, role in PEOPLE:
            create_account(session, name=name, password=PASSWORD)
            if role and name != "Ana":  # Ana made the study: its owner
                researcher(session, name, role=role)
        ana = session.exec(select(User).where(User.name == "Ana")).one()
        cole = session.exec(select(User).where(User.name == "Cole")).one()
        transcript = session.exec(select(Transcript).where(Transcript.project_id == self.project.id)).first()
        assert transcript is not None and self.project.id is not None
        code, other = make_code(session, self.project, "Trust"), make_code(session, self.project, "Silence")
        start = transcript.text.index("I")
        coding = apply_code(
            session, transcript_id=transcript.id, code_id=code.id, start=start, end=start + 1, coder=cole
        )  # type: ignore[arg-type]
        theme = create_theme(session, project_id=self.project.id, user=ana, name="Feeling held", code_ids=[code.id])  # type: ignore[list-item]
        round_ = start_round(session, project=self.project, name="Pilot", coder_ids=[ana.id, cole.id], by=ana)  # type: ignore[list-item]
        entry = add_pseudonym(session, project_id=self.project.id, user=ana, term="Vienna", kind="place")
        dyad = session.exec(select(Dyad).where(Dyad.project_id == self.project.id)).first()
        participant = session.exec(select(Participant).where(Participant.project_id == self.project.id)).first()
        assert dyad is not None and participant is not None
        self.values: dict[str, object] = {
            "project_id": self.project.id,
            "transcript_id": transcript.id,
            "dyad_id": dyad.id,
            "participant_id": participant.id,
            "user_id": cole.id,
            "code_id": code.id,
            "code_a": code.id,
            "code_b": other.id,
            "coding_id": coding.id,
            "theme_id": theme.id,
            "round_id": round_.id,
            "entry_id": entry.id,
            "item": CHECKLIST[0].key,
            "phase": 2,
            "format": "csv",
            "kind": "seminar",
            "action": "choose",
            "job_id": "none",
        }

    def url(self, path: str) -> str:
        return PARAM.sub(lambda m: str(self.values[m.group(1)]), path)

    def gone(self, session: Session, path: str) -> bool:
        """Whether an object the path names no longer exists (a 404 after an allowed change is then right)."""
        session.expire_all()
        return any(
            session.get(MODELS[name], self.values[name]) is None for name in PARAM.findall(path) if name in MODELS
        )


def footprint(session: Session) -> tuple[int, ...]:
    session.expire_all()
    tables = (AuditEvent, Code, Coding, Theme, Member, Pseudonym, AgreementRound, Transcript)
    return tuple(session.exec(select(func.count()).select_from(table)).one() for table in tables)


def test_every_route_answers_every_role_as_its_predicate_says(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings = team_settings(request, tmp_path)
    engine = create_engine(settings.database_url)
    app = create_app(settings)
    wrong: list[str] = []
    with Session(engine, expire_on_commit=False) as session, TestClient(app) as anonymous:
        found = Study(session, tmp_path)
        clients = {name: log_in(TestClient(app), name) for name, _ in PEOPLE}
        routes = sorted(project_routes(app), key=lambda r: (r[0] != "GET", r[1].endswith(("delete", "remove"))))
        assert len(routes) > 90
        for method, path in routes:
            url = found.url(path)
            predicate = needed(method, path)
            before = footprint(session)
            for name, role in PEOPLE:
                response = clients[name].request(method, url, data={}, follow_redirects=False)
                status = response.status_code
                if role is None or not predicate(role):
                    expected = 404 if role is None else 403
                    if status != expected:
                        wrong.append(f"{method} {path} as {role or 'non-member'}: {status}, expected {expected}")
                    if footprint(session) != before:
                        wrong.append(f"{method} {path} as {role or 'non-member'} changed the database")
                    continue
                if status == 403 or (status == 404 and path not in NO_OBJECT and not found.gone(session, path)):
                    wrong.append(f"{method} {path} as {role}: {status}, expected to get through")
                if status >= 500:
                    wrong.append(f"{method} {path} as {role}: {status}")
        anonymous_page = anonymous.get(found.url("/projects/{project_id}"), follow_redirects=False)
        assert anonymous_page.status_code == 303 and anonymous_page.headers["location"].startswith("/login")
        for client in clients.values():
            client.close()
    app.state.engine.dispose()
    engine.dispose()
    assert not wrong, "\n".join(wrong)


def test_the_permission_table_names_only_routes_that_exist(tmp_path: Path) -> None:
    from app.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", data_dir=tmp_path))
    routes = set(project_routes(app))
    stale = [f"{method} {path}" for method, path in NEEDS if (method, path) not in routes]
    assert not stale, f"app/permissions.py names routes that do not exist: {stale}"
