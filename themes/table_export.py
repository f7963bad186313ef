"""The frequency table written out: CSV (the contract of DESIGN.md §6), Markdown, XLSX, DOCX and LaTeX.

CSV and XLSX are data: the contract's columns, a theme's name repeated on its subthemes' rows. Markdown,
DOCX and LaTeX are for reading: subthemes indented under their theme, and a caption saying that the counts
audit where a theme comes from — they do not rank themes by importance.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from themes.errors import InvalidInput
from themes.frequency import CAPTION, FrequencyTable

TEXT_FORMATS = ("csv", "md", "tex")
BINARY_FORMATS = ("xlsx", "docx")
FORMATS = (*TEXT_FORMATS, *BINARY_FORMATS)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _caption(table: FrequencyTable) -> str:
    what = "distinct coded passages" if table.cells == "count" else "roles (C client, T therapist, I interpreter)"
    sessions = f" Interviews about session {', '.join(map(str, table.sessions))} only." if table.sessions else ""
    return f"{CAPTION} Cells: {what}; n = dyads contributing, of {len(table.dyads)}.{sessions}"


def table_csv(table: FrequencyTable) -> str:
    """``theme,subtheme,<dyad labels>,n_dyads``, one row per theme followed by its subthemes' rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.header())
    for row in table.rows:
        writer.writerow(table.values(row))
    return out.getvalue()


def _md_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table_md(table: FrequencyTable) -> str:
    """A pipe table: the theme's name on its own row, subthemes on theirs (the theme column left empty)."""
    header = table.header()
    lines = [
        "| " + " | ".join(_md_cell(cell) for cell in header) + " |",
        "|" + "|".join([" --- ", " --- ", *[" :-: "] * (len(header) - 3), " --: "]) + "|",
    ]
    for row in table.rows:
        values = table.values(row)
        if row.depth:
            values[0] = ""
        lines.append("| " + " | ".join(_md_cell(value) for value in values) + " |")
    return "\n".join(lines) + f"\n\n{_caption(table)}\n"


def table_xlsx(table: FrequencyTable) -> bytes:
    """A worksheet with the CSV's columns (counts as numbers), the header frozen, the caption below."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Frequency table"
    sheet.append(table.header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values: list[str | int] = list(table.values(row))
        numbers = len(values) - 2 - len(table.dyads)
        if table.cells == "count":
            values[2 : 2 + len(table.dyads)] = [cell.count for cell in row.cells]
        values[len(values) - numbers :] = [int(v) for v in values[len(values) - numbers :]]
        sheet.append([_NOT_XML.sub("", v) if isinstance(v, str) else v for v in values])
    for column in sheet.iter_cols(min_col=3, max_col=len(table.header())):
        for cell in column:
            cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "C2"
    sheet.append([])
    sheet.append([_caption(table)])
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _display(table: FrequencyTable) -> tuple[list[str], list[list[str]]]:
    """Header and rows for reading: one ``Theme`` column (subthemes indented), dyads, ``n/N``."""
    header = ["Theme", *(dyad.label for dyad in table.dyads), "n/N"]
    body = []
    for row in table.rows:
        cells = [cell.value(table.cells) for cell in row.cells]
        body.append([row.name, *cells, f"{row.n_dyads}/{len(table.dyads)}"])
    return header, body


def table_docx(table: FrequencyTable, *, title: str = "Frequency table") -> bytes:
    """A Word document: a heading, a real table with a header row (subthemes indented), and the caption."""
    document = Document()
    if len(table.dyads) > 6:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(_NOT_XML.sub("", title), level=1)
    header, body = _display(table)
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for cell, value in zip(grid.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(_NOT_XML.sub("", value)).bold = True
    # the header row repeats on every page the table spans
    grid.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row, values in zip(table.rows, body, strict=True):
        cells = grid.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(_NOT_XML.sub("", value))
            if index == 0 and row.depth:
                paragraph.paragraph_format.left_indent = Pt(12 * row.depth)
            elif index == 0:
                run.bold = True
    caption = document.add_paragraph(_caption(table))
    caption.style = document.styles["Caption"]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX = re.compile("|".join(re.escape(ch) for ch in _TEX_SPECIALS))


def tex_escape(value: str) -> str:
    """Text safe inside a LaTeX document (the ten special characters escaped)."""
    return _TEX.sub(lambda match: _TEX_SPECIALS[match.group()], value.replace("\n", " "))


def table_tex(table: FrequencyTable) -> str:
    """A booktabs table (``\\toprule``, ``\\midrule``, ``\\bottomrule``; needs ``\\usepackage{booktabs}``),
    subthemes indented, the caption above."""
    header, body = _display(table)
    columns = "l" + "c" * len(table.dyads) + "r"
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{tex_escape(_caption(table))}}}",
        rf"\begin{{tabular}}{{{columns}}}",
        r"\toprule",
        " & ".join(tex_escape(cell) for cell in header) + r" \\",
        r"\midrule",
    ]
    for row, values in zip(table.rows, body, strict=True):
        name = tex_escape(values[0])
        name = r"\quad " * row.depth + name
        lines.append(" & ".join([name, *(tex_escape(v) for v in values[1:])]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def render(table: FrequencyTable, format: str) -> str | bytes:
    """The table in ``format`` (csv, md, tex: text; xlsx, docx: bytes)."""
    writers: dict[str, Callable[[FrequencyTable], str | bytes]] = {
        "csv": table_csv,
        "md": table_md,
        "tex": table_tex,
        "xlsx": table_xlsx,
        "docx": table_docx,
    }
    if format not in writers:
        raise InvalidInput(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    return writers[format](table)
