"""The candidate board (phase 3): the codes in no theme yet on one side, the themes as cards on the other.
Creating a theme from selected codes, giving codes to a theme (a form per code, or drag-and-drop with the
script), taking them out, discarding and reordering themes. Every form works without JavaScript: it posts
and comes back to the page it was sent from; for htmx (a drop on a card) the board answers with itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.routes.themes.review import refused_on_review
from app.routes.themes.theme import numbers, optional_id
from app.routes.themes.theme import refused as refused_on_theme
from app.web import is_fragment_request, render
from coding.tree import code_tree
from coding.tree import flatten as flatten_codes
from themes.errors import InvalidInput
from themes.frequency import Row, frequency_table
from themes.models import THEME_STATUSES
from themes.themes import add_codes, create_theme, discard_theme, remove_code, shift_theme
from themes.tree import DISCARDED, flatten, get_theme, theme_tree
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()
Text = Annotated[str, Form()]
Ids = Annotated[list[str] | None, Form()]


@dataclass(frozen=True, slots=True)
class Glance:
    """A theme's card at a glance: coded passages, dyads contributing (n of N) and which, with their roles."""

    passages: int
    n_dyads: int
    of: int
    dyads: list[tuple[str, str]]  # (dyad label, role initials)


def _glance(row: Row | None, labels: dict[int, str], of: int) -> Glance:
    if row is None:  # a theme outside the table (discarded, or under a discarded theme)
        return Glance(0, 0, of, [])
    dyads = [(labels[cell.dyad_id], cell.initials) for cell in row.cells if cell.count]
    return Glance(sum(cell.count for cell in row.cells), row.n_dyads, of, dyads)


def board_context(session: Session, project_id: int, **extra: Any) -> dict[str, Any]:
    """The board: unassigned codes (with their codings), live themes as a tree with their member codes and
    what each rests on (from the frequency table), and the discarded themes."""
    project = get_project(session, project_id)
    themes = theme_tree(session, project_id=project_id)
    live = theme_tree(session, project_id=project_id, include_discarded=False)
    codes = list(flatten_codes(code_tree(session, project_id=project_id)))
    table = frequency_table(session, project_id=project_id)
    labels = {dyad.id: dyad.label for dyad in table.dyads}
    rows = {row.theme_id: row for row in table.rows}
    in_themes = {code_id for node in flatten(live) for code_id in node.code_ids}
    nodes = list(flatten(themes))
    glances = {node.theme.id: _glance(rows.get(node.theme.id or 0), labels, len(table.dyads)) for node in nodes}
    context = {
        "project": project,
        "themes": live,
        "live": list(flatten(live)),
        "discarded": [node for node in nodes if node.theme.status == DISCARDED],
        "unassigned": [node for node in codes if node.code.id not in in_themes],
        "code_nodes": {node.code.id: node for node in codes},
        "glances": glances,
        "statuses": THEME_STATUSES,
        "form": {"name": "", "code_ids": set(), "theme_id": "", "parent_id": ""},
        "error": None,
    }
    return context | extra


def page_url(project_id: int, back: str, theme_id: int | None = None) -> str:
    """Where a form goes back to: the board (default), or the theme's page or review."""
    if theme_id is not None and back == "theme":
        return f"/projects/{project_id}/themes/{theme_id}"
    if theme_id is not None and back == "review":
        return f"/projects/{project_id}/themes/{theme_id}/review"
    return f"/projects/{project_id}/themes"


def _done(request: Request, session: Session, project_id: int, url: str, anchor: str = "") -> Response:
    if is_fragment_request(request) and url == f"/projects/{project_id}/themes":
        return render(request, "themes/board.html", board_context(session, project_id), partial="themes/_board.html")
    return RedirectResponse(url + anchor, status_code=303)


def _refused(
    request: Request,
    session: Session,
    project_id: int,
    exc: InvalidInput,
    *,
    back: str = "board",
    on_theme: int | None = None,
    **form: Any,
) -> Response:
    """The page the form came from again, with the one-line reason and what was typed and chosen (422)."""
    if back == "theme" and on_theme is not None:
        return refused_on_theme(request, session, project_id, on_theme, exc, "codes")
    if back == "review" and on_theme is not None:
        return refused_on_review(request, session, project_id, on_theme, exc)
    session.rollback()
    error = str(exc)
    context = board_context(session, project_id, error=error)
    context["form"] |= form
    return render(request, "themes/board.html", context, partial="themes/_board.html", status_code=422)


