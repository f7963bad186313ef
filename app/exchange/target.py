"""The project an import goes into: an existing one, or a new one created in the import's own transaction
(so that a refused import leaves no empty project behind)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from app.exchange.errors import ExchangeRefused
from app.exchange.report import ImportReport
from app.exchange.xml import Element, schema_errors
from transcripts.errors import InvalidInput
from transcripts.members import join, may_lead, role_of
from transcripts.models import Project, User
from transcripts.projects import new_project


def target_project(session: Session, *, name: str, user: User, report: ImportReport) -> Project:
    """The project called ``name``, created (flushed, not committed) when it does not exist; the importing
    person must be able to code in an existing one."""
    project = session.exec(select(Project).where(Project.name == name.strip())).first()
    if project is None:
        try:
            project = new_project(session, name=name, user=user)
        except InvalidInput as exc:
            raise ExchangeRefused(str(exc)) from exc
        report.created_project = True
    elif not may_lead(role_of(session, project_id=project.id, user=user)):  # type: ignore[arg-type]
        raise ExchangeRefused(f"{user.name} is not an owner or lead of {project.name!r}: only they may import into it")
    report.project, report.project_id = project.name, project.id
    return project


def member(session: Session, project: Project, user: User, role: str = "coder") -> None:
    join(session, project_id=project.id, user=user, role=role)  # type: ignore[arg-type]


def check_schema(root: Element, *, kind: str, folder: Path | None, report: ImportReport) -> None:
    """Validate, but only warn: real files deviate from the standard."""
    errors = schema_errors(root, kind=kind, folder=folder)
    if errors is None:
        report.warn("not checked against the REFI-QDA schema (set DYADIC_REFI_SCHEMA_DIR to check)")
        return
    for error in errors[:20]:
        report.warn(f"schema: {error}")
    if len(errors) > 20:
        report.warn(f"schema: {len(errors) - 20} more deviations")


def read_limited(path: Path, *, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ExchangeRefused(f"{path.name}: the file has {size / 2**20:.1f} MiB, more than the limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise ExchangeRefused(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ExchangeRefused(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ExchangeRefused(f"{path}: cannot read the file ({exc.strerror})") from None
