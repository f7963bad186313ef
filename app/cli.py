"""The ``dyadic`` command. Every command exits non-zero with one line on stderr when the input is bad."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from app.db import make_engine, migrate
from app.settings import Settings
from transcripts.errors import DyadicError, NotFound
from transcripts.ingest import ImportReport, import_manifest
from transcripts.projects import create_project, ensure_user, project_by_name
from transcripts.study import list_transcripts, show_transcript

cli = typer.Typer(
    help="Dyadic: a workbench for dyadic thematic analysis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
project_cli = typer.Typer(help="Projects (studies).", no_args_is_help=True)
import_cli = typer.Typer(help="Import transcripts and other projects.", no_args_is_help=True)
transcripts_cli = typer.Typer(help="The transcripts of a project.", no_args_is_help=True)
cli.add_typer(project_cli, name="project")
cli.add_typer(import_cli, name="import")
cli.add_typer(transcripts_cli, name="transcripts")
themes_cli = typer.Typer(help="Themes and the frequency table.", no_args_is_help=True)
cli.add_typer(themes_cli, name="themes")

Format = Annotated[str, typer.Option("--format", help="json or text")]


def _session(settings: Settings) -> Session:
    migrate(settings.database_url)
    return Session(make_engine(settings.database_url), expire_on_commit=False)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the migrations if needed and serve the web app."""
    import uvicorn

    from app.main import create_app

    settings = Settings()
    migrate(settings.database_url)
    uvicorn.run(create_app(settings), host=host, port=port)


@cli.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="only when the database holds no project")] = False,
) -> None:
    """Create the demo IPR study (does nothing if it is there already)."""
    from app.demo import load_demo

    settings = Settings()
    with _session(settings) as session:
        project, created = load_demo(session, settings=settings, if_empty=if_empty)
    if project is None:
        typer.echo("the database holds projects already: no demo study added")
    else:
        typer.echo(f"{'created' if created else 'already there'}: project {project.name!r} (id {project.id})")


@cli.command("migrate")
def migrate_command() -> None:
    """Bring the database to the newest schema."""
    migrate(Settings().database_url)


@project_cli.command("create")
def project_create(name: str) -> None:
    """Create a project."""
    settings = Settings()
    with _session(settings) as session:
        user = ensure_user(session, name=settings.local_user)
        project = create_project(session, name=name, user=user)
    typer.echo(f"created project {project.name!r} (id {project.id})")


@import_cli.command("transcripts")
def import_transcripts(
    project: Annotated[str, typer.Option(help="project name (created if new)")],
    manifest: Annotated[Path, typer.Option(help="manifest CSV: file,dyad,role,participant,session,…")],
    format: Format = "text",
) -> None:
    """Import the transcripts a manifest names, all or nothing."""
    settings = Settings()
    with _session(settings) as session:
        user = ensure_user(session, name=settings.local_user)
        target = project_by_name(session, project) or create_project(session, name=project, user=user)
        report = import_manifest(
            session,
            project=target,
            manifest=manifest,
            user=user,
            max_bytes=settings.max_file_bytes,
            model=settings.spacy_model,
        )
    if format == "json":
        _emit([_file_json(f) for f in report.files])
    else:
        _print_report(report)


def _file_json(report: Any) -> dict[str, Any]:
    fields = (
        "file",
        "status",
        "row",
        "reason",
        "transcript_id",
        "format",
        "encoding",
        "speakers",
        "turns",
        "timestamps",
        "words",
        "notes",
    )
    return {name: getattr(report, name) for name in fields}


def _print_report(report: ImportReport) -> None:
    for f in report.files:
        if f.status == "skipped":
            typer.echo(f"skipped  {f.file}: {f.reason}")
            continue
        speakers = ", ".join(f"{label}={role}" for label, role in f.speakers.items()) or "none"
        typer.echo(
            f"imported {f.file}: {f.format}, {f.encoding or 'n/a'}; speakers {speakers}; {f.turns} turns, "
            f"{f.timestamps} time stamps, {f.words} words"
        )
        for note in f.notes:
            typer.echo(f"         ! {note}")
    typer.echo(f"{len(report.imported)} imported, {len(report.skipped)} skipped")


