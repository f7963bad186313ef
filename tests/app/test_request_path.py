"""The request path of storing a coding: who is working and their role read in one statement, afresh every
request; the fragment written without its template, byte for byte what the template wrote."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import create_app
from app.settings import Settings
from app.web import templates
from coding.agreement_rounds import start_round
from coding.apply import apply_code
from coding.models import Coding
from coding.visibility import seen_turns
from tests.factories import make_code, researcher, study
from transcripts.members import role_of
from transcripts.models import Member, Transcript, User
from transcripts.projects import ensure_user

HTMX = {"HX-Request": "true"}


def setup(session: Session, tmp_path: Path):  # type: ignore[no-untyped-def]
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    code = make_code(session, project, "Feeling heard")
    start = transcript.text.index("I felt heard")
    return project, transcript, code, start, start + len("I felt heard")


def post(client: TestClient, project, transcript, code, start: int, end: int, **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/projects/{project.id}/transcripts/{transcript.id}/codings",
        data={"start": start, "end": end, "code_id": code.id, **form},
        headers=HTMX,
    )


def test_the_fragment_is_what_its_template_renders(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, start, end = setup(session, tmp_path)
    ana = session.exec(select(User).where(User.name == "Ana")).one()  # the project's owner
    ben = researcher(session, "Ben")  # a coder
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start - 5, end=end, coder=ana)  # type: ignore[arg-type]
    start_round(session, project=project, name="blind", coder_ids=[ana.id, ben.id], by=ana)  # type: ignore[list-item]
    client.cookies.set("dyadic_person", "Ben")
    for coder in ("all", "me", str(ana.id)):
        response = post(client, project, transcript, code, start, end, coder=coder)
        assert response.status_code == 200
        session.expire_all()
        turns, layer = seen_turns(
            session,
            transcript=transcript,
            spans=[(start, end)],
            me=ben,
            coder_id=ben.id if coder == "me" else int(coder) if coder.isdigit() else None,
        )
        expected = templates.get_template("coding/_turns.html").render(
            project=project, turns=turns, overlay=layer, coder=coder, oob=True, transcript_id=transcript.id
        )
        assert response.text == expected
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["vary"] == "HX-Request"
        assert "Feeling heard — Ana" not in response.text  # the open round hides Ana's coding from Ben
        assert ("Feeling heard — Ben" in response.text) == (coder != str(ana.id))


def test_role_and_person_are_read_afresh_on_every_request(client: TestClient, session: Session, tmp_path: Path) -> None:
    """Nothing about the person is kept between requests: a role changed elsewhere (another server process,
    the command line) holds at once, and a renamed person's name is someone new."""
    project, transcript, code, start, end = setup(session, tmp_path)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    assert post(client, project, transcript, code, start, end).status_code == 200

    member = session.exec(select(Member).where(Member.project_id == project.id, Member.user_id == ana.id)).one()
    member.role = "viewer"
    session.commit()
    assert post(client, project, transcript, code, start, end + 1).status_code == 403
    assert client.get(f"/projects/{project.id}/transcripts/{transcript.id}").status_code == 200

    member.role = "coder"
    session.commit()
    assert post(client, project, transcript, code, start, end + 1).status_code == 200

    session.execute(sa.update(User).where(User.id == ana.id).values(name="Ana (2025)"))  # type: ignore[arg-type]
    session.commit()
    assert post(client, project, transcript, code, start, end + 2).status_code == 200
    session.expire_all()
    newcomer = session.exec(select(User).where(User.name == "Ana")).one()
    assert newcomer.id != ana.id
    assert role_of(session, project_id=project.id, user=newcomer) == "owner"  # joined the project it opened
    coders = session.exec(select(Coding.coder_id).where(Coding.transcript_id == transcript.id)).all()
    assert sorted(coders) == sorted([ana.id, ana.id, newcomer.id])


def test_someone_new_at_this_machine_is_stored_and_joins_as_owner(
    client: TestClient, session: Session, tmp_path: Path, engine: sa.Engine
) -> None:
    project, transcript, code, start, end = setup(session, tmp_path)
    client.cookies.set("dyadic_person", "Chidi")
    assert post(client, project, transcript, code, start, end).status_code == 200
    with Session(engine) as elsewhere:  # committed: another connection sees both
        chidi = elsewhere.exec(select(User).where(User.name == "Chidi")).one()
        assert role_of(elsewhere, project_id=project.id, user=chidi) == "owner"
        assert elsewhere.exec(select(Coding).where(Coding.coder_id == chidi.id)).one().text == "I felt heard"
    assert client.get("/projects/999999").status_code == 404  # no project: nobody joins it
    assert ensure_user(session, name="Chidi").id == chidi.id


def test_no_path_reaches_routes_of_two_routers(settings: Settings) -> None:
    """The routers are included with the busiest first (app/main.py); that is safe while no path can match
    routes of two routers, so that the order never decides which route answers."""
    app = create_app(settings)
    routers = [route for route in app.router.routes if isinstance(route, _IncludedRouter)]
    routes = [list(router.effective_route_contexts()) for router in routers]  # with their routers' prefixes
    assert sum(map(len, routes)) > 100
    for router_routes in routes:
        for route in router_routes:
            for fill in ("1", "x", "1.csv", "a/b"):
                path = re.sub(r"\{[^}]+\}", fill, route.path_format)
                reached = [i for i, found in enumerate(routes) if any(r.path_regex.match(path) for r in found)]
                assert len(reached) <= 1, f"{path} matches routes of routers {reached}"
    app.state.engine.dispose()
