"""Commands that move projects in and out: REFI-QDA projects and codebooks, tidy codings, backup and
restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from app.cli.base import (
    Format,
    cli,
    emit,
    export_cli,
    fail,
    import_cli,
    open_session,
    write_file,
)
from app.settings import Settings
from transcripts.errors import NotFound
from transcripts.projects import ensure_user, project_by_name

Mapping = Annotated[
    list[str] | None, typer.Option("--map", help="read a variable as role, participant or session: Rolle=role")
]


def _mapping(items: list[str] | None) -> dict[str, str]:
    mapping = {}
    for item in items or []:
        name, _, target = item.partition("=")
        if not name.strip() or target.strip().casefold() not in ("role", "participant", "session", "date", "group"):
            fail(f"--map {item!r}: write NAME=role (or participant, session, date, group)")
        mapping[name.strip()] = target.strip().casefold()
    return mapping


def _exchange_target(session: Session, project: str) -> Any:
    target = project_by_name(session, project)
    if target is None:
        raise NotFound(f"no project called {project!r}")
    return target


@export_cli.command("qdpx")
def export_qdpx(
    project: Annotated[str, typer.Option(help="project name")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the .qdpx file to write")],
) -> None:
    """The whole project as a REFI-QDA project (.qdpx); prints what the standard cannot carry."""
    from app.exchange.qdpx_export import export_project

    settings = Settings()
    with open_session(settings) as session:
        report = export_project(
            session, project=_exchange_target(session, project), path=output, schema_dir=settings.refi_schema_dir
        )
    typer.echo("\n".join(report.lines()))


@export_cli.command("codebook")
def export_codebook_command(
    project: Annotated[str, typer.Option(help="project name")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the .qdc file to write")],
) -> None:
    """The codebook (codes, and themes as sets of codes) as a REFI-QDA codebook (.qdc)."""
    from app.exchange.qdc import export_codebook

    settings = Settings()
    with open_session(settings) as session:
        report = export_codebook(
            session, project=_exchange_target(session, project), path=output, schema_dir=settings.refi_schema_dir
        )
    typer.echo("\n".join(report.lines()))


@import_cli.command("qdpx")
def import_qdpx(
    file: Annotated[Path, typer.Argument(help="a REFI-QDA project: .qdpx (or a bare .qde)")],
    project: Annotated[str, typer.Option(help="project name (created if new)")],
    mapping: Mapping = None,
    format: Format = "text",
) -> None:
    """Import a REFI-QDA project, all or nothing; prints every warning and what was not imported."""
    from app.exchange.archive import Limits
    from app.exchange.qdpx_import import Options, import_project

    settings = Settings()
    options = Options(
        Limits(settings.max_archive_bytes, settings.max_archive_files),
        schema_dir=settings.refi_schema_dir,
        mapping=_mapping(mapping),
        model=settings.spacy_model,
    )
    with open_session(settings) as session:
        user = ensure_user(session, name=settings.local_user)
        report = import_project(session, path=file, project_name=project, user=user, options=options)
    if format == "json":
        emit(report.as_json())
    else:
        typer.echo("\n".join(report.lines()))


@import_cli.command("codebook")
def import_codebook_command(
    file: Annotated[Path, typer.Argument(help="a REFI-QDA codebook (.qdc)")],
    project: Annotated[str, typer.Option(help="project name (created if new)")],
    format: Format = "text",
) -> None:
    """Import a REFI-QDA codebook (codes, and sets of codes as themes), all or nothing."""
    from app.exchange.qdc import import_codebook

    settings = Settings()
    with open_session(settings) as session:
        user = ensure_user(session, name=settings.local_user)
        report = import_codebook(
            session,
            path=file,
            project_name=project,
            user=user,
            max_bytes=settings.max_archive_bytes,
            schema_dir=settings.refi_schema_dir,
        )
    if format == "json":
        emit(report.as_json())
    else:
        typer.echo("\n".join(report.lines()))


@export_cli.command("codings")
def export_codings_command(
    project: Annotated[str, typer.Option(help="project name")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the file to write")],
    format: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
) -> None:
    """Every coding, one row each, with its metadata and themes: a tidy table for statistics."""
    from app.exchange.tidy import tidy_codings

    settings = Settings()
    with open_session(settings) as session:
        target = _exchange_target(session, project)
        write_file(output, tidy_codings(session, project_id=target.id, format=format))
    typer.echo(f"wrote {output}")


@cli.command("backup")
def backup_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="the file to write")],
    project: Annotated[str | None, typer.Option(help="back up this project (a .zip of every table's rows)")] = None,
    database: Annotated[bool, typer.Option("--database", help="copy the whole SQLite database instead")] = False,
) -> None:
    """A complete, versioned backup of one project (history included), or of the whole SQLite database."""
    from app.exchange.backup import backup_project, sqlite_copy

    settings = Settings()
    if database == (project is not None):
        fail("give either --project NAME or --database")
    with open_session(settings) as session:
        if database:
            sqlite_copy(session.get_bind(), output)  # type: ignore[arg-type]
            typer.echo(f"copied the whole database to {output}")
            return
        report = backup_project(session, project=_exchange_target(session, project or ""), path=output)
    typer.echo("\n".join(report.lines()))


@cli.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="a backup written by dyadic backup --project")],
    as_name: Annotated[str | None, typer.Option("--as", help="the restored project's name")] = None,
) -> None:
    """Restore a project backup as a new project (its name from the backup, or --as), all or nothing."""
    from app.exchange.archive import Limits
    from app.exchange.restore import restore_project

    settings = Settings()
    # A backup holds far more than a REFI-QDA file (turns, sentences, history): ten times its byte budget.
    limits = Limits(settings.max_archive_bytes * 10, 1000)
    with open_session(settings) as session:
        report = restore_project(session, path=file, limits=limits, name=as_name, user_name=settings.local_user)
    typer.echo("\n".join(report.lines()))
