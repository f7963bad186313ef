"""The code tables: the code × dyad matrix (roles or counts per dyad, like the themes' frequency table) and
code co-occurrence (where codings of two codes overlap), each with its CSV download and, for a pair of
codes, the passages where they meet."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render, slug
from coding.cooccurrence import cooccurrence, cooccurrence_csv, overlaps
from coding.errors import InvalidInput
from coding.matrix import code_matrix, matrix_csv
from coding.search import search_options
from coding.tree import get_code
from transcripts.models import Project, User
from transcripts.projects import get_project

router = APIRouter()
Values = Annotated[list[str] | None, Query()]
Sessions = Annotated[list[str] | None, Query(alias="session")]


def _numbers(values: list[str] | None, what: str) -> tuple[int, ...]:
    numbers = []
    for value in values or []:
        if not value.strip().isdigit():
            raise InvalidInput(f"{value[:20]!r} is not a {what}")
        numbers.append(int(value))
    return tuple(numbers)


def _subcodes(value: str) -> bool:
    if value not in ("0", "1"):
        raise InvalidInput(f"subcodes must be 1 (with subcodes) or 0 (own codings only), not {value[:20]!r}")
    return value == "1"


def _refused(request: Request, project: Project, exc: InvalidInput) -> Response:
    context = {"title": "Cannot show this table", "message": str(exc), "project": project}
    return render(request, "error.html", context, status_code=422)


def _csv(content: str, project: Project, name: str) -> Response:
    name_part = slug(project.name)
    headers = {"Content-Disposition": f'attachment; filename="{name}-{name_part}.csv"'}
    # with a byte-order mark, so that spreadsheet programs read the names' accents as UTF-8
    return Response(content.encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers=headers)


def _query(**values: Any) -> str:
    pairs: list[tuple[str, Any]] = []
    for key, value in values.items():
        pairs += [(key, item) for item in value] if isinstance(value, tuple | list) else [(key, value)]
    return urlencode(pairs)


# --- the code × dyad matrix ----------------------------------------------------------------------------


@router.get("/projects/{project_id}/code-matrix", response_class=HTMLResponse)
def matrix_page(
    request: Request,
    project_id: int,
    cells: str = "role",
    number: Sessions = None,
    subcodes: str = "1",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Codes × dyads as a heat map: in each cell the roles (or the count of passages) of the dyad's codings."""
    project = get_project(session, project_id)
    try:
        sessions = _numbers(number, "session number")
        matrix = code_matrix(
            session,
            project_id=project_id,
            cells=cells,
            sessions=sessions,
            include_subcodes=_subcodes(subcodes),
            by_group=True,
        )
    except InvalidInput as exc:
        return _refused(request, project, exc)
    context = {
        "project": project,
        "matrix": matrix,
        "session_options": search_options(session, project_id=project_id).sessions,
        "csv_query": _query(cells=cells, session=sessions, subcodes=subcodes),
    }
    return render(request, "coding/code_matrix.html", context)


@router.get("/projects/{project_id}/code-matrix.csv")
def matrix_download(
    request: Request,
    project_id: int,
    cells: str = "role",
    number: Sessions = None,
    subcodes: str = "1",
    session: Session = Depends(get_session),
) -> Response:
    """The matrix as CSV (``code,code_path,<dyads in natural order>,n_dyads``)."""
    project = get_project(session, project_id)
    try:
        matrix = code_matrix(
            session,
            project_id=project_id,
            cells=cells,
            sessions=_numbers(number, "session number"),
            include_subcodes=_subcodes(subcodes),
        )
    except InvalidInput as exc:
        return _refused(request, project, exc)
    return _csv(matrix_csv(matrix), project, "code-matrix")


# --- co-occurrence -------------------------------------------------------------------------------------


@router.get("/projects/{project_id}/cooccurrence", response_class=HTMLResponse)
def cooccurrence_page(
    request: Request,
    project_id: int,
    code: Values = None,
    number: Sessions = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Codes × codes (a triangle): how many passages hold overlapping codings of both."""
    project = get_project(session, project_id)
    try:
        sessions = _numbers(number, "session number")
        code_ids = _numbers(code, "code") if code else None
        table = cooccurrence(session, project_id=project_id, code_ids=code_ids, sessions=sessions)
    except InvalidInput as exc:
        return _refused(request, project, exc)
    context = {
        "project": project,
        "table": table,
        "session_options": search_options(session, project_id=project_id).sessions,
        "filter_query": _query(session=sessions),
        "csv_query": _query(code=code_ids or (), session=sessions),
    }
    return render(request, "coding/cooccurrence.html", context)


@router.get("/projects/{project_id}/cooccurrence.csv")
def cooccurrence_download(
    request: Request,
    project_id: int,
    code: Values = None,
    number: Sessions = None,
    session: Session = Depends(get_session),
) -> Response:
    """Co-occurrence as CSV, one row per overlapping pair and per code."""
    project = get_project(session, project_id)
    try:
        code_ids = _numbers(code, "code") if code else None
        table = cooccurrence(
            session, project_id=project_id, code_ids=code_ids, sessions=_numbers(number, "session number")
        )
    except InvalidInput as exc:
        return _refused(request, project, exc)
    return _csv(cooccurrence_csv(table), project, "cooccurrence")


@router.get("/projects/{project_id}/cooccurrence/{code_a}/{code_b}", response_class=HTMLResponse)
def pair_page(
    request: Request,
    project_id: int,
    code_a: int,
    code_b: int,
    number: Sessions = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """The passages where codings of two codes overlap, each with its quote label and a link to read it."""
    project = get_project(session, project_id)
    try:
        sessions = _numbers(number, "session number")
        found = overlaps(session, project_id=project_id, code_a=code_a, code_b=code_b, sessions=sessions)
    except InvalidInput as exc:
        return _refused(request, project, exc)
    context = {
        "project": project,
        "code_a": get_code(session, code_id=code_a, project_id=project_id),
        "code_b": get_code(session, code_id=code_b, project_id=project_id),
        "overlaps": found,
        "sessions": sessions,
        "filter_query": _query(session=sessions),
    }
    return render(request, "coding/cooccurrence_pair.html", context)