def _own_theme(session: Session, project_id: int, theme_id: int) -> None:
    get_project(session, project_id)
    get_theme(session, theme_id=theme_id, project_id=project_id)


@router.get("/projects/{project_id}/themes", response_class=HTMLResponse)
def board(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    return render(request, "themes/board.html", board_context(session, project_id), partial="themes/_board.html")


@router.post("/projects/{project_id}/themes", response_class=HTMLResponse)
def create(
    request: Request,
    project_id: int,
    name: Text = "",
    code_id: Ids = None,
    parent_id: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    get_project(session, project_id)
    try:
        ids = numbers(code_id, "code")
        parent = optional_id(parent_id, "theme")
        theme = create_theme(session, project_id=project_id, user=me, name=name, code_ids=ids, parent_id=parent)
    except InvalidInput as exc:
        chosen = {value for value in code_id or []}
        return _refused(request, session, project_id, exc, name=name, code_ids=chosen, parent_id=parent_id)
    return _done(request, session, project_id, f"/projects/{project_id}/themes", f"#theme-{theme.id}")


@router.post("/projects/{project_id}/themes/assign", response_class=HTMLResponse)
def assign(
    request: Request,
    project_id: int,
    theme_id: Text = "",
    code_id: Ids = None,
    back: Text = "board",
    page_theme: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Give one code or several to a theme (the board's forms, a drop on a card, a review's "move"). ``back``
    names the page to return to, and ``page_theme`` that page's theme (by default, the receiving one)."""
    get_project(session, project_id)
    chosen = {value for value in code_id or []}
    target = page = None
    try:
        page = optional_id(page_theme, "theme")
        target = optional_id(theme_id, "theme")
        if target is None:
            raise InvalidInput("choose the theme to add the codes to")
        get_theme(session, theme_id=target, project_id=project_id)
        add_codes(session, theme_id=target, code_ids=numbers(code_id, "code"), user=me)
    except InvalidInput as exc:
        kept = {"code_ids": chosen, "theme_id": theme_id}
        return _refused(request, session, project_id, exc, back=back, on_theme=page or target, **kept)
    return _done(request, session, project_id, page_url(project_id, back, page or target), f"#theme-{target}")


@router.post("/projects/{project_id}/themes/{theme_id:int}/codes/{code_id:int}/remove", response_class=HTMLResponse)
def remove(
    request: Request,
    project_id: int,
    theme_id: int,
    code_id: int,
    back: Text = "board",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _own_theme(session, project_id, theme_id)
    try:
        remove_code(session, theme_id=theme_id, code_id=code_id, user=me)
    except InvalidInput as exc:
        return _refused(request, session, project_id, exc, back=back, on_theme=theme_id)
    return _done(request, session, project_id, page_url(project_id, back, theme_id), f"#theme-{theme_id}")


@router.post("/projects/{project_id}/themes/{theme_id:int}/discard", response_class=HTMLResponse)
def discard(
    request: Request,
    project_id: int,
    theme_id: int,
    back: Text = "board",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _own_theme(session, project_id, theme_id)
    try:
        discard_theme(session, theme_id=theme_id, user=me)
    except InvalidInput as exc:
        return _refused(request, session, project_id, exc, back=back, on_theme=theme_id)
    return _done(request, session, project_id, page_url(project_id, back, theme_id))


@router.post("/projects/{project_id}/themes/{theme_id:int}/move", response_class=HTMLResponse)
def move(
    request: Request,
    project_id: int,
    theme_id: int,
    direction: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _own_theme(session, project_id, theme_id)
    try:
        if direction not in ("up", "down"):
            raise InvalidInput(f"a theme moves up or down, not {direction[:20]!r}")
        shift_theme(session, theme_id=theme_id, user=me, by=-1 if direction == "up" else 1)
    except InvalidInput as exc:
        return _refused(request, session, project_id, exc)
    return _done(request, session, project_id, f"/projects/{project_id}/themes", f"#theme-{theme_id}")
