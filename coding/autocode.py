"""Coding every hit of a search: first a preview of the passages, then one transaction that codes them.

A hit is a word; what gets coded is the sentence that holds it, because a coded extract needs the words
around it to mean something.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from coding.apply import Span, apply_code_to_spans
from coding.errors import CodingRefused, NotFound
from coding.models import Code, Coding
from coding.search import Filters, _chosen, _found, _query_lemmas, _texts, _turns, quote_label
from transcripts.models import User


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence that holds at least one hit: what "code all hits" codes."""

    transcript_id: int
    transcript: str
    dyad: str
    role: str
    participant: str
    session: int
    speaker: str
    speaker_role: str
    turn_position: int
    timestamp: float | None
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return quote_label(self.speaker_role, self.dyad)


@dataclass(frozen=True, slots=True)
class CodingPlan:
    """What coding every hit of a search would do: ``passages`` (sentences) in ``transcripts`` transcripts."""

    code: Code
    passages: list[Passage]
    transcripts: int


def coding_plan(
    session: Session,
    *,
    project_id: int,
    code_id: int,
    query: str,
    filters: Filters = Filters(),
    model: str | None = None,
) -> CodingPlan:
    """What "code all hits" would code: each sentence that holds a hit, once — a sentence rather than a
    single word, because a coded extract needs the words around it to mean something."""
    code = _project_code(session, project_id=project_id, code_id=code_id)
    lemmas = _query_lemmas(query, model=model)
    chosen = _chosen(session, project_id=project_id, filters=filters)
    everyone = filters.speakers == "all"
    found = _found(session, project_id=project_id, lemmas=lemmas, chosen=chosen, everyone=everyone)
    turns = _turns(session, {s.turn_id for s in found})
    texts = _texts(session, {s.transcript_id for s in found})
    passages = []
    for s in found:
        i, turn = chosen[s.transcript_id][1], turns[s.turn_id]
        passages.append(Passage(
            i.id, i.name, i.dyad, i.role, i.participant, i.session, turn.speaker, turn.role, turn.position,
            turn.timestamp, s.start, s.end, texts[s.transcript_id][s.start : s.end],
        ))  # fmt: skip
    return CodingPlan(code, passages, len({s.transcript_id for s in found}))


def code_hits(
    session: Session,
    *,
    project_id: int,
    code_id: int,
    query: str,
    coder: User,
    filters: Filters = Filters(),
    model: str | None = None,
) -> list[Coding]:
    """Code the sentence of every hit of a search with one code, in one transaction (with an audit event
    per coding); returns the new codings — sentences this coder had coded with the code already stay."""
    plan = coding_plan(session, project_id=project_id, code_id=code_id, query=query, filters=filters, model=model)
    spans = [Span(p.transcript_id, p.start, p.end) for p in plan.passages]
    return apply_code_to_spans(session, code_id=code_id, spans=spans, coder=coder)


def _project_code(session: Session, *, project_id: int, code_id: int) -> Code:
    code = session.get(Code, code_id)
    if code is None:
        raise NotFound(f"no code with id {code_id}")
    if code.project_id != project_id:
        raise CodingRefused(f"the code with id {code_id} belongs to another project")
    return code
