"""Retrieval: the coded extracts of a code, or of a set of codes, collated across the study (Braun & Clarke's
phase 2, "collate data relevant to each code").

Each extract is one coding with everything a researcher needs to read it in place and to quote it: the
quote label "(client, dyad 4)", the session, the turn and its time stamp, the coder and the coding's memo.
The label names whoever speaks where the extract starts, so the interviewer's words are labelled
interviewer. Extracts come in study order: dyads in natural order ("Dyad 2" before "Dyad 10"), then roles
(client, therapist, interpreter, others), sessions, transcripts, and places in the text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coding.errors import InvalidInput, NotFound
from coding.models import Code, Coding
from coding.search import quote_label, search_options
from coding.tree import _children_of, _path, _project_codes, _subtree, code_tree, flatten
from transcripts.models import Dyad, Participant, Transcript, Turn, User
from transcripts.order import natural_key, role_key
from transcripts.projects import get_project

_BATCH = 500  # transcript ids per statement


@dataclass(frozen=True, slots=True)
class ExtractFilters:
    """Which coded extracts to collect. Each empty selection means all: all codes, dyads (by id), roles of
    the interviews' participants, sessions, dyad groups and coders (by user id). With ``include_subcodes``
    a chosen code brings the extracts of every code beneath it."""

    code_ids: tuple[int, ...] = ()
    include_subcodes: bool = True
    dyad_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    sessions: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    coder_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Extract:
    """One coding, where it lies and who made it.

    ``role`` is the role of the interview's participant; ``speaker_role`` that of whoever speaks in the turn
    where the extract starts (the same, unless it starts in the interviewer's speech). ``turn`` is that
    turn's position in the transcript (``None`` if the extract lies after the last turn), ``timestamp`` its
    time stamp in seconds, if the file gave one.
    """

    project: str
    coding_id: int
    code_id: int
    code: str
    code_path: str
    code_rank: int  # the code's place in the codebook's order (each code before its subcodes)
    transcript_id: int
    transcript: str
    dyad_id: int
    dyad: str
    group: str | None
    participant: str
    role: str
    session: int
    speaker_role: str
    turn: int | None
    timestamp: float | None
    coder: str | None
    memo: str
    start: int
    end: int
    text: str
    created_at: datetime

    @property
    def label(self) -> str:
        """The quote label, e.g. "(client, dyad 4)"."""
        return quote_label(self.speaker_role, self.dyad)


@dataclass(frozen=True, slots=True)
class ChoiceCode:
    """A code as a filter form lists it: in the codebook's order, indented by ``depth``."""

    id: int
    name: str
    path: str
    depth: int


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """What a project's extracts can be narrowed to: dyads (id, label), roles, sessions, groups, the people
    who have coded in it (id, name), and its codes in the codebook's order."""

    dyads: list[tuple[int, str]]
    roles: list[str]
    sessions: list[int]
    groups: list[str]
    coders: list[tuple[int, str]]
    codes: list[ChoiceCode] = field(default_factory=list)


class _Turn(NamedTuple):
    start: int
    end: int
    position: int
    role: str
    timestamp: float | None


def extract_options(session: Session, project_id: int) -> ExtractOptions:
    """The choices of the coded-extract filters for a project, in study order."""
    get_project(session, project_id)
    found = search_options(session, project_id=project_id)
    dyads = session.exec(select(Dyad.id, Dyad.label).where(Dyad.project_id == project_id)).all()
    coders = session.exec(
        select(User.id, User.name)
        .where(col(User.id).in_(select(Coding.coder_id).where(Coding.project_id == project_id).distinct()))
        .order_by(col(User.name))
    ).all()
    codes = [
        ChoiceCode(node.code.id or 0, node.code.name, node.path, node.depth)
        for node in flatten(code_tree(session, project_id=project_id))
    ]
    return ExtractOptions(
        dyads=sorted(((id_ or 0, label) for id_, label in dyads), key=lambda d: natural_key(d[1])),
        roles=found.roles,
        sessions=found.sessions,
        groups=found.groups,
        coders=[(id_ or 0, name) for id_, name in coders],
        codes=codes,
    )


def extracts(session: Session, *, project_id: int, filters: ExtractFilters = ExtractFilters()) -> list[Extract]:
    """The project's coded extracts that the filters leave, one per coding, in study order: dyad (natural
    order), role, session, transcript, place in the text.

    A code of another project is refused (``NotFound``), as is a dyad, role, session, group or coder the
    project does not have (``InvalidInput``), so that a mistyped filter never passes for "no extracts".
    """
    project = get_project(session, project_id)
    codes = _project_codes(session, project_id)
    code_ids = _wanted_codes(codes, filters)
    _check(session, project_id, filters)
    query = (
        sa_select(
            Coding,
            col(Transcript.name),
            col(Transcript.session),
            col(Participant.pseudonym),
            col(Participant.role),
            Dyad,
            col(User.name),
        )
        .join(Transcript, col(Transcript.id) == col(Coding.transcript_id))
        .join(Participant, col(Participant.id) == col(Transcript.participant_id))
        .join(Dyad, col(Dyad.id) == col(Participant.dyad_id))
        .outerjoin(User, col(User.id) == col(Coding.coder_id))
        .where(col(Coding.project_id) == project_id)
    )
    if code_ids is not None:
        query = query.where(col(Coding.code_id).in_(code_ids))
    if filters.dyad_ids:
        query = query.where(col(Dyad.id).in_(filters.dyad_ids))
    if filters.roles:
        query = query.where(col(Participant.role).in_(filters.roles))
    if filters.sessions:
        query = query.where(col(Transcript.session).in_(filters.sessions))
    if filters.groups:
        query = query.where(col(Dyad.group).in_(filters.groups))
    if filters.coder_ids:
        query = query.where(col(Coding.coder_id).in_(filters.coder_ids))
    rows = session.execute(query).all()
    turns = _turns(session, {coding.transcript_id for coding, *_ in rows})
    paths = {code_id: _path(codes, code) for code_id, code in codes.items()}
    code_rank = {code_id: rank for rank, code_id in enumerate(_tree_order(codes))}
    found = []
    for coding, name, number, pseudonym, role, dyad, coder in rows:
        turn = _turn_at(turns.get(coding.transcript_id, ([], [])), coding.start)
        code = codes[coding.code_id]
        found.append(
            Extract(
                project=project.name,
                coding_id=coding.id or 0,
                code_id=coding.code_id,
                code=code.name,
                code_path=paths[coding.code_id],
                code_rank=code_rank.get(coding.code_id, 0),
                transcript_id=coding.transcript_id,
                transcript=name,
                dyad_id=dyad.id or 0,
                dyad=dyad.label,
                group=dyad.group,
                participant=pseudonym,
                role=role,
                session=number,
                speaker_role=turn.role if turn else role,
                turn=turn.position if turn else None,
                timestamp=turn.timestamp if turn else None,
                coder=coder,
                memo=coding.memo,
                start=coding.start,
                end=coding.end,
                text=coding.text,
                created_at=coding.created_at,
            )
        )
    dyad_keys = {e.dyad: natural_key(e.dyad) for e in found}
    found.sort(
        key=lambda e: (
            dyad_keys[e.dyad],
            role_key(e.role),
            e.session,
            natural_key(e.transcript),
            e.transcript_id,
            e.start,
            e.end,
            e.code_rank,
            e.coding_id,
        )
    )
    return found


def _wanted_codes(codes: dict[int, Code], filters: ExtractFilters) -> set[int] | None:
    """The ids of the codes whose codings are wanted (``None``: every code)."""
    if not filters.code_ids:
        return None
    wanted: set[int] = set()
    for code_id in filters.code_ids:
        if code_id not in codes:
            raise NotFound(f"no code with id {code_id} in this project")
        wanted |= _subtree(codes, code_id) if filters.include_subcodes else {code_id}
    return wanted


def _check(session: Session, project_id: int, filters: ExtractFilters) -> None:
    """Refuse a filter value the project does not have (one line, naming the first such value)."""
    interviews: Sequence[Any] = session.exec(
        select(Dyad.id, Dyad.group, Participant.role, Transcript.session)
        .join(Participant, col(Participant.dyad_id) == col(Dyad.id))
        .join(Transcript, col(Transcript.participant_id) == col(Participant.id))
        .where(Dyad.project_id == project_id)
    ).all()
    dyad_ids = set(session.exec(select(Dyad.id).where(Dyad.project_id == project_id)).all())
    checks: list[tuple[str, Iterable[object], set[Any]]] = [
        ("dyad with id", filters.dyad_ids, dyad_ids),
        ("role", filters.roles, {row[2] for row in interviews}),
        ("session", filters.sessions, {row[3] for row in interviews}),
        ("group", filters.groups, {row[1] for row in interviews if row[1]}),
    ]
    if filters.coder_ids:
        users = set(session.exec(select(User.id).where(col(User.id).in_(filters.coder_ids))).all())
        checks.append(("coder with id", filters.coder_ids, users))
    for name, chosen, known in checks:
        unknown = [value for value in chosen if value not in known]
        if unknown:
            shown = unknown[0] if isinstance(unknown[0], int) else repr(unknown[0])
            raise InvalidInput(f"no {name} {shown} in this project")


def _turns(session: Session, transcript_ids: Iterable[int]) -> dict[int, tuple[list[int], list[_Turn]]]:
    """The turns of these transcripts, by transcript, in text order, with their ends for a binary search:
    one statement per batch of transcripts rather than one per coding."""
    ids = sorted(transcript_ids)
    by_transcript: dict[int, list[_Turn]] = defaultdict(list)
    for first in range(0, len(ids), _BATCH):
        columns = (Turn.transcript_id, Turn.start, Turn.end, Turn.position, Turn.role, Turn.timestamp)
        rows = session.execute(
            sa_select(*(col(column) for column in columns)).where(
                col(Turn.transcript_id).in_(ids[first : first + _BATCH])
            )
        ).all()
        for transcript_id, *turn in rows:
            by_transcript[transcript_id].append(_Turn(*turn))
    found = {}
    for transcript_id, turns in by_transcript.items():
        turns.sort()
        found[transcript_id] = ([turn.end for turn in turns], turns)
    return found


def _turn_at(turns: tuple[list[int], list[_Turn]], offset: int) -> _Turn | None:
    """The turn that holds ``offset``, or — for an offset in a speaker label or time stamp between turns —
    the turn that follows it; ``None`` past the last turn."""
    ends, ordered = turns
    index = bisect_right(ends, offset)
    return ordered[index] if index < len(ordered) else None


def _tree_order(codes: dict[int, Code]) -> list[int]:
    """Code ids in the codebook's order, each code before its subcodes (to order codings of one span)."""
    children, order = _children_of(codes), []
    stack = list(reversed(children.get(None, [])))
    while stack:
        code = stack.pop()
        order.append(code.id or 0)
        stack.extend(reversed(children.get(code.id, [])))
    return order
