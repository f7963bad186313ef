"""The codebook page: the tree with its counts, adding and editing codes (inline with htmx), moving,
merging, splitting and deleting them, each code's history, and the CSV and DOCX downloads."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.conflicts import conflict
from app.deps import current_user, get_session
from app.web import is_fragment_request, render, slug
from coding.codebook import FIELD_LABELS, PALETTE, create_code, move_code, shift_code, update_code
from coding.errors import CodeConflict, InvalidInput
from coding.export import codebook_csv, codebook_docx
from coding.extracts import Extract, ExtractFilters, extracts
from coding.history import code_history
from coding.models import Code
from coding.restructure import delete_code, merge_codes, split_code
from coding.tree import CodeNode, code_tree, find_node, flatten
from transcripts.models import Project, User
from transcripts.projects import get_project

router = APIRouter()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Text = Annotated[str, Form()]


class CodeFields(BaseModel):
    """What the add and edit forms send about a code (missing fields arrive empty, as from a form)."""

    name: str = ""
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    colour: str = ""


FIELDS = tuple(CodeFields.model_fields)


class EditedCode(CodeFields):
    """The edit form also sends the version it showed, so that a change made meanwhile is not overwritten."""

    version: str = ""


def _codebook(session: Session, project_id: int, **extra: Any) -> dict[str, Any]:
    project = get_project(session, project_id)
    tree = code_tree(session, project_id=project_id)
    return {"project": project, "tree": tree, "codes": list(flatten(tree)), "palette": PALETTE, **extra}


def _with_node(session: Session, project_id: int, code_id: int, **extra: Any) -> dict[str, Any]:
    """The codebook's context and the code ``code_id`` in it (404 for a code of another project)."""
    context = _codebook(session, project_id, **extra)
    node = find_node(context["tree"], code_id)
    parents = [n for n in context["codes"] if n.code.id not in node.subtree_ids]
    return context | {"node": node, "parents": parents}


def _own_extracts(session: Session, project_id: int, code_id: int) -> list[Extract]:
    """The codings of the code itself, not of its subcodes: what a split can move."""
    own = ExtractFilters(code_ids=(code_id,), include_subcodes=False)
    return extracts(session, project_id=project_id, filters=own)


def _fields(code: Code) -> dict[str, str]:
    return {key: getattr(code, key) for key in FIELDS}


