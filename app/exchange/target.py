"""The project an import goes into: an existing one, or a new one created in the import's own transaction
(so that a refused import leaves no empty project behind)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from app.exchange.errors import ExchangeRefused
from app.exchange.report import ImportReport
from app.exchange.xml import Element, schema_errors
from transcripts.audit import record
from transcripts.members import join
from transcripts.models import Member, Project, User


def target_project(session: Session, *, name: str, user: User, report: ImportReport) -> Project:
    """The project called ``name``, created (flushed, not committed) when it does not exist; the importing
    person must be able to code in an existing one."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ExchangeRefused("a project needs a name of 1 to 200 characters")
    project = session.exec(select(Project).where(Project.name == name)).first()
    if project is None:
        project = Project(name=name)
        session.add(project)
        session.flush()
        session.add(Member(project_id=project.id, user_id=user.id, role="owner"))  # type: ignore[arg-type]
        record(
            session,
            project_id=project.id,
            user_id=user.id,
            action="project.create",
            entity="project",
            entity_id=project.id,
            after={"name": name},
        )
        report.created_project = True
    else:
        role = session.exec(
            select(Member.role).where(Member.project_id == project.id, Member.user_id == user.id)
        ).first()
        if role not in ("owner", "lead"):
            raise ExchangeRefused(f"{user.name} is not an owner or lead of {name!r}: only they may import into it")
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
