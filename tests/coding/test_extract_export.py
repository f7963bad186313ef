"""Coded extracts exported, and read back as a researcher's tools would: the CSV with the csv module, the XLSX
with openpyxl, the DOCX with python-docx. A passage that looks like a formula must stay text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlmodel import Session

from coding.extract_export import COLUMNS, extracts_csv, extracts_docx, extracts_xlsx
from coding.extracts import Extract, ExtractFilters, extracts
from tests.coding.extract_study import CodedStudy, coded_study


@pytest.fixture
def coded(session: Session, tmp_path: Path) -> CodedStudy:
    return coded_study(session, tmp_path)


@pytest.fixture
def rows(session: Session, coded: CodedStudy) -> list[Extract]:
    return extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters())


def test_the_csv_is_tidy_one_row_per_coding_with_all_metadata(coded: CodedStudy, rows: list[Extract]) -> None:
    table = list(csv.reader(io.StringIO(extracts_csv(rows))))

    assert tuple(table[0]) == COLUMNS == (
        "project", "code", "code_path", "dyad", "group", "role", "participant", "session", "transcript", "turn",
        "speaker_role", "timestamp", "coder", "start", "end", "text", "memo", "coding_id",
    )  # fmt: skip
    records = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [int(r["coding_id"]) for r in records] == [e.coding_id for e in rows]
    trusted = next(r for r in records if r["coding_id"] == str(coded.codings["c2_trusted"].id))
    assert trusted == {
        "project": "IPR study", "code": "Trust", "code_path": "Relationship > Trust", "dyad": "Dyad 2",
        "group": "good outcome", "role": "client", "participant": "C2", "session": "3",
        "transcript": rows[1].transcript, "turn": "1", "speaker_role": "client", "timestamp": "12.5",
        "coder": "Ana", "start": str(coded.codings["c2_trusted"].start), "end": str(coded.codings["c2_trusted"].end),
        "text": "trusted", "memo": "", "coding_id": str(coded.codings["c2_trusted"].id),
    }  # fmt: skip
    safe = next(r for r in records if r["coding_id"] == str(coded.codings["c2_safe"].id))
    assert (safe["text"], int(safe["start"]), int(safe["end"])) == ("safe 🙏", safe_start(rows), safe_start(rows) + 6)


def safe_start(rows: list[Extract]) -> int:
    return next(e.start for e in rows if e.text == "safe 🙏")


def test_the_csv_defuses_cells_that_would_run_as_formulas(coded: CodedStudy, rows: list[Extract]) -> None:
    records = list(csv.DictReader(io.StringIO(extracts_csv(rows))))
    formula = next(r for r in records if r["coding_id"] == str(coded.codings["c2_formula"].id))

    assert formula["text"] == "'=SUM(A1)"
    assert formula["memo"] == "'@check"
    # other text is left as it was
    assert next(r for r in records if r["coding_id"] == str(coded.codings["c10_heard"].id))["memo"] == "a first"


def test_the_xlsx_has_a_bold_frozen_header_and_one_row_per_coding(coded: CodedStudy, rows: list[Extract]) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(extracts_xlsx(rows)))
    sheet = workbook.active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))

    assert values[0] == COLUMNS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert len(values) == 1 + len(rows)
    records = [dict(zip(COLUMNS, row, strict=True)) for row in values[1:]]
    trusted = next(r for r in records if r["coding_id"] == coded.codings["c2_trusted"].id)
    assert (trusted["session"], trusted["turn"], trusted["timestamp"], trusted["start"]) == (
        3, 1, 12.5, coded.codings["c2_trusted"].start,
    )  # fmt: skip
    assert (trusted["text"], trusted["memo"], trusted["code_path"]) == ("trusted", None, "Relationship > Trust")
    assert sheet.column_dimensions["P"].width > sheet.column_dimensions["H"].width  # text is wide, session narrow


def test_the_xlsx_keeps_formula_lookalikes_as_text(coded: CodedStudy, rows: list[Extract]) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(extracts_xlsx(rows))).active
    assert sheet is not None
    text_column = COLUMNS.index("text") + 1
    cells = [row[text_column - 1] for row in sheet.iter_rows(min_row=2)]
    formula = next(cell for cell in cells if cell.value == "=SUM(A1)")

    assert formula.data_type == "s"  # a string, not a formula ("f")
    memo = sheet.cell(row=formula.row, column=COLUMNS.index("memo") + 1)
    assert (memo.value, memo.data_type) == ("@check", "s")


def test_the_docx_groups_extracts_by_code_each_quote_with_its_label(coded: CodedStudy, rows: list[Extract]) -> None:
    document = docx.Document(io.BytesIO(extracts_docx(rows, "Coded extracts — IPR study")))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]

    assert paragraphs[0] == ("Title", "Coded extracts — IPR study")
    assert paragraphs[1][1].startswith("7 extracts from 2 dyads")
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["Relationship", "Trust", "Silence"]  # the codebook's order
    quotes = [text for style, text in paragraphs if style == "Quote"]
    assert quotes[:1] == ["heard"]
    assert quotes[1:5] == ["stop the recording", "trusted", "safe 🙏", "trusting"]  # Trust, in study order
    texts = [text for _, text in paragraphs]
    after_trusted = texts[texts.index("trusted") + 1]
    assert after_trusted.startswith("(client, dyad 2) · session 3 · 00:00:12 · coded by Ana")
    after_question = texts[texts.index("stop the recording") + 1]
    assert after_question.startswith("(interviewer, dyad 2) · session 3 · 00:00:04 · coded by Ben")
    after_heard = texts[texts.index("heard") + 1 : texts.index("heard") + 3]
    assert after_heard[0].startswith("(client, dyad 10) · session 3 · 00:00:21 · coded by Ben")
    assert after_heard[1] == "Memo: a first"


def test_exports_of_nothing_are_still_well_formed() -> None:
    assert list(csv.reader(io.StringIO(extracts_csv([])))) == [list(COLUMNS)]
    sheet = openpyxl.load_workbook(io.BytesIO(extracts_xlsx([]))).active
    assert sheet is not None and list(sheet.iter_rows(values_only=True)) == [COLUMNS]
    document = docx.Document(io.BytesIO(extracts_docx([], "Coded extracts")))
    assert "No coded extracts match." in [p.text for p in document.paragraphs]
