"""`dyadic agreement`, run as a user runs it: a real process on a real database, JSON or CSV out (DESIGN §6)."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from coding.apply import apply_code
from tests.app.test_cli_search import dyadic
from tests.factories import make_code, researcher, study
from transcripts.models import Sentence, Transcript, User

KEYS = {
    "code",
    "pooled",
    "units",
    "percent_agreement",
    "unanimous_agreement",
    "pa_plus",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "ac1",
    "brennan_prediger",
    "reason",
}


def coded(session: Session, tmp_path: Path, approach: str = "codebook") -> int:
    """Ana codes the first two sentences of C2's interview with "Being heard", Ben the second; nobody uses
    "Silence". Returns the number of sentences (the units)."""
    project, _ = study(session, tmp_path / "study", name="IPR")
    project.analysis_approach = approach
    session.commit()
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    ben = researcher(session, "Ben", role="coder")
    heard = make_code(session, project, "Being heard")
    make_code(session, project, "Silence")
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    sentences = session.exec(
        select(Sentence).where(Sentence.transcript_id == transcript.id).order_by(col(Sentence.start))
    ).all()
    for who, s in ((ana, sentences[0]), (ana, sentences[1]), (ben, sentences[1])):
        apply_code(session, transcript_id=transcript.id, code_id=heard.id, start=s.start, end=s.end, coder=who)  # type: ignore[arg-type]
    return len(sentences)


def test_json_has_one_object_per_code_and_the_pooled_row(db_url: str, session: Session, tmp_path: Path) -> None:
    n = coded(session, tmp_path)
    result = dyadic(db_url, "agreement", "--project", "IPR", "--coders", "Ana,Ben", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [set(row) for row in rows] == [KEYS] * 3
    heard, silence, pooled = rows
    assert (heard["code"], heard["pooled"], heard["units"]) == ("Being heard", False, n)
    assert heard["percent_agreement"] == pytest.approx((n - 1) / n, abs=1e-6)
    p_o, a1, b1 = Fraction(n - 1, n), Fraction(2, n), Fraction(1, n)
    p_e = a1 * b1 + (1 - a1) * (1 - b1)
    assert heard["cohen_kappa"] == pytest.approx(float((p_o - p_e) / (1 - p_e)), abs=1e-6)
    assert heard["pa_plus"] == pytest.approx(2 / 3, abs=1e-6)
    assert heard["krippendorff_alpha"] is not None and heard["reason"] is None
    assert silence["code"] == "Silence"
    assert (silence["cohen_kappa"], silence["krippendorff_alpha"], silence["percent_agreement"]) == (None, None, 1.0)
    assert silence["reason"] == "no variation: no coder applied the code to any unit"
    assert (pooled["code"], pooled["pooled"], pooled["units"]) == ("all codes pooled", True, 2 * n)

    turns = json.loads(
        dyadic(
            db_url, "agreement", "--project", "IPR", "--coders", "Ana,Ben", "--unit", "turn", "--codes", "Being heard"
        ).stdout
    )
    assert [(r["code"], r["units"], r["percent_agreement"]) for r in turns] == [
        ("Being heard", 4, 0.75),
        ("all codes pooled", 4, 0.75),
    ]


def test_csv_has_the_same_columns(db_url: str, session: Session, tmp_path: Path) -> None:
    n = coded(session, tmp_path)
    result = dyadic(db_url, "agreement", "--project", "IPR", "--coders", "Ana,Ben", "--format", "csv", "--theta", "0.5")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(rows[0]) == KEYS
    assert [(r["code"], r["units"]) for r in rows] == [
        ("Being heard", str(n)),
        ("Silence", str(n)),
        ("all codes pooled", str(2 * n)),
    ]
    assert rows[1]["krippendorff_alpha"] == "" and rows[1]["reason"].startswith("no variation")


def test_bad_input_exits_non_zero_with_one_line(db_url: str, session: Session, tmp_path: Path) -> None:
    coded(session, tmp_path)
    for args, message in (
        (("--project", "Nope", "--coders", "Ana,Ben"), "error: no project called 'Nope'\n"),
        (("--project", "IPR", "--coders", "Ana,Zoe"), "error: no coder called 'Zoe'\n"),
        (("--project", "IPR", "--coders", "Ana"), "error: name two or more different coders: --coders A,B\n"),
        (
            ("--project", "IPR", "--coders", "Ana,Ben", "--codes", "Trust"),
            "error: no code called 'Trust' in this project\n",
        ),
        (
            ("--project", "IPR", "--coders", "Ana,Ben", "--unit", "word"),
            "error: unknown unit 'word'; choose one of sentence, turn, character, transcript\n",
        ),
        (
            ("--project", "IPR", "--coders", "Ana,Ben", "--format", "xml"),
            "error: unknown format 'xml'; choose json or csv\n",
        ),
    ):
        result = dyadic(db_url, "agreement", *args)
        assert (result.returncode, result.stderr, result.stdout) == (1, message, "")


def test_a_reflexive_project_has_no_statistics(db_url: str, session: Session, tmp_path: Path) -> None:
    coded(session, tmp_path, approach="reflexive")
    result = dyadic(db_url, "agreement", "--project", "IPR", "--coders", "Ana,Ben")
    assert result.returncode == 1
    assert result.stderr.startswith("error: the project 'IPR' follows reflexive thematic analysis")
    assert result.stderr.count("\n") == 1
