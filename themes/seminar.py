"""The review-seminar pack (DESIGN.md §1): what a first author takes to the team's seminar — a title page, the
study overview grid (dyads × sessions × roles), then one section per dyad (its participants and their roles
and pseudonym IDs, the sessions, the dyad memos, selected quotes and longer excerpts with quote labels and
time stamps), then the initial themes with their definitions and member codes, then the frequency table.
As DOCX and as a standalone HTML document with print CSS (no scripts).

A dyad's quotes are the extracts the team chose for themes that come from this dyad; when there are fewer
than ``MAX_QUOTES`` of them, the dyad's coded extracts fill up (codes of live themes first, the participants
taken in turn, in study order), so that every section stays short. The pseudonymisation check runs first, as
for the paper (its decisions are the seminar's own: the pack stays within the team).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from sqlmodel import Session, col, select

from coding.extracts import Extract, ExtractFilters, extracts
from coding.models import Code
from themes.errors import InvalidInput
from themes.frequency import CAPTION, FrequencyTable, frequency_table
from themes.pseudonyms import Check, ExportQuote, check_quotes, refuse_if_blocked
from themes.quotes import QuoteSource, clock, quote_sources
from themes.tree import ThemeNode, flatten, theme_extract_ids, theme_tree
from transcripts.models import Dyad, Participant
from transcripts.order import natural_key, role_key
from transcripts.projects import get_project
from transcripts.reading import memos
from transcripts.study import overview

FORMATS = ("docx", "html")
MAX_QUOTES = 6  # per dyad
EXCERPT_CHARS = 280  # a passage at least this long is shown as an excerpt, not a quote
EXPORT_KIND = "seminar"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class SeminarQuote:
    coding_id: int
    text: str  # as exported: replacements applied
    label: str
    participant: str
    session: int
    time: str  # hh:mm:ss of the turn, or empty
    why: str  # "theme: …" for a chosen extract, "code: …" for one filled in

    @property
    def excerpt(self) -> bool:
        return len(self.text) >= EXCERPT_CHARS

    def details(self) -> str:
        """``(client, dyad 10) · C10 · session 3 · 00:00:12 · theme: Trust``."""
        parts = [self.label, self.participant, f"session {self.session}", self.time, self.why]
        return " · ".join(part for part in parts if part)


@dataclass(slots=True)
class DyadSection:
    label: str
    group: str | None
    participants: list[tuple[str, str]]  # (pseudonym ID, role), in role order
    sessions: list[int]
    memos: list[tuple[str, str]]  # (author, text)
    quotes: list[SeminarQuote] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ThemeEntry:
    name: str
    depth: int
    status: str
    concept: str
    definition: str
    codes: list[str]
    n_dyads: int


@dataclass(slots=True)
class SeminarPack:
    project: str
    prepared_by: str
    on: date
    columns: list[tuple[int, str]]  # (session, role) of the overview grid
    grid: list[tuple[str, list[str]]]  # dyad label, one cell per column
    dyads: list[DyadSection]
    themes: list[ThemeEntry]
    table: FrequencyTable
    check: Check

    def table_rows(self) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """The frequency table for reading: ``Theme, <dyads>, n/N``; each row with its depth."""
        header = ["Theme", *(dyad.label for dyad in self.table.dyads), "n/N"]
        rows = [
            (
                row.depth,
                [row.name, *(cell.value("role") for cell in row.cells), f"{row.n_dyads}/{len(self.table.dyads)}"],
            )
            for row in self.table.rows
        ]
        return header, rows

    def table_caption(self) -> str:
        return (
            f"{CAPTION} Cells: roles (C client, T therapist, I interpreter); n = dyads contributing, "
            f"of {len(self.table.dyads)}."
        )


# --- which quotes ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pick:
    source: QuoteSource
    why: str


def _live_nodes(session: Session, project_id: int) -> list[ThemeNode]:
    return list(flatten(theme_tree(session, project_id=project_id, include_discarded=False)))


def _picks(session: Session, project_id: int, nodes: list[ThemeNode]) -> dict[int, list[_Pick]]:
    """Each dyad's quotes (by dyad id): chosen extracts of live themes, then coded extracts to fill up."""
    chosen: dict[int, list[str]] = defaultdict(list)  # coding id → theme names, in tree order
    for node in nodes:
        for coding_id in theme_extract_ids(session, theme_id=node.theme.id or 0):
            chosen[coding_id].append(node.theme.name)
    sources = quote_sources(session, chosen)
    picks: dict[int, list[_Pick]] = defaultdict(list)
    for coding_id, names in chosen.items():
        source = sources.get(coding_id)
        if source is not None and len(picks[source.dyad_id]) < MAX_QUOTES:
            picks[source.dyad_id].append(_Pick(source, "theme: " + "; ".join(names)))
    theme_codes = {code_id for node in nodes for code_id in node.code_ids}
    dyad_ids = session.exec(select(Dyad.id).where(Dyad.project_id == project_id)).all()
    for dyad_id in dyad_ids:
        taken = picks[dyad_id or 0]
        if len(taken) >= MAX_QUOTES:
            continue
        found = extracts(session, project_id=project_id, filters=ExtractFilters(dyad_ids=(dyad_id or 0,)))
        fill = _fill(found, theme_codes, {(p.source.transcript_id, p.source.start, p.source.end) for p in taken})
        extra = quote_sources(session, (extract.coding_id for extract in fill[: MAX_QUOTES - len(taken)]))
        for extract in fill[: MAX_QUOTES - len(taken)]:
            taken.append(_Pick(extra[extract.coding_id], f"code: {extract.code_path}"))
    return picks


