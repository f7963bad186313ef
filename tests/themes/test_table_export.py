"""The frequency table written out, read back: XLSX with openpyxl, DOCX with python-docx, LaTeX checked for
balanced environments, booktabs rules and escaping, Markdown for its pipes. Built by hand: no database."""

from __future__ import annotations

import io
import re

from docx import Document
from openpyxl import load_workbook

from themes.frequency import CAPTION, Band, Cell, DyadColumn, FrequencyTable, Row
from themes.table_export import render, table_csv, table_docx, table_md, table_tex, table_xlsx, tex_escape

DYADS = [DyadColumn(1, "Dyad 2", "good"), DyadColumn(2, "Dyad 10", "poor")]


def table(cells: str = "role", *, bands: bool = False) -> FrequencyTable:
    rows = [
        Row(10, "Trust & 100% safety_net", "", 0, (1, 2)),
        Row(11, "Trust & 100% safety_net", "Silence {#1} ~ ^ $x\\y", 1, (2,)),
        Row(12, "Pipes | here", "", 0, (3,)),
    ]
    rows[0].cells = [Cell(1, (1, 2), ("client", "therapist", "interpreter"), 4), Cell(2, (1, 2), ("client",), 1)]
    rows[1].cells = [Cell(1, (2,), ("therapist",), 2), Cell(2, (2,))]
    rows[2].cells = [Cell(1, (3,)), Cell(2, (3,))]
    band_list = [Band("good", (DYADS[0],)), Band("poor", (DYADS[1],))] if bands else None
    return FrequencyTable(1, cells, (3,), list(DYADS), rows, band_list)


def test_csv_is_the_contract() -> None:
    assert table_csv(table()).splitlines() == [
        "theme,subtheme,Dyad 2,Dyad 10,n_dyads",
        "Trust & 100% safety_net,,C+T+I,C,2",
        "Trust & 100% safety_net,Silence {#1} ~ ^ $x\\y,T,,1",
        "Pipes | here,,,,0",
    ]
    assert table_csv(table("count", bands=True)).splitlines()[:2] == [
        "theme,subtheme,Dyad 2,Dyad 10,n_dyads (good),n_dyads (poor),n_dyads",
        "Trust & 100% safety_net,,4,1,1,1,2",
    ]


def test_markdown_pipe_table_with_escaped_pipes_and_the_caption() -> None:
    lines = table_md(table()).splitlines()
    assert lines[:5] == [
        "| theme | subtheme | Dyad 2 | Dyad 10 | n_dyads |",
        "| --- | --- | :-: | :-: | --: |",
        "| Trust & 100% safety_net |  | C+T+I | C | 2 |",
        "|  | Silence {#1} ~ ^ $x\\\\y | T |  | 1 |",
        "| Pipes \\| here |  |  |  | 0 |",
    ]
    assert lines[-1].startswith(CAPTION) and "session 3" in lines[-1]
    assert all(line.count("|") - line.count("\\|") == 6 for line in lines[:5])


def test_xlsx_reads_back_with_numbers_where_there_are_numbers() -> None:
    sheet = load_workbook(io.BytesIO(table_xlsx(table("count")))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("theme", "subtheme", "Dyad 2", "Dyad 10", "n_dyads")
    assert rows[1] == ("Trust & 100% safety_net", None, 4, 1, 2)
    assert rows[3] == ("Pipes | here", None, 0, 0, 0)
    assert str(rows[-1][0]).startswith(CAPTION)
    assert sheet.freeze_panes == "C2"
    roles = load_workbook(io.BytesIO(table_xlsx(table()))).active
    assert roles is not None
    assert [c.value for c in roles[3]] == ["Trust & 100% safety_net", "Silence {#1} ~ ^ $x\\y", "T", None, 1]


def test_docx_is_a_real_table_with_a_header_row_indented_subthemes_and_the_caption() -> None:
    document = Document(io.BytesIO(table_docx(table(), title="IPR study: frequency table")))
    assert document.paragraphs[0].text == "IPR study: frequency table"
    grid = document.tables[0]
    assert [[cell.text for cell in row.cells] for row in grid.rows] == [
        ["Theme", "Dyad 2", "Dyad 10", "n/N"],
        ["Trust & 100% safety_net", "C+T+I", "C", "2/2"],
        ["Silence {#1} ~ ^ $x\\y", "T", "", "1/2"],
        ["Pipes | here", "", "", "0/2"],
    ]
    assert all(run.bold for cell in grid.rows[0].cells for run in cell.paragraphs[0].runs)
    assert grid.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # repeated as the header on every page
    subtheme = grid.rows[2].cells[0].paragraphs[0]
    assert subtheme.paragraph_format.left_indent is not None and subtheme.paragraph_format.left_indent > 0
    assert grid.rows[1].cells[0].paragraphs[0].paragraph_format.left_indent is None
    caption = [p for p in document.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert len(caption) == 1 and "not a measure of its importance" in caption[0].text


def test_latex_is_a_balanced_booktabs_table_with_specials_escaped() -> None:
    tex = table_tex(table())
    assert tex.count(r"\begin{table}") == tex.count(r"\end{table}") == 1
    assert tex.count(r"\begin{tabular}{lccr}") == tex.count(r"\end{tabular}") == 1
    rules = [line for line in tex.splitlines() if line in (r"\toprule", r"\midrule", r"\bottomrule")]
    assert rules == [r"\toprule", r"\midrule", r"\bottomrule"]
    body = tex.split("\\midrule\n")[1].split("\\bottomrule")[0].splitlines()
    assert body == [
        r"Trust \& 100\% safety\_net & C+T+I & C & 2/2 \\",
        r"\quad Silence \{\#1\} \textasciitilde{} \textasciicircum{} \$x\textbackslash{}y & T &  & 1/2 \\",
        r"Pipes | here &  &  & 0/2 \\",
    ]
    # every row has as many cells as the tabular has columns, and braces balance once escapes are removed
    for line in body:
        assert len(re.split(r"(?<!\\)&", line)) == 4
    unescaped = re.sub(r"\\[{}]", "", tex)
    assert unescaped.count("{") == unescaped.count("}")
    assert tex_escape("50% of $5 & #1_a") == r"50\% of \$5 \& \#1\_a"


def test_render_picks_the_writer() -> None:
    assert render(table(), "csv") == table_csv(table())
    assert isinstance(render(table(), "docx"), bytes)
