"""Inter-coder agreement: the project's rounds (an owner starts and closes them), a round's table per code
with the pooled row and the list of passages where the coders differ, and the coder-lanes comparison of a
transcript. Coefficients only outside reflexive TA; coders see each other's codings once a round closes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render
from coding.agreement import UNITS
from coding.agreement_data import coded_transcripts, ordered_codes, transcript_labels
from coding.agreement_lanes import coder_lanes
from coding.agreement_rounds import (
    NO_STATISTICS,
    close_round,
    get_round,
    round_comparison,
    rounds,
    sees_everyone,
    start_round,
    statistics_enabled,
    visible_coders,
)
from coding.errors import InvalidInput, NotFound
from transcripts.members import may_code, may_lead, may_read, members, role_of
from transcripts.models import Project, User
from transcripts.projects import get_project

router = APIRouter()
Values = Annotated[list[str] | None, Form()]
Text = Annotated[str, Form()]


def _member_project(session: Session, project_id: int, me: User) -> tuple[Project, str | None]:
    """The project and the person's role in it; a non-member gets 404, as for every URL of a project."""
    project = get_project(session, project_id)
    role = role_of(session, project_id=project_id, user=me)
    if not may_read(role):
        raise NotFound(f"no project with id {project_id}")
    return project, role


def _ids(values: list[str] | None, what: str) -> list[int]:
    found = []
    for value in values or []:
        if not value.strip().isdigit():
            raise InvalidInput(f"{value[:20]!r} is not a {what}")
        found.append(int(value))
    return found


def _theta(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"the minimum coverage must be a number between 0 and 1, not {value[:20]!r}") from None


def _rounds_page(
    request: Request, session: Session, project: Project, role: str | None, *, status_code: int = 200, **extra: Any
) -> Response:
    project_id: int = project.id  # type: ignore[assignment]
    context = {
        "project": project,
        "rounds": rounds(session, project_id=project_id),
        "coders": [m for m in members(session, project_id=project_id) if may_code(m.role)],
        "codes": ordered_codes(session, project_id=project_id),
        "transcripts": transcript_labels(session, project_id=project_id, transcript_ids=None),
        "units": UNITS,
        "may_lead": may_lead(role),
        "statistics": statistics_enabled(project),
        "no_statistics": NO_STATISTICS,
        "form": {"unit": "sentence", "coders": [], "codes": [], "transcripts": [], "theta": "", "name": ""},
        **extra,
    }
    return render(request, "coding/agreement.html", context, status_code=status_code)


@router.get("/projects/{project_id}/agreement", response_class=HTMLResponse)
def rounds_page(
    request: Request, project_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> Response:
    """The project's agreement rounds and, for an owner, the form that starts one."""
    project, role = _member_project(session, project_id, me)
    return _rounds_page(request, session, project, role)


@router.post("/projects/{project_id}/agreement", response_class=HTMLResponse)
def start(
    request: Request,
    project_id: int,
    name: Text = "",
    coder: Values = None,
    code: Values = None,
    transcript: Values = None,
    unit: Text = "sentence",
    theta: Text = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Start a round (owners only); a refusal shows the form again with the choices kept."""
    project, role = _member_project(session, project_id, me)
    try:
        found = start_round(
            session,
            project=project,
            name=name,
            coder_ids=_ids(coder, "coder"),
            code_ids=_ids(code, "code") or None,
            transcript_ids=_ids(transcript, "transcript") or None,
            unit=unit,
            theta=_theta(theta),
            by=me,
        )
    except InvalidInput as exc:
        session.rollback()
        form = {
            "name": name,
            "unit": unit,
            "theta": theta,
            "coders": coder or [],
            "codes": code or [],
            "transcripts": transcript or [],
        }
        return _rounds_page(request, session, project, role, status_code=422, error=str(exc), form=form)
    return RedirectResponse(f"/projects/{project_id}/agreement/{found.id}", status_code=303)


@router.get("/projects/{project_id}/agreement/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request,
    project_id: int,
    round_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """A round: while open, the coders work apart (only owners and leads see the comparison); once closed,
    the table per code with the pooled row, and the passages where the coders differ."""
    project, role = _member_project(session, project_id, me)
    found = get_round(session, project_id=project_id, round_id=round_id)
    context: dict[str, Any] = {
        "project": project,
        "round": found,
        "may_lead": may_lead(role),
        "statistics": statistics_enabled(project),
        "no_statistics": NO_STATISTICS,
        "everyone": sees_everyone(session, found=found, user=me),
        "comparison": None,
        "error": None,
    }
    if context["everyone"]:
        try:
            context["comparison"] = round_comparison(session, found=found)
        except InvalidInput as exc:
            context["error"] = str(exc)
    else:
        mine = coded_transcripts(session, project_id=project_id, coder_ids=[me.id])[me.id]  # type: ignore[index,list-item]
        if found.transcript_ids is not None:
            mine &= set(found.transcript_ids)
        context["own_transcripts"] = {
            t: label
            for t, label in transcript_labels(session, project_id=project_id, transcript_ids=None).items()
            if t in mine and me.id in found.coder_ids
        }
    return render(request, "coding/agreement_round.html", context)


@router.post("/projects/{project_id}/agreement/{round_id}/close", response_class=HTMLResponse)
def close(
    request: Request,
    project_id: int,
    round_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Close a round (owners only): from now on its coders see each other's codings."""
    project, _ = _member_project(session, project_id, me)
    try:
        close_round(session, project=project, round_id=round_id, by=me)
    except InvalidInput as exc:
        session.rollback()
        context = {"title": "Cannot close this round", "message": str(exc), "project": project}
        return render(request, "error.html", context, status_code=422)
    return RedirectResponse(f"/projects/{project_id}/agreement/{round_id}", status_code=303)


@router.get("/projects/{project_id}/agreement/{round_id}/compare/{transcript_id}", response_class=HTMLResponse)
def compare_page(
    request: Request,
    project_id: int,
    round_id: int,
    transcript_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """A transcript's turns with one lane per coder of the round (while it is open, a coder sees only their own)."""
    project, _ = _member_project(session, project_id, me)
    found = get_round(session, project_id=project_id, round_id=round_id)
    try:
        lanes = coder_lanes(
            session, found=found, transcript_id=transcript_id, shown=visible_coders(session, found=found, user=me)
        )
    except InvalidInput as exc:
        raise NotFound(str(exc)) from None
    context = {"project": project, "round": found, "lanes": lanes}
    return render(request, "coding/agreement_compare.html", context)
