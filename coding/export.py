"""The codebook on paper and in a spreadsheet: a CSV with one row per code, and a printed codebook (DOCX).

Counts describe what each code marks in the data (an audit of coverage, not a measure of importance):
in the CSV each code's own codings, so that the column adds up; in the DOCX a code with subcodes also
shows its counts with them.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from sqlmodel import Session

from coding.codebook import COLOUR
from coding.tree import CodeNode, Counts, code_tree, counted, flatten
from transcripts.projects import get_project

CSV_COLUMNS = (
    "path",
    "name",
    "parent",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "codings",
    "transcripts",
    "dyads",
)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def codebook_csv(session: Session, *, project_id: int) -> str:
    """The codebook as CSV, one row per code in the order of the tree: its path (``Relationship > Trust``),
    name, parent, definition, criteria, example, colour, and its own codings, transcripts and dyads."""
    get_project(session, project_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for node in flatten(code_tree(session, project_id=project_id)):
        code = node.code
        parent = node.path.rsplit(" > ", 1)[0] if node.depth else ""
        writer.writerow(
            [
                node.path,
                code.name,
                parent,
                code.definition,
                code.inclusion,
                code.exclusion,
                code.example,
                code.colour,
                node.own.codings,
                node.own.transcripts,
                node.own.dyads,
            ]
        )
    return out.getvalue()


def _describe(counts: Counts) -> str:
    if not counts.codings:
        return "no codings yet"
    return (
        f"{counted(counts.codings, 'coding')} in {counted(counts.transcripts, 'transcript')} "
        f"of {counted(counts.dyads, 'dyad')}"
    )


def _xml(text: str) -> str:
    """Word's XML cannot hold control characters (a code imported from elsewhere might)."""
    return _NOT_XML.sub("", text)


def _labelled(document: DocxDocument, label: str, text: str, *, italic: bool = False) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(_xml(text)).italic = italic
    return paragraph


def _section(document: DocxDocument, node: CodeNode) -> None:
    code = node.code
    heading = document.add_heading(level=min(node.depth + 1, 9))
    if COLOUR.fullmatch(code.colour):
        swatch = heading.add_run("■ ")
        swatch.font.color.rgb = RGBColor.from_string(code.colour[1:].upper())
    heading.add_run(_xml(code.name))
    if node.depth:
        path = document.add_paragraph().add_run(_xml(node.path))
        path.font.size = Pt(9)
    if code.definition:
        _labelled(document, "Definition", code.definition)
    else:
        missing = document.add_paragraph().add_run("No definition yet.")
        missing.italic = True
        missing.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if code.inclusion:
        _labelled(document, "Include when", code.inclusion)
    if code.exclusion:
        _labelled(document, "Exclude when", code.exclusion)
    if code.example:
        _labelled(document, "Example", code.example, italic=True)
    coverage = _describe(node.own)
    if node.children:
        coverage += f"; with its subcodes {_describe(node.total)}"
    _labelled(document, "Coded", coverage)


def codebook_docx(session: Session, *, project_id: int) -> bytes:
    """The printed codebook: a title, then one section per top-level code with its subcodes nested beneath
    it, each with its definition, inclusion and exclusion criteria, example and counts."""
    project = get_project(session, project_id)
    tree = code_tree(session, project_id=project_id)
    document = Document()
    document.core_properties.title = _xml(f"Codebook — {project.name}")[:255]
    document.add_heading(_xml(f"Codebook — {project.name}"), level=0)
    nodes = list(flatten(tree))
    intro = (
        f"{counted(len(tree), 'top-level code')}, {counted(len(nodes), 'code')} in all; "
        f"as of {date.today():%d %B %Y}. Counts say which data each code marks, not how important it is."
    )
    document.add_paragraph(intro)
    if not nodes:
        document.add_paragraph("The codebook is empty.")
    for node in nodes:
        _section(document, node)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