@transcripts_cli.command("list")
def transcripts_list(project: Annotated[str, typer.Option()], format: Format = "text") -> None:
    """One line (or JSON object) per transcript."""
    settings = Settings()
    with _session(settings) as session:
        target = project_by_name(session, project)
        if target is None:
            raise NotFound(f"no project called {project!r}")
        infos = list_transcripts(session, project_id=target.id)  # type: ignore[arg-type]
    if format == "json":
        _emit([info.as_json() for info in infos])
        return
    for i in infos:
        typer.echo(
            f"{i.id:>5}  {i.dyad:<10} {i.role:<11} {i.participant:<6} s{i.session}  {i.words:>6} words  {i.file}"
        )


@transcripts_cli.command("show")
def transcripts_show(transcript_id: int, format: Format = "text") -> None:
    """A transcript with its turns."""
    settings = Settings()
    with _session(settings) as session:
        view = show_transcript(session, transcript_id)
    if format == "json":
        _emit(view.as_json())
        return
    i = view.info
    typer.echo(f"{i.name} — {i.dyad}, {i.role} {i.participant}, session {i.session}; {i.words} words")
    for turn in view.turns:
        stamp = f"[{turn.timestamp:.1f}s] " if turn.timestamp is not None else ""
        typer.echo(f"{stamp}{turn.speaker or turn.role}: {turn.text}")


@cli.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="one or more words; all must occur in a sentence")],
    project: Annotated[str, typer.Option(help="project name")],
    dyad: Annotated[list[str] | None, typer.Option(help="only this dyad (repeatable)")] = None,
    role: Annotated[list[str] | None, typer.Option(help="only interviews of this role (repeatable)")] = None,
    session_number: Annotated[
        list[int] | None, typer.Option("--session", help="only this session (repeatable)")
    ] = None,
    group: Annotated[list[str] | None, typer.Option(help="only dyads of this group (repeatable)")] = None,
    speakers: Annotated[str, typer.Option(help="participants, or all (the interviewer too)")] = "participants",
    format: Format = "text",
) -> None:
    """Lemma-aware search of the speech ("trust" finds "trusted"): one hit per matching word."""
    from app.filters import clock
    from coding.search import search

    settings = Settings()
    with _session(settings) as session:
        target = project_by_name(session, project)
        if target is None:
            raise NotFound(f"no project called {project!r}")
        hits = search(
            session,
            project_id=target.id,  # type: ignore[arg-type]
            query=query,
            dyads=dyad,
            roles=role,
            sessions=session_number,
            groups=group,
            speakers=speakers,
            model=settings.spacy_model,
        )
    if format == "json":
        _emit([hit.as_json() for hit in hits])
        return
    for hit in hits:
        left = hit.left if len(hit.left) <= 50 else "…" + hit.left[-49:]
        right = hit.right if len(hit.right) <= 50 else hit.right[:49] + "…"
        typer.echo(
            f"{hit.label:<24} s{hit.session} {hit.speaker:<6} {clock(hit.timestamp):>8}  {left:>50}[{hit.text}]{right}"
        )
    transcripts = len({hit.transcript_id for hit in hits})
    typer.echo(f"{len(hits)} hits in {transcripts} transcripts (where the words occur, not what matters)")


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
        _fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    if format in BINARY_FORMATS and output is None:
        _fail(f"{format} is a binary format: give a file with -o FILE.{format}")
    settings = Settings()
    with _session(settings) as session:
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
        _fail(f"cannot write {output}: {exc.strerror}")
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
        _fail(check.summary())
    if accept and (check.unresolved or check.unacknowledged):
        user = ensure_user(session, name=settings.local_user)
        recorded = accept_all(session, check=check, user=user)
        typer.echo(f"recorded {recorded} acceptances as {user.name}", err=True)
    elif check.unacknowledged:
        typer.echo(check.warning(), err=True)
    return project_id