def _fill(found: list[Extract], theme_codes: set[int], passages: set[tuple[int, int, int]]) -> list[Extract]:
    """Coded extracts to fill a dyad's section: each passage once, codes of live themes first, the
    participants taken in turn (client, therapist …), each in study order."""
    queues: dict[tuple[bool, str], list[Extract]] = defaultdict(list)
    seen = set(passages)
    for extract in found:
        passage = (extract.transcript_id, extract.start, extract.end)
        if passage in seen or not extract.text.strip():
            continue
        seen.add(passage)
        queues[(extract.code_id not in theme_codes, extract.participant)].append(extract)
    ordered: list[Extract] = []
    for outside in (False, True):
        lanes = [queues[key] for key in sorted(queues) if key[0] == outside]
        while any(lanes):
            for lane in lanes:
                if lane:
                    ordered.append(lane.pop(0))
    return ordered


def seminar_quotes(session: Session, *, project_id: int) -> list[ExportQuote]:
    """The quotes the seminar pack will contain, dyad by dyad (dyad sections are not checked for partner
    adjacency: there the partners sit together on purpose)."""
    picks = _picks(session, project_id, _live_nodes(session, project_id))
    return [ExportQuote(pick.source, None) for dyad_id in _dyad_order(session, project_id) for pick in picks[dyad_id]]


def _dyad_order(session: Session, project_id: int) -> list[int]:
    dyads = session.exec(select(Dyad).where(Dyad.project_id == project_id)).all()
    return [dyad.id or 0 for dyad in sorted(dyads, key=lambda dyad: natural_key(dyad.label))]


def check_seminar(session: Session, *, project_id: int, model: str | None = None) -> Check:
    """The pseudonymisation check of the seminar pack's quotes."""
    get_project(session, project_id)
    quotes = seminar_quotes(session, project_id=project_id)
    return check_quotes(session, project_id=project_id, export_kind=EXPORT_KIND, quotes=quotes, model=model)


# --- the pack --------------------------------------------------------------------------------------------


