"""The frequency table (DESIGN.md §6): themes × dyads — which dyads, and which roles in them, contributed
coded extracts to each theme. An audit device (where a theme comes from), not a measure of its importance.

- One row per theme that is not discarded, followed by its subthemes' rows. A theme's row covers its own
  member codes **and** its subthemes' codes; a discarded theme is left out, and so is everything under it.
- A cell is the set of roles whose transcripts in the dyad hold coded extracts of the row's codes (the role
  of each transcript's participant), and the number of distinct coded passages: the same transcript, start
  and end count once, whoever coded them and with however many of the row's codes.
- Every dyad of the project is a column, in natural order ("Dyad 2" before "Dyad 10"), even one that
  contributes nothing; with ``by_group`` the columns come in bands by dyad group.
- ``n_dyads``: how many dyads have a non-empty cell.

How it is computed: one explicit, pre-aggregated SQL query counts the distinct passages per (row theme,
transcript) in one pass over the codings, and Python rolls the few thousand (row, transcript) counts up to
dyads and roles (a transcript belongs to one participant, so one dyad and one role: per-role counts add up
exactly). Rows of themes that are not in the table (under a discarded theme) are ignored.
A session filter applies to those counts, so the query keeps the same shape with or without it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session, col, select

from themes.errors import InvalidInput
from themes.tree import ThemeNode, theme_tree
from transcripts.models import Dyad, Participant, Transcript
from transcripts.order import natural_key, role_initial, role_key
from transcripts.projects import get_project

CELLS = ("role", "count")
NO_GROUP = "no group"
CAPTION = (
    "Which dyads (and which roles in them) contributed coded extracts to each theme. The counts are an audit "
    "of where a theme comes from, not a measure of its importance."
)


@dataclass(frozen=True, slots=True)
class DyadColumn:
    id: int
    label: str
    group: str | None


@dataclass(frozen=True, slots=True)
class Band:
    """Dyad columns that share a group (``NO_GROUP`` for dyads without one)."""

    group: str
    dyads: tuple[DyadColumn, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    """What one dyad contributed to one row: its roles (in the order client, therapist, interpreter, then
    others) and its distinct coded passages. ``code_ids`` and ``dyad_id`` say where the extracts are."""

    dyad_id: int
    code_ids: tuple[int, ...]
    roles: tuple[str, ...] = ()
    count: int = 0

    @property
    def initials(self) -> str:
        """``C``, ``T``, ``C+T``, ``C+T+I``; empty when the dyad contributed nothing."""
        return role_initials(self.roles)

    def value(self, cells: str) -> str:
        if cells == "count":
            return str(self.count)
        return self.initials


@dataclass(slots=True)
class Row:
    """A theme's row (``subtheme`` empty) or a subtheme's (``theme`` is then its parent's name)."""

    theme_id: int
    theme: str
    subtheme: str
    depth: int
    code_ids: tuple[int, ...]
    cells: list[Cell] = field(default_factory=list)

    @property
    def n_dyads(self) -> int:
        return sum(1 for cell in self.cells if cell.count)

    @property
    def name(self) -> str:
        """The row's own name: the subtheme's, or the theme's."""
        return self.subtheme.rsplit(" > ", 1)[-1] if self.subtheme else self.theme


@dataclass(slots=True)
class FrequencyTable:
    project_id: int
    cells: str
    sessions: tuple[int, ...] | None
    dyads: list[DyadColumn]
    rows: list[Row]
    bands: list[Band] | None = None

    def header(self) -> list[str]:
        """``theme, subtheme, <dyad labels>, n_dyads`` (with bands, one ``n_dyads (group)`` per band before
        ``n_dyads``)."""
        bands = [f"n_dyads ({band.group})" for band in self.bands or []]
        return ["theme", "subtheme", *(dyad.label for dyad in self.dyads), *bands, "n_dyads"]

    def band_counts(self, row: Row) -> list[int]:
        """Per band, how many of its dyads contributed to the row."""
        by_dyad = {cell.dyad_id: cell.count for cell in row.cells}
        return [sum(1 for dyad in band.dyads if by_dyad.get(dyad.id)) for band in self.bands or []]

    def values(self, row: Row) -> list[str]:
        """The row as the CSV writes it."""
        cells = [cell.value(self.cells) for cell in row.cells]
        return [row.theme, row.subtheme, *cells, *map(str, self.band_counts(row)), str(row.n_dyads)]


def role_initials(roles: Sequence[str]) -> str:
    """Role initials joined by ``+`` in the order client, therapist, interpreter (then other roles)."""
    return "+".join(role_initial(role) for role in sorted(set(roles), key=role_key))


# The query's shape is fixed here. ``live`` pairs each theme that is not discarded with itself and with every
# live theme beneath it (``UNION`` also ends the recursion should the data ever hold a cycle); ``rowcode`` is
# then each row's codes. Codings are read once, in one pass (``CROSS JOIN`` keeps SQLite from walking the
# codes and fetching codings by index one at a time; on PostgreSQL see ``_PINNED``), and their
# passages counted distinct per (row, transcript): a passage is its start and end, packed into one integer
# (offsets stay far below 2**32), so that one ``COUNT(DISTINCT …)`` does on both engines.
_COUNTS = """
WITH RECURSIVE live(row_id, theme_id) AS (
    SELECT id, id FROM theme WHERE project_id = :project AND status <> 'discarded'
    UNION
    SELECT live.row_id, child.id FROM live JOIN theme AS child ON child.parent_id = live.theme_id
    WHERE child.status <> 'discarded'
),
rowcode(row_id, code_id) AS (
    SELECT DISTINCT live.row_id, themecode.code_id FROM live JOIN themecode ON themecode.theme_id = live.theme_id
)
SELECT rowcode.row_id, coding.transcript_id, COUNT(DISTINCT coding.start * 4294967296 + coding."end")
FROM coding CROSS JOIN rowcode
WHERE rowcode.code_id = coding.code_id
GROUP BY rowcode.row_id, coding.transcript_id
"""


# On PostgreSQL the query runs with its plan pinned for this statement only: one hash join over the codings
# rather than a nested loop fetching them code by code through the index (which ANALYZE may or may not
# choose), and no JIT compilation, which cost about 0.5 s per run for a query that runs once per page.
_PINNED = ("jit", "enable_nestloop")


def _passage_counts(session: Session, project_id: int) -> list[tuple[int, int, int]]:
    """Distinct coded passages per (row theme, transcript): the one pre-aggregated query."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        for setting in _PINNED:
            connection.execute(text(f"SET LOCAL {setting} = off"))
    rows = connection.execute(text(_COUNTS), {"project": project_id}).all()
    if postgres:  # back to the session's values for the rest of the transaction (a failure rolls back anyway)
        for setting in _PINNED:
            connection.execute(text(f"RESET {setting}"))
    return [(int(row), int(transcript), int(n)) for row, transcript, n in rows]


def _rows(nodes: Sequence[ThemeNode], theme: str = "", path: str = "") -> list[Row]:
    """Each theme's row followed by its subthemes' rows (depth first); below the first level the subtheme
    column holds the path, ``Subtheme > Part``."""
    rows = []
    for node in nodes:
        name = node.theme.name
        top, subpath = (theme, f"{path} > {name}" if path else name) if node.depth else (name, "")
        rows.append(Row(node.theme.id or 0, top, subpath, node.depth, tuple(node.all_code_ids)))
        rows.extend(_rows(node.children, top, subpath))
    return rows


def _columns(session: Session, project_id: int, by_group: bool) -> tuple[list[DyadColumn], list[Band] | None]:
    dyads = [
        DyadColumn(dyad.id or 0, dyad.label, dyad.group)
        for dyad in session.exec(select(Dyad).where(Dyad.project_id == project_id))
    ]
    dyads.sort(key=lambda dyad: natural_key(dyad.label))
    if not by_group:
        return dyads, None
    groups: dict[str, list[DyadColumn]] = defaultdict(list)
    for dyad in dyads:
        groups[dyad.group or NO_GROUP].append(dyad)
    order = sorted(groups, key=lambda group: (group == NO_GROUP, natural_key(group)))
    bands = [Band(group, tuple(groups[group])) for group in order]
    return [dyad for band in bands for dyad in band.dyads], bands


def frequency_table(
    session: Session,
    *,
    project_id: int,
    cells: str = "role",
    sessions: Sequence[int] | None = None,
    by_group: bool = False,
) -> FrequencyTable:
    """The project's frequency table (DESIGN.md §6). ``cells`` says what the exports print in a cell
    (``role`` initials or the ``count`` of distinct passages; every cell carries both); ``sessions`` keeps
    only the interviews about those therapy sessions; ``by_group`` orders the dyad columns in bands by group."""
    get_project(session, project_id)
    if cells not in CELLS:
        raise InvalidInput(f"unknown cells {cells!r}: choose role or count")
    transcripts = session.exec(
        select(col(Transcript.id), col(Transcript.session), col(Participant.dyad_id), col(Participant.role))
        .join(Participant, col(Participant.id) == col(Transcript.participant_id))
        .where(Transcript.project_id == project_id)
    ).all()
    chosen = None
    if sessions:
        chosen = tuple(sorted(set(sessions)))
        held = {session_number for _, session_number, _, _ in transcripts}
        missing = [str(number) for number in chosen if number not in held]
        if missing:
            raise InvalidInput(f"no interviews about session {', '.join(missing)} in this project")
    where = {tid: (dyad_id, role) for tid, number, dyad_id, role in transcripts if chosen is None or number in chosen}

    rows = _rows(theme_tree(session, project_id=project_id, include_discarded=False))

    roles: dict[tuple[int, int], set[str]] = defaultdict(set)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for row_id, transcript_id, n in _passage_counts(session, project_id):
        if transcript_id in where:
            dyad_id, role = where[transcript_id]
            roles[row_id, dyad_id].add(role)
            counts[row_id, dyad_id] += n

    dyads, bands = _columns(session, project_id, by_group)
    for row in rows:
        row.cells = [
            Cell(
                dyad.id,
                row.code_ids,
                tuple(sorted(roles.get((row.theme_id, dyad.id), ()), key=role_key)),
                counts.get((row.theme_id, dyad.id), 0),
            )
            for dyad in dyads
        ]
    return FrequencyTable(project_id, cells, chosen, dyads, rows, bands)