def _optional_id(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(f"{value[:20]!r} is not a code")
    return int(value)


def _back(project_id: int, code_id: int | None = None) -> RedirectResponse:
    anchor = f"#code-{code_id}" if code_id else ""
    return RedirectResponse(f"/projects/{project_id}/codebook{anchor}", status_code=303)


def _download(content: bytes, media_type: str, project: Project, extension: str, *, kind: str = "codebook") -> Response:
    """A download named after what it holds and the project: ``codebook-ipr-study.csv``."""
    name_part = slug(project.name)
    filename = f"{kind}-{name_part}.{extension}"
    wanted = quote(f"{kind.capitalize()} {project.name}.{extension}")
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{wanted}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


# --- the page and a new code ---------------------------------------------------------------------------


@router.get("/projects/{project_id}/codebook", response_class=HTMLResponse)
def codebook(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    return render(request, "coding/codebook.html", _codebook(session, project_id, form={}))


@router.post("/projects/{project_id}/codebook", response_class=HTMLResponse)
def add_code(
    request: Request,
    project_id: int,
    fields: Annotated[CodeFields, Form()],
    parent_id: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    get_project(session, project_id)
    try:
        code = create_code(
            session, project_id=project_id, user=me, parent_id=_optional_id(parent_id), **fields.model_dump()
        )
    except InvalidInput as exc:
        session.rollback()
        form = {"parent_id": parent_id, **fields.model_dump()}
        context = _codebook(session, project_id, form=form, error=str(exc))
        return render(request, "coding/codebook.html", context, status_code=422)
    return _back(project_id, code.id)


@router.get("/projects/{project_id}/codebook.csv")
def download_csv(project_id: int, session: Session = Depends(get_session)) -> Response:
    project = get_project(session, project_id)
    # with a byte-order mark, so that spreadsheet programs read the names' accents as UTF-8
    content = codebook_csv(session, project_id=project_id).encode("utf-8-sig")
    return _download(content, "text/csv; charset=utf-8", project, "csv")


@router.get("/projects/{project_id}/codebook.docx")
def download_docx(project_id: int, session: Session = Depends(get_session)) -> Response:
    project = get_project(session, project_id)
    return _download(codebook_docx(session, project_id=project_id), DOCX, project, "docx")


# --- one code: its page (with history), editing it, moving it -----------------------------------------


@router.get("/projects/{project_id}/codebook/{code_id}", response_class=HTMLResponse)
def code_page(
    request: Request,
    project_id: int,
    code_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    context = _with_node(session, project_id, code_id)
    context["history"] = code_history(session, code_id=code_id)
    return render(request, "coding/codebook_code.html", context, partial="coding/_code.html")


@router.get("/projects/{project_id}/codebook/{code_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request,
    project_id: int,
    code_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    context = _with_node(session, project_id, code_id)
    code = context["node"].code
    context["form"] = {key: getattr(code, key) for key in FIELDS} | {"version": code.version}
    return render(request, "coding/codebook_edit.html", context, partial="coding/_code_edit.html")


@router.post("/projects/{project_id}/codebook/{code_id}", response_class=HTMLResponse)
def edit_code(
    request: Request,
    project_id: int,
    code_id: int,
    fields: Annotated[EditedCode, Form()],
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _with_node(session, project_id, code_id)
    form = fields.model_dump(exclude={"version"})
    version = int(fields.version) if fields.version.isdigit() else None  # a form without it: no check
    try:
        update_code(session, code_id=code_id, user=me, expected_version=version, **form)
    except InvalidInput as exc:
        session.rollback()
        context = _with_node(session, project_id, code_id, form=form | {"version": version}, error=str(exc))
        if isinstance(exc, CodeConflict):  # both versions; saving again replaces theirs, knowingly
            saved = context["node"].code
            context["form"]["version"] = saved.version
            context["conflict"] = conflict(
                yours=form, saved=_fields(saved), labels=FIELD_LABELS, history=code_history(session, code_id=code_id)
            )
        return render(request, "coding/codebook_edit.html", context, partial="coding/_code_edit.html", status_code=422)
    if not is_fragment_request(request):
        return _back(project_id, code_id)
    return render(request, "coding/_code.html", _with_node(session, project_id, code_id))


@router.post("/projects/{project_id}/codebook/{code_id}/move", response_class=HTMLResponse)
def move(
    request: Request,
    project_id: int,
    code_id: int,
    direction: Text = "",
    parent_id: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _with_node(session, project_id, code_id)
    try:
        if direction in ("up", "down"):
            shift_code(session, code_id=code_id, user=me, by=-1 if direction == "up" else 1)
        else:
            move_code(session, code_id=code_id, user=me, parent_id=_optional_id(parent_id))
    except InvalidInput as exc:
        session.rollback()
        context = _with_node(session, project_id, code_id, move_error=str(exc), move_parent=parent_id)
        context["form"] = {key: getattr(context["node"].code, key) for key in FIELDS}
        return render(request, "coding/codebook_edit.html", context, status_code=422)
    return _back(project_id, code_id)


# --- merging, splitting, deleting: each asks first --------------------------------------------------------


@router.get("/projects/{project_id}/codebook/{code_id}/merge", response_class=HTMLResponse)
def merge_page(
    request: Request,
    project_id: int,
    code_id: int,
    target_id: Annotated[int | None, Query()] = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    context = _with_node(session, project_id, code_id)
    target = find_node(context["tree"], target_id) if target_id is not None else None
    return render(request, "coding/codebook_merge.html", context | {"target": target})


@router.post("/projects/{project_id}/codebook/{code_id}/merge", response_class=HTMLResponse)
def merge(
    request: Request,
    project_id: int,
    code_id: int,
    target_id: Annotated[int, Form()],
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    context = _with_node(session, project_id, code_id)
    target: CodeNode = find_node(context["tree"], target_id)
    try:
        merge_codes(session, source_ids=[code_id], target_id=target_id, user=me)
    except InvalidInput as exc:
        session.rollback()
        context |= {"target": target, "error": str(exc)}
        return render(request, "coding/codebook_merge.html", context, status_code=422)
    return _back(project_id, target_id)


@router.get("/projects/{project_id}/codebook/{code_id}/split", response_class=HTMLResponse)
def split_page(
    request: Request,
    project_id: int,
    code_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    context = _with_node(session, project_id, code_id, new_name="", chosen=set())
    context["extracts"] = _own_extracts(session, project_id, code_id)
    return render(request, "coding/codebook_split.html", context)


@router.post("/projects/{project_id}/codebook/{code_id}/split", response_class=HTMLResponse)
def split(
    request: Request,
    project_id: int,
    code_id: int,
    new_name: Text = "",
    coding_id: Annotated[list[int] | None, Form()] = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _with_node(session, project_id, code_id)
    try:
        new = split_code(session, code_id=code_id, new_name=new_name, coding_ids=coding_id or [], user=me)
    except InvalidInput as exc:
        session.rollback()
        context = _with_node(session, project_id, code_id, new_name=new_name, chosen=set(coding_id or []))
        context |= {"extracts": _own_extracts(session, project_id, code_id), "error": str(exc)}
        return render(request, "coding/codebook_split.html", context, status_code=422)
    return _back(project_id, new.id)


@router.get("/projects/{project_id}/codebook/{code_id}/delete", response_class=HTMLResponse)
def delete_page(
    request: Request,
    project_id: int,
    code_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    return render(request, "coding/codebook_delete.html", _with_node(session, project_id, code_id, choice=""))


@router.post("/projects/{project_id}/codebook/{code_id}/delete", response_class=HTMLResponse)
def delete(
    request: Request,
    project_id: int,
    code_id: int,
    codings: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    _with_node(session, project_id, code_id)
    try:
        delete_code(session, code_id=code_id, user=me, codings=codings or None)  # type: ignore[arg-type]
    except InvalidInput as exc:
        session.rollback()
        context = _with_node(session, project_id, code_id, choice=codings, error=str(exc))
        return render(request, "coding/codebook_delete.html", context, status_code=422)
    return _back(project_id)