def seminar_pack(
    session: Session, *, project_id: int, prepared_by: str, on: date | None = None, model: str | None = None
) -> SeminarPack:
    """The seminar pack, once the check lets it through (``ExportBlocked`` otherwise, one line)."""
    project = get_project(session, project_id)
    check = check_seminar(session, project_id=project_id, model=model)
    refuse_if_blocked(check)
    nodes = _live_nodes(session, project_id)
    picks = _picks(session, project_id, nodes)
    grid = overview(session, project=project, user=None)
    columns = [(number, role) for number in grid.sessions for role in grid.roles]
    rows = []
    for row in grid.rows:
        cells = []
        for key in columns:
            cell = row.cells.get(key)
            cells.append(f"{cell.transcript.participant} ({cell.transcript.words:,} words)" if cell else "—")
        rows.append((row.dyad.label + (f" ({row.dyad.group})" if row.dyad.group else ""), cells))
    sections = []
    for row in grid.rows:
        dyad = row.dyad
        people = session.exec(select(Participant).where(Participant.dyad_id == dyad.id)).all()
        section = DyadSection(
            dyad.label,
            dyad.group,
            [(p.pseudonym, p.role) for p in sorted(people, key=lambda p: (role_key(p.role), natural_key(p.pseudonym)))],
            sorted({number for number, _ in row.cells}),
            [(author, memo.body) for memo, author in memos(session, dyad_id=dyad.id)],
        )
        for pick in picks.get(dyad.id or 0, []):
            source = pick.source
            section.quotes.append(
                SeminarQuote(
                    source.coding_id,
                    check.exported_text(source).strip(),
                    source.label,
                    source.participant,
                    source.session,
                    clock(source.timestamp),
                    pick.why,
                )
            )
        sections.append(section)
    table = frequency_table(session, project_id=project_id)
    n_dyads = {row.theme_id: row.n_dyads for row in table.rows}
    code_names = _code_names(session, (code_id for node in nodes for code_id in node.code_ids))
    themes = [
        ThemeEntry(
            node.theme.name,
            node.depth,
            node.theme.status,
            node.theme.central_concept,
            node.theme.definition,
            [code_names[code_id] for code_id in node.code_ids if code_id in code_names],
            n_dyads.get(node.theme.id or 0, 0),
        )
        for node in nodes
    ]
    return SeminarPack(project.name, prepared_by, on or date.today(), columns, rows, sections, themes, table, check)


def _code_names(session: Session, code_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(code_ids))
    if not ids:
        return {}
    return {
        code_id or 0: name for code_id, name in session.exec(select(Code.id, Code.name).where(col(Code.id).in_(ids)))
    }


# --- DOCX ------------------------------------------------------------------------------------------------


def _x(value: str) -> str:
    return _NOT_XML.sub("", value)


