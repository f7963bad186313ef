"""Code co-occurrence: overlapping codings of two codes counted per distinct pair of spans (nested and partial
overlaps count, touching spans do not), the diagonal, filters, the drill-down and the CSV. Each test runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from coding.apply import apply_code
from coding.cooccurrence import Tally, cooccurrence, cooccurrence_csv, overlaps
from coding.errors import InvalidInput, NotFound
from coding.models import Code
from tests.coding.code_tables_study import import_study, transcript_of
from tests.factories import make_code, researcher
from transcripts.models import Project, Transcript, Turn, User

PHRASE = "I felt heard"


@dataclass
class Overlapping:
    project: Project
    a: Code
    b: Code
    c: Code
    d: Code
    c2: Transcript  # Dyad 2, session 3
    c10: Transcript  # Dyad 10, session 5


def span(session: Session, transcript: Transcript, code: Code, start: int, end: int, coder: User) -> None:
    """Code ``[start, end)`` counted from where "I felt heard" begins in the transcript."""
    at = transcript.text.index(PHRASE)
    apply_code(
        session, transcript_id=transcript.id or 0, code_id=code.id or 0, start=at + start, end=at + end, coder=coder
    )


def overlapping_study(session: Session, folder: Path, *, name: str = "IPR study") -> Overlapping:
    project, ana = import_study(session, folder, name=name)
    ben = researcher(session, "Ben")
    a, b, c, d = (make_code(session, project, name) for name in "ABCD")
    c2, c10 = transcript_of(session, project, "C2"), transcript_of(session, project, "C10", 5)
    span(session, c2, a, 0, 20, ana)
    span(session, c2, a, 0, 20, ben)  # the same passage by another coder
    span(session, c2, b, 2, 10, ana)  # nested in A
    span(session, c2, c, 15, 30, ana)  # overlaps A's end
    span(session, c2, d, 20, 25, ana)  # touches A's end ([0, 20) and [20, 25) do not overlap), inside C
    span(session, c10, a, 0, 20, ana)
    span(session, c10, b, 2, 5, ana)  # two separate codings of B inside one of A: two pairs
    span(session, c10, b, 10, 12, ana)
    return Overlapping(project, a, b, c, d, c2, c10)


@pytest.fixture
def coded(session: Session, tmp_path: Path) -> Overlapping:
    return overlapping_study(session, tmp_path / "study")


def test_nested_and_partial_overlaps_count_touching_spans_do_not(session: Session, coded: Overlapping) -> None:
    table = cooccurrence(session, project_id=coded.project.id or 0)
    a, b, c, d = (code.id or 0 for code in (coded.a, coded.b, coded.c, coded.d))

    assert [code.name for code in table.codes] == ["A", "B", "C", "D"]
    assert table.tally(a, b) == Tally(3, 2)  # one pair in Dyad 2, two in Dyad 10
    assert table.tally(b, a) == table.tally(a, b)
    assert table.tally(a, c) == Tally(1, 1)
    assert table.tally(c, d) == Tally(1, 1)
    assert table.tally(a, d) == Tally(0, 0)  # adjacent
    assert table.tally(b, c) == Tally(0, 0) and table.tally(b, d) == Tally(0, 0)


def test_the_diagonal_counts_a_codes_distinct_passages(session: Session, coded: Overlapping) -> None:
    table = cooccurrence(session, project_id=coded.project.id or 0)
    a, b, c = (code.id or 0 for code in (coded.a, coded.b, coded.c))

    assert table.tally(a, a) == Tally(2, 2)  # Ana's and Ben's identical codings in C2 count once
    assert table.tally(b, b) == Tally(3, 2)
    assert table.tally(c, c) == Tally(1, 1)


def test_the_triangle_holds_each_code_with_those_before_it(session: Session, coded: Overlapping) -> None:
    table = cooccurrence(session, project_id=coded.project.id or 0)

    triangle = [(row.name, [(other.name, tally.passages) for other, tally in cells]) for row, cells in table.triangle()]
    assert triangle == [
        ("A", [("A", 2)]),
        ("B", [("A", 3), ("B", 3)]),
        ("C", [("A", 1), ("B", 0), ("C", 1)]),
        ("D", [("A", 0), ("B", 0), ("C", 1), ("D", 1)]),
    ]
    assert table.top == 3
    assert table.level(table.tally(coded.a.id or 0, coded.b.id or 0)) == 4
    assert table.level(Tally()) == 0


def test_session_and_code_filters(session: Session, coded: Overlapping) -> None:
    project_id = coded.project.id or 0
    a, b, c = (code.id or 0 for code in (coded.a, coded.b, coded.c))

    fifth = cooccurrence(session, project_id=project_id, sessions=[5])
    assert fifth.tally(a, b) == Tally(2, 1)
    assert fifth.tally(a, c) == Tally(0, 0)
    assert fifth.tally(a, a) == Tally(1, 1)

    chosen = cooccurrence(session, project_id=project_id, code_ids=[c, a])
    assert [code.name for code in chosen.codes] == ["A", "C"]
    assert chosen.pairs == {(a, c): Tally(1, 1)}
    assert set(chosen.diagonal) == {a, c}


def test_drill_down_lists_each_overlapping_pair_of_spans(session: Session, coded: Overlapping) -> None:
    found = overlaps(session, project_id=coded.project.id or 0, code_a=coded.a.id or 0, code_b=coded.b.id or 0)

    assert [(o.dyad, o.role, o.session) for o in found] == [
        ("Dyad 2", "client", 3),
        ("Dyad 10", "client", 5),
        ("Dyad 10", "client", 5),
    ]
    first = found[0]
    at = coded.c2.text.index(PHRASE)
    assert (first.a_start, first.a_end, first.b_start, first.b_end) == (at, at + 20, at + 2, at + 10)
    assert first.text == coded.c2.text[at : at + 20]
    assert first.parts == (
        coded.c2.text[at : at + 2],
        coded.c2.text[at + 2 : at + 10],
        coded.c2.text[at + 10 : at + 20],
    )
    assert first.label == "(client, dyad 2)"
    turn = session.exec(
        select(Turn).where(Turn.transcript_id == coded.c2.id, Turn.start <= at + 2, Turn.end > at + 2)
    ).one()
    assert first.turn == turn.position and first.transcript_id == coded.c2.id


def test_drill_down_of_a_partial_overlap_shows_the_union(session: Session, coded: Overlapping) -> None:
    (found,) = overlaps(session, project_id=coded.project.id or 0, code_a=coded.c.id or 0, code_b=coded.a.id or 0)
    at = coded.c2.text.index(PHRASE)

    assert found.text == coded.c2.text[at : at + 30]
    assert (found.start, found.end) == (at + 15, at + 20)
    assert found.parts[1] == coded.c2.text[at + 15 : at + 20]
    assert overlaps(session, project_id=coded.project.id or 0, code_a=coded.a.id or 0, code_b=coded.d.id or 0) == []


def test_csv_lists_each_overlapping_pair_and_each_code(session: Session, coded: Overlapping) -> None:
    rows = list(csv.reader(io.StringIO(cooccurrence_csv(cooccurrence(session, project_id=coded.project.id or 0)))))

    assert rows == [
        ["code_a", "code_a_path", "code_b", "code_b_path", "passages", "dyads"],
        ["A", "A", "A", "A", "2", "2"],
        ["A", "A", "B", "B", "3", "2"],
        ["B", "B", "B", "B", "3", "2"],
        ["A", "A", "C", "C", "1", "1"],
        ["C", "C", "C", "C", "1", "1"],
        ["C", "C", "D", "D", "1", "1"],
        ["D", "D", "D", "D", "1", "1"],
    ]


def test_codes_of_another_project_and_unknown_codes_are_refused(
    session: Session, coded: Overlapping, tmp_path: Path
) -> None:
    other = overlapping_study(session, tmp_path / "other", name="Other study")
    project_id = coded.project.id or 0

    with pytest.raises(NotFound, match=f"no code with id {other.a.id} in this project"):
        cooccurrence(session, project_id=project_id, code_ids=[coded.a.id or 0, other.a.id or 0])
    with pytest.raises(NotFound, match="no code with id 9999 in this project"):
        overlaps(session, project_id=project_id, code_a=coded.a.id or 0, code_b=9999)
    with pytest.raises(InvalidInput, match="two different codes"):
        overlaps(session, project_id=project_id, code_a=coded.a.id or 0, code_b=coded.a.id or 0)
    # the other project's identical codings do not add to this one's counts
    assert cooccurrence(session, project_id=project_id).tally(coded.a.id or 0, coded.b.id or 0) == Tally(3, 2)
