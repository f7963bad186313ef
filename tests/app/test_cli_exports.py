"""`dyadic report` and `dyadic seminar`, run as a user runs them: real processes, a real database, the
pseudonymisation check first."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from lxml import html as lxml_html
from sqlmodel import Session, select

from tests.themes.export_study import build
from themes.pseudonym_models import PseudonymDecision
from themes.pseudonyms import add_pseudonym

DYADIC = str(Path(sys.executable).with_name("dyadic"))


def dyadic(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DYADIC_DATABASE_URL": db_url, "DYADIC_LOCAL_USER": "Ana"}
    return subprocess.run([DYADIC, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(session: Session, tmp_path: Path) -> int:
    s = build(session, tmp_path / "study", name="IPR")
    add_pseudonym(session, project_id=s.pid, user=s.ana, term="Maria", replacement="[partner]")
    return s.pid


def test_a_name_in_a_quote_blocks_both_exports_in_one_line(db_url: str, project: int, tmp_path: Path) -> None:
    for command, format in (("report", "md"), ("seminar", "html")):
        out = tmp_path / f"out.{format}"
        result = dyadic(db_url, command, "--project", "IPR", "--format", format, "-o", str(out))
        assert result.returncode == 1
        assert result.stderr == (
            f"error: export blocked: 1 possible identifier in quotes — review them at "
            f"/projects/{project}/exports/{command} or pass --accept-all\n"
        )
        assert not out.exists()


def test_accept_all_records_and_writes(db_url: str, project: int, tmp_path: Path, session: Session) -> None:
    out = tmp_path / "themes.docx"
    result = dyadic(db_url, "report", "--project", "IPR", "--format", "docx", "-o", str(out), "--accept-all")
    assert result.returncode == 0, result.stderr
    assert "recorded 2 acceptances as Ana" in result.stderr  # the name and the partners' warning
    assert result.stdout == f"wrote the theme table (3 rows, 3 quotes) to {out}\n"
    table = Document(io.BytesIO(out.read_bytes())).tables[0]
    assert "(client, dyad 10)" in table.rows[1].cells[4].text and "Maria" in table.rows[1].cells[4].text
    decisions = session.exec(select(PseudonymDecision.decision, PseudonymDecision.export_kind)).all()
    assert sorted(decisions) == [("accepted", "report"), ("acknowledged", "report")]
    # the report's decisions are not the seminar's: still blocked there
    assert (
        dyadic(db_url, "seminar", "--project", "IPR", "--format", "html", "-o", str(tmp_path / "p.html")).returncode
        == 1
    )
    again = dyadic(db_url, "report", "--project", "IPR", "--format", "tex", "-o", str(tmp_path / "t.tex"))
    assert again.returncode == 0 and again.stderr == ""


def test_seminar_html_with_accept_all(db_url: str, project: int, tmp_path: Path) -> None:
    out = tmp_path / "pack.html"
    result = dyadic(
        db_url, "seminar", "--project", "IPR", "--format", "html", "-o", str(out), "--accept-all",
        "--prepared-by", "Ana Lima",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote the seminar pack (2 dyads, 3 themes) to {out}\n"
    tree = lxml_html.document_fromstring(out.read_text(encoding="utf-8"))
    assert tree.xpath("string(//p[@class='prepared-by'])") == "Prepared by: Ana Lima"
    assert len(tree.xpath("//section[@class='dyad']")) == 2


def test_bad_input_exits_non_zero_with_one_line(db_url: str, project: int, tmp_path: Path) -> None:
    out = str(tmp_path / "x")
    for args, message in (
        (("report", "--project", "Nope", "--format", "md", "-o", out), "error: no project called 'Nope'\n"),
        (("report", "--project", "IPR", "--format", "pdf", "-o", out),
         "error: unknown format 'pdf': choose one of docx, md, tex\n"),
        (("seminar", "--project", "IPR", "--format", "md", "-o", out),
         "error: unknown format 'md': choose one of docx, html\n"),
        (("report", "--project", "IPR", "--format", "md", "-o", str(tmp_path / "no" / "dir" / "x.md"),
          "--accept-all"), None),
    ):  # fmt: skip
        result = dyadic(db_url, *args)
        assert result.returncode == 1
        if message:
            assert result.stderr == message
        else:
            assert result.stderr.splitlines()[-1].startswith("error: cannot write")
    assert not Path(out).exists()
