"""The codebook exchange (.qdc, QDA-XML codebook 1.0): codes and themes out, and in.

Export writes the nested codes (definition, criteria and example in each ``Description``) and the themes
as sets of codes. Import creates codes and themes in a new or an existing project, in one transaction.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from app.exchange.builder import Builder
from app.exchange.codes import CodeImporter, codes_element, write_codes
from app.exchange.errors import ExchangeRefused
from app.exchange.report import ExportReport, ImportReport
from app.exchange.sets import SetImporter, project_themes, write_sets
from app.exchange.target import check_schema, read_limited, target_project
from app.exchange.xml import CODEBOOK_NS, grandkids, local, parse, schema_errors, serialise
from coding.models import Code
from transcripts.audit import record
from transcripts.models import Project, User

ORIGIN = "Dyadic 0.1"


def codebook_xml(session: Session, *, project: Project, report: ExportReport) -> bytes:
    assert project.id is not None
    codes = list(session.exec(select(Code).where(Code.project_id == project.id)))
    if not codes:
        raise ExchangeRefused(f"project {project.name!r} has no codes: a codebook needs at least one")
    builder = Builder(CODEBOOK_NS)
    root = builder.root("CodeBook", origin=ORIGIN)
    report.counts["codes"] = write_codes(builder, root, codes)
    themes, members = project_themes(session, project.id)
    guids = {code.id: code.guid for code in codes if code.id is not None}
    report.counts["themes (sets)"] = write_sets(builder, root, themes, members, guids, member_attribute="guid")
    if any(theme.memo for theme in themes):
        report.not_carried.append("theme memos (a codebook has no notes; a project export carries them)")
    report.not_carried.append("theme status, chosen extracts and reviews; code and theme history")
    if builder.stripped:
        report.notes.append(f"{builder.stripped} characters that XML cannot hold were left out")
    return serialise(root)


def checked_codebook(
    session: Session, *, project: Project, schema_dir: Path | None = None
) -> tuple[bytes, ExportReport]:
    """The .qdc codebook and its report, checked against the schema when ``schema_dir`` is given."""
    report = ExportReport()
    data = codebook_xml(session, project=project, report=report)
    errors = schema_errors(parse(data, what="the export"), kind="codebook", folder=schema_dir)
    if errors:
        raise ExchangeRefused(f"the codebook export breaks the schema (a bug in Dyadic): {errors[0]}")
    return data, report


def export_codebook(session: Session, *, project: Project, path: Path, schema_dir: Path | None = None) -> ExportReport:
    """Write the project's codebook as a .qdc file."""
    data, report = checked_codebook(session, project=project, schema_dir=schema_dir)
    report.path = str(path)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ExchangeRefused(f"cannot write {path}: {exc.strerror}") from None
    return report


def import_codebook(
    session: Session,
    *,
    path: Path,
    project_name: str,
    user: User,
    max_bytes: int,
    schema_dir: Path | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a .qdc codebook (codes and sets of codes as themes) into a project, all or nothing; with
    ``dry_run`` it is rolled back at the end, and the report previews what it would create."""
    report = ImportReport()
    root = parse(read_limited(path, max_bytes=max_bytes), what=path.name)
    if local(root) not in ("CodeBook", "Project"):
        raise ExchangeRefused(f"{path.name}: not a REFI-QDA codebook (the root element is {local(root)!r})")
    if codes_element(root) is None:
        raise ExchangeRefused(f"{path.name}: the codebook holds no codes")
    try:
        check_schema(
            root, kind="codebook" if local(root) == "CodeBook" else "project", folder=schema_dir, report=report
        )
        project = target_project(session, name=project_name, user=user, report=report)
        assert project.id is not None
        codes = CodeImporter(session, project_id=project.id, user=user, report=report)
        codes.run(codes_element(root))
        SetImporter(session, project_id=project.id, user=user, report=report).run(
            list(grandkids(root, "Sets", "Set")), codes.by_guid
        )
        record(
            session,
            project_id=project.id,
            user_id=user.id,
            action="exchange.import_codebook",
            entity="project",
            entity_id=project.id,
            after={"file": path.name, "created": dict(report.counts)},
        )
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    return report
