"""Commands of phases 3–6: the frequency table, the paper report and the seminar pack (behind the
pseudonymisation check)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from app.cli.base import (
    cli,
    fail,
    open_session,
    themes_cli,
    write_file,
)
from app.settings import Settings
from transcripts.errors import NotFound
from transcripts.projects import ensure_user, project_by_name


@themes_cli.command("table")
def themes_table(
    project: Annotated[str, typer.Option(help="project name")],
    format: Annotated[str, typer.Option("--format", help="csv, md, tex (text) or xlsx, docx (need -o)")] = "csv",
    cells: Annotated[str, typer.Option(help="role (initials C, T, I) or count (distinct coded passages)")] = "role",
    session_number: Annotated[
        list[int] | None, typer.Option("--session", help="only interviews about this session (repeatable)")
    ] = None,
    by_group: Annotated[bool, typer.Option("--by-group", help="dyad columns in bands by dyad group")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write to this file")] = None,
) -> None:
    """The frequency table: which dyads (and roles) contributed coded extracts to each theme (DESIGN §6)."""
    from themes.frequency import frequency_table
    from themes.table_export import BINARY_FORMATS, FORMATS, render

    if format not in FORMATS:
        fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    if format in BINARY_FORMATS and output is None:
        fail(f"{format} is a binary format: give a file with -o FILE.{format}")
    settings = Settings()
    with open_session(settings) as session:
        target = project_by_name(session, project)
        if target is None:
            raise NotFound(f"no project called {project!r}")
        table = frequency_table(
            session,
            project_id=target.id,  # type: ignore[arg-type]
            cells=cells,
            sessions=session_number,
            by_group=by_group,
        )
    content = render(table, format)
    if output is None:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
        return
    try:
        if isinstance(content, str):
            output.write_text(content, encoding="utf-8")
        else:
            output.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    typer.echo(f"wrote the frequency table ({len(table.rows)} rows, {len(table.dyads)} dyads) to {output}")


AcceptAll = Annotated[
    bool,
    typer.Option("--accept-all", help="accept every possible identifier the check finds (recorded as yours)"),
]


def _checked_export(session: Session, settings: Settings, project: str, kind: str, accept: bool) -> int:
    """The project's id once the pseudonymisation check lets its ``kind`` of export through: with unresolved
    findings, refuse in one line, unless ``--accept-all`` records acceptances as the local user."""
    from themes.pseudonyms import accept_all
    from themes.report import check_report
    from themes.seminar import check_seminar

    target = project_by_name(session, project)
    if target is None:
        raise NotFound(f"no project called {project!r}")
    project_id: int = target.id  # type: ignore[assignment]
    check = (check_report if kind == "report" else check_seminar)(
        session, project_id=project_id, model=settings.spacy_model
    )
    if check.blocked and not accept:
        fail(check.summary())
    if accept and (check.unresolved or check.unacknowledged):
        user = ensure_user(session, name=settings.local_user)
        recorded = accept_all(session, check=check, user=user)
        typer.echo(f"recorded {recorded} acceptances as {user.name}", err=True)
    elif check.unacknowledged:
        typer.echo(check.warning(), err=True)
    return project_id


@cli.command("report")
def report_command(
    project: Annotated[str, typer.Option(help="project name")],
    format: Annotated[str, typer.Option("--format", help="docx, md or tex")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the file to write")],
    accept: AcceptAll = False,
) -> None:
    """The paper's theme table: theme, subtheme, definition, n/N dyads, chosen quotes with their labels."""
    from themes.report import FORMATS, paper_report, render

    if format not in FORMATS:
        fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    settings = Settings()
    with open_session(settings) as session:
        project_id = _checked_export(session, settings, project, "report", accept)
        report = paper_report(session, project_id=project_id, model=settings.spacy_model)
    write_file(output, render(report, format))
    quotes = sum(len(row.quotes) for row in report.rows)
    typer.echo(f"wrote the theme table ({len(report.rows)} rows, {quotes} quotes) to {output}")


@cli.command("seminar")
def seminar_command(
    project: Annotated[str, typer.Option(help="project name")],
    format: Annotated[str, typer.Option("--format", help="docx or html")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the file to write")],
    prepared_by: Annotated[str | None, typer.Option(help="the name on the title page (default: you)")] = None,
    accept: AcceptAll = False,
) -> None:
    """The review-seminar pack: overview grid, one section per dyad, initial themes, the frequency table."""
    from themes.seminar import FORMATS, render, seminar_pack

    if format not in FORMATS:
        fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    settings = Settings()
    with open_session(settings) as session:
        project_id = _checked_export(session, settings, project, "seminar", accept)
        pack = seminar_pack(
            session,
            project_id=project_id,
            prepared_by=prepared_by or settings.local_user,
            model=settings.spacy_model,
        )
    write_file(output, render(pack, format))
    typer.echo(f"wrote the seminar pack ({len(pack.dyads)} dyads, {len(pack.themes)} themes) to {output}")
