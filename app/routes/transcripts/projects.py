"""The project list, a new project, and the project page with the six phases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import PERSON_COOKIE, current_user, get_session
from app.web import render
from themes.phases import project_phases
from transcripts.errors import InvalidInput
from transcripts.models import Project, User
from transcripts.projects import APPROACHES, create_project, get_project, list_projects
from transcripts.study import overview

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: Session = Depends(get_session), me: User = Depends(current_user)) -> Response:
    context = {"projects": _projects(request, session, me), "form": {}, "approaches": APPROACHES}
    return render(request, "transcripts/projects.html", context)


def _projects(request: Request, session: Session, me: User) -> list[Project]:
    """Local mode lists every project on this machine; team mode only the person's own."""
    return list_projects(session, member=me if request.app.state.settings.mode == "team" else None)


@router.post("/projects", response_class=HTMLResponse)
def new_project(
    request: Request,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    analysis_approach: Annotated[str, Form()] = "reflexive",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    try:
        project = create_project(
            session, name=name, user=me, description=description, analysis_approach=analysis_approach
        )
    except InvalidInput as exc:
        form = {"name": name, "description": description, "analysis_approach": analysis_approach}
        context = {
            "projects": _projects(request, session, me),
            "form": form,
            "error": str(exc),
            "approaches": APPROACHES,
        }
        return render(request, "transcripts/projects.html", context, status_code=422)
    return RedirectResponse(f"/projects/{project.id}", status_code=303)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    project = get_project(session, project_id)
    context = {
        "project": project,
        "phases": project_phases(session, project=project, user=me),
        "overview": overview(session, project=project, user=me),
    }
    return render(request, "transcripts/project.html", context)


@router.post("/me")
def switch_person(name: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "/") -> Response:
    """Local mode: say who is at the keyboard (read marks and memos are per person)."""
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if name.strip():
        response.set_cookie(PERSON_COOKIE, name.strip()[:80], samesite="lax", httponly=True)
    return response


@router.get("/projects/{project_id}/overview", response_class=HTMLResponse)
def study_overview(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    """Dyads × sessions × roles: which transcripts exist, how long they are, who has read them."""
    project = get_project(session, project_id)
    context = {"project": project, "overview": overview(session, project=project, user=me)}
    return render(request, "transcripts/overview.html", context)
