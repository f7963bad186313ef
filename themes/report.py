"""The paper's theme table (phase 6, "producing the report"): each theme that is not discarded, its subthemes,
their definitions, how many dyads contributed ("n/N", from the frequency table), and one to three of the
extracts the team chose to illustrate it, each labelled like "(therapist, dyad 10)" from metadata — as DOCX
(a real table), Markdown and LaTeX (booktabs).

A theme with no chosen extract gets none, and the table says so: quotes are the team's choice, never filled
in by the program. The pseudonymisation check runs first (``themes.pseudonyms``): the table is built only
when every possible identifier in its quotes is replaced or accepted, and replacements are written into the
exported quotes only. Each theme's row is a section for the partner-adjacency warning.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.shared import Pt
from sqlmodel import Session

from themes.errors import InvalidInput
from themes.frequency import frequency_table
from themes.pseudonyms import Check, ExportQuote, check_quotes, refuse_if_blocked
from themes.quotes import QuoteSource, quote_sources
from themes.table_export import tex_escape
from themes.tree import flatten, theme_extract_ids, theme_tree
from transcripts.projects import get_project

FORMATS = ("docx", "md", "tex")
MAX_QUOTES = 3
NO_QUOTE = "no quote chosen"
EXPORT_KIND = "report"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class ReportQuote:
    coding_id: int
    text: str  # as exported: replacements applied, white space collapsed
    label: str


@dataclass(slots=True)
class ReportRow:
    """A theme's row (``subtheme`` empty) or one of its subthemes' (``theme`` then names the parent)."""

    theme_id: int
    theme: str
    subtheme: str
    depth: int
    definition: str
    n_dyads: int
    quotes: list[ReportQuote] = field(default_factory=list)
    more_chosen: int = 0  # chosen extracts beyond the first MAX_QUOTES, left out

    @property
    def name(self) -> str:
        return self.subtheme or self.theme


@dataclass(slots=True)
class PaperReport:
    project: str
    dyads: int  # N: every dyad of the study
    rows: list[ReportRow]
    check: Check

    def caption(self) -> str:
        return (
            f"Themes and subthemes with the number of dyads (n/N, N = {self.dyads}) that contributed coded extracts, "
            "and illustrative quotes. The counts show where a theme comes from, not how important it is."
        )


def _chosen(session: Session, project_id: int) -> list[tuple[int, list[int]]]:
    """Each live theme's chosen extracts (coding ids), in tree order and the team's order."""
    return [
        (node.theme.id or 0, theme_extract_ids(session, theme_id=node.theme.id or 0))
        for node in flatten(theme_tree(session, project_id=project_id, include_discarded=False))
    ]


def report_quotes(session: Session, *, project_id: int) -> list[ExportQuote]:
    """The quotes the theme table will contain, in its order; each theme's row is one section."""
    chosen = _chosen(session, project_id)
    sources = quote_sources(session, (coding_id for _, ids in chosen for coding_id in ids[:MAX_QUOTES]))
    return [
        ExportQuote(sources[coding_id], f"theme:{theme_id}")
        for theme_id, ids in chosen
        for coding_id in ids[:MAX_QUOTES]
        if coding_id in sources
    ]


def check_report(session: Session, *, project_id: int, model: str | None = None) -> Check:
    """The pseudonymisation check of the theme table's quotes."""
    get_project(session, project_id)
    quotes = report_quotes(session, project_id=project_id)
    return check_quotes(session, project_id=project_id, export_kind=EXPORT_KIND, quotes=quotes, model=model)


def exported(check: Check, source: QuoteSource) -> str:
    """A quote's text as an export prints it: replacements applied, white space collapsed to single spaces."""
    return " ".join(check.exported_text(source).split())


