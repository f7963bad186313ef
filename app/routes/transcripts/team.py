"""The project's team: who works on it, and in which role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render
from transcripts.errors import InvalidInput
from transcripts.members import add_member, may_manage, members, role_of, set_role
from transcripts.models import PROJECT_ROLES, User
from transcripts.projects import get_project

router = APIRouter()


def _page(request: Request, session: Session, project_id: int, me: User, **extra: object) -> Response:
    project = get_project(session, project_id)
    context = {
        "project": project,
        "members": members(session, project_id=project_id),
        "roles": PROJECT_ROLES,
        "may_manage": may_manage(role_of(session, project_id=project_id, user=me)),
    }
    status = 422 if extra.get("error") else 200
    return render(request, "transcripts/team.html", context | extra, status_code=status)


@router.get("/projects/{project_id}/team", response_class=HTMLResponse)
def team(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    return _page(request, session, project_id, me)


@router.post("/projects/{project_id}/team", response_class=HTMLResponse)
def add(
    request: Request,
    project_id: int,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "coder",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    try:
        team_mode = request.app.state.settings.mode == "team"
        project = get_project(session, project_id)
        add_member(session, project=project, name=name, role=role, by=me, accounts_only=team_mode)
    except InvalidInput as exc:
        session.rollback()
        return _page(request, session, project_id, me, error=str(exc), new_name=name, new_role=role)
    return RedirectResponse(f"/projects/{project_id}/team", status_code=303)


@router.post("/projects/{project_id}/team/{user_id}", response_class=HTMLResponse)
def change_role(
    request: Request,
    project_id: int,
    user_id: int,
    role: Annotated[str, Form()],
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    try:
        set_role(session, project=get_project(session, project_id), user_id=user_id, role=role, by=me)
    except InvalidInput as exc:
        session.rollback()
        return _page(request, session, project_id, me, error=str(exc))
    return RedirectResponse(f"/projects/{project_id}/team", status_code=303)