def _write(output: Path, content: str | bytes) -> None:
    try:
        if isinstance(content, str):
            output.write_text(content, encoding="utf-8")
        else:
            output.write_bytes(content)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")


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
        _fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    settings = Settings()
    with _session(settings) as session:
        project_id = _checked_export(session, settings, project, "report", accept)
        report = paper_report(session, project_id=project_id, model=settings.spacy_model)
    _write(output, render(report, format))
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
        _fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    settings = Settings()
    with _session(settings) as session:
        project_id = _checked_export(session, settings, project, "seminar", accept)
        pack = seminar_pack(
            session,
            project_id=project_id,
            prepared_by=prepared_by or settings.local_user,
            model=settings.spacy_model,
        )
    _write(output, render(pack, format))
    typer.echo(f"wrote the seminar pack ({len(pack.dyads)} dyads, {len(pack.themes)} themes) to {output}")


export_cli = typer.Typer(help="Export projects and codebooks (REFI-QDA).", no_args_is_help=True)
cli.add_typer(export_cli, name="export")
Mapping = Annotated[
    list[str] | None, typer.Option("--map", help="read a variable as role, participant or session: Rolle=role")
]


def _mapping(items: list[str] | None) -> dict[str, str]:
    mapping = {}
    for item in items or []:
        name, _, target = item.partition("=")
        if not name.strip() or target.strip().casefold() not in ("role", "participant", "session", "date", "group"):
            _fail(f"--map {item!r}: write NAME=role (or participant, session, date, group)")
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
    with _session(settings) as session:
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
    with _session(settings) as session:
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
    with _session(settings) as session:
        user = ensure_user(session, name=settings.local_user)
        report = import_project(session, path=file, project_name=project, user=user, options=options)
    if format == "json":
        _emit(report.as_json())
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
    with _session(settings) as session:
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
        _emit(report.as_json())
    else:
        typer.echo("\n".join(report.lines()))


@cli.command("agreement")
def agreement_command(
    project: Annotated[str, typer.Option(help="project name")],
    coders: Annotated[str, typer.Option(help="two or more coders' names, comma-separated: A,B[,C…]")],
    unit: Annotated[str, typer.Option(help="sentence, turn, character or transcript")] = "sentence",
    theta: Annotated[
        float | None, typer.Option(help="minimum share of a sentence or turn a coding must cover (default: any)")
    ] = None,
    codes: Annotated[str | None, typer.Option(help="only these codes (names, comma-separated)")] = None,
    format: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
) -> None:
    """Inter-coder agreement per code and all codes pooled, over the transcripts every coder has coded."""
    from coding.agreement_cli import agreement_rows

    if format not in ("json", "csv"):
        _fail(f"unknown format {format!r}; choose json or csv")
    settings = Settings()
    with _session(settings) as session:
        columns, rows = agreement_rows(session, project=project, coders=coders, unit=unit, theta=theta, codes=codes)
    if format == "json":
        _emit(rows)
        return
    import csv

    writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


@export_cli.command("codings")
def export_codings_command(
    project: Annotated[str, typer.Option(help="project name")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the file to write")],
    format: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
) -> None:
    """Every coding, one row each, with its metadata and themes: a tidy table for statistics."""
    from app.exchange.tidy import tidy_codings

    settings = Settings()
    with _session(settings) as session:
        target = _exchange_target(session, project)
        _write(output, tidy_codings(session, project_id=target.id, format=format))
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
        _fail("give either --project NAME or --database")
    with _session(settings) as session:
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
    with _session(settings) as session:
        report = restore_project(session, path=file, limits=limits, name=as_name, user_name=settings.local_user)
    typer.echo("\n".join(report.lines()))


def main() -> None:
    try:
        cli()
    except DyadicError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
