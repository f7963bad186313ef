"""The code × dyad matrix: for each code of the codebook, which dyads (and which roles in them) hold coded
extracts of it, and how many distinct passages.

It is the frequency table of the themes (DESIGN §6) one level down, per code, and it is read the same way:
as an **audit** of where a code comes from — which cases and perspectives it rests on — not as a measure of
its importance.

Counting rules:

- A cell's **roles** are the roles of the participants whose transcripts in that dyad hold codings of the
  row's code (with ``include_subcodes``, of the code or any code beneath it). They are written as initials
  joined by ``+`` in the order client, therapist, interpreter (``C``, ``T``, ``I``), then project-defined
  roles in alphabetical order, each by its first letter upper-cased (``transcripts.order.role_initial``: a
  role ``supervisor`` is ``S``; two project roles may share a letter, so pages also give the full names).
- A cell's **count** is the number of distinct coded passages: codings in the same transcript with the same
  start and end count once, whoever coded them — and, in a row with subcodes, whichever of the row's codes
  they carry (a passage coded both "Trust" and its subcode "Trust > Doubt" counts once in "Trust").
- ``n_dyads`` is the number of dyads whose cell is not empty.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from coding.errors import InvalidInput
from coding.tree import code_tree, flatten
from transcripts.models import Dyad
from transcripts.order import natural_key, role_initial, role_key
from transcripts.projects import get_project

CELLS = ("role", "count")

# The rows' codes and, for each, the codes whose codings it covers: itself and (with subcodes) every code
# beneath it. UNION (not UNION ALL) ends the recursion even if a damaged codebook held a cycle.
_WITH_SUBCODES = """
WITH RECURSIVE covers(row_id, code_id) AS (
    SELECT id, id FROM code WHERE project_id = :project_id
    UNION
    SELECT covers.row_id, code.id FROM covers JOIN code ON code.parent_id = covers.code_id
    WHERE code.project_id = :project_id
),"""
_OWN_CODES = """
WITH covers(row_id, code_id) AS (
    SELECT id, id FROM code WHERE project_id = :project_id
),"""
# Distinct passages per row code (same transcript, start and end once, whoever coded them and with whichever
# of the row's codes), then one aggregate: passages per (row code, dyad, role).
_PASSAGES = """
passage AS (
    SELECT DISTINCT covers.row_id, coding.transcript_id, coding.start, coding."end"
    FROM covers
    JOIN coding ON coding.code_id = covers.code_id
    JOIN transcript ON transcript.id = coding.transcript_id
    WHERE coding.project_id = :project_id {session_filter}
)
SELECT passage.row_id, participant.dyad_id, participant.role, COUNT(*) AS passages
FROM passage
JOIN transcript ON transcript.id = passage.transcript_id
JOIN participant ON participant.id = transcript.participant_id
GROUP BY passage.row_id, participant.dyad_id, participant.role
"""


@dataclass(frozen=True, slots=True)
class Column:
    """A dyad, as a column of the matrix."""

    dyad_id: int
    label: str
    group: str | None


@dataclass(frozen=True, slots=True)
class Band:
    """Consecutive columns of one dyad group (``None``: dyads without a group), for a band above them."""

    group: str | None
    span: int


@dataclass(frozen=True, slots=True)
class Cell:
    """One code in one dyad: the roles whose transcripts hold its codings (in role order) and its passages."""

    roles: tuple[str, ...] = ()
    count: int = 0

    @property
    def initials(self) -> str:
        """``C``, ``C+T``, ``C+T+I`` …; empty when no role holds a coding."""
        return "+".join(role_initial(role) for role in self.roles)

    @property
    def empty(self) -> bool:
        return self.count == 0


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """A code in codebook order, with its depth and path, one cell per column, and the dyads it reaches."""

    code_id: int
    name: str
    path: str
    depth: int
    cells: tuple[Cell, ...]

    @property
    def n_dyads(self) -> int:
        return sum(1 for cell in self.cells if not cell.empty)


@dataclass(frozen=True, slots=True)
class CodeMatrix:
    """Codes × dyads. ``cells`` says what a cell shows (``role`` or ``count``); each cell holds both."""

    cells: str
    include_subcodes: bool
    sessions: tuple[int, ...]
    columns: tuple[Column, ...]
    bands: tuple[Band, ...]
    rows: tuple[MatrixRow, ...]
    max_count: int = 0  # the largest count of any cell

    @property
    def grouped(self) -> bool:
        """Whether any dyad has a group (and so the columns come in group bands)."""
        return any(column.group is not None for column in self.columns)

    def level(self, cell: Cell) -> int:
        """The cell's strength for a heat map: 0 when empty, else 1–4 by its count's share of the largest."""
        top = self.max_count
        return 0 if cell.empty or not top else max(1, -(-4 * cell.count // top))

    def shown(self, cell: Cell) -> str:
        """What the cell says: its role initials or its count (empty for an empty cell)."""
        if cell.empty:
            return ""
        return cell.initials if self.cells == "role" else str(cell.count)


def _checked_cells(cells: str) -> str:
    if cells not in CELLS:
        raise InvalidInput(f"cells must be 'role' or 'count', not {cells[:20]!r}")
    return cells


def _columns(session: Session, project_id: int, *, by_group: bool) -> list[Column]:
    dyads = session.exec(select(Dyad).where(Dyad.project_id == project_id)).all()
    columns = [Column(dyad.id or 0, dyad.label, dyad.group or None) for dyad in dyads]
    columns.sort(key=lambda column: natural_key(column.label))
    if by_group and any(column.group is not None for column in columns):
        # Groups in natural order, dyads without a group last; within a group, the natural order stays.
        columns.sort(key=lambda column: (column.group is None, natural_key(column.group or "")))
    return columns


def _bands(columns: Sequence[Column]) -> list[Band]:
    bands: list[Band] = []
    for column in columns:
        if bands and bands[-1].group == column.group:
            bands[-1] = Band(column.group, bands[-1].span + 1)
        else:
            bands.append(Band(column.group, 1))
    return bands


def _aggregate(session: Session, project_id: int, sessions: tuple[int, ...], include_subcodes: bool) -> Iterable[Any]:
    session_filter = "AND transcript.session IN :sessions" if sessions else ""
    query = sa.text(
        (_WITH_SUBCODES if include_subcodes else _OWN_CODES) + _PASSAGES.format(session_filter=session_filter)
    )
    params: dict[str, Any] = {"project_id": project_id}
    if sessions:
        query = query.bindparams(sa.bindparam("sessions", expanding=True))
        params["sessions"] = list(sessions)
    return session.connection().execute(query, params)


def code_matrix(
    session: Session,
    *,
    project_id: int,
    cells: str = "role",
    sessions: Sequence[int] = (),
    include_subcodes: bool = True,
    by_group: bool = False,
) -> CodeMatrix:
    """The project's codes (codebook order) × its dyads (natural order; with ``by_group``, in bands of
    dyad groups). ``sessions`` keeps only transcripts about those therapy sessions; ``include_subcodes``
    lets each row cover the codings of the codes beneath it. See the module's counting rules."""
    get_project(session, project_id)
    cells = _checked_cells(cells)
    chosen = tuple(sorted(set(sessions)))
    columns = _columns(session, project_id, by_group=by_group)
    roles: dict[tuple[int, int], set[str]] = defaultdict(set)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for row_id, dyad_id, role, passages in _aggregate(session, project_id, chosen, include_subcodes):
        roles[row_id, dyad_id].add(role)
        counts[row_id, dyad_id] += int(passages)  # a passage lies in one transcript, so in one role
    rows = []
    for node in flatten(code_tree(session, project_id=project_id)):
        code_id = node.code.id or 0
        row_cells = tuple(
            Cell(tuple(sorted(roles[code_id, column.dyad_id], key=role_key)), counts[code_id, column.dyad_id])
            if (code_id, column.dyad_id) in counts
            else Cell()
            for column in columns
        )
        rows.append(MatrixRow(code_id, node.code.name, node.path, node.depth, row_cells))
    top = max(counts.values(), default=0)
    return CodeMatrix(cells, include_subcodes, chosen, tuple(columns), tuple(_bands(columns)), tuple(rows), top)


def matrix_csv(matrix: CodeMatrix) -> str:
    """The matrix as CSV: ``code,code_path,<one column per dyad label>,n_dyads``, one row per code in codebook
    order; cells as the matrix shows them: role initials (empty when the dyad has none) or counts (``0``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "code_path", *(column.label for column in matrix.columns), "n_dyads"])
    for row in matrix.rows:
        shown = [matrix.shown(cell) or ("0" if matrix.cells == "count" else "") for cell in row.cells]
        writer.writerow([row.name, row.path, *shown, row.n_dyads])
    return out.getvalue()
