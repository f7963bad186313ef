"""The phase workflow on the project page: where the project stands, the checklist, the phase notes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render
from themes.phases import move_to_phase, project_phases, save_phase_note, tick
from transcripts.errors import InvalidInput
from transcripts.models import User
from transcripts.projects import get_project
from transcripts.study import overview

router = APIRouter()


def _back(project_id: int, phase: int) -> RedirectResponse:
    return RedirectResponse(f"/projects/{project_id}#phase-{phase}", status_code=303)


def _refused(request: Request, session: Session, project_id: int, me: User, error: str) -> Response:
    session.rollback()
    project = get_project(session, project_id)
    context = {
        "project": project,
        "phases": project_phases(session, project=project, user=me),
        "overview": overview(session, project=project, user=me),
        "error": error,
    }
    return render(request, "transcripts/project.html", context, status_code=422)


@router.post("/projects/{project_id}/phase", response_class=HTMLResponse)
def move(
    request: Request,
    project_id: int,
    phase: Annotated[int, Form()],
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    try:
        move_to_phase(session, project=get_project(session, project_id), phase=phase, user=me)
    except InvalidInput as exc:
        return _refused(request, session, project_id, me, str(exc))
    return _back(project_id, phase)


@router.post("/projects/{project_id}/checklist/{item}", response_class=HTMLResponse)
def checklist(
    request: Request,
    project_id: int,
    item: str,
    phase: Annotated[int, Form()],
    ticked: Annotated[bool, Form()] = False,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    try:
        tick(session, project=get_project(session, project_id), item=item, ticked=ticked, user=me)
    except InvalidInput as exc:
        return _refused(request, session, project_id, me, str(exc))
    return _back(project_id, phase)


@router.post("/projects/{project_id}/phases/{phase}/note", response_class=HTMLResponse)
def note(
    request: Request,
    project_id: int,
    phase: int,
    text: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    try:
        save_phase_note(session, project=get_project(session, project_id), phase=phase, text=text, user=me)
    except InvalidInput as exc:
        return _refused(request, session, project_id, me, str(exc))
    return _back(project_id, phase)
