"""The paper's theme table, read back: DOCX through python-docx, Markdown's table shape, LaTeX's balance
and escaping."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session

from tests.themes.export_study import C2_NO, T10_TRUST, ExportStudy, build
from themes.pseudonyms import accept_all, add_pseudonym, decide
from themes.report import NO_QUOTE, check_report, paper_report, render
from transcripts.errors import InvalidInput


@pytest.fixture
def s(session: Session, tmp_path: Path) -> ExportStudy:
    study = build(session, tmp_path / "study")
    add_pseudonym(session, project_id=study.pid, user=study.ana, term="Maria", replacement="[partner]")
    check = check_report(session, project_id=study.pid)
    decide(session, check=check, coding_id=check.findings[0].coding_id, term="maria", decision="replaced",
           user=study.ana)  # fmt: skip
    return study


MARIA_OUT = "Here, when [partner] went quiet. I trusted her then, like back in Leeds."


def test_rows_quotes_labels_and_counts(s: ExportStudy) -> None:
    report = paper_report(s.session, project_id=s.pid)
    assert report.dyads == 2
    assert [(r.theme, r.subtheme, r.n_dyads) for r in report.rows] == [
        ("Trust & safety", "", 2),
        ("Trust & safety", "Saying no", 1),
        ("Silence", "", 1),
    ]  # the discarded "Old idea" is left out
    assert [(q.text, q.label) for q in report.rows[0].quotes] == [
        (MARIA_OUT, "(client, dyad 10)"),
        (T10_TRUST, "(therapist, dyad 10)"),
    ]
    assert [(q.text, q.label) for q in report.rows[1].quotes] == [(C2_NO, "(client, dyad 2)")]
    assert report.rows[2].quotes == []  # none chosen: none shown


def test_docx_is_a_real_table(s: ExportStudy) -> None:
    document = Document(io.BytesIO(render(paper_report(s.session, project_id=s.pid), "docx")))  # type: ignore[arg-type]
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Theme", "Subtheme", "Definition", "n/N", "Illustrative quotes"]
    assert rows[1][:4] == ["Trust & safety", "", "Feeling safe enough to trust the other: 50% of it is_silence.", "2/2"]
    assert rows[1][4] == f"“{MARIA_OUT}” (client, dyad 10)\n“{T10_TRUST}” (therapist, dyad 10)"
    assert rows[2][:2] == ["", "Saying no"]
    assert rows[3][0] == "Silence" and rows[3][4] == NO_QUOTE
    assert "Maria" not in "".join(cell for row in rows for cell in row)


def test_markdown_table_shape(s: ExportStudy) -> None:
    md = render(paper_report(s.session, project_id=s.pid), "md")
    assert isinstance(md, str)
    lines = [line for line in md.splitlines() if line.startswith("|")]
    assert lines[0] == "| Theme | Subtheme | Definition | n/N | Illustrative quotes |"
    assert re.fullmatch(r"\|( -+:? \|)+", lines[1].replace(" --: ", " --- "))
    cells = [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines]
    assert {len(row) for row in cells} == {5}
    assert cells[3][1].strip() == "Saying no"
    assert f"“{MARIA_OUT}” *(client, dyad 10)*<br>" in lines[2]
    assert cells[4][4].strip() == f"*{NO_QUOTE}*"


def test_latex_is_balanced_and_escaped(s: ExportStudy) -> None:
    tex = render(paper_report(s.session, project_id=s.pid), "tex")
    assert isinstance(tex, str)
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") == 1
    assert tex.count(r"\begin{table}") == tex.count(r"\end{table}") == 1
    order = [tex.index(mark) for mark in (r"\toprule", r"\midrule", r"\bottomrule")]
    assert order == sorted(order)
    body = tex[tex.index(r"\midrule") : tex.index(r"\bottomrule")].splitlines()[1:]
    assert all(line.endswith(r" \\") and line.count(" & ") == 4 for line in body)
    assert r"Trust \& safety" in tex and r"50\% of it is\_silence" in tex
    assert r"``That I could say no \& it was fine — 100\% fine.'' \textit{(client, dyad 2)}" in tex
    assert tex.count("{") == tex.count("}")
    unescaped = re.findall(r"(?<!\\)[&%#_$]", tex.replace(" & ", " "))
    assert unescaped == []


def test_blocked_then_accept_all(session: Session, tmp_path: Path) -> None:
    s = build(session, tmp_path / "other", name="Other")
    add_pseudonym(session, project_id=s.pid, user=s.ana, term="Leeds", kind="place")
    check = check_report(session, project_id=s.pid)
    assert check.blocked
    assert accept_all(session, check=check, user=s.ana) == 2  # one finding, one partners' warning
    assert paper_report(session, project_id=s.pid).rows[0].quotes[0].text.endswith("back in Leeds.")


def test_a_theme_table_without_themes_and_a_bad_format(session: Session, tmp_path: Path) -> None:
    s = build(session, tmp_path / "plain", name="Plain", choose=False)
    report = paper_report(session, project_id=s.pid)
    assert all(row.quotes == [] for row in report.rows)
    with pytest.raises(InvalidInput, match="unknown format 'pdf': choose one of docx, md, tex"):
        render(report, "pdf")
