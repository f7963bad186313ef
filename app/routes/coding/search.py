"""Search: lemma-aware search of the speech, hits in keyword-in-context form, and coding all hits (after a
preview) with one code."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session, get_settings
from app.settings import Settings
from app.web import render
from coding.autocode import code_hits, coding_plan
from coding.errors import InvalidInput
from coding.search import Filters, search_options, search_results
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()
PAGE = 50  # hits per page, as concordancers show them; the rest are counted, and a click away
Values = Annotated[list[str] | None, Query()]
FormValues = Annotated[list[str] | None, Form()]


def _filters(dyads: list[str], roles: list[str], sessions: list[str], groups: list[str], speakers: str) -> Filters:
    numbers = []
    for value in sessions:
        if not value.strip().isdigit():
            raise InvalidInput(f"{value[:20]!r} is not a session number")
        numbers.append(int(value))
    return Filters(tuple(dyads), tuple(roles), tuple(numbers), tuple(groups), speakers or "participants")


def _query_string(q: str, filters: Filters, **extra: object) -> str:
    pairs: list[tuple[str, object]] = [("q", q)]
    pairs += [("dyad", v) for v in filters.dyads] + [("role", v) for v in filters.roles]
    pairs += [("session", v) for v in filters.sessions] + [("group", v) for v in filters.groups]
    if filters.speakers != "participants":
        pairs.append(("speakers", filters.speakers))
    pairs += [(key, value) for key, value in extra.items() if value is not None]
    return urlencode(pairs)


def _context(session: Session, project_id: int, q: str, filters: Filters, **extra: Any) -> dict[str, Any]:
    project = get_project(session, project_id)
    return {
        "project": project,
        "options": search_options(session, project_id=project_id),
        "q": q,
        "filters": filters,
        "query_string": _query_string(q, filters),
        "results": None,
        "error": None,
        "page_size": PAGE,
        **extra,
    }


@router.get("/projects/{project_id}/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    project_id: int,
    q: str = "",
    dyad: Values = None,
    role: Values = None,
    number: Annotated[list[str] | None, Query(alias="session")] = None,
    group: Values = None,
    speakers: str = "participants",
    page: int = 1,
    show: str = "",
    coded: int | None = None,
    code: int | None = None,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    me: User = Depends(current_user),
) -> Response:
    """The search form and, for a query, its hits (a page of them, or all)."""
    status = 200
    try:
        filters = _filters(dyad or [], role or [], number or [], group or [], speakers)
    except InvalidInput as exc:
        filters, status = Filters(), 422
        context = _context(session, project_id, q, filters, error=str(exc))
    else:
        context = _context(session, project_id, q, filters)
    page = max(page, 1)
    if q.strip() and status == 200:
        everything = show == "all"
        try:
            context["results"] = search_results(
                session,
                project_id=project_id,
                query=q,
                filters=filters,
                offset=0 if everything else (page - 1) * PAGE,
                limit=None if everything else PAGE,
                model=settings.spacy_model,
            )
        except InvalidInput as exc:
            context["error"], status = str(exc), 422
        context |= {"page": page, "show_all": everything}
    if coded is not None:
        name = next((c.name for c in context["options"].codes if c.id == code), "the code")
        passages = "passage" if coded == 1 else "passages"
        context["message"] = (
            f"Coded {coded} {passages} with “{name}”."
            if coded
            else f"Nothing new to code: these passages were coded with “{name}” already."
        )
    return render(request, "coding/search.html", context, partial="coding/_search_results.html", status_code=status)


@router.post("/projects/{project_id}/search/code", response_class=HTMLResponse)
def code_all_hits(
    request: Request,
    project_id: int,
    q: Annotated[str, Form()] = "",
    dyad: FormValues = None,
    role: FormValues = None,
    number: Annotated[list[str] | None, Form(alias="session")] = None,
    group: FormValues = None,
    speakers: Annotated[str, Form()] = "participants",
    code_id: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    me: User = Depends(current_user),
) -> Response:
    """Without ``confirm``: what coding every hit would code (the sentences), for the researcher to
    check. With it: code them, and go back to the hits."""
    get_project(session, project_id)
    filters = Filters()
    try:
        filters = _filters(dyad or [], role or [], number or [], group or [], speakers)
        if not code_id.strip().isdigit():
            raise InvalidInput("choose the code to apply to the hits")
        if confirm != "yes":
            plan = coding_plan(
                session,
                project_id=project_id,
                code_id=int(code_id),
                query=q,
                filters=filters,
                model=settings.spacy_model,
            )
            return render(request, "coding/search.html", _context(session, project_id, q, filters, plan=plan))
        created = code_hits(
            session,
            project_id=project_id,
            code_id=int(code_id),
            query=q,
            filters=filters,
            coder=me,
            model=settings.spacy_model,
        )
    except InvalidInput as exc:
        session.rollback()
        context = _context(session, project_id, q, filters, error=str(exc))
        if q.strip():
            try:
                context["results"] = search_results(
                    session, project_id=project_id, query=q, filters=filters, limit=PAGE, model=settings.spacy_model
                )
                context["page"] = 1
            except InvalidInput:
                pass  # the error above says what is wrong
        return render(request, "coding/search.html", context, status_code=422)
    back = _query_string(q, filters, coded=len(created), code=int(code_id))
    return RedirectResponse(f"/projects/{project_id}/search?{back}", status_code=303)
