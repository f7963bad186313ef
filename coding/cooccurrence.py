"""Code co-occurrence: where codings of two codes overlap in the same passage of a transcript.

Counting rules:

- Two codings **overlap** when they lie in the same transcript and their spans intersect:
  ``a.start < b.end and b.start < a.end``. Spans are ``[start, end)``, so touching spans (``[0, 5)`` and
  ``[5, 9)``) do not overlap; a span nested inside another does.
- A pair of codes counts **distinct overlapping span pairs**: one for each distinct (transcript, span of A,
  span of B) that overlap. Codings of one code on the same span by several coders count once; a long coding
  of A overlapping two separate codings of B counts twice.
- ``dyads`` is the number of dyads in whose transcripts such a pair lies.
- A code with itself (the diagonal) counts its distinct passages (same transcript, start and end once) and
  the dyads they lie in.

Like every count in Dyadic, these describe where codes meet in the data, not how much a pairing matters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from coding.errors import InvalidInput
from coding.search import quote_label
from coding.tree import code_tree, flatten, get_code
from transcripts.order import natural_key
from transcripts.projects import get_project

# The self-join pairs each coding with the codings of the same transcript that start before it ends — the
# shape the index ix_coding_transcript_start serves — and keeps those that end after it starts.
_PAIRS = """
SELECT pair.code_a, pair.code_b, COUNT(*) AS passages, COUNT(DISTINCT participant.dyad_id) AS dyads
FROM (
    SELECT DISTINCT a.code_id AS code_a, b.code_id AS code_b, a.transcript_id,
           a.start AS a_start, a."end" AS a_end, b.start AS b_start, b."end" AS b_end
    FROM coding a
    JOIN coding b ON b.transcript_id = a.transcript_id AND b.start < a."end" AND a.start < b."end"
    JOIN transcript ON transcript.id = a.transcript_id
    WHERE a.project_id = :project_id AND a.code_id < b.code_id {filters}
) pair
JOIN transcript ON transcript.id = pair.transcript_id
JOIN participant ON participant.id = transcript.participant_id
GROUP BY pair.code_a, pair.code_b
"""
_PASSAGES = """
SELECT passage.code_id, COUNT(*) AS passages, COUNT(DISTINCT participant.dyad_id) AS dyads
FROM (
    SELECT DISTINCT a.code_id, a.transcript_id, a.start, a."end"
    FROM coding a
    JOIN transcript ON transcript.id = a.transcript_id
    WHERE a.project_id = :project_id {filters}
) passage
JOIN transcript ON transcript.id = passage.transcript_id
JOIN participant ON participant.id = transcript.participant_id
GROUP BY passage.code_id
"""
_OVERLAPS = """
SELECT DISTINCT a.transcript_id, transcript.name, dyad.label, participant.role, participant.pseudonym,
       transcript.session, a.start AS a_start, a."end" AS a_end, b.start AS b_start, b."end" AS b_end,
       a.text AS a_text, b.text AS b_text,
       (SELECT MAX(turn.position) FROM turn
        WHERE turn.transcript_id = a.transcript_id
          AND turn.start <= CASE WHEN a.start > b.start THEN a.start ELSE b.start END) AS turn
