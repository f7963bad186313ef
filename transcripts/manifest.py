"""The study manifest: a CSV naming each transcript file's dyad, role, participant and session.

Header required: ``file,dyad,role,participant,session``; optional ``date`` and ``group``; any other
column is a participant attribute. Rows are numbered as a spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from transcripts.errors import ImportRefused
from transcripts.formats.decode import decode

REQUIRED = ("file", "dyad", "role", "participant", "session")
OPTIONAL = ("date", "group")


@dataclass(frozen=True, slots=True)
class ManifestRow:
    row: int
    file: str
    dyad: str
    role: str
    participant: str
    session: int
    date: date | None = None
    group: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    def where(self) -> str:
        return f"manifest row {self.row} ({self.file})"


def read_manifest(data: bytes, *, filename: str = "manifest") -> list[ManifestRow]:
    """Every row of the manifest, or a refusal naming the first bad row and what is wrong with it."""
    text, _ = decode(data, filename=filename)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [column.strip().lower() for column in next(reader, [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportRefused(f"{filename}: the header lacks {', '.join(missing)} (it needs {','.join(REQUIRED)})")
    duplicates = {column for column in header if header.count(column) > 1}
    if duplicates:
        raise ImportRefused(f"{filename}: the header names {', '.join(sorted(duplicates))} twice")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise ImportRefused(f"{filename}: row {number} has {len(cells)} cells, the header {len(header)}")
        values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        rows.append(_row(number, values, filename))
    if not rows:
        raise ImportRefused(f"{filename}: the manifest names no files")
    return rows


def _row(number: int, values: dict[str, str], filename: str) -> ManifestRow:
    where = f"{filename}: row {number}"
    for column in REQUIRED:
        if not values.get(column):
            raise ImportRefused(f"{where}: the {column} is empty")
    try:
        session = int(values["session"])
    except ValueError:
        raise ImportRefused(
            f"{where} ({values['file']}): session {values['session']!r} is not a whole number"
        ) from None
    if session < 0:
        raise ImportRefused(f"{where} ({values['file']}): session {session} is negative")
    when = None
    if values.get("date"):
        try:
            when = date.fromisoformat(values["date"])
        except ValueError:
            raise ImportRefused(f"{where} ({values['file']}): date {values['date']!r} is not YYYY-MM-DD") from None
    attributes = {column: value for column, value in values.items() if column not in REQUIRED + OPTIONAL and value}
    return ManifestRow(
        row=number,
        file=values["file"],
        dyad=values["dyad"],
        role=values["role"].lower(),
        participant=values["participant"],
        session=session,
        date=when,
        group=values.get("group") or None,
        attributes=attributes,
    )
