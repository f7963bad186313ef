"""The code × dyad matrix: roles and distinct passages per code and dyad, subcodes rolled up, natural dyad
order, group bands, the session filter and the CSV. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from coding.errors import InvalidInput, NotFound
from coding.matrix import Band, Cell, CodeMatrix, code_matrix, matrix_csv
from coding.models import Coding
from tests.coding.code_tables_study import TablesStudy, tables_study
from tests.factories import make_code


@pytest.fixture
def coded(session: Session, tmp_path: Path) -> TablesStudy:
    return tables_study(session, tmp_path / "study")


def grid(matrix: CodeMatrix) -> dict[str, dict[str, str]]:
    """Each row's path → dyad label → what the cell shows."""
    return {
        row.path: {column.label: matrix.shown(cell) for column, cell in zip(matrix.columns, row.cells, strict=True)}
        for row in matrix.rows
    }


def test_roles_come_in_client_therapist_interpreter_order_with_subcodes_rolled_up(
    session: Session, coded: TablesStudy
) -> None:
    matrix = code_matrix(session, project_id=coded.project.id or 0)

    assert [column.label for column in matrix.columns] == ["Dyad 2", "Dyad 3", "Dyad 10"]
    assert [(row.path, row.depth) for row in matrix.rows] == [("Trust", 0), ("Trust > Doubt", 1), ("Silence", 0)]
    assert grid(matrix) == {
        # Trust covers Doubt: the therapist's and the session-5 client's Doubt codings count for it
        "Trust": {"Dyad 2": "C+T+I", "Dyad 3": "", "Dyad 10": "C"},
        "Trust > Doubt": {"Dyad 2": "T", "Dyad 3": "", "Dyad 10": "C"},
        "Silence": {"Dyad 2": "T", "Dyad 3": "", "Dyad 10": "T"},
    }
    assert [row.n_dyads for row in matrix.rows] == [2, 2, 2]


def test_a_passage_counts_once_whoever_coded_it_and_with_whichever_of_the_rows_codes(
    session: Session, coded: TablesStudy
) -> None:
    matrix = code_matrix(session, project_id=coded.project.id or 0, cells="count")

    # Dyad 2 under Trust: C2's passage (coded by Ana and Ben), T2's passage (Trust and Doubt), I2's passage
    assert grid(matrix)["Trust"] == {"Dyad 2": "3", "Dyad 3": "", "Dyad 10": "1"}
    codings = session.exec(select(Coding).where(col(Coding.code_id).in_([coded.trust.id, coded.doubt.id]))).all()
    assert len(codings) == 6  # five of them in Dyad 2, on three passages
    assert matrix.max_count == 3
    assert [matrix.level(cell) for cell in matrix.rows[0].cells] == [4, 0, 2]


def test_without_subcodes_a_row_holds_only_the_codes_own_codings(session: Session, coded: TablesStudy) -> None:
    roles = code_matrix(session, project_id=coded.project.id or 0, include_subcodes=False)
    counts = code_matrix(session, project_id=coded.project.id or 0, include_subcodes=False, cells="count")

    assert grid(roles)["Trust"] == {"Dyad 2": "C+T+I", "Dyad 3": "", "Dyad 10": ""}
    assert grid(counts)["Trust"] == {"Dyad 2": "3", "Dyad 3": "", "Dyad 10": ""}
    assert roles.rows[0].n_dyads == 1


def test_the_session_filter_keeps_only_interviews_about_those_sessions(session: Session, coded: TablesStudy) -> None:
    third = code_matrix(session, project_id=coded.project.id or 0, sessions=[3])
    fifth = code_matrix(session, project_id=coded.project.id or 0, sessions=[5])

    assert grid(third)["Trust"] == {"Dyad 2": "C+T+I", "Dyad 3": "", "Dyad 10": ""}
    assert grid(fifth) == {
        "Trust": {"Dyad 2": "", "Dyad 3": "", "Dyad 10": "C"},
        "Trust > Doubt": {"Dyad 2": "", "Dyad 3": "", "Dyad 10": "C"},
        "Silence": {"Dyad 2": "", "Dyad 3": "", "Dyad 10": ""},
    }
    assert [row.n_dyads for row in fifth.rows] == [1, 1, 0]
    assert fifth.sessions == (5,)


def test_columns_come_in_group_bands_when_asked(session: Session, coded: TablesStudy) -> None:
    matrix = code_matrix(session, project_id=coded.project.id or 0, by_group=True)

    assert [(column.label, column.group) for column in matrix.columns] == [
        ("Dyad 2", "good outcome"),
        ("Dyad 10", "troubled"),
        ("Dyad 3", None),
    ]
    assert matrix.bands == (Band("good outcome", 1), Band("troubled", 1), Band(None, 1))
    assert matrix.grouped
    assert grid(matrix)["Trust"] == {"Dyad 2": "C+T+I", "Dyad 10": "C", "Dyad 3": ""}


def test_project_defined_roles_follow_the_core_roles_by_their_initial() -> None:
    assert Cell(("client", "therapist", "supervisor"), 3).initials == "C+T+S"
    assert Cell().initials == "" and Cell().empty


def test_csv_has_one_column_per_dyad_in_natural_order(session: Session, coded: TablesStudy) -> None:
    roles = list(csv.reader(io.StringIO(matrix_csv(code_matrix(session, project_id=coded.project.id or 0)))))
    counts = list(
        csv.reader(io.StringIO(matrix_csv(code_matrix(session, project_id=coded.project.id or 0, cells="count"))))
    )

    assert roles == [
        ["code", "code_path", "Dyad 2", "Dyad 3", "Dyad 10", "n_dyads"],
        ["Trust", "Trust", "C+T+I", "", "C", "2"],
        ["Doubt", "Trust > Doubt", "T", "", "C", "2"],
        ["Silence", "Silence", "T", "", "T", "2"],
    ]
    assert counts[1] == ["Trust", "Trust", "3", "0", "1", "2"]


def test_a_code_with_no_codings_has_an_empty_row(session: Session, coded: TablesStudy) -> None:
    make_code(session, coded.project, "Rupture")
    matrix = code_matrix(session, project_id=coded.project.id or 0)

    row = matrix.rows[-1]
    assert row.path == "Rupture" and row.n_dyads == 0 and all(cell.empty for cell in row.cells)


def test_another_projects_codings_stay_out(session: Session, coded: TablesStudy, tmp_path: Path) -> None:
    other = tables_study(session, tmp_path / "other", name="Other study")
    matrix = code_matrix(session, project_id=coded.project.id or 0, cells="count")

    assert grid(matrix)["Trust"] == {"Dyad 2": "3", "Dyad 3": "", "Dyad 10": "1"}
    assert {row.code_id for row in matrix.rows} == {coded.trust.id, coded.doubt.id, coded.silence.id}
    assert other.trust.id not in {row.code_id for row in matrix.rows}


def test_bad_requests_are_refused_in_one_line(session: Session, coded: TablesStudy) -> None:
    with pytest.raises(InvalidInput, match="cells must be 'role' or 'count', not 'colour'"):
        code_matrix(session, project_id=coded.project.id or 0, cells="colour")
    with pytest.raises(NotFound, match="no project with id 999"):
        code_matrix(session, project_id=999)