FROM coding a
JOIN coding b ON b.transcript_id = a.transcript_id AND b.start < a."end" AND a.start < b."end"
JOIN transcript ON transcript.id = a.transcript_id
JOIN participant ON participant.id = transcript.participant_id
JOIN dyad ON dyad.id = participant.dyad_id
WHERE a.project_id = :project_id AND a.code_id = :code_a AND b.code_id = :code_b {filters}
"""


@dataclass(frozen=True, slots=True)
class CodeRef:
    """A code as a row or column of the table: codebook order, depth and path."""

    code_id: int
    name: str
    path: str
    depth: int


@dataclass(frozen=True, slots=True)
class Tally:
    """Overlapping passages (or, on the diagonal, a code's passages) and the dyads they lie in."""

    passages: int = 0
    dyads: int = 0


@dataclass(frozen=True, slots=True)
class Cooccurrence:
    """Codes × codes: ``tally(a, b)`` for any two codes, the code's own passages when ``a == b``."""

    codes: tuple[CodeRef, ...]
    sessions: tuple[int, ...]
    pairs: dict[tuple[int, int], Tally] = field(default_factory=dict)
    diagonal: dict[int, Tally] = field(default_factory=dict)
    top: int = 0  # the most overlapping passages of any pair

    def tally(self, a: int, b: int) -> Tally:
        if a == b:
            return self.diagonal.get(a, Tally())
        return self.pairs.get((min(a, b), max(a, b)), Tally())

    def triangle(self) -> list[tuple[CodeRef, list[tuple[CodeRef, Tally]]]]:
        """Each code with the codes up to and including itself: the lower triangle, diagonal included."""
        return [
            (row, [(other, self.tally(row.code_id, other.code_id)) for other in self.codes[: i + 1]])
            for i, row in enumerate(self.codes)
        ]

    def level(self, tally: Tally) -> int:
        """A pair's strength for a heat map: 0 when the codes never overlap, else 1–4 by its share of the
        most frequent pair."""
        return 0 if not tally.passages or not self.top else max(1, -(-4 * tally.passages // self.top))


@dataclass(frozen=True, slots=True)
class Overlap:
    """Codings of two codes overlapping in one transcript: both spans, their union's text and where they meet."""

    transcript_id: int
    transcript: str
    dyad: str
    role: str
    participant: str
    session: int
    turn: int | None  # the position of the turn where the overlap begins, for a link into the reading view
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    text: str  # the union of the two spans

    @property
    def start(self) -> int:
        """Where the intersection begins (it ends at ``end``)."""
        return max(self.a_start, self.b_start)

    @property
    def end(self) -> int:
        return min(self.a_end, self.b_end)

    @property
    def union_start(self) -> int:
        return min(self.a_start, self.b_start)

    @property
    def parts(self) -> tuple[str, str, str]:
        """The union's text cut into: before the intersection, the intersection, after it."""
        first, last = self.start - self.union_start, self.end - self.union_start
        return self.text[:first], self.text[first:last], self.text[last:]

    @property
    def label(self) -> str:
        return quote_label(self.role, self.dyad)


def _filters(sessions: Sequence[int], code_ids: Sequence[int] | None) -> tuple[str, dict[str, Any], list[str]]:
    clauses, params, expanding = [], {}, []
    if sessions:
        clauses.append("AND transcript.session IN :sessions")
        params["sessions"], expanding = list(sessions), ["sessions"]
    if code_ids is not None:
        clauses.append("AND a.code_id IN :code_ids")
        params["code_ids"] = list(code_ids) or [-1]
        expanding.append("code_ids")
    return " ".join(clauses), params, expanding


def _run(
    session: Session, sql: str, project_id: int, filters: tuple[str, dict[str, Any], list[str]], **more: Any
) -> Iterable[Any]:
    clauses, params, expanding = filters
    query = sa.text(sql.format(filters=clauses))
    if expanding:
        query = query.bindparams(*(sa.bindparam(name, expanding=True) for name in expanding))
    return session.connection().execute(query, {"project_id": project_id, **params, **more})


def cooccurrence(
    session: Session, *, project_id: int, code_ids: Sequence[int] | None = None, sessions: Sequence[int] = ()
) -> Cooccurrence:
    """How often codings of each two codes overlap (see the module's counting rules), for all the project's
    codes in codebook order or only ``code_ids``; ``sessions`` keeps only transcripts about those sessions."""
    get_project(session, project_id)
    chosen = tuple(sorted(set(sessions)))
    wanted = None
    if code_ids is not None:
        wanted = {get_code(session, code_id=code_id, project_id=project_id).id or 0 for code_id in code_ids}
    codes = tuple(
        CodeRef(node.code.id or 0, node.code.name, node.path, node.depth)
        for node in flatten(code_tree(session, project_id=project_id))
        if wanted is None or node.code.id in wanted
    )
    filters = _filters(chosen, sorted(wanted) if wanted is not None else None)
    pair_filters = filters
    if wanted is not None:
        pair_filters = (filters[0] + " AND b.code_id IN :code_ids", filters[1], filters[2])
    pairs = {(int(a), int(b)): Tally(int(n), int(d)) for a, b, n, d in _run(session, _PAIRS, project_id, pair_filters)}
    diagonal = {int(c): Tally(int(n), int(d)) for c, n, d in _run(session, _PASSAGES, project_id, filters)}
    top = max((tally.passages for tally in pairs.values()), default=0)
    return Cooccurrence(codes, chosen, pairs, diagonal, top)


def _union_text(a_start: int, a_text: str, b_start: int, b_text: str) -> str:
    # Each coding keeps a copy of its passage, so the union is the earlier copy and the later one's rest.
    if b_start < a_start:
        a_start, a_text, b_start, b_text = b_start, b_text, a_start, a_text
    a_end = a_start + len(a_text)
    return a_text + b_text[a_end - b_start :] if b_start + len(b_text) > a_end else a_text


def overlaps(
    session: Session, *, project_id: int, code_a: int, code_b: int, sessions: Sequence[int] = ()
) -> list[Overlap]:
    """The overlapping passages of two codes (each distinct pair of spans once), in study order: dyad,
    transcript, place in the text."""
    get_project(session, project_id)
    get_code(session, code_id=code_a, project_id=project_id)
    get_code(session, code_id=code_b, project_id=project_id)
    if code_a == code_b:
        raise InvalidInput("choose two different codes to see where they overlap")
    rows = _run(session, _OVERLAPS, project_id, _filters(tuple(sessions), None), code_a=code_a, code_b=code_b)
    found = [
        Overlap(
            int(row.transcript_id),
            row.name,
            row.label,
            row.role,
            row.pseudonym,
            int(row.session),
            None if row.turn is None else int(row.turn),
            int(row.a_start),
            int(row.a_end),
            int(row.b_start),
            int(row.b_end),
            _union_text(int(row.a_start), row.a_text, int(row.b_start), row.b_text),
        )
        for row in rows
    ]
    return sorted(found, key=lambda o: (natural_key(o.dyad), natural_key(o.transcript), o.start, o.end, o.a_start))


def cooccurrence_csv(table: Cooccurrence) -> str:
    """The table as CSV, one row per pair that overlaps at least once and one per code with itself:
    ``code_a,code_a_path,code_b,code_b_path,passages,dyads`` (codes in codebook order)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code_a", "code_a_path", "code_b", "code_b_path", "passages", "dyads"])
    for row, cells in table.triangle():
        for other, tally in cells:
            if other.code_id == row.code_id or tally.passages:
                writer.writerow([other.name, other.path, row.name, row.path, tally.passages, tally.dyads])
    return out.getvalue()
