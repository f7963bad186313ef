"""The ``dyadic`` command. Every command exits non-zero with one line on stderr when the input is bad.

The commands live by subject: ``study`` (serve, demo, projects, transcripts, search), ``themes`` (the
frequency table, report, seminar pack), ``exchange`` (REFI-QDA, tidy codings, backup, restore) and
``agreement``, ``team`` (accounts, the team demo); ``base`` holds the command groups and shared helpers.
"""

from __future__ import annotations

import sys

import typer

# isort: off
# Importing the modules registers their commands, in this order in `dyadic --help`.
from app.cli import study, themes, exchange, agreement  # noqa: F401
from app.cli import tokens  # noqa: F401
from app.cli import team  # noqa: F401

# isort: on
from app.cli.base import cli
from transcripts.errors import DyadicError


def main() -> None:
    try:
        cli()
    except DyadicError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
