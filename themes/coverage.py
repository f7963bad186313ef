"""Reviewing themes, level 2 (phase 4): the themes against the whole data set. Per dyad and role, which themes
it contributes to; the transcripts that no theme touches; and, per transcript, the participant's turns that
no theme touches (a turn is touched when a coding of a theme's code overlaps its speech).

Themes are the live top-level themes, each covering its live subthemes' codes (as the frequency table's
theme rows do); a code counts through its membership, not through its parent code. Discarded themes, and
everything under them, touch nothing. Like every count in Dyadic this is an audit — which data the themes
rest on and which they leave aside — not a measure of importance.

Two explicit SQL queries: the (theme, transcript) pairs in one pass over the codings, and the participant
turns per transcript with whether any theme's coding overlaps each (an index probe per turn on
``coding (transcript_id, start)``). No query runs per transcript.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session

from themes.tree import theme_tree
from transcripts.order import natural_key, role_key
from transcripts.projects import get_project

_LIVE = """
WITH RECURSIVE live(row_id, theme_id) AS (
    SELECT id, id FROM theme WHERE project_id = :project AND parent_id IS NULL AND status <> 'discarded'
    UNION
    SELECT live.row_id, child.id FROM live JOIN theme AS child ON child.parent_id = live.theme_id
    WHERE child.status <> 'discarded'
),
rowcode(row_id, code_id) AS (
    SELECT DISTINCT live.row_id, themecode.code_id FROM live JOIN themecode ON themecode.theme_id = live.theme_id
)
"""

# Which top-level theme touches which transcript: one pass over the project's codings.
_TOUCHES = (
    _LIVE
    + """
SELECT DISTINCT rowcode.row_id, coding.transcript_id
FROM coding JOIN rowcode ON rowcode.code_id = coding.code_id
WHERE coding.project_id = :project
"""
)

# Every transcript of the project with its participant's turns: how many, how many no theme's coding
# overlaps, and the first of those (for a link into the reading view).
_TURNS = (
    _LIVE
    + """,
themed(code_id) AS (SELECT DISTINCT code_id FROM rowcode),
marked(transcript_id, position, touched) AS (
    SELECT turn.transcript_id, turn.position,
        CASE WHEN EXISTS (
            SELECT 1 FROM coding JOIN themed ON themed.code_id = coding.code_id
            WHERE coding.transcript_id = turn.transcript_id AND coding.start < turn."end" AND coding."end" > turn.start
        ) THEN 1 ELSE 0 END
    FROM turn JOIN transcript ON transcript.id = turn.transcript_id
    WHERE transcript.project_id = :project AND turn.role <> 'interviewer'
)
SELECT transcript.id, transcript.name, transcript.session, participant.pseudonym, participant.role,
    dyad.id, dyad.label, dyad."group",
    COUNT(marked.position), COALESCE(SUM(1 - marked.touched), 0),
    MIN(CASE WHEN marked.touched = 0 THEN marked.position END)
FROM transcript
JOIN participant ON participant.id = transcript.participant_id
JOIN dyad ON dyad.id = participant.dyad_id
LEFT JOIN marked ON marked.transcript_id = transcript.id
WHERE transcript.project_id = :project
GROUP BY transcript.id, transcript.name, transcript.session, participant.pseudonym, participant.role,
    dyad.id, dyad.label, dyad."group"
"""
)


@dataclass(frozen=True, slots=True)
class ThemeColumn:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class TranscriptCoverage:
    """One interview: whose it is, which themes touch it, and its participant's turns that none touches."""

    transcript_id: int
    name: str
    session: int
    participant: str
    role: str
    dyad_id: int
    dyad: str
    turns: int  # the participant's turns (the interviewer's are left out)
    untouched: int  # of those, the turns no theme's coding overlaps
    first_untouched: int | None  # the position of the first such turn
    theme_ids: frozenset[int]

    @property
    def touched(self) -> bool:
        return bool(self.theme_ids)


@dataclass(slots=True)
class DyadCoverage:
    """One dyad's row of the grid: per theme, the roles whose interviews contribute to it."""

    dyad_id: int
    label: str
    group: str | None
    roles: dict[int, tuple[str, ...]] = field(default_factory=dict)  # theme id → roles, in role order

    def themes_touched(self) -> int:
        return sum(1 for roles in self.roles.values() if roles)


@dataclass(slots=True)
class Coverage:
    themes: list[ThemeColumn]
    dyads: list[DyadCoverage]
    transcripts: list[TranscriptCoverage]

    @property
    def untouched_transcripts(self) -> list[TranscriptCoverage]:
        """The interviews no theme touches at all."""
        return [t for t in self.transcripts if not t.touched]

    @property
    def turns(self) -> int:
        return sum(t.turns for t in self.transcripts)

    @property
    def untouched_turns(self) -> int:
        return sum(t.untouched for t in self.transcripts)


def coverage(session: Session, *, project_id: int) -> Coverage:
    """Which dyads and roles the project's live themes rest on, and what they leave untouched."""
    get_project(session, project_id)
    themes = [
        ThemeColumn(node.theme.id or 0, node.theme.name)
        for node in theme_tree(session, project_id=project_id, include_discarded=False)
    ]
    connection = session.connection()
    touches: dict[int, set[int]] = defaultdict(set)
    for row_id, transcript_id in connection.execute(text(_TOUCHES), {"project": project_id}):
        touches[int(transcript_id)].add(int(row_id))
    transcripts = []
    dyads: dict[int, DyadCoverage] = {}
    for tid, name, number, pseudonym, role, dyad_id, label, group, turns, untouched, first in connection.execute(
        text(_TURNS), {"project": project_id}
    ):
        transcripts.append(
            TranscriptCoverage(
                int(tid),
                name,
                int(number),
                pseudonym,
                role,
                int(dyad_id),
                label,
                int(turns),
                int(untouched),
                None if first is None else int(first),
                frozenset(touches.get(int(tid), ())),
            )
        )
        dyads.setdefault(int(dyad_id), DyadCoverage(int(dyad_id), label, group))
    roles: dict[tuple[int, int], set[str]] = defaultdict(set)
    for transcript in transcripts:
        for theme_id in transcript.theme_ids:
            roles[transcript.dyad_id, theme_id].add(transcript.role)
    for dyad in dyads.values():
        dyad.roles = {t.id: tuple(sorted(roles.get((dyad.dyad_id, t.id), ()), key=role_key)) for t in themes}
    transcripts.sort(key=lambda t: (natural_key(t.dyad), role_key(t.role), t.session, natural_key(t.name)))
    return Coverage(themes, sorted(dyads.values(), key=lambda d: natural_key(d.label)), transcripts)
