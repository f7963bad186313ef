"""The codings laid over a transcript in the reading view: per turn, for all coders, one coder, or me."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coding.models import Code, Coding
from coding.view import CodedTurn, coded_turn
from transcripts.models import User
from transcripts.study import TurnView


@dataclass(slots=True)
class Overlay:
    turns: dict[int, CodedTurn]  # by turn position
    codes: list[Code]  # the project's codes, those this person used most recently first
    coders: dict[int, str]
    codings: int


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
    coder's codings only. Without ``picker`` (a fragment after a change) only the codes in sight are read,
    so that storing a coding costs the same however many the project holds."""
    if not turns:
        return Overlay({}, [], {}, 0)
    query = sa_select(Coding.id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end).where(  # type: ignore[call-overload]
        col(Coding.transcript_id) == transcript_id, col(Coding.end) > turns[0].start, col(Coding.start) < turns[-1].end
    )
    if coder_id is not None:
        query = query.where(col(Coding.coder_id) == coder_id)
    codings = session.execute(query.order_by(col(Coding.start), col(Coding.end).desc(), col(Coding.id))).all()
    if picker:
        codes = project_codes(session, project_id=project_id, me=me)
    else:
        codes = list(session.exec(select(Code).where(col(Code.id).in_({c.code_id for c in codings}))))
    by_id = {code.id: code for code in codes}
    coder_ids = {c.coder_id for c in codings} | {me.id}
    coders = {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(coder_ids))) if u.id}
    per_turn = _by_turn(turns, codings)
    coded = {
        turn.position: coded_turn(text, start=turn.start, end=turn.end, codings=found, codes=by_id, coders=coders)  # type: ignore[arg-type]
        for turn, found in zip(turns, per_turn, strict=True)
    }
    return Overlay(coded, codes, coders, len(codings))


def _by_turn(turns: Sequence[TurnView], codings: Sequence[Any]) -> list[list[Any]]:
    """Each turn's overlapping codings, found by bisection (a coding may span several turns): the reading
    view of a long transcript with thousands of codings stays linear."""
    ends = [turn.end for turn in turns]
    found: list[list[Any]] = [[] for _ in turns]
    for coding in codings:
        index = bisect_right(ends, coding.start)  # the first turn ending after the coding starts
        while index < len(turns) and turns[index].start < coding.end:
            found[index].append(coding)
            index += 1
    return found


def project_codes(session: Session, *, project_id: int, me: User) -> list[Code]:
    """The project's codes for the code picker: the ones ``me`` applied most recently first, then by name."""
    recent: dict[int, int] = dict(
        session.exec(  # type: ignore[arg-type]
            select(Coding.code_id, func.max(Coding.id))
            .where(Coding.project_id == project_id, Coding.coder_id == me.id)
            .group_by(col(Coding.code_id))
        ).all()
    )
    codes = list(session.exec(select(Code).where(Code.project_id == project_id)))
    return sorted(codes, key=lambda code: (-recent.get(code.id or 0, 0), code.name.casefold()))
