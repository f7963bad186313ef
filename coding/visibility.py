"""Whose codings a person sees in the reading view: everyone's, except while an agreement round is open.

An open round's coders code blind: they see each other's codings of the round's codes only once an owner
closes it. Which of a round's coders a person may see is ``agreement_rounds.visible_coders``' decision; this
module applies it to a transcript's codings. A round without a list of transcripts (those every coder has
coded, decided when the round is looked at) hides its coders' codings everywhere while it is open.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coding.agreement_models import AgreementRound
from coding.agreement_rounds import visible_coders
from coding.models import Code, Coding
from coding.overlay import Overlay, _by_turn, overlay
from coding.view import coded_turn
from transcripts.models import Transcript, User
from transcripts.study import TranscriptText, TurnView, turns_of


@dataclass(frozen=True, slots=True)
class Concealed:
    """The codings hidden from one person in one transcript: per coder, the codes hidden (None: all codes)."""

    coders: dict[int, frozenset[int] | None]

    def hides(self, coder_id: int | None, code_id: int | None) -> bool:
        if coder_id not in self.coders:
            return False
        codes = self.coders[coder_id]
        return codes is None or code_id in codes

    def __bool__(self) -> bool:
        return bool(self.coders)


NOTHING_CONCEALED = Concealed({})


# Most projects have no open round most of the time: a plain statement prepared once says so (the rounds
# themselves are read through the ORM only when there are some).
_ANY_OPEN = sa.text("SELECT 1 FROM agreementround WHERE project_id = :project AND status = 'open' LIMIT 1")


def concealed(
    session: Session, *, project_id: int, transcript_id: int, user: User, rounds_open: bool | None = None
) -> Concealed:
    """What the open agreement rounds of the project hide from ``user`` in this transcript (``rounds_open``:
    whether the project has any, when the caller read it in this transaction already)."""
    if rounds_open is None:
        rounds_open = session.execute(_ANY_OPEN, {"project": project_id}).first() is not None
    if not rounds_open:
        return NOTHING_CONCEALED
    rounds = session.exec(
        select(AgreementRound).where(AgreementRound.project_id == project_id, AgreementRound.status == "open")
    ).all()
    hidden: dict[int, frozenset[int] | None] = {}
    for found in rounds:
        if found.transcript_ids is not None and transcript_id not in found.transcript_ids:
            continue
        shown = set(visible_coders(session, found=found, user=user))
        codes = None if found.code_ids is None else frozenset(found.code_ids)
        for coder_id in set(found.coder_ids) - shown:
            earlier = hidden.get(coder_id, frozenset())
            hidden[coder_id] = None if earlier is None or codes is None else earlier | codes
    return Concealed(hidden)


def visible_overlay(
    session: Session,
    *,
    project_id: int,
    transcript_id: int,
    text: str,
    turns: Sequence[TurnView],
    me: User,
    coder_id: int | None = None,
    picker: bool = True,
    hidden: Concealed = NOTHING_CONCEALED,
) -> Overlay:
    """``coding.overlay.overlay`` without the ``hidden`` codings: the turns that held one are cut again from
    the codings left (nothing more is read when nothing is hidden)."""
    layer = overlay(
        session,
        project_id=project_id,
        transcript_id=transcript_id,
        text=text,
        turns=turns,
        me=me,
        coder_id=coder_id,
        picker=picker,
    )
    if not hidden or not turns or not layer.codings:
        return layer
    query = sa_select(Coding.id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end).where(  # type: ignore[call-overload]
        col(Coding.transcript_id) == transcript_id, col(Coding.end) > turns[0].start, col(Coding.start) < turns[-1].end
    )
    if coder_id is not None:
        query = query.where(col(Coding.coder_id) == coder_id)
    rows = session.execute(query.order_by(col(Coding.start), col(Coding.end).desc(), col(Coding.id))).all()
    shown = [row for row in rows if not hidden.hides(row.coder_id, row.code_id)]
    if len(shown) == len(rows):
        return layer
    secret = {row.id for row in rows} - {row.id for row in shown}
    codes = {code.id: code for code in layer.codes or _codes(session, {row.code_id for row in shown})}
    for turn, found in zip(turns, _by_turn(turns, shown), strict=True):
        coded = layer.turns.get(turn.position)
        if coded is not None and any(stripe.coding_id in secret for stripe in coded.stripes):
            layer.turns[turn.position] = coded_turn(
                text,
                start=turn.start,
                end=turn.end,
                codings=found,
                codes=codes,  # type: ignore[arg-type]
                coders=layer.coders,
            )
    present = {row.coder_id for row in shown} | {me.id}
    coders = {user_id: name for user_id, name in layer.coders.items() if user_id in present}
    return Overlay(layer.turns, layer.codes, coders, len(shown))


def seen_turns(
    session: Session,
    *,
    transcript: Transcript | TranscriptText,
    spans: Sequence[tuple[int, int]],
    me: User,
    coder_id: int | None = None,
    rounds_open: bool | None = None,
) -> tuple[list[TurnView], Overlay]:
    """The turns overlapping ``spans``, in order, with the codings ``me`` sees on them (an open agreement
    round's stay hidden here as on the page): the fragment that answers a change. ``rounds_open`` as for
    ``concealed``."""
    touched = {t.position: t for start, end in spans for t in turns_of(session, transcript, start=start, end=end)}
    turns = [touched[position] for position in sorted(touched)]
    project_id: int = transcript.project_id
    transcript_id: int = transcript.id  # type: ignore[assignment]
    layer = visible_overlay(
        session,
        project_id=project_id,
        transcript_id=transcript_id,
        text=transcript.text,
        turns=turns,
        me=me,
        coder_id=coder_id,
        picker=False,
        hidden=concealed(session, project_id=project_id, transcript_id=transcript_id, user=me, rounds_open=rounds_open),
    )
    return turns, layer


_IN_SIGHT = select(Code).where(col(Code.id).in_(sa.bindparam("ids", expanding=True)))


def _codes(session: Session, ids: Collection[int]) -> list[Code]:
    """The codes of a fragment's few codings (a fragment's overlay reads no codes), by a statement built once."""
    return list(session.exec(_IN_SIGHT, params={"ids": list(ids)})) if ids else []
