"""One theme's page (phases 4–5): the defining and naming form (name, central organising concept, definition,
scope, status, parent theme, memo) with an optimistic version check, its member codes and subthemes, the
extracts chosen to illustrate it, and its versions. Merging, splitting and deleting are in
``app.routes.themes.restructure``; codes in and out and discarding go through the board's forms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.conflicts import conflict
from app.deps import current_user, get_session
from app.web import render
from coding.tree import code_tree
from coding.tree import flatten as flatten_codes
from themes.errors import InvalidInput, ThemeConflict
from themes.history import theme_history
from themes.models import THEME_STATUSES
from themes.review import chosen_extracts, theme_extracts
from themes.themes import TEXT_FIELDS, choose_extract, drop_extract, update_theme
from themes.tree import DISCARDED, ThemeNode, flatten, get_theme, theme_tree
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()


class ThemeFields(BaseModel):
    """What the theme's form sends (missing fields arrive empty, as from a form)."""

    name: str = ""
    central_concept: str = ""
    definition: str = ""
    scope: str = ""
    status: str = ""
    parent_id: str = ""
    memo: str = ""
    version: str = ""


# The fields of the defining form compared after an edit conflict.
CONFLICT_FIELDS = {"name": "name", **TEXT_FIELDS, "status": "status"}


def numbers(values: list[str] | None, what: str) -> list[int]:
    """Form values that must be ids (empty ones skipped); anything else is refused with one line."""
    found = []
    for value in values or []:
        value = value.strip()
        if not value:
            continue
        if not value.isdigit() or len(value) > 18:
            raise InvalidInput(f"{value[:20]!r} is not a {what}")
        found.append(int(value))
    return found


def optional_id(value: str, what: str) -> int | None:
    ids = numbers([value], what)
    return ids[0] if ids else None


def theme_context(session: Session, project_id: int, theme_id: int, **extra: Any) -> dict[str, Any]:
    """Everything the theme's page shows; ``extra`` carries a refused form's input and its error."""
    project = get_project(session, project_id)
    theme = get_theme(session, theme_id=theme_id, project_id=project_id)
    everything = list(flatten(theme_tree(session, project_id=project_id)))
    node = next((n for n in everything if n.theme.id == theme_id), None) or ThemeNode(theme, 0, [])
    codes = list(flatten_codes(code_tree(session, project_id=project_id)))
    found = theme_extracts(session, theme_id=theme_id)
    chosen = chosen_extracts(session, theme_id=theme_id)
    chosen_ids = {e.coding_id for e in chosen}
    live = [n for n in everything if n.theme.status != DISCARDED and n.theme.id != theme_id]
    context = {
        "project": project,
        "theme": theme,
        "node": node,
        "code_nodes": {n.code.id: n for n in codes},
        "other_codes": [n for n in codes if n.code.id not in node.code_ids],
        "parents": [n for n in live if n.depth == 0],
        "merge_candidates": [n for n in live if n.theme.id != theme.parent_id],
        "extracts": found,
        "chosen": chosen,
        "choosable": [e for e in found if e.coding_id not in chosen_ids],
        "history": theme_history(session, theme_id=theme_id),
        "statuses": THEME_STATUSES,
        "form": {
            "name": theme.name,
            "central_concept": theme.central_concept,
            "definition": theme.definition,
            "scope": theme.scope,
            "status": theme.status,
            "parent_id": str(theme.parent_id or ""),
            "memo": theme.memo,
            "version": str(theme.version),
        },
        "merge_form": set(),
        "split_form": {"name": "", "code_ids": set()},
        "error": None,
        "error_at": None,
    }
    return context | extra


def theme_page(
    request: Request, session: Session, project_id: int, theme_id: int, *, status_code: int = 200, **extra: Any
) -> Response:
    context = theme_context(session, project_id, theme_id, **extra)
    return render(request, "themes/theme.html", context, status_code=status_code)


def refused(
    request: Request, session: Session, project_id: int, theme_id: int, exc: InvalidInput, at: str, **kept: Any
) -> Response:
    """The theme's page again with the one-line reason beside the form that was refused (422)."""
    session.rollback()
    return theme_page(request, session, project_id, theme_id, status_code=422, error=str(exc), error_at=at, **kept)


def _back(project_id: int, theme_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/projects/{project_id}/themes/{theme_id}{anchor}", status_code=303)


@router.get("/projects/{project_id}/themes/{theme_id:int}", response_class=HTMLResponse)
def page(
    request: Request,
    project_id: int,
    theme_id: int,
    saved: str = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    return theme_page(request, session, project_id, theme_id, saved=saved == "1")


@router.post("/projects/{project_id}/themes/{theme_id:int}", response_class=HTMLResponse)
def save(
    request: Request,
    project_id: int,
    theme_id: int,
    fields: Annotated[ThemeFields, Form()],
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Save the defining and naming form, unless someone else saved the theme since the form was opened."""
    get_theme(session, theme_id=theme_id, project_id=get_project(session, project_id).id)
    form = fields.model_dump()
    try:
        version = optional_id(fields.version, "version of the theme")
        update_theme(
            session,
            theme_id=theme_id,
            user=me,
            name=fields.name,
            central_concept=fields.central_concept,
            definition=fields.definition,
            scope=fields.scope,
            memo=fields.memo,
            status=fields.status,
            parent_id=optional_id(fields.parent_id, "theme"),
            expected_version=version,
        )
    except InvalidInput as exc:
        if not isinstance(exc, ThemeConflict):
            return refused(request, session, project_id, theme_id, exc, "form", form=form)
        session.rollback()  # both versions; the form now carries the saved version: saving again is a choice
        saved = get_theme(session, theme_id=theme_id)
        both = conflict(
            yours=form,
            saved={key: getattr(saved, key) for key in CONFLICT_FIELDS},
            labels=CONFLICT_FIELDS,
            history=theme_history(session, theme_id=theme_id),
        )
        kept = form | {"version": str(saved.version)}
        return refused(request, session, project_id, theme_id, exc, "form", form=kept, conflict=both)
    return _back(project_id, theme_id, "?saved=1")


@router.post(
    "/projects/{project_id}/themes/{theme_id:int}/extracts/{coding_id:int}/{action}", response_class=HTMLResponse
)
def chosen(
    request: Request,
    project_id: int,
    theme_id: int,
    coding_id: int,
    action: str,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Choose an extract to illustrate the theme, or drop it from the chosen ones."""
    get_theme(session, theme_id=theme_id, project_id=get_project(session, project_id).id)
    try:
        if action == "choose":
            choose_extract(session, theme_id=theme_id, coding_id=coding_id, user=me)
        elif action == "drop":
            drop_extract(session, theme_id=theme_id, coding_id=coding_id, user=me)
        else:
            raise InvalidInput(f"an extract is chosen or dropped, not {action[:20]!r}")
    except InvalidInput as exc:
        return refused(request, session, project_id, theme_id, exc, "extracts")
    return _back(project_id, theme_id, "#chosen")
