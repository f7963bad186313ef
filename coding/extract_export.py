"""Coded extracts exported: a tidy table (CSV, XLSX) with one row per coding and all its metadata and
offsets, for R, Python or a spreadsheet; and a document (DOCX) to read and quote from, grouped by code.

Spreadsheet programs run a cell that starts with ``=`` (and, in CSV, ``+``, ``-``, ``@``) as a formula. A
coded passage is the participant's words, so it must never become one: in the CSV such a cell gets a
leading apostrophe, in the XLSX it is stored as a string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence

from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from coding.export import _xml
from coding.extracts import Extract
from coding.tree import counted

COLUMNS = (
    "project",
    "code",
    "code_path",
    "dyad",
    "group",
    "role",
    "participant",
    "session",
    "transcript",
    "turn",
    "speaker_role",
    "timestamp",
    "coder",
    "start",
    "end",
    "text",
    "memo",
    "coding_id",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {"text": 80, "memo": 40, "code_path": 30}  # characters; other columns fit their contents
_MAX_WIDTH = 30

Cell = str | int | float | None
# Further columns a caller adds (name → value of an extract), placed right after ``code_path``.
Extra = Mapping[str, Callable[[Extract], Cell]]
_AFTER = COLUMNS.index("code_path") + 1


def _columns(extra: Extra | None) -> tuple[str, ...]:
    return (*COLUMNS[:_AFTER], *(extra or {}), *COLUMNS[_AFTER:])


def _cells(extract: Extract, extra: Extra | None = None) -> list[Cell]:
    """One coding as a row of ``COLUMNS`` (and the ``extra`` columns): numbers stay numbers, the time stamp
    in seconds."""
    cells = _base_cells(extract)
    return [*cells[:_AFTER], *(value(extract) for value in (extra or {}).values()), *cells[_AFTER:]]


def _base_cells(extract: Extract) -> list[Cell]:
    return [
        extract.project,
        extract.code,
        extract.code_path,
        extract.dyad,
        extract.group,
        extract.role,
        extract.participant,
        extract.session,
        extract.transcript,
        extract.turn,
        extract.speaker_role,
        extract.timestamp,
        extract.coder,
        extract.start,
        extract.end,
        extract.text,
        extract.memo,
        extract.coding_id,
    ]


def _defused(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def extracts_csv(rows: Iterable[Extract], *, extra: Extra | None = None) -> str:
    """The extracts as CSV: a header of ``COLUMNS`` (with any ``extra`` columns after ``code_path``), then one
    row per coding (empty cells for what is missing: no group, no time stamp, a coder no longer in the team)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_columns(extra))
    for extract in rows:
        cells = _cells(extract, extra)
        writer.writerow(["" if v is None else _defused(v) if isinstance(v, str) else v for v in cells])
    return out.getvalue()


def extracts_xlsx(rows: Iterable[Extract], *, extra: Extra | None = None) -> bytes:
    """The extracts as one worksheet: a bold, frozen header row with a filter, one row per coding, the
    passages wrapped in a wide column (``extra`` columns after ``code_path``). Text is always stored as text,
    never as a formula."""
    columns = _columns(extra)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "Extracts"
    sheet.append(columns)
    widths = [len(name) for name in columns]
    for row, extract in enumerate(rows, start=2):
        for column, value in enumerate(_cells(extract, extra), start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, str):
                cell.value = _xml(value)
                cell.data_type = "s"  # openpyxl would otherwise take "=…" for a formula
            else:
                cell.value = value
            widths[column - 1] = max(widths[column - 1], len(str(value)))
    for column, name in enumerate(columns, start=1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = _WIDTHS.get(name, min(widths[column - 1], _MAX_WIDTH) + 2)
    wrap = Alignment(wrap_text=True, vertical="top")
    for name in ("text", "memo"):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=columns.index(name) + 1, max_col=columns.index(name) + 1):
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def clock(seconds: float) -> str:
    """62.5 → ``00:01:02``."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _by_code(rows: Iterable[Extract]) -> list[list[Extract]]:
    """The extracts in groups of one code each, in the codebook's order; each group in study order."""
    groups: dict[int, list[Extract]] = {}
    for extract in rows:
        groups.setdefault(extract.code_id, []).append(extract)
    return sorted(groups.values(), key=lambda group: (group[0].code_rank, group[0].code_id))


def describe(rows: Sequence[Extract]) -> str:
    """``37 extracts from 5 dyads``: how much material there is and how many cases it comes from."""
    return f"{counted(len(rows), 'extract')} from {counted(len({e.dyad_id for e in rows}), 'dyad')}"


def extracts_docx(rows: Sequence[Extract], title: str) -> bytes:
    """The extracts to read and quote from: a title, then a section per code (in the codebook's order),
    each extract as a quotation followed by its quote label, session, time stamp, coder and memo."""
    document = Document()
    document.core_properties.title = _xml(title)[:255]
    document.add_heading(_xml(title), level=0)
    document.add_paragraph(f"{describe(rows)}. Quote labels name the speaker's role and dyad.")
    if not rows:
        document.add_paragraph("No coded extracts match.")
    # The quote style by id, set on each paragraph directly: python-docx looks a style name up among all
    # styles on every call, which made a document of a few thousand extracts take half a minute.
    quote = document.styles["Quote"].style_id
    for group in _by_code(rows):
        first = group[0]
        document.add_heading(_xml(first.code), level=1)
        about = document.add_paragraph().add_run(f"{_xml(first.code_path)} · {describe(group)}")
        about.font.size = Pt(9)
        for extract in group:
            document.add_paragraph(_xml(extract.text))._p.style = quote
            details = [extract.label, f"session {extract.session}"]
            if extract.timestamp is not None:
                details.append(clock(extract.timestamp))
            details.append(f"coded by {extract.coder}" if extract.coder else "coder no longer in the team")
            source = document.add_paragraph()
            source.add_run(_xml(" · ".join(details)))
            source.add_run(f"  [{_xml(extract.transcript)}, {extract.start}–{extract.end}]").font.size = Pt(8)
            if extract.memo:
                memo = document.add_paragraph()
                memo.add_run("Memo: ").bold = True
                memo.add_run(_xml(extract.memo)).italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
