"""The ``dyadic`` command's groups and the helpers its commands share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from app.db import make_engine, migrate
from app.settings import Settings

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


export_cli = typer.Typer(help="Export projects and codebooks (REFI-QDA).", no_args_is_help=True)
cli.add_typer(export_cli, name="export")


def open_session(settings: Settings) -> Session:
    migrate(settings.database_url)
    return Session(make_engine(settings.database_url), expire_on_commit=False)


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def write_file(output: Path, content: str | bytes) -> None:
    try:
        if isinstance(content, str):
            output.write_text(content, encoding="utf-8")
        else:
            output.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
