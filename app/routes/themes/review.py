"""Reviewing themes (phase 4). Level 1: all extracts of a theme in one scroll, each with a verdict — fits, does
not fit, or move to another theme (and, as a separate step, its code given to that theme). Level 2: coverage,
per dyad and role, of the themes, and what no theme touches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.routes.themes.theme import optional_id
from app.web import render
from themes.coverage import coverage
from themes.errors import InvalidInput
from themes.review import VERDICT_LABELS, clear_review, review_extract, reviews, summarise, theme_extracts
from themes.tree import flatten, get_theme, theme_tree
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()
Text = Annotated[str, Form()]


def review_context(session: Session, project_id: int, theme_id: int, **extra: Any) -> dict[str, Any]:
    project = get_project(session, project_id)
    theme = get_theme(session, theme_id=theme_id, project_id=project_id)
    found = theme_extracts(session, theme_id=theme_id)
    verdicts = reviews(session, theme_id=theme_id)
    nodes = list(flatten(theme_tree(session, project_id=project_id)))
    live = list(flatten(theme_tree(session, project_id=project_id, include_discarded=False)))
    context = {
        "project": project,
        "theme": theme,
        "extracts": found,
        "verdicts": verdicts,
        "summary": summarise(found, verdicts),
        "targets": [node for node in live if node.theme.id != theme_id],
        "names": {node.theme.id: node.theme.name for node in nodes},
        "members": {node.theme.id: set(node.code_ids) for node in nodes},
        "labels": VERDICT_LABELS,
        "error": None,
        "error_at": None,
        "kept": {},
    }
    return context | extra


def refused_on_review(
    request: Request, session: Session, project_id: int, theme_id: int, exc: InvalidInput, **extra: Any
) -> Response:
    """The review again with the one-line reason (beside the extract, when it concerns one) (422)."""
    session.rollback()
    context = review_context(session, project_id, theme_id, error=str(exc), **extra)
    return render(request, "themes/review.html", context, status_code=422)


@router.get("/projects/{project_id}/themes/{theme_id:int}/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    project_id: int,
    theme_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    return render(request, "themes/review.html", review_context(session, project_id, theme_id))


@router.post("/projects/{project_id}/themes/{theme_id:int}/review/{coding_id:int}", response_class=HTMLResponse)
def verdict(
    request: Request,
    project_id: int,
    theme_id: int,
    coding_id: int,
    verdict: Text = "",
    target_theme_id: Text = "",
    note: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Record a verdict on one extract (``clear`` takes it back)."""
    get_theme(session, theme_id=theme_id, project_id=get_project(session, project_id).id)
    try:
        if verdict == "clear":
            clear_review(session, theme_id=theme_id, coding_id=coding_id, user=me)
        else:
            target = optional_id(target_theme_id, "theme")
            review_extract(
                session,
                theme_id=theme_id,
                coding_id=coding_id,
                verdict=verdict,
                target_theme_id=target,
                note=note,
                user=me,
            )
    except InvalidInput as exc:
        kept = {"target_theme_id": target_theme_id, "note": note}
        return refused_on_review(request, session, project_id, theme_id, exc, error_at=coding_id, kept=kept)
    return RedirectResponse(f"/projects/{project_id}/themes/{theme_id}/review#extract-{coding_id}", status_code=303)


@router.get("/projects/{project_id}/themes/coverage", response_class=HTMLResponse)
def coverage_page(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    """Level 2: which themes each dyad and role contributes to, and the data no theme touches."""
    project = get_project(session, project_id)
    context = {"project": project, "coverage": coverage(session, project_id=project_id)}
    return render(request, "themes/coverage.html", context)
