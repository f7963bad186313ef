"""The codebook exported: the CSV read back with the csv module, the DOCX read back with python-docx."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import pytest
from sqlmodel import Session, select

from coding.apply import apply_code
from coding.codebook import create_code
from coding.export import CSV_COLUMNS, codebook_csv, codebook_docx
from tests.factories import researcher, study
from transcripts.models import Participant, Project, Transcript, User


@pytest.fixture
def ana(session: Session) -> User:
    return researcher(session, "Ana")


@pytest.fixture
def ipr(session: Session, tmp_path: Path, ana: User) -> Project:
    """The small study with a codebook of two levels; Trust coded in Dyad 2 (client twice) and Dyad 10."""
    project, _ = study(session, tmp_path / "study")
    pid = project.id or 0
    relationship = create_code(
        session, project_id=pid, user=ana, name="Relationship", definition="How the partners relate."
    )
    trust = create_code(
        session,
        project_id=pid,
        user=ana,
        name="Trust",
        parent_id=relationship.id,
        definition="Relying on the other,\nin the session.",
        inclusion="explicit talk of trusting",
        exclusion="trust in people outside therapy",
        example="I trusted her then",
        colour="#0072b2",
    )
    create_code(session, project_id=pid, user=ana, name='Rupture, "silent"')
    transcripts = dict(
        session.exec(select(Participant.pseudonym, Transcript.id).join(Transcript)).all()  # type: ignore[arg-type]
    )
    for who, start in (("C2", 10), ("C2", 30), ("T10", 5)):
        apply_code(
            session, transcript_id=transcripts[who], code_id=trust.id or 0, start=start, end=start + 5, coder=ana
        )
    return project


def test_the_csv_has_one_row_per_code_in_tree_order_with_its_own_counts(session: Session, ipr: Project) -> None:
    rows = list(csv.reader(io.StringIO(codebook_csv(session, project_id=ipr.id or 0))))

    assert tuple(rows[0]) == CSV_COLUMNS
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(r["path"], r["name"], r["parent"]) for r in table] == [
        ("Relationship", "Relationship", ""),
        ("Relationship > Trust", "Trust", "Relationship"),
        ('Rupture, "silent"', 'Rupture, "silent"', ""),
    ]
    trust = table[1]
    assert trust["definition"] == "Relying on the other,\nin the session."
    assert (trust["inclusion"], trust["exclusion"], trust["example"]) == (
        "explicit talk of trusting",
        "trust in people outside therapy",
        "I trusted her then",
    )
    assert (trust["colour"], trust["codings"], trust["transcripts"], trust["dyads"]) == ("#0072b2", "3", "2", "2")
    assert (table[0]["codings"], table[0]["dyads"]) == ("0", "0")  # its own, so that the column adds up


def test_the_docx_is_a_readable_codebook_with_a_section_per_code(session: Session, ipr: Project) -> None:
    document = docx.Document(io.BytesIO(codebook_docx(session, project_id=ipr.id or 0)))

    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith(("Title", "Heading"))
    ]
    assert headings == [
        ("Title", "Codebook — IPR study"),
        ("Heading 1", "■ Relationship"),
        ("Heading 2", "■ Trust"),
        ("Heading 1", '■ Rupture, "silent"'),
    ]
    texts = [p.text for p in document.paragraphs]
    assert "Definition: How the partners relate." in texts
    assert "Definition: Relying on the other,\nin the session." in texts
    assert "Include when: explicit talk of trusting" in texts
    assert "Exclude when: trust in people outside therapy" in texts
    assert "Example: I trusted her then" in texts
    assert "Coded: 3 codings in 2 transcripts of 2 dyads" in texts
    assert "Coded: no codings yet; with its subcodes 3 codings in 2 transcripts of 2 dyads" in texts
    assert "No definition yet." in texts  # Rupture
    assert document.core_properties.title == "Codebook — IPR study"


def test_an_empty_codebook_still_exports(session: Session, ana: User) -> None:
    from transcripts.projects import create_project

    project = create_project(session, name="Empty", user=ana)
    assert codebook_csv(session, project_id=project.id or 0) == ",".join(CSV_COLUMNS) + "\r\n"
    document = docx.Document(io.BytesIO(codebook_docx(session, project_id=project.id or 0)))
    assert "The codebook is empty." in [p.text for p in document.paragraphs]
