"""Dyads: the dyadic (side-by-side) reading view with its memo, and the dyad and participant registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import is_fragment_request, render
from transcripts.dyadic import dyadic_view
from transcripts.errors import DyadicError, InvalidInput, NotFound
from transcripts.models import User
from transcripts.projects import get_project
from transcripts.reading import memos, save_memo
from transcripts.registry import dyad_registry, import_attributes, update_dyad, update_participant

router = APIRouter()


def _attributes(names: list[str], values: list[str]) -> dict[str, str]:
    return dict(zip(names, values, strict=False))


def _dyadic_context(session: Session, project_id: int, dyad_id: int, number: int | None, me: User) -> dict[str, object]:
    project = get_project(session, project_id)
    view = dyadic_view(session, dyad_id=dyad_id, session_number=number)
    if view.dyad.project_id != project_id:
        raise NotFound(f"no dyad {dyad_id} in this project")
    notes = memos(session, dyad_id=dyad_id)
    return {
        "project": project,
        "view": view,
        "memo_text": next((memo.body for memo, name in notes if name == me.name), ""),
        "others": [(memo, name) for memo, name in notes if name != me.name],
    }


@router.get("/projects/{project_id}/dyads/{dyad_id}", response_class=HTMLResponse)
def dyadic(
    request: Request,
    project_id: int,
    dyad_id: int,
    number: Annotated[int | None, Query(alias="session", description="the therapy session")] = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    context = _dyadic_context(session, project_id, dyad_id, number, me)
    return render(request, "transcripts/dyadic.html", context)


@router.post("/projects/{project_id}/dyads/{dyad_id}/memo", response_class=HTMLResponse)
def dyad_memo(
    request: Request,
    project_id: int,
    dyad_id: int,
    body: Annotated[str, Form()] = "",
    session_number: Annotated[str, Form(alias="session")] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    number = int(session_number) if session_number.isdigit() else None
    context = _dyadic_context(session, project_id, dyad_id, number, me)
    try:
        save_memo(session, author=me, body=body, dyad_id=dyad_id)
    except InvalidInput as exc:
        context |= {"memo_text": body, "memo_error": str(exc)}
        return render(
            request, "transcripts/dyadic.html", context, partial="transcripts/_dyad_memo.html", status_code=422
        )
    if not is_fragment_request(request):
        suffix = f"?session={number}" if number is not None else ""
        return RedirectResponse(f"/projects/{project_id}/dyads/{dyad_id}{suffix}", status_code=303)
    context |= {"memo_text": body.strip(), "memo_saved": True}
    return render(request, "transcripts/_dyad_memo.html", context)


@router.get("/projects/{project_id}/registry", response_class=HTMLResponse)
def registry(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    project = get_project(session, project_id)
    return render(
        request,
        "transcripts/registry.html",
        {"project": project, "dyads": dyad_registry(session, project_id=project_id)},
    )


def _registry_error(
    request: Request, session: Session, project_id: int, message: str, form: dict[str, object]
) -> Response:
    session.rollback()
    project = get_project(session, project_id)
    context = {
        "project": project,
        "dyads": dyad_registry(session, project_id=project_id),
        "error": message,
        "form": form,
    }
    return render(request, "transcripts/registry.html", context, status_code=422)


@router.post("/projects/{project_id}/registry/dyads/{dyad_id}", response_class=HTMLResponse)
def edit_dyad(
    request: Request,
    project_id: int,
    dyad_id: int,
    label: Annotated[str, Form()] = "",
    group: Annotated[str, Form()] = "",
    attribute_name: Annotated[list[str] | None, Form()] = None,
    attribute_value: Annotated[list[str] | None, Form()] = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    get_project(session, project_id)
    attributes = _attributes(attribute_name or [], attribute_value or [])
    try:
        update_dyad(
            session, dyad_id=dyad_id, project_id=project_id, user=me, label=label, group=group, attributes=attributes
        )
    except InvalidInput as exc:
        form = {"kind": "dyad", "id": dyad_id, "label": label, "group": group, "attributes": attributes}
        return _registry_error(request, session, project_id, str(exc), form)
    return RedirectResponse(f"/projects/{project_id}/registry#dyad-{dyad_id}", status_code=303)


@router.post("/projects/{project_id}/registry/participants/{participant_id}", response_class=HTMLResponse)
def edit_participant(
    request: Request,
    project_id: int,
    participant_id: int,
    pseudonym: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    attribute_name: Annotated[list[str] | None, Form()] = None,
    attribute_value: Annotated[list[str] | None, Form()] = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    get_project(session, project_id)
    attributes = _attributes(attribute_name or [], attribute_value or [])
    try:
        update_participant(
            session,
            participant_id=participant_id,
            project_id=project_id,
            user=me,
            pseudonym=pseudonym,
            role=role,
            attributes=attributes,
        )
    except InvalidInput as exc:
        form = {
            "kind": "participant",
            "id": participant_id,
            "pseudonym": pseudonym,
            "role": role,
            "attributes": attributes,
        }
        return _registry_error(request, session, project_id, str(exc), form)
    return RedirectResponse(f"/projects/{project_id}/registry#participant-{participant_id}", status_code=303)


@router.post("/projects/{project_id}/registry/attributes", response_class=HTMLResponse)
async def attributes_csv(
    request: Request,
    project_id: int,
    file: UploadFile | None = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    get_project(session, project_id)
    try:
        if file is None or not file.filename:
            raise InvalidInput("choose a CSV file whose first column is 'dyad' or 'participant'")
        data = await file.read(5 * 1024 * 1024 + 1)
        if len(data) > 5 * 1024 * 1024:
            raise InvalidInput(f"{file.filename}: an attribute table has at most 5 MB")
        import_attributes(session, project_id=project_id, user=me, data=data, filename=file.filename)
    except DyadicError as exc:
        return _registry_error(request, session, project_id, str(exc), {})
    return RedirectResponse(f"/projects/{project_id}/registry", status_code=303)