def _docx_table(
    document: DocxDocument, header: list[str], rows: list[list[str]], indent: list[int] | None = None
) -> None:
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for cell, value in zip(grid.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(_x(value)).bold = True
    grid.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for index, values in enumerate(rows):
        cells = grid.add_row().cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            depth = indent[index] if indent else 0
            text = ("    " * depth + value) if column == 0 else value
            run = cell.paragraphs[0].add_run(_x(text))
            run.bold = column == 0 and not depth


def seminar_docx(pack: SeminarPack) -> bytes:
    """The pack as a Word document: title page, overview grid, dyads, themes, the frequency table (on a
    landscape page of its own)."""
    document = Document()
    document.add_paragraph(_x(pack.project), style="Title")
    document.add_paragraph("Review seminar pack", style="Subtitle")
    document.add_paragraph(f"Date: {pack.on.isoformat()}")
    document.add_paragraph(_x(f"Prepared by: {pack.prepared_by}"))
    document.add_paragraph(
        f"{len(pack.dyads)} dyads · {len(pack.themes)} themes and subthemes · quotes pseudonymised and checked"
    )
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    document.add_heading("Study overview", level=1)
    header = ["Dyad", *(f"Session {number} · {role}" for number, role in pack.columns)]
    _docx_table(document, header, [[label, *cells] for label, cells in pack.grid])

    document.add_heading("Dyads", level=1)
    for section in pack.dyads:
        document.add_heading(_x(section.label + (f" ({section.group})" if section.group else "")), level=2)
        people = ", ".join(f"{pseudonym} ({role})" for pseudonym, role in section.participants)
        document.add_paragraph(_x(f"Participants: {people or 'none'}"))
        sessions = ", ".join(map(str, section.sessions))
        document.add_paragraph(f"Sessions: {sessions or 'no interviews yet'}")
        for author, text in section.memos:
            paragraph = document.add_paragraph()
            paragraph.add_run(_x(f"Memo ({author}): ")).bold = True
            paragraph.add_run(_x(text))
        if not section.quotes:
            document.add_paragraph("No quotes: nothing from this dyad is coded yet.").runs[0].italic = True
        for quote in section.quotes:
            style = "Intense Quote" if quote.excerpt else "Quote"
            document.add_paragraph(_x(quote.text), style=style)
            document.add_paragraph().add_run(_x(quote.details())).italic = True

    document.add_heading("Initial themes", level=1)
    if not pack.themes:
        document.add_paragraph("No themes yet.")
    for theme in pack.themes:
        document.add_heading(_x(theme.name), level=3 if theme.depth else 2)
        document.add_paragraph(
            f"{'Subtheme' if theme.depth else 'Theme'} · {theme.status} · {theme.n_dyads}/{len(pack.table.dyads)} dyads"
        ).runs[0].italic = True
        for label, value in (("Central organising concept", theme.concept), ("Definition", theme.definition)):
            if value:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(_x(value))
        paragraph = document.add_paragraph()
        paragraph.add_run("Codes: ").bold = True
        paragraph.add_run(_x(", ".join(theme.codes) or "none"))

    landscape = document.add_section(WD_SECTION.NEW_PAGE)
    landscape.orientation = WD_ORIENT.LANDSCAPE
    landscape.page_width, landscape.page_height = landscape.page_height, landscape.page_width
    document.add_heading("Frequency table", level=1)
    header, rows = pack.table_rows()
    _docx_table(document, header, [values for _, values in rows], [depth for depth, _ in rows])
    document.add_paragraph(pack.table_caption(), style="Caption")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- HTML ------------------------------------------------------------------------------------------------

PRINT_CSS = """
@page { size: A4; margin: 2cm; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 11pt; line-height: 1.45; color: #111;
       max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1, h2, h3 { font-family: "Helvetica Neue", Arial, sans-serif; line-height: 1.2; }
.title-page { min-height: 60vh; display: flex; flex-direction: column; justify-content: center; }
.title-page h1 { font-size: 2.4em; margin-bottom: 0.2em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
thead th { background: #eee; }
td.depth-1 { padding-left: 1.8em; }
blockquote { margin: 0.8em 0 0.2em; padding: 0.3em 0.9em; border-left: 3px solid #888; }
blockquote.excerpt { border-left-width: 6px; background: #f6f6f6; }
.details, .muted, caption { color: #444; font-style: italic; font-size: 0.9em; }
caption { caption-side: bottom; text-align: left; padding-top: 0.4em; }
.memo { border: 1px dashed #bbb; padding: 0.4em 0.8em; white-space: pre-wrap; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  .title-page, section.part { break-after: page; page-break-after: always; }
  section.dyad + section.dyad { break-before: page; page-break-before: always; }
  blockquote, .details, tr, .memo { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
}
"""


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {key.rstrip("_"): value for key, value in attrs.items()})
    if text is not None:
        element.text = _x(text)
    return element


def _html_table(
    parent: ET.Element, header: list[str], rows: list[list[str]], *, depths: list[int] | None = None
) -> ET.Element:
    table = _el(parent, "table")
    row = _el(_el(table, "thead"), "tr")
    for value in header:
        _el(row, "th", value, scope="col")
    body = _el(table, "tbody")
    for index, values in enumerate(rows):
        row = _el(body, "tr")
        for column, value in enumerate(values):
            if column == 0:
                depth = depths[index] if depths else 0
                _el(row, "th", value, scope="row", **({"class_": f"depth-{depth}"} if depth else {}))
            else:
                _el(row, "td", value)
    return table


