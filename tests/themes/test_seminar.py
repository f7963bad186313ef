"""The review-seminar pack, read back: DOCX through python-docx, HTML through lxml, and the DOCX converted to
PDF by LibreOffice where it is installed."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from lxml import html as lxml_html
from sqlmodel import Session, select

from tests.themes.export_study import C2_NO, T10_SILENCE, T10_TRUST, ExportStudy, build
from themes.pseudonyms import ExportBlocked, accept_all, add_pseudonym, decide
from themes.seminar import MAX_QUOTES, check_seminar, render, seminar_pack
from transcripts.models import Dyad
from transcripts.reading import save_memo


@pytest.fixture
def s(session: Session, tmp_path: Path) -> ExportStudy:
    study = build(session, tmp_path / "study")
    dyad = session.exec(select(Dyad).where(Dyad.project_id == study.pid, Dyad.label == "Dyad 10")).one()
    save_memo(session, author=study.ana, body="Both went quiet at the same moment.", dyad_id=dyad.id)
    add_pseudonym(session, project_id=study.pid, user=study.ana, term="Maria", replacement="[partner]")
    check = check_seminar(session, project_id=study.pid)
    decide(session, check=check, coding_id=check.findings[0].coding_id, term="maria", decision="replaced",
           user=study.ana)  # fmt: skip
    return study


MARIA_OUT = "Here, when [partner] went quiet. I trusted her then, like back in Leeds."


def test_sections_per_dyad_with_chosen_quotes_first(s: ExportStudy) -> None:
    pack = seminar_pack(s.session, project_id=s.pid, prepared_by="Ana", on=date(2026, 11, 22))
    assert [d.label for d in pack.dyads] == ["Dyad 2", "Dyad 10"]
    two, ten = pack.dyads
    assert ten.participants == [("C10", "client"), ("T10", "therapist")]
    assert ten.sessions == [3]
    assert ten.memos == [("Ana", "Both went quiet at the same moment.")]
    assert [(q.text, q.label, q.why) for q in ten.quotes] == [
        (MARIA_OUT, "(client, dyad 10)", "theme: Trust & safety"),
        (T10_TRUST, "(therapist, dyad 10)", "theme: Trust & safety"),
        (T10_SILENCE, "(therapist, dyad 10)", "code: silence"),  # filled in: few chosen
    ]
    assert ten.quotes[0].time == "00:00:12"
    assert [q.text for q in two.quotes] == [C2_NO, "I trusted that."]
    assert all(len(d.quotes) <= MAX_QUOTES for d in pack.dyads)
    assert [(t.name, t.depth, t.codes, t.n_dyads) for t in pack.themes] == [
        ("Trust & safety", 0, ["trust"], 2),
        ("Saying no", 1, ["saying no"], 1),
        ("Silence", 0, ["silence"], 1),
    ]


def test_docx_reads_back(s: ExportStudy) -> None:
    pack = seminar_pack(s.session, project_id=s.pid, prepared_by="Ana Lima", on=date(2026, 11, 22))
    document = Document(io.BytesIO(render(pack, "docx")))  # type: ignore[arg-type]
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == ["Export study", "Review seminar pack", "Date: 2026-11-22", "Prepared by: Ana Lima"]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]  # type: ignore[union-attr]
    assert headings[:4] == ["Study overview", "Dyads", "Dyad 2 (good outcome)", "Dyad 10 (troubled)"]
    assert headings[4:] == ["Initial themes", "Trust & safety", "Saying no", "Silence", "Frequency table"]
    overview, table = document.tables
    assert [c.text for c in overview.rows[0].cells] == ["Dyad", "Session 3 · client", "Session 3 · therapist"]
    assert overview.rows[2].cells[1].text == "C10 (34 words)"
    assert [c.text for c in table.rows[0].cells] == ["Theme", "Dyad 2", "Dyad 10", "n/N"]
    assert [c.text for c in table.rows[1].cells] == ["Trust & safety", "C+T", "C+T", "2/2"]
    quotes = [p.text for p in document.paragraphs if p.style.name in ("Quote", "Intense Quote")]  # type: ignore[union-attr]
    assert MARIA_OUT in quotes and not any("Maria" in text for text in texts)
    assert "(client, dyad 10) · C10 · session 3 · 00:00:12 · theme: Trust & safety" in texts
    assert "Memo (Ana): Both went quiet at the same moment." in texts


def test_html_is_standalone_and_printable(s: ExportStudy) -> None:
    pack = seminar_pack(s.session, project_id=s.pid, prepared_by="Ana", on=date(2026, 11, 22))
    page = render(pack, "html")
    assert isinstance(page, str) and page.startswith("<!DOCTYPE html>")
    tree = lxml_html.document_fromstring(page)
    assert tree.xpath("//script") == [] and tree.xpath("//link") == [] and tree.xpath("//@src") == []
    assert "@media print" in tree.xpath("string(//style)")
    assert tree.xpath("string(//section[@class='title-page']/h1)") == "Export study"
    assert tree.xpath("string(//p[@class='prepared-by'])") == "Prepared by: Ana"
    dyads = tree.xpath("//section[@class='dyad']")
    assert [d.xpath("string(h3)") for d in dyads] == ["Dyad 2 (good outcome)", "Dyad 10 (troubled)"]
    assert dyads[1].xpath("ul/li/text()") == ["C10 (client)", "T10 (therapist)"]
    assert dyads[1].xpath("figure/blockquote/text()")[0] == MARIA_OUT
    assert dyads[1].xpath("string(figure[1]/figcaption)").startswith("(client, dyad 10) · C10")
    assert "Maria" not in tree.text_content()
    overview = tree.xpath("//section[@id='overview']//table")[0]
    assert overview.xpath("thead/tr/th/text()") == ["Dyad", "Session 3 · client", "Session 3 · therapist"]
    table = tree.xpath("//section[@id='frequency-table']//table")[0]
    assert table.xpath("thead/tr/th/text()") == ["Theme", "Dyad 2", "Dyad 10", "n/N"]
    rows = [[cell.text_content() for cell in row] for row in table.xpath("tbody/tr")]
    assert rows == [["Trust & safety", "C+T", "C+T", "2/2"], ["Saying no", "C", "", "1/2"], ["Silence", "", "T", "1/2"]]
    assert table.xpath("tbody/tr[2]/th/@class") == ["depth-1"]
    assert "audit" in table.xpath("string(caption)")


def test_the_pack_is_blocked_until_every_finding_is_decided(session: Session, tmp_path: Path) -> None:
    s = build(session, tmp_path / "other", name="Other")
    add_pseudonym(session, project_id=s.pid, user=s.ana, term="silence", kind="other")
    with pytest.raises(ExportBlocked, match=r"/projects/\d+/exports/seminar"):
        seminar_pack(session, project_id=s.pid, prepared_by="Ana")
    accept_all(session, check=check_seminar(session, project_id=s.pid), user=s.ana)
    assert seminar_pack(session, project_id=s.pid, prepared_by="Ana").dyads


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_docx_converts_to_pdf_with_libreoffice(s: ExportStudy, tmp_path: Path) -> None:
    """The rendering check: LibreOffice (headless) turns the seminar DOCX into a PDF.

    This is the one test allowed to skip in CI when LibreOffice is absent: it skips with ``pytest.skip``,
    not through ``tests.conftest.unavailable``, so that ``DYADIC_REQUIRE_ALL=1`` does not make it fail."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the DOCX-to-PDF rendering check cannot run")
    source = tmp_path / "pack.docx"
    source.write_bytes(render(seminar_pack(s.session, project_id=s.pid, prepared_by="Ana"), "docx"))  # type: ignore[arg-type]
    profile = tmp_path / "lo-profile"  # a profile of its own: no clash with another running LibreOffice
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "pack.pdf"
    assert pdf.exists(), result.stderr or result.stdout
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 5_000
