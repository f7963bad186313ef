"""The codings laid over a transcript's turns in the reading view: per turn, for all coders, one coder, or me."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from coding.models import Code, Coding
from coding.view import CodedTurn
from transcripts.models import User
from transcripts.study import TurnView


@dataclass(slots=True)
class Overlay:
    turns: dict[int, CodedTurn]  # by turn position; a turn without codings is left out (drawn plain)
    codes: list[Code]  # the project's codes for the picker, those this person used most recently first; or,
    # without the picker, the codes in sight
    coders: dict[int, str]  # the coders in sight and me, by id
    codings: int


# Thousands of codings on a long transcript, and one request per coding stored: plain SQL prepared once,
# read as plain rows, each with its code's place and name and its coder's name (one statement, not three;
# building ORM statements and rows cost more than SQLite's work, BENCHMARKS.md "Coding").
_CODINGS = (
    'SELECT coding.id, coding.code_id, coding.coder_id, coding.start, coding."end",'
    ' code.position, code.name, "user".name AS coder'
    " FROM coding JOIN code ON code.id = coding.code_id"
    ' LEFT JOIN "user" ON "user".id = coding.coder_id'
    ' WHERE coding.transcript_id = :transcript AND coding."end" > :start AND coding.start < :end{}'
    ' ORDER BY coding.start, coding."end" DESC, coding.id'
)
_ALL_CODERS = sa.text(_CODINGS.format(""))
_ONE_CODER = sa.text(_CODINGS.format(" AND coding.coder_id = :coder"))


class _Placed(NamedTuple):
    """A row of ``_CODINGS`` as a named tuple: read a dozen times per coding, and a tuple's fields are read
    several times faster than a result row's."""

    id: int
    code_id: int
    coder_id: int | None
    start: int
    end: int
    position: int
    name: str
    coder: str | None


def overlay(
    session: Session,
    *,
    project_id: int,
    transcript_id: int,
    text: str,
    turns: Sequence[TurnView],
    me: User,
    coder_id: int | None = None,
    picker: bool = True,
) -> Overlay:
    """Codings over ``turns`` (all of a transcript, or the few a change touched); ``coder_id`` shows one
    coder's codings only. Without ``picker`` (a fragment after a change) the project's codes are not read,
    so that storing a coding costs the same however many the project holds."""
    if not turns:
        return Overlay({}, [], {}, 0)
    query = _ALL_CODERS if coder_id is None else _ONE_CODER
    params = {"transcript": transcript_id, "start": turns[0].start, "end": turns[-1].end, "coder": coder_id}
    codings = list(map(_placed, session.execute(query, params)))
    # Each code's lane order and each stripe's hover text, worked out once rather than per turn (and once per
    # code and coder, not per coding: the columns are gathered in C).
    code_ids, coder_ids = list(map(_CODE_ID, codings)), list(map(_CODER_ID, codings))
    order = dict(zip(code_ids, zip(map(_POSITION, codings), map(_NAME, codings), strict=True), strict=True))
    named = dict(zip(coder_ids, map(_CODER, codings), strict=True))
    coders: dict[int, str] = {coder: name for coder, name in named.items() if coder is not None and name is not None}
    coders[me.id] = me.name  # type: ignore[index]
    labels = {
        (code, coder): f"{order[code][1]} — {coders.get(coder or 0, 'unknown coder')}"
        for code, coder in set(zip(code_ids, coder_ids, strict=True))
    }
    lane_of = _ranks(order)
    # Each turn is cut when first looked at (most are drawn from kept HTML instead, app/turn_html.py). Its key
    # holds all that the cut depends on: the speech, the rows over it (codes' places and names, coders'
    # names) and me, whose name stands for my codings; as a flat tuple of plain values (the rows' fields one
    # after another), which the garbage collector stops tracking, so kept keys cost later collections nothing.
    me_id, me_name = me.id, me.name  # read once: attributes of an ORM object are slow to read
    coded = {
        turn.position: CodedTurn.later(
            (text[turn.start : turn.end], turn.start, turn.end, me_id, me_name, *chain.from_iterable(found)),
            (text, turn.start, turn.end, found, order, labels, lane_of),
        )
        for turn, found in zip(turns, _by_turn(turns, codings), strict=True)
        if found
    }
    # The picker's codes; a fragment after a change needs none (``coding.visibility`` reads the few it needs
    # when an open agreement round makes it cut turns again).
    codes = project_codes(session, project_id=project_id, me=me) if picker else []
    return Overlay(coded, codes, dict(sorted(coders.items())), len(codings))


_placed = partial(tuple.__new__, _Placed)  # a row as a ``_Placed``, in C (``_make`` is a Python call per row)
_CODE_ID, _CODER_ID, _POSITION, _NAME, _CODER = (itemgetter(i) for i in (1, 2, 5, 6, 7))


def _ranks(order: dict[int, Any]) -> dict[int, int] | None:
    """Each code's rank in ``order``, to sort a turn's codes by; None when two codes tie (a turn's lanes then
    keep the order of sorting its own codes, as always)."""
    keys = sorted(order.items(), key=itemgetter(1))
    if len({key for _, key in keys}) < len(keys):
        return None
    return {code_id: rank for rank, (code_id, _) in enumerate(keys)}


def _by_turn(turns: Sequence[TurnView], codings: Sequence[Any]) -> list[list[Any]]:
    """Each turn's overlapping codings, found by bisection (a coding may span several turns): the reading
    view of a long transcript with thousands of codings stays linear."""
    starts = [turn.start for turn in turns]
    ends = [turn.end for turn in turns]
    found: list[list[Any]] = [[] for _ in turns]
    for coding in codings:
        index = bisect_right(ends, coding.start)  # the first turn ending after the coding starts
        while index < len(starts) and starts[index] < coding.end:
            found[index].append(coding)
            index += 1
    return found


# The picker's two reads, built once (building a statement costs about as much as running these).
_RECENT = (
    select(Coding.code_id, func.max(Coding.id))
    .where(Coding.project_id == sa.bindparam("project"), Coding.coder_id == sa.bindparam("me"))
    .group_by(col(Coding.code_id))
)
_PROJECT_CODES = select(Code).where(Code.project_id == sa.bindparam("project"))


def project_codes(session: Session, *, project_id: int, me: User) -> list[Code]:
    """The project's codes for the code picker: the ones ``me`` applied most recently first, then by name."""
    recent: dict[int, int] = dict(
        session.exec(_RECENT, params={"project": project_id, "me": me.id}).all()  # type: ignore[arg-type]
    )
    codes = list(session.exec(_PROJECT_CODES, params={"project": project_id}))
    return sorted(codes, key=lambda code: (-recent.get(code.id or 0, 0), code.name.casefold()))