def seminar_html(pack: SeminarPack) -> str:
    """The pack as one standalone HTML document: inline print CSS, no scripts, no outside resources."""
    html = ET.Element("html", {"lang": "en"})
    head = _el(html, "head")
    _el(head, "meta", charset="utf-8")
    _el(head, "title", f"Review seminar pack · {pack.project}")
    _el(head, "style", PRINT_CSS)
    body = _el(html, "body")

    title = _el(body, "section", class_="title-page")
    _el(title, "h1", pack.project)
    _el(title, "p", "Review seminar pack", class_="subtitle")
    _el(title, "p", f"Date: {pack.on.isoformat()}", class_="date")
    _el(title, "p", f"Prepared by: {pack.prepared_by}", class_="prepared-by")

    part = _el(body, "section", class_="part", id="overview")
    _el(part, "h2", "Study overview")
    header = ["Dyad", *(f"Session {number} · {role}" for number, role in pack.columns)]
    _html_table(part, header, [[label, *cells] for label, cells in pack.grid])

    part = _el(body, "section", class_="part", id="dyads")
    _el(part, "h2", "Dyads")
    for index, section in enumerate(pack.dyads):
        block = _el(part, "section", class_="dyad", id=f"dyad-{index + 1}")
        _el(block, "h3", section.label + (f" ({section.group})" if section.group else ""))
        people = _el(block, "ul", class_="participants")
        for pseudonym, role in section.participants:
            _el(people, "li", f"{pseudonym} ({role})")
        _el(block, "p", f"Sessions: {', '.join(map(str, section.sessions)) or 'no interviews yet'}")
        for author, text in section.memos:
            memo = _el(block, "div", class_="memo")
            _el(memo, "strong", f"Memo ({author}): ").tail = _x(text)
        if not section.quotes:
            _el(block, "p", "No quotes: nothing from this dyad is coded yet.", class_="muted")
        for quote in section.quotes:
            figure = _el(block, "figure", class_="quote")
            _el(figure, "blockquote", quote.text, class_="excerpt" if quote.excerpt else "quote")
            _el(figure, "figcaption", quote.details(), class_="details")

    part = _el(body, "section", class_="part", id="themes")
    _el(part, "h2", "Initial themes")
    if not pack.themes:
        _el(part, "p", "No themes yet.", class_="muted")
    for theme in pack.themes:
        block = _el(part, "section", class_="theme")
        _el(block, "h4" if theme.depth else "h3", theme.name)
        kind = "Subtheme" if theme.depth else "Theme"
        _el(block, "p", f"{kind} · {theme.status} · {theme.n_dyads}/{len(pack.table.dyads)} dyads", class_="muted")
        fields = _el(block, "dl")
        for label, value in (
            ("Central organising concept", theme.concept),
            ("Definition", theme.definition),
            ("Codes", ", ".join(theme.codes) or "none"),
        ):
            if value:
                _el(fields, "dt", label)
                _el(fields, "dd", value)

    part = _el(body, "section", id="frequency-table")
    _el(part, "h2", "Frequency table")
    header, rows = pack.table_rows()
    table = _html_table(part, header, [values for _, values in rows], depths=[depth for depth, _ in rows])
    caption = ET.Element("caption")
    caption.text = pack.table_caption()
    table.insert(0, caption)
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="html") + "\n"


def render(pack: SeminarPack, format: str) -> str | bytes:
    """The pack in ``format``: docx (bytes) or html (text)."""
    writers: dict[str, Callable[[SeminarPack], str | bytes]] = {"docx": seminar_docx, "html": seminar_html}
    if format not in writers:
        raise InvalidInput(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    return writers[format](pack)
