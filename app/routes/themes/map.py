"""The thematic map: the page (the SVG inline, kept fresh by htmx while the page is open) and its downloads
as SVG and PNG. Each is drawn from the database when asked for, so the map follows the themes as they change.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render, slug
from themes.map import MapLayout, thematic_map
from themes.map_render import map_png, map_svg
from transcripts.errors import InvalidInput
from transcripts.models import Project, User
from transcripts.projects import get_project

router = APIRouter()


def _discarded(value: str) -> bool:
    if value not in ("", "0", "1"):
        raise InvalidInput(f"discarded must be 1 (show discarded themes) or 0, not {value[:20]!r}")
    return value == "1"


def _layout(session: Session, project_id: int, discarded: str) -> tuple[Project, MapLayout, bool]:
    project = get_project(session, project_id)
    include = _discarded(discarded)
    return project, thematic_map(session, project_id=project_id, include_discarded=include), include


def _refused(request: Request, session: Session, project_id: int, exc: InvalidInput) -> Response:
    context = {"title": "Cannot draw the map", "message": str(exc), "project": get_project(session, project_id)}
    return render(request, "error.html", context, status_code=422)


def _download(content: bytes, media_type: str, project: Project, extension: str) -> Response:
    name_part = slug(project.name)
    headers = {"Content-Disposition": f'attachment; filename="thematic-map-{name_part}.{extension}"'}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/projects/{project_id}/themes/map", response_class=HTMLResponse)
def page(
    request: Request,
    project_id: int,
    discarded: str = "",
    session: Session = Depends(get_session),
    _: User = Depends(current_user),
) -> Response:
    """The map, drawn inline (the SVG escapes every name itself); for htmx, only the map."""
    try:
        project, layout, include = _layout(session, project_id, discarded)
    except InvalidInput as exc:
        return _refused(request, session, project_id, exc)
    query = "?discarded=1" if include else ""
    context = {
        "project": project,
        "layout": layout,
        "svg": Markup(map_svg(layout, standalone=False)),  # safe: map_svg XML-escapes every name
        "include_discarded": include,
        "query": query,
    }
    return render(request, "themes/map.html", context, partial="themes/_map.html")


@router.get("/projects/{project_id}/themes/map.svg")
def svg_download(
    request: Request,
    project_id: int,
    discarded: str = "",
    session: Session = Depends(get_session),
    _: User = Depends(current_user),
) -> Response:
    """The map as a standalone SVG file."""
    try:
        project, layout, _include = _layout(session, project_id, discarded)
    except InvalidInput as exc:
        return _refused(request, session, project_id, exc)
    return _download(map_svg(layout).encode("utf-8"), "image/svg+xml", project, "svg")


@router.get("/projects/{project_id}/themes/map.png")
def png_download(
    request: Request,
    project_id: int,
    discarded: str = "",
    session: Session = Depends(get_session),
    _: User = Depends(current_user),
) -> Response:
    """The map as a PNG picture (two pixels per unit, for slides and print)."""
    try:
        project, layout, _include = _layout(session, project_id, discarded)
    except InvalidInput as exc:
        return _refused(request, session, project_id, exc)
    return _download(map_png(layout, scale=2), "image/png", project, "png")
