"""Restructuring a theme from its page (phase 4): merging other themes into it, splitting codes off into a new
theme, deleting it (after a confirmation page). Merged themes stay as discarded, with their history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.routes.themes.theme import numbers, refused, theme_context
from app.web import render
from themes.errors import InvalidInput
from themes.restructure import delete_theme, merge_themes, split_theme
from themes.tree import get_theme
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()
Text = Annotated[str, Form()]
Ids = Annotated[list[str] | None, Form()]


def _own(session: Session, project_id: int, theme_id: int) -> None:
    get_theme(session, theme_id=theme_id, project_id=get_project(session, project_id).id)


@router.post("/projects/{project_id}/themes/{theme_id:int}/merge", response_class=HTMLResponse)
def merge(
    request: Request,
    project_id: int,
    theme_id: int,
    source_id: Ids = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Merge the chosen themes into this one."""
    _own(session, project_id, theme_id)
    try:
        merge_themes(session, source_ids=numbers(source_id, "theme"), target_id=theme_id, user=me)
    except InvalidInput as exc:
        kept = {value for value in source_id or []}
        return refused(request, session, project_id, theme_id, exc, "merge", merge_form=kept)
    return RedirectResponse(f"/projects/{project_id}/themes/{theme_id}#history", status_code=303)


@router.post("/projects/{project_id}/themes/{theme_id:int}/split", response_class=HTMLResponse)
def split(
    request: Request,
    project_id: int,
    theme_id: int,
    new_name: Text = "",
    code_id: Ids = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Split the chosen member codes off into a new theme beside this one; the new theme's page opens."""
    _own(session, project_id, theme_id)
    try:
        new = split_theme(session, theme_id=theme_id, new_name=new_name, code_ids=numbers(code_id, "code"), user=me)
    except InvalidInput as exc:
        kept = {"name": new_name, "code_ids": {value for value in code_id or []}}
        return refused(request, session, project_id, theme_id, exc, "split", split_form=kept)
    return RedirectResponse(f"/projects/{project_id}/themes/{new.id}", status_code=303)


@router.get("/projects/{project_id}/themes/{theme_id:int}/delete", response_class=HTMLResponse)
def delete_page(
    request: Request,
    project_id: int,
    theme_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """What deleting would do, and the button that does it (discarding, which keeps the theme, is offered too)."""
    return render(request, "themes/theme_delete.html", theme_context(session, project_id, theme_id))


@router.post("/projects/{project_id}/themes/{theme_id:int}/delete", response_class=HTMLResponse)
def delete(
    request: Request,
    project_id: int,
    theme_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _own(session, project_id, theme_id)
    try:
        delete_theme(session, theme_id=theme_id, user=me)
    except InvalidInput as exc:
        session.rollback()
        context = theme_context(session, project_id, theme_id, error=str(exc))
        return render(request, "themes/theme_delete.html", context, status_code=422)
    return RedirectResponse(f"/projects/{project_id}/themes", status_code=303)
