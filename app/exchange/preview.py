"""One entry point for an uploaded exchange file: a REFI-QDA project (.qdpx, or a bare .qde) or codebook
(.qdc), previewed first — the real import, rolled back — and then imported for good.

A preview runs exactly the code of the import (no second copy of its logic to drift apart), so that what it
promises is what the import does, warnings included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from app.exchange.errors import ExchangeRefused
from app.exchange.qdc import import_codebook
from app.exchange.qdpx_import import Options, import_project, project_variables
from app.exchange.report import ImportReport
from transcripts.models import User

KINDS = {".qdpx": "project", ".qde": "project", ".xml": "project", ".qdc": "codebook"}
# What a variable may be read as on import (the importer's mapping); anything else stays an attribute.
MAPPABLE = ("role", "participant", "session", "date", "group")


@dataclass(slots=True)
class Preview:
    """What an import of the file would create (or did): its report, and the variables the file defines."""

    kind: str  # project or codebook
    report: ImportReport
    variables: list[str] = field(default_factory=list)


def kind_of(filename: str) -> str:
    """project or codebook, from the file's extension; anything else is refused."""
    kind = KINDS.get(Path(filename).suffix.casefold())
    if kind is None:
        raise ExchangeRefused(f"{Path(filename).name}: choose a REFI-QDA project (.qdpx) or codebook (.qdc)")
    return kind


def clean_mapping(mapping: dict[str, str]) -> dict[str, str]:
    """The user's mapping without blanks, each target checked."""
    out = {}
    for name, target in mapping.items():
        target = target.strip().casefold()
        if not target:
            continue
        if target not in MAPPABLE:
            raise ExchangeRefused(f"the variable {name!r} cannot be read as {target!r}")
        out[name.strip()] = target
    return out


def import_file(
    session: Session, *, path: Path, project_name: str, user: User, options: Options, dry_run: bool = False
) -> Preview:
    """Import ``path`` into the project called ``project_name`` (created when new), all or nothing; with
    ``dry_run`` everything runs and is rolled back, so that the report says what the import would create."""
    kind = kind_of(path.name)
    if kind == "codebook":
        report = import_codebook(
            session,
            path=path,
            project_name=project_name,
            user=user,
            max_bytes=options.limits.max_bytes,
            schema_dir=options.schema_dir,
            dry_run=dry_run,
        )
        return Preview(kind, report)
    options.mapping = clean_mapping(options.mapping or {})
    report = import_project(session, path=path, project_name=project_name, user=user, options=options, dry_run=dry_run)
    return Preview(kind, report, project_variables(path, limits=options.limits))


def preview_file(session: Session, *, path: Path, project_name: str, user: User, options: Options) -> Preview:
    """What importing ``path`` would create, and every warning: the import itself, rolled back."""
    return import_file(session, path=path, project_name=project_name, user=user, options=options, dry_run=True)
