"""Commands of phase 1 and 2: serving the app, the demo, projects, importing and listing transcripts, search."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.base import (
    Format,
    cli,
    emit,
    fail,
    import_cli,
    open_session,
    project_cli,
    transcripts_cli,
)
from app.db import migrate
from app.settings import Settings
from transcripts.errors import NotFound
from transcripts.ingest import ImportReport, import_manifest
from transcripts.projects import create_project, ensure_user, project_by_name
from transcripts.study import list_transcripts, show_transcript

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="server processes (team mode)")] = 1,
) -> None:
    """Run the migrations if needed and serve the web app (local mode: on this machine only)."""
    import uvicorn

    from app.cli.team import _serve_team
    from app.main import create_app

    settings = Settings()
    if settings.mode == "team":
        if problem := settings.team_problem():
            fail(problem)
        migrate(settings.database_url)
        _serve_team(settings, host=host, port=port, workers=workers)
        return
    if host not in LOOPBACK:
        fail("local mode has no login, so it serves this machine only (127.0.0.1); for a team, use DYADIC_MODE=team")
    migrate(settings.database_url)
    uvicorn.run(create_app(settings), host=host, port=port)


@cli.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="only when the database holds no project")] = False,
) -> None:
    """Create the demo IPR study (does nothing if it is there already)."""
    from app.demo import load_demo

    settings = Settings()
    with open_session(settings) as session:
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
    with open_session(settings) as session:
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
    with open_session(settings) as session:
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
        emit([_file_json(f) for f in report.files])
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
    with open_session(settings) as session:
        target = project_by_name(session, project)
        if target is None:
            raise NotFound(f"no project called {project!r}")
        infos = list_transcripts(session, project_id=target.id)  # type: ignore[arg-type]
    if format == "json":
        emit([info.as_json() for info in infos])
        return
    for i in infos:
        typer.echo(
            f"{i.id:>5}  {i.dyad:<10} {i.role:<11} {i.participant:<6} s{i.session}  {i.words:>6} words  {i.file}"
        )


@transcripts_cli.command("show")
def transcripts_show(transcript_id: int, format: Format = "text") -> None:
    """A transcript with its turns."""
    settings = Settings()
    with open_session(settings) as session:
        view = show_transcript(session, transcript_id)
    if format == "json":
        emit(view.as_json())
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
    with open_session(settings) as session:
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
        emit([hit.as_json() for hit in hits])
        return
    for hit in hits:
        left = hit.left if len(hit.left) <= 50 else "…" + hit.left[-49:]
        right = hit.right if len(hit.right) <= 50 else hit.right[:49] + "…"
        typer.echo(
            f"{hit.label:<24} s{hit.session} {hit.speaker:<6} {clock(hit.timestamp):>8}  {left:>50}[{hit.text}]{right}"
        )
    transcripts = len({hit.transcript_id for hit in hits})
    typer.echo(f"{len(hits)} hits in {transcripts} transcripts (where the words occur, not what matters)")
