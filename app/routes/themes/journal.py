"""The reflexive journal: dated project memos, reachable from every page of a project."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render
from themes.journal import journal, write_entry
from themes.phases import PHASES, current_phase
from transcripts.errors import InvalidInput
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()


def _page(request: Request, session: Session, project_id: int, **extra: object) -> Response:
    project = get_project(session, project_id)
    context = {
        "project": project,
        "entries": journal(session, project_id=project_id),
        "phases": PHASES,
        "current": current_phase(session, project_id=project_id),
    }
    return render(request, "themes/journal.html", context | extra, status_code=422 if "error" in extra else 200)


@router.get("/projects/{project_id}/journal", response_class=HTMLResponse)
def show(
    request: Request, project_id: int, session: Session = Depends(get_session), _: User = Depends(current_user)
) -> Response:
    return _page(request, session, project_id)


@router.post("/projects/{project_id}/journal", response_class=HTMLResponse)
def write(
    request: Request,
    project_id: int,
    text: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    number = int(phase) if phase.isdigit() else None
    try:
        write_entry(session, project=get_project(session, project_id), text=text, phase=number, user=me)
    except InvalidInput as exc:
        session.rollback()
        return _page(request, session, project_id, error=str(exc), text=text, phase=number)
    return RedirectResponse(f"/projects/{project_id}/journal", status_code=303)
