"""Retrieval: the coded extracts of a code or of several codes, filtered by dyad, role, session, group and
coder, on a page (each extract linked to its place in the reading view) and as CSV, XLSX and DOCX."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.routes.coding.codebook import DOCX, _download
from app.web import render
from coding.errors import InvalidInput
from coding.extract_export import describe, extracts_csv, extracts_docx, extracts_xlsx
from coding.extracts import Extract, ExtractFilters, extract_options, extracts
from transcripts.models import Project, User
from transcripts.projects import get_project

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Values = Annotated[list[str] | None, Query()]
ID = re.compile(r"[0-9]{1,18}")  # ASCII digits that fit a database integer
PAGE = 100  # extracts per page; the downloads hold them all


class Chosen:
    """The query string of the extract filters, parsed (a value that is not a number is refused)."""

    def __init__(
        self,
        code: Values = None,
        dyad: Values = None,
        role: Values = None,
        number: Annotated[list[str] | None, Query(alias="session")] = None,
        group: Values = None,
        coder: Values = None,
        subcodes: Values = None,
    ) -> None:
        self.raw = {"code": code, "dyad": dyad, "role": role, "session": number, "group": group, "coder": coder}
        self.subcodes = subcodes or []

    def filters(self) -> ExtractFilters:
        def numbers(key: str, what: str) -> tuple[int, ...]:
            values = [value.strip() for value in self.raw[key] or [] if value.strip()]
            for value in values:
                if not ID.fullmatch(value):
                    raise InvalidInput(f"{value[:20]!r} is not a {what}")
            return tuple(int(value) for value in values)

        # A form sends subcodes=0 before its checkbox's subcodes=1: the last value wins.
        last = self.subcodes[-1] if self.subcodes else "1"
        if last not in ("0", "1"):
            raise InvalidInput(f"subcodes is 1 (with subcodes) or 0 (without), not {last[:20]!r}")
        return ExtractFilters(
            code_ids=numbers("code", "code"),
            include_subcodes=last == "1",
            dyad_ids=numbers("dyad", "dyad"),
            roles=tuple(value for value in self.raw["role"] or [] if value),
            sessions=numbers("session", "session number"),
            groups=tuple(value for value in self.raw["group"] or [] if value),
            coder_ids=numbers("coder", "coder"),
        )


def _query_string(filters: ExtractFilters) -> str:
    pairs: list[tuple[str, object]] = [("code", v) for v in filters.code_ids]
    pairs += [("dyad", v) for v in filters.dyad_ids] + [("role", v) for v in filters.roles]
    pairs += [("session", v) for v in filters.sessions] + [("group", v) for v in filters.groups]
    pairs += [("coder", v) for v in filters.coder_ids]
    if not filters.include_subcodes:
        pairs.append(("subcodes", 0))
    return urlencode(pairs)


def _title(project: Project, found: list[Extract], filters: ExtractFilters) -> str:
    names = list(dict.fromkeys(e.code for e in found if e.code_id in filters.code_ids))
    about = f" — {', '.join(names)}" if names and len(names) <= 3 else ""
    return f"Coded extracts{about} · {project.name}"


@router.get("/projects/{project_id}/extracts", response_class=HTMLResponse)
def extracts_page(
    request: Request,
    project_id: int,
    chosen: Chosen = Depends(),
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """The filter form and the extracts it selects (all of the project's, when nothing is chosen), a hundred
    to a page."""
    project = get_project(session, project_id)
    context: dict[str, Any] = {"project": project, "options": extract_options(session, project_id), "error": None}
    status, filters, found = 200, ExtractFilters(), []
    try:
        filters = chosen.filters()  # kept for the form, even if the project refuses a value
        found = extracts(session, project_id=project_id, filters=filters)
    except InvalidInput as exc:
        status, context["error"] = 422, str(exc)
    pages = max(1, -(-len(found) // PAGE))
    page = min(page, pages)
    context |= {
        "filters": filters,
        "found": found[(page - 1) * PAGE : page * PAGE],
        "first": (page - 1) * PAGE + 1,
        "page": page,
        "pages": pages,
        "summary": describe(found),
        "query_string": _query_string(filters),
        "title": _title(project, found, filters),
    }
    return render(request, "coding/extracts.html", context, partial="coding/_extracts.html", status_code=status)


def _export(
    session: Session,
    project_id: int,
    chosen: Chosen,
    write: Callable[[list[Extract], Project], bytes],
    *,
    media_type: str,
    extension: str,
) -> Response:
    """The selected extracts as a download; a bad filter gets its one-line reason (422) instead."""
    project = get_project(session, project_id)
    try:
        found = extracts(session, project_id=project_id, filters=chosen.filters())
    except InvalidInput as exc:
        return Response(str(exc) + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    return _download(write(found, project), media_type, project, extension, kind="extracts")


@router.get("/projects/{project_id}/extracts.csv")
def download_csv(project_id: int, chosen: Chosen = Depends(), session: Session = Depends(get_session)) -> Response:
    # with a byte-order mark, so that spreadsheet programs read accents and emoji as UTF-8
    return _export(
        session,
        project_id,
        chosen,
        lambda found, _: extracts_csv(found).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        extension="csv",
    )


@router.get("/projects/{project_id}/extracts.xlsx")
def download_xlsx(project_id: int, chosen: Chosen = Depends(), session: Session = Depends(get_session)) -> Response:
    return _export(
        session, project_id, chosen, lambda found, _: extracts_xlsx(found), media_type=XLSX, extension="xlsx"
    )


@router.get("/projects/{project_id}/extracts.docx")
def download_docx(project_id: int, chosen: Chosen = Depends(), session: Session = Depends(get_session)) -> Response:
    def write(found: list[Extract], project: Project) -> bytes:
        return extracts_docx(found, _title(project, found, chosen.filters()).replace(" · ", " — "))

    return _export(session, project_id, chosen, write, media_type=DOCX, extension="docx")