def paper_report(session: Session, *, project_id: int, model: str | None = None) -> PaperReport:
    """The theme table, once the check lets it through (``ExportBlocked`` otherwise, one line)."""
    project = get_project(session, project_id)
    check = check_report(session, project_id=project_id, model=model)
    refuse_if_blocked(check)
    table = frequency_table(session, project_id=project_id)
    nodes = {
        node.theme.id: node for node in flatten(theme_tree(session, project_id=project_id, include_discarded=False))
    }
    chosen = dict(_chosen(session, project_id))
    sources = quote_sources(session, (coding_id for ids in chosen.values() for coding_id in ids[:MAX_QUOTES]))
    rows = []
    for row in table.rows:
        ids = chosen.get(row.theme_id, [])
        quotes = [
            ReportQuote(coding_id, exported(check, sources[coding_id]), sources[coding_id].label)
            for coding_id in ids[:MAX_QUOTES]
            if coding_id in sources
        ]
        rows.append(
            ReportRow(
                row.theme_id,
                row.theme,
                row.name if row.depth else "",
                row.depth,
                " ".join(nodes[row.theme_id].theme.definition.split()),
                row.n_dyads,
                quotes,
                max(0, len(ids) - MAX_QUOTES),
            )
        )
    return PaperReport(project.name, len(table.dyads), rows, check)


# --- writers ---------------------------------------------------------------------------------------------

HEADER = ("Theme", "Subtheme", "Definition", "n/N", "Illustrative quotes")


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def report_docx(report: PaperReport) -> bytes:
    """A Word document: a heading, one real table (header row repeated on each page), the caption."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(_clean(f"Themes · {report.project}"), level=1)
    grid = document.add_table(rows=1, cols=len(HEADER))
    grid.style = "Table Grid"
    for cell, value in zip(grid.rows[0].cells, HEADER, strict=True):
        cell.paragraphs[0].add_run(value).bold = True
    grid.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in report.rows:
        cells = grid.add_row().cells
        if row.depth:
            cells[1].paragraphs[0].add_run(_clean(row.subtheme))
        else:
            cells[0].paragraphs[0].add_run(_clean(row.theme)).bold = True
        cells[2].paragraphs[0].add_run(_clean(row.definition))
        cells[3].paragraphs[0].add_run(f"{row.n_dyads}/{report.dyads}")
        quotes = cells[4]
        if not row.quotes:
            quotes.paragraphs[0].add_run(NO_QUOTE).italic = True
        for index, quote in enumerate(row.quotes):
            paragraph = quotes.paragraphs[0] if index == 0 else quotes.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(4)
            paragraph.add_run(_clean(f"“{quote.text}” "))
            paragraph.add_run(quote.label).italic = True
    caption = document.add_paragraph(report.caption())
    caption.style = document.styles["Caption"]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _md(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def report_md(report: PaperReport) -> str:
    """A pipe table (quotes separated by ``<br>``), then the caption."""
    lines = [
        f"# Themes · {_md(report.project)}",
        "",
        "| " + " | ".join(HEADER) + " |",
        "| --- | --- | --- | --: | --- |",
    ]
    for row in report.rows:
        quotes = "<br>".join(f"“{_md(quote.text)}” *{_md(quote.label)}*" for quote in row.quotes) or f"*{NO_QUOTE}*"
        cells = [
            "" if row.depth else _md(row.theme),
            _md(row.subtheme),
            _md(row.definition),
            f"{row.n_dyads}/{report.dyads}",
            quotes,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + f"\n\n{report.caption()}\n"


def report_tex(report: PaperReport) -> str:
    """A booktabs table (needs ``\\usepackage{booktabs}``) with wrapping paragraph columns, the caption above;
    every value escaped."""
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{tex_escape(report.caption())}}}",
        r"\begin{tabular}{p{2.6cm}p{2.6cm}p{4.2cm}cp{6.4cm}}",
        r"\toprule",
        " & ".join(HEADER).replace("n/N", r"\textit{n}/\textit{N}") + r" \\",
        r"\midrule",
    ]
    for row in report.rows:
        quotes = r" \newline ".join(
            f"``{tex_escape(quote.text)}'' \\textit{{{tex_escape(quote.label)}}}" for quote in row.quotes
        )
        cells = [
            "" if row.depth else tex_escape(row.theme),
            tex_escape(row.subtheme),
            tex_escape(row.definition),
            f"{row.n_dyads}/{report.dyads}",
            quotes or rf"\textit{{{NO_QUOTE}}}",
        ]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def render(report: PaperReport, format: str) -> str | bytes:
    """The theme table in ``format``: docx (bytes), md or tex (text)."""
    writers: dict[str, Callable[[PaperReport], str | bytes]] = {
        "docx": report_docx,
        "md": report_md,
        "tex": report_tex,
    }
    if format not in writers:
        raise InvalidInput(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    return writers[format](report)
