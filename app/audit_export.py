"""The audit log (as filtered on its page) as CSV and XLSX: one row per event, newest first.

Cells are neutralised as in the coded-extract downloads (``coding/extract_export.py``): a person's name, a
code's name or a memo could start with ``=``, and a spreadsheet must never run it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.audit_sentences import AuditLine, kind_label
from coding.export import _xml
from coding.extract_export import _defused

COLUMNS = ("id", "when", "when_utc", "who", "action", "kind", "thing_id", "what", "before", "after")
_WIDTHS = {"when": 20, "when_utc": 26, "who": 16, "action": 22, "kind": 14, "what": 80, "before": 40, "after": 40}

Cell = str | int | None


def _cells(line: AuditLine) -> list[Cell]:
    row = line.row
    return [
        row.id,
        line.when.strftime("%Y-%m-%d %H:%M:%S"),
        row.at.isoformat(),
        line.who,
        row.action,
        kind_label(row.entity),
        row.entity_id,
        line.sentence,
        json.dumps(row.before, ensure_ascii=False, sort_keys=True) if row.before else "",
        json.dumps(row.after, ensure_ascii=False, sort_keys=True) if row.after else "",
    ]


def audit_csv(lines: Iterable[AuditLine]) -> str:
    """The events as CSV (a header of ``COLUMNS``); text that a spreadsheet would run gets an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(["" if v is None else _defused(v) if isinstance(v, str) else v for v in _cells(line)])
    return out.getvalue()


def audit_xlsx(lines: Iterable[AuditLine]) -> bytes:
    """The events as one worksheet with a bold, frozen header and a filter; text is always stored as text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "Audit log"
    sheet.append(COLUMNS)
    for row, line in enumerate(lines, start=2):
        for column, value in enumerate(_cells(line), start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, str):
                cell.value = _xml(value)
                cell.data_type = "s"  # openpyxl would otherwise take "=…" for a formula
            else:
                cell.value = value
    for column, name in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(name, 10)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
