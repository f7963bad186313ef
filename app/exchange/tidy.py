"""Tidy exports for statistics: every coding of a project, one row each, as CSV or XLSX.

The rows are the coded extracts of all codes (``coding.extracts``: project, dyad, group, role, participant,
session, transcript, turn, time stamp, code path, coder, offsets, text, memo), written by
``coding.extract_export``'s writers, with one more column: ``themes``, the themes (and subthemes, as
``Theme::Subtheme``) that hold the coding's code, joined by "; " in the themes' order. Discarded themes are
left out.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session

from app.exchange.sets import path_name, project_themes
from coding.extract_export import extracts_csv, extracts_xlsx
from coding.extracts import extracts
from transcripts.errors import InvalidInput

FORMATS = ("csv", "xlsx")


def themes_by_code(session: Session, *, project_id: int) -> dict[int, str]:
    """Code id → the names of the live themes it belongs to, joined by "; "."""
    themes, members = project_themes(session, project_id)  # tree order, discarded themes left out
    by_id = {theme.id: theme for theme in themes}
    names: dict[int, list[str]] = defaultdict(list)
    for theme in themes:
        for code_id in members.get(theme.id or 0, []):
            names[code_id].append(path_name(theme, by_id))
    return {code_id: "; ".join(dict.fromkeys(found)) for code_id, found in names.items()}


def tidy_codings(session: Session, *, project_id: int, format: str) -> str | bytes:
    """Every coding of the project, one row each, with its themes: CSV text or XLSX bytes."""
    if format not in FORMATS:
        raise InvalidInput(f"unknown format {format!r}: choose csv or xlsx")
    rows = extracts(session, project_id=project_id)
    themes = themes_by_code(session, project_id=project_id)
    extra = {"themes": lambda extract: themes.get(extract.code_id, "")}
    return extracts_csv(rows, extra=extra) if format == "csv" else extracts_xlsx(rows, extra=extra)
