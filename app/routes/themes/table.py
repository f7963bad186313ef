"""The frequency table in the browser (DESIGN.md §6): themes × dyads as a heat map, role initials or passage
counts in the cells, each non-empty cell a link to its extracts, and the downloads (CSV, Markdown, XLSX, DOCX,
LaTeX) of the same table. The counts audit where a theme comes from, not its importance."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.routes.coding.codebook import DOCX, _download
from app.routes.coding.extracts import XLSX
from app.routes.themes.theme import numbers
from app.web import render
from coding.search import search_options
from themes.errors import InvalidInput
from themes.frequency import CAPTION, CELLS, Cell, FrequencyTable, Row, frequency_table
from themes.table_export import FORMATS
from themes.table_export import render as render_table
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()
Sessions = Annotated[list[str] | None, Query(alias="session")]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "tex": "text/x-tex; charset=utf-8",
    "xlsx": XLSX,
    "docx": DOCX,
}
FORMAT_LABELS = {"csv": "CSV", "md": "Markdown", "xlsx": "Excel (XLSX)", "docx": "Word (DOCX)", "tex": "LaTeX"}


class TableView:
    """What the page needs beyond the table: each cell's heat (1–4 by its share of the largest count) and
    the address of its extracts (the row's codes in that dyad, in the sessions chosen)."""

    def __init__(self, project_id: int, table: FrequencyTable) -> None:
        self.project_id = project_id
        self.table = table
        self.top = max((cell.count for row in table.rows for cell in row.cells), default=0)
        self.labels = {dyad.id: dyad.label for dyad in table.dyads}

    def heat(self, cell: Cell) -> int:
        return 0 if not cell.count or not self.top else max(1, -(-4 * cell.count // self.top))

    def shown(self, cell: Cell) -> str:
        return "" if not cell.count else cell.value(self.table.cells)

    def link(self, row: Row, cell: Cell) -> str:
        # subcodes=0: the table counts a theme's member codes, not their subcodes, and so do its extracts
        pairs: list[tuple[str, Any]] = [("code", code_id) for code_id in row.code_ids]
        pairs += [("dyad", cell.dyad_id), ("subcodes", 0)]
        pairs += [("session", number) for number in self.table.sessions or ()]
        return f"/projects/{self.project_id}/extracts?{urlencode(pairs)}"

    def title(self, row: Row, cell: Cell) -> str:
        roles = ", ".join(cell.roles)
        passages = f"{cell.count} passage{'' if cell.count == 1 else 's'}"
        return f"{row.name} · {self.labels[cell.dyad_id]}: {roles}; {passages}"


def _options(cells: str, sessions: list[int], by_group: bool) -> str:
    pairs: list[tuple[str, Any]] = [("cells", cells), *(("session", n) for n in sessions)]
    if by_group:
        pairs.append(("by_group", 1))
    return urlencode(pairs)


@router.get("/projects/{project_id}/themes/table", response_class=HTMLResponse)
def table_page(
    request: Request,
    project_id: int,
    cells: str = "role",
    number: Sessions = None,
    by_group: str = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """The frequency table as a heat map, with its options (cells, sessions, bands by dyad group)."""
    project = get_project(session, project_id)
    grouped = by_group == "1"
    context: dict[str, Any] = {
        "project": project,
        "cells": cells,
        "cell_options": CELLS,
        "chosen_sessions": set(number or []),
        "by_group": grouped,
        "session_options": search_options(session, project_id=project_id).sessions,
        "formats": [(key, FORMAT_LABELS[key]) for key in FORMATS],
        "caption": CAPTION,
        "view": None,
        "error": None,
    }
    try:
        sessions = numbers(number, "session number")
        table = frequency_table(session, project_id=project_id, cells=cells, sessions=sessions, by_group=grouped)
    except InvalidInput as exc:
        return render(request, "themes/table.html", context | {"error": str(exc)}, status_code=422)
    context |= {"view": TableView(project_id, table), "query": _options(cells, sessions, grouped)}
    return render(request, "themes/table.html", context)


@router.get("/projects/{project_id}/themes/table.{format}")
def table_download(
    project_id: int,
    format: str,
    cells: str = "role",
    number: Sessions = None,
    by_group: str = "",
    session: Session = Depends(get_session),
) -> Response:
    """The same table as a file; a bad option gets its one-line reason (422) instead."""
    project = get_project(session, project_id)
    try:
        if format not in FORMATS:
            raise InvalidInput(f"unknown format {format[:20]!r}: choose one of {', '.join(FORMATS)}")
        table = frequency_table(
            session,
            project_id=project_id,
            cells=cells,
            sessions=numbers(number, "session number"),
            by_group=by_group == "1",
        )
        content = render_table(table, format)
    except InvalidInput as exc:
        return Response(str(exc) + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    # text with a byte-order mark, so that spreadsheet programs read the names' accents as UTF-8
    data = content.encode("utf-8-sig" if format == "csv" else "utf-8") if isinstance(content, str) else content
    return _download(data, MEDIA[format], project, format, kind="frequency-table")
