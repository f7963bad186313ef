"""The inter-coder agreement command (opt-in per project)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from app.cli.base import (
    cli,
    emit,
    fail,
    open_session,
)
from app.settings import Settings


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
        fail(f"unknown format {format!r}; choose json or csv")
    settings = Settings()
    with open_session(settings) as session:
        columns, rows = agreement_rows(session, project=project, coders=coders, unit=unit, theta=theta, codes=codes)
    if format == "json":
        emit(rows)
        return
    import csv

    writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
