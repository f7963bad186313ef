"""The tidy export of codings for statistics: one row per coding with its themes, as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.exchange.tidy import tidy_codings
from coding.extract_export import COLUMNS
from tests.exchange.builders import coded_study
from themes.models import Theme, ThemeCode
from transcripts.errors import InvalidInput


def rows(data: str | bytes) -> list[dict[str, str]]:
    assert isinstance(data, str)
    return list(csv.DictReader(io.StringIO(data)))


def test_one_row_per_coding_with_its_themes(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "study")
    pid = study.project.id or 0
    data = tidy_codings(session, project_id=pid, format="csv")
    assert isinstance(data, str)
    header = data.splitlines()[0].split(",")
    assert header[: header.index("themes") + 1] == ["project", "code", "code_path", "themes"]
    assert [name for name in header if name != "themes"] == list(COLUMNS)
    table = rows(data)
    assert len(table) == 5
    themes = {(row["code_path"], row["coder"]): row["themes"] for row in table}
    assert themes[("silence", "Ben")] == "Trust in silence; Trust in silence::Waiting"
    assert themes[("Vertrauen 🤝", "Ana")] == "Trust in silence"
    assert themes[("Vertrauen 🤝 > feeling heard", "Ana")] == ""
    felt = next(row for row in table if row["code"] == "feeling heard")
    assert (felt["dyad"], felt["group"], felt["role"], felt["participant"], felt["session"]) == (
        "Dyad 1", "good outcome", "client", "C1", "3",
    )  # fmt: skip
    assert felt["memo"] == "Emphatic repetition ✨" and felt["text"].startswith("gehört — zum ersten Mal")
    assert int(felt["end"]) - int(felt["start"]) == len(felt["text"]) and felt["turn"] and felt["timestamp"]


def test_discarded_themes_are_left_out_and_xlsx_holds_the_same(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "study")
    pid = study.project.id or 0
    sub = session.exec(select(Theme).where(Theme.project_id == pid, Theme.name == "Waiting")).one()
    sub.status = "discarded"
    session.add(sub)
    other = Theme(project_id=pid, name="=Zweite, Sicht", status="final")
    session.add(other)
    session.flush()
    session.add(ThemeCode(theme_id=other.id, code_id=study.codes["felt"].id))
    session.commit()
    table = rows(tidy_codings(session, project_id=pid, format="csv"))
    assert {row["themes"] for row in table if row["code"] == "silence"} == {"Trust in silence"}
    assert {row["themes"] for row in table if row["code"] == "feeling heard"} == {"'=Zweite, Sicht"}  # no formula

    data = tidy_codings(session, project_id=pid, format="xlsx")
    assert isinstance(data, bytes)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[3] == "themes" and len(values) == 6
    felt = next(row for row in values[1:] if row[header.index("code")] == "feeling heard")
    assert felt[3] == "=Zweite, Sicht"  # a string in the workbook, not a formula
    assert sheet.cell(row=values.index(felt) + 1, column=4).data_type == "s"
    with pytest.raises(InvalidInput, match="unknown format 'ods'"):
        tidy_codings(session, project_id=pid, format="ods")


def test_the_command(db_url: str, session: Session, tmp_path: Path) -> None:
    from tests.exchange.test_cli import dyadic

    coded_study(session, tmp_path / "study")
    done = dyadic(
        db_url, "export", "codings", "--project", "IPR exchange", "--format", "csv", "-o", str(tmp_path / "c.csv")
    )
    assert done.returncode == 0, done.stderr
    assert len(rows((tmp_path / "c.csv").read_text(encoding="utf-8"))) == 5
    bad = dyadic(db_url, "export", "codings", "--project", "IPR exchange", "--format", "ods", "-o", str(tmp_path / "c"))
    assert bad.returncode == 1 and bad.stderr.strip() == "error: unknown format 'ods': choose csv or xlsx"
