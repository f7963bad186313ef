"""The coder-lanes comparison: a transcript's turns with one lane per coder, each showing that coder's codings
of a round's codes (the speech cut into segments where codings begin or end, as in the reading view)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from coding.agreement_data import Coder, coders_by_id, ordered_codes, transcript_labels
from coding.agreement_models import AgreementRound
from coding.models import Code, Coding
from coding.view import Segment, coded_turn
from transcripts.models import Transcript, Turn


@dataclass(frozen=True, slots=True)
class LaneSegment:
    """A stretch of speech and the codes this coder applied to all of it (none: plain text)."""

    text: str
    codes: tuple[Code, ...]


@dataclass(frozen=True, slots=True)
class LaneTurn:
    turn_id: int
    speaker: str
    role: str
    timestamp: float | None
    lanes: list[list[LaneSegment]]  # one per coder shown, in the round's order


@dataclass(frozen=True, slots=True)
class CoderLanes:
    transcript_id: int
    transcript: str
    coders: list[Coder]  # the coders shown
    hidden: int  # how many of the round's coders are not shown (the round is still open)
    codes: list[Code]
    turns: list[LaneTurn]


def coder_lanes(session: Session, *, found: AgreementRound, transcript_id: int, shown: list[int]) -> CoderLanes:
    """The transcript's turns with a lane for each coder in ``shown`` (the round's coders this person may see)."""
    label = transcript_labels(session, project_id=found.project_id, transcript_ids=[transcript_id])[transcript_id]
    codes = ordered_codes(session, project_id=found.project_id)
    if found.code_ids is not None:
        codes = [c for c in codes if c.id in set(found.code_ids)]
    by_id = {c.id: c for c in codes if c.id is not None}
    coders = coders_by_id(session, [i for i in found.coder_ids if i in set(shown)])
    text = session.exec(select(Transcript.text).where(Transcript.id == transcript_id)).one()
    turns = session.exec(select(Turn).where(Turn.transcript_id == transcript_id).order_by(col(Turn.position))).all()
    codings = (
        session.exec(
            select(Coding).where(
                Coding.transcript_id == transcript_id,
                col(Coding.coder_id).in_([c.id for c in coders]),
                col(Coding.code_id).in_(list(by_id)),
            )
        ).all()
        if coders and by_id
        else []
    )
    per_coder = {c.id: [x for x in codings if x.coder_id == c.id] for c in coders}
    names = {c.id: c.name for c in coders}
    code_of = {x.id: by_id[x.code_id] for x in codings}

    def lane(turn: Turn, coder: Coder) -> list[LaneSegment]:
        cut = coded_turn(text, start=turn.start, end=turn.end, codings=per_coder[coder.id], codes=by_id, coders=names)
        return [_segment(s, code_of) for s in cut.segments]

    return CoderLanes(
        transcript_id=transcript_id,
        transcript=label,
        coders=coders,
        hidden=len(found.coder_ids) - len(coders),
        codes=codes,
        turns=[
            LaneTurn(t.id, t.speaker, t.role, t.timestamp, [lane(t, c) for c in coders])  # type: ignore[arg-type]
            for t in turns
            if t.end > t.start
        ],
    )


def _segment(segment: Segment, code_of: dict[int | None, Code]) -> LaneSegment:
    seen: dict[int | None, Code] = {}
    for coding_id in segment.coding_ids:
        code = code_of[coding_id]
        seen.setdefault(code.id, code)
    return LaneSegment(segment.text, tuple(seen.values()))
