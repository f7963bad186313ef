"""The audit log's page: who did what when, filtered (in the query string), a hundred to a page, and the
same selection as CSV or XLSX. Leads and owners only (``app/permissions.py``; the domain is asked again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.audit_export import audit_csv, audit_xlsx
from app.audit_names import Names, named_ids
from app.audit_sentences import AuditLine, describe, kind_label
from app.deps import current_user, get_session
from app.routes.coding.codebook import _download
from app.routes.coding.extracts import XLSX
from app.web import render
from transcripts.audit_view import AuditFilters, audit_options, audit_page, audit_rows
from transcripts.errors import InvalidInput, NotFound
from transcripts.members import require
from transcripts.models import Project, User
from transcripts.projects import get_project

router = APIRouter()
Text = Annotated[str, Query(max_length=200)]


@dataclass(frozen=True, slots=True)
class Chosen:
    """The filters as the form sent them (kept for the form, and for the links to other pages)."""

    person: str = ""
    kind: str = ""
    action: str = ""
    since: str = ""
    until: str = ""
    q: str = ""

    def query_string(self) -> str:
        pairs = {"person": self.person, "kind": self.kind, "action": self.action}
        pairs |= {"from": self.since, "to": self.until, "q": self.q.strip()}
        return urlencode({key: value for key, value in pairs.items() if value})

    def filters(self, session: Session, project_id: int) -> AuditFilters:
        """The domain's filters; the dates are days in this machine's time zone, both included."""
        if self.person and not self.person.isdigit():
            raise InvalidInput(f"{self.person[:20]!r} is not a person")
        start, end = _day(self.since, "from"), _day(self.until, "to")
        if start and end and end < start:
            raise InvalidInput("the period ends before it begins: choose a 'to' date on or after the 'from' date")
        return AuditFilters(
            person_id=int(self.person) if self.person else None,
            kind=self.kind,
            action=self.action,
            start=_local_midnight(start) if start else None,
            end=_local_midnight(end + timedelta(days=1)) if end else None,
            text=self.q,
            named=named_ids(session, project_id=project_id, text=self.q),
        )


def _day(value: str, which: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"the '{which}' date {value[:20]!r} is not a date like 2026-03-31") from None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone()


def chosen(
    person: Text = "",
    kind: Text = "",
    action: Text = "",
    since: Annotated[str, Query(alias="from", max_length=20)] = "",
    until: Annotated[str, Query(alias="to", max_length=20)] = "",
    q: Text = "",
) -> Chosen:
    return Chosen(person.strip(), kind.strip(), action.strip(), since.strip(), until.strip(), q)


def _lead_project(session: Session, project_id: int, me: User) -> Project:
    project = get_project(session, project_id)
    require(session, project_id=project_id, user=me, role="lead", doing="read the audit log")
    return project


@router.get("/projects/{project_id}/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    project_id: int,
    wanted: Chosen = Depends(chosen),
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """The project's events, newest first, a hundred to a page, as the filters choose."""
    project = _lead_project(session, project_id, me)
    options = audit_options(session, project_id=project_id)
    context: dict[str, object] = {
        "project": project,
        "options": options,
        "kind_label": kind_label,
        "chosen": wanted,
        "query_string": wanted.query_string(),
        "zone": datetime.now().astimezone().tzname(),
        "error": None,
        "lines": [],
        "page": None,
    }
    status = 200
    try:
        found = audit_page(session, project_id=project_id, filters=wanted.filters(session, project_id), page=page)
    except InvalidInput as exc:
        status, context["error"] = 422, str(exc)
    else:
        context |= {"page": found, "lines": describe(session, project_id=project_id, rows=found.rows)}
    return render(
        request, "transcripts/audit.html", context, partial="transcripts/_audit_rows.html", status_code=status
    )


@router.get("/projects/{project_id}/audit.{format}")
def download(
    project_id: int,
    format: str,
    wanted: Chosen = Depends(chosen),
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Every event the filters choose (not only one page), as CSV or XLSX."""
    project = _lead_project(session, project_id, me)
    if format not in ("csv", "xlsx"):
        raise NotFound(f"no audit log download as .{format[:10]}; there are .csv and .xlsx")
    try:
        filters = wanted.filters(session, project_id)
    except InvalidInput as exc:
        return Response(str(exc) + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    lines = _all_lines(session, project_id, filters)
    if format == "csv":
        return _download(audit_csv(lines).encode("utf-8-sig"), "text/csv; charset=utf-8", project, "csv", kind="audit")
    return _download(audit_xlsx(lines), XLSX, project, "xlsx", kind="audit")


def _all_lines(session: Session, project_id: int, filters: AuditFilters) -> list[AuditLine]:
    names, lines, batch = Names(session, project_id), [], []
    for row in audit_rows(session, project_id=project_id, filters=filters):
        batch.append(row)
        if len(batch) == 1000:
            lines += describe(session, project_id=project_id, rows=batch, names=names)
            batch = []
    return lines + describe(session, project_id=project_id, rows=batch, names=names)
