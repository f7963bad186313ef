"""Exports (phase 6): the seminar pack and the paper's theme table, each behind the pseudonymisation check,
and the project's pseudonym dictionary that the check reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.settings import Settings
from app.web import render
from themes import report, seminar
from themes.pseudonym_models import PSEUDONYM_KINDS
from themes.pseudonyms import (
    Check,
    ExportBlocked,
    acknowledge,
    add_pseudonym,
    decide,
    decided_by,
    dictionary,
    remove_pseudonym,
    update_pseudonym,
)
from transcripts.errors import InvalidInput, NotFound
from transcripts.models import Project, User
from transcripts.projects import get_project

router = APIRouter()

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "tex": "application/x-tex; charset=utf-8",
}
KINDS: dict[str, dict[str, Any]] = {
    "seminar": {"title": "Seminar pack", "formats": seminar.FORMATS, "check": seminar.check_seminar},
    "report": {"title": "Paper theme table", "formats": report.FORMATS, "check": report.check_report},
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _kind(kind: str, format: str | None = None) -> dict[str, Any]:
    if kind not in KINDS:
        raise NotFound(f"no export called {kind!r}")
    if format is not None and format not in KINDS[kind]["formats"]:
        raise NotFound(f"no {format!r} format of the {KINDS[kind]['title'].lower()}")
    return KINDS[kind]


# --- the pseudonym dictionary ----------------------------------------------------------------------------


def _dictionary_page(request: Request, session: Session, project: Project, **extra: Any) -> Response:
    context = {
        "project": project,
        "entries": dictionary(session, project_id=project.id or 0),
        "kinds": PSEUDONYM_KINDS,
        "form": extra.pop("form", {}),
    }
    status = 422 if "error" in extra else 200
    return render(request, "themes/pseudonyms.html", context | extra, status_code=status)


@router.get("/projects/{project_id}/pseudonyms", response_class=HTMLResponse)
def pseudonyms_page(
    request: Request, project_id: int, session: Session = Depends(get_session), _: User = Depends(current_user)
) -> Response:
    return _dictionary_page(request, session, get_project(session, project_id))


@router.post("/projects/{project_id}/pseudonyms", response_class=HTMLResponse)
def pseudonym_add(
    request: Request,
    project_id: int,
    term: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "person",
    replacement: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    project = get_project(session, project_id)
    try:
        add_pseudonym(session, project_id=project_id, user=me, term=term, kind=kind, replacement=replacement, note=note)
    except InvalidInput as exc:
        session.rollback()
        form = {"term": term, "kind": kind, "replacement": replacement, "note": note}
        return _dictionary_page(request, session, project, error=str(exc), form=form)
    return RedirectResponse(f"/projects/{project_id}/pseudonyms", status_code=303)


@router.post("/projects/{project_id}/pseudonyms/{entry_id}", response_class=HTMLResponse)
def pseudonym_update(
    request: Request,
    project_id: int,
    entry_id: int,
    term: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "person",
    replacement: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    project = get_project(session, project_id)
    try:
        update_pseudonym(
            session,
            project_id=project_id,
            entry_id=entry_id,
            user=me,
            term=term,
            kind=kind,
            replacement=replacement,
            note=note,
        )
    except NotFound:
        raise
    except InvalidInput as exc:
        session.rollback()
        return _dictionary_page(request, session, project, error=str(exc), editing=entry_id)
    return RedirectResponse(f"/projects/{project_id}/pseudonyms", status_code=303)


@router.post("/projects/{project_id}/pseudonyms/{entry_id}/delete", response_class=HTMLResponse)
def pseudonym_remove(
    request: Request,
    project_id: int,
    entry_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    project = get_project(session, project_id)
    try:
        remove_pseudonym(session, project_id=project_id, entry_id=entry_id, user=me)
    except NotFound:
        raise
    except InvalidInput as exc:
        session.rollback()
        return _dictionary_page(request, session, project, error=str(exc))
    return RedirectResponse(f"/projects/{project_id}/pseudonyms", status_code=303)


# --- exports ---------------------------------------------------------------------------------------------


@router.get("/projects/{project_id}/exports", response_class=HTMLResponse)
def exports_page(
    request: Request, project_id: int, session: Session = Depends(get_session), _: User = Depends(current_user)
) -> Response:
    project = get_project(session, project_id)
    entries = len(dictionary(session, project_id=project_id))
    context = {"project": project, "kinds": KINDS, "entries": entries, "ner": bool(_settings(request).spacy_model)}
    return render(request, "themes/exports.html", context)


def _check(request: Request, session: Session, project_id: int, kind: str) -> Check:
    run: Callable[..., Check] = _kind(kind)["check"]
    return run(session, project_id=project_id, model=_settings(request).spacy_model)


def _check_page(
    request: Request, session: Session, project_id: int, kind: str, format: str, *, status: int = 200, **extra: Any
) -> Response:
    project = get_project(session, project_id)
    check = _check(request, session, project_id, kind)
    decisions = [item.decision for item in [*check.findings, *check.adjacent] if item.decision is not None]
    who = {decision.id: decided_by(session, decision) for decision in decisions}
    context = {"project": project, "kind": kind, "export": KINDS[kind], "format": format, "check": check, "who": who}
    return render(request, "themes/export_check.html", context | extra, status_code=status)


@router.get("/projects/{project_id}/exports/{kind}", response_class=HTMLResponse)
def export_check(
    request: Request,
    project_id: int,
    kind: str,
    format: str = "",
    session: Session = Depends(get_session),
    _: User = Depends(current_user),
) -> Response:
    export = _kind(kind)
    format = format if format in export["formats"] else export["formats"][0]
    return _check_page(request, session, project_id, kind, format)


@router.post("/projects/{project_id}/exports/{kind}/decisions", response_class=HTMLResponse)
def export_decide(
    request: Request,
    project_id: int,
    kind: str,
    decision: Annotated[str, Form()],
    format: Annotated[str, Form()] = "",
    coding_id: Annotated[int, Form()] = 0,
    term: Annotated[str, Form()] = "",
    replacement: Annotated[str, Form()] = "",
    quote_key: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    export = _kind(kind)
    format = format if format in export["formats"] else export["formats"][0]
    get_project(session, project_id)
    check = _check(request, session, project_id, kind)
    try:
        if decision == "acknowledged":
            acknowledge(session, check=check, quote_key=quote_key, user=me)
        else:
            decide(
                session,
                check=check,
                coding_id=coding_id,
                term=term,
                decision=decision,
                replacement=replacement,
                user=me,
            )
    except InvalidInput as exc:
        session.rollback()
        return _check_page(request, session, project_id, kind, format, status=422, error=str(exc))
    return RedirectResponse(f"/projects/{project_id}/exports/{kind}?format={format}", status_code=303)


@router.get("/projects/{project_id}/exports/{kind}/download")
def export_download(
    request: Request,
    project_id: int,
    kind: str,
    format: str,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _kind(kind, format)
    project = get_project(session, project_id)
    model = _settings(request).spacy_model
    try:
        if kind == "report":
            content = report.render(report.paper_report(session, project_id=project_id, model=model), format)
        else:
            pack = seminar.seminar_pack(session, project_id=project_id, prepared_by=me.name, model=model)
            content = seminar.render(pack, format)
    except ExportBlocked as exc:
        return _check_page(request, session, project_id, kind, format, status=409, error=str(exc))
    name = "".join(ch if ch.isalnum() else "-" for ch in project.name).strip("-") or "project"
    filename = f"{name}-{'seminar-pack' if kind == 'seminar' else 'themes'}.{format}"
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
