"""`dyadic themes table`, run as a user runs it: a real process, a real database (DESIGN §6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session

from tests.themes.study import build
from themes.themes import create_theme

DYADIC = str(Path(sys.executable).with_name("dyadic"))


def dyadic(db_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DYADIC_DATABASE_URL": db_url, "DYADIC_LOCAL_USER": "Ana"}
    return subprocess.run([DYADIC, *args], env=env, capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture
def themed(session: Session, tmp_path: Path) -> str:
    """The themes study with two themes: "Trust & safety" (trust, coded by C2, T2, C10) and its subtheme
    "Silence" (silence: T2 in session 3, C2 in session 5)."""
    s = build(session, tmp_path / "study", name="IPR")
    trust, silence = s.code("trust"), s.code("silence")
    s.mark(trust, "C2", "trusted")
    s.mark(trust, "T2", "trusting")
    s.mark(trust, "C10", "trusted")
    s.mark(silence, "T2", "silence")
    s.mark(silence, "C2", "still", number=5)
    pid = s.project.id or 0
    top = create_theme(session, project_id=pid, user=s.ana, name="Trust & safety", code_ids=[trust.id or 0])
    create_theme(session, project_id=pid, user=s.ana, name="Silence", code_ids=[silence.id or 0], parent_id=top.id)
    return "IPR"


def test_the_table_as_csv_md_and_tex_on_stdout(db_url: str, themed: str) -> None:
    result = dyadic(db_url, "themes", "table", "--project", themed, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "theme,subtheme,Dyad 1,Dyad 2,Dyad 9,Dyad 10,n_dyads",
        "Trust & safety,,,C+T,,C,2",
        "Trust & safety,Silence,,C+T,,,1",
    ]
    counts = dyadic(db_url, "themes", "table", "--project", themed, "--cells", "count", "--session", "3")
    assert counts.stdout.splitlines()[1:] == ["Trust & safety,,0,3,0,1,2", "Trust & safety,Silence,0,1,0,0,1"]

    md = dyadic(db_url, "themes", "table", "--project", themed, "--format", "md").stdout.splitlines()
    assert md[0] == "| theme | subtheme | Dyad 1 | Dyad 2 | Dyad 9 | Dyad 10 | n_dyads |"
    assert md[2:4] == ["| Trust & safety |  |  | C+T |  | C | 2 |", "|  | Silence |  | C+T |  |  | 1 |"]

    tex = dyadic(db_url, "themes", "table", "--project", themed, "--format", "tex").stdout
    assert r"Trust \& safety &  & C+T &  & C & 2/4 \\" in tex.splitlines()
    assert r"\quad Silence &  & C+T &  &  & 1/4 \\" in tex.splitlines()


def test_binary_formats_go_to_a_file(db_url: str, themed: str, tmp_path: Path) -> None:
    xlsx, docx = tmp_path / "table.xlsx", tmp_path / "table.docx"
    for path in (xlsx, docx):
        result = dyadic(db_url, "themes", "table", "--project", themed, "--format", path.suffix[1:], "-o", str(path))
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"wrote the frequency table (2 rows, 4 dyads) to {path}\n"
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    assert [cell.value for cell in sheet[2]] == ["Trust & safety", None, None, "C+T", None, "C", 2]
    table = Document(str(docx)).tables[0]
    assert [cell.text for cell in table.rows[1].cells] == ["Trust & safety", "", "C+T", "", "C", "2/4"]

    csv = tmp_path / "table.csv"
    assert dyadic(db_url, "themes", "table", "--project", themed, "-o", str(csv)).returncode == 0
    assert csv.read_text(encoding="utf-8").splitlines()[0] == "theme,subtheme,Dyad 1,Dyad 2,Dyad 9,Dyad 10,n_dyads"


def test_bad_input_exits_non_zero_with_one_line(db_url: str, themed: str, tmp_path: Path) -> None:
    for args, message in (
        (("--project", "Nope"), "error: no project called 'Nope'\n"),
        (("--project", themed, "--format", "docx"), "error: docx is a binary format: give a file with -o FILE.docx\n"),
        (
            ("--project", themed, "--format", "pdf"),
            "error: unknown format 'pdf': choose one of csv, md, tex, xlsx, docx\n",
        ),
        (("--project", themed, "--cells", "both"), "error: unknown cells 'both': choose role or count\n"),
        (("--project", themed, "--session", "9"), "error: no interviews about session 9 in this project\n"),
        (
            ("--project", themed, "--format", "xlsx", "-o", str(tmp_path / "missing" / "t.xlsx")),
            f"error: cannot write {tmp_path / 'missing' / 't.xlsx'}: No such file or directory\n",
        ),
    ):
        result = dyadic(db_url, "themes", "table", *args)
        assert (result.returncode, result.stderr, result.stdout) == (1, message, "")
