"""Coding by speaker: every turn of one role (the client, the therapist, the interviewer …) in chosen
transcripts coded with one code — first a preview of the turns, then one transaction that codes them.

What gets coded is each turn's speech, ``[turn.start, turn.end)``: the label and the time stamp stay out,
as they do everywhere a span is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from coding.apply import Span, apply_code_to_spans
from coding.errors import CodingRefused, NotFound
from coding.models import Code, Coding
from coding.search import Interview, interviews, quote_label
from transcripts.models import Transcript, Turn, User
from transcripts.order import natural_key, role_key
from transcripts.projects import get_project


@dataclass(frozen=True, slots=True)
class SpeakerTurn:
    """One turn of the chosen role: what coding by speaker codes (its speech, without label or stamp)."""

    transcript_id: int
    dyad: str
    session: int
    participant: str
    position: int
    speaker: str
    role: str
    timestamp: float | None
    start: int
    end: int
    text: str
    coded: bool  # coded with this code by this coder already

    @property
    def label(self) -> str:
        return quote_label(self.role, self.dyad)


@dataclass(frozen=True, slots=True)
class TranscriptTurns:
    """How many turns of the role one transcript holds, and how many of them are coded already."""

    interview: Interview
    turns: int
    coded: int


@dataclass(frozen=True, slots=True)
class SpeakerPlan:
    """What coding every turn of ``role`` with ``code`` would do, transcript by transcript."""

    code: Code
    role: str
    transcripts: list[TranscriptTurns]
    turns: list[SpeakerTurn]

    @property
    def new(self) -> int:
        """The turns that would be coded: those not coded with the code by this coder already."""
        return sum(not t.coded for t in self.turns)

    @property
    def already(self) -> int:
        return len(self.turns) - self.new

    @property
    def new_transcripts(self) -> int:
        """The transcripts that hold turns still to code."""
        return sum(t.turns > t.coded for t in self.transcripts)


@dataclass(frozen=True, slots=True)
class SpeakerOptions:
    """What the form offers: the roles that speak in the project, its interviews by dyad, its codes."""

    roles: list[str]
    dyads: list[tuple[str, list[Interview]]]
    codes: list[Code] = field(default_factory=list)


def speaker_roles(session: Session, *, project_id: int) -> list[str]:
    """The roles that hold turns in the project's transcripts: the interviewer first, then client, therapist,
    interpreter and project-defined roles."""
    found = session.exec(
        select(Turn.role).join(Transcript, col(Transcript.id) == Turn.transcript_id).where(
            Transcript.project_id == project_id
        ).distinct()
    ).all()  # fmt: skip
    return sorted(found, key=role_key)


def speaker_options(session: Session, *, project_id: int) -> SpeakerOptions:
    """The roles, the interviews grouped by dyad (study order) and the codes (by name) of a project."""
    get_project(session, project_id)
    groups: dict[str, list[Interview]] = {}
    for interview in interviews(session, project_id=project_id):
        groups.setdefault(interview.dyad, []).append(interview)
    codes = session.exec(select(Code).where(Code.project_id == project_id)).all()
    return SpeakerOptions(
        speaker_roles(session, project_id=project_id),
        sorted(groups.items(), key=lambda item: natural_key(item[0])),
        sorted(codes, key=lambda c: c.name.casefold()),
    )


def speaker_plan(
    session: Session,
    *,
    project_id: int,
    code_id: int,
    role: str,
    transcript_ids: Iterable[int] = (),
    coder: User | None = None,
) -> SpeakerPlan:
    """What coding every turn of ``role`` in the chosen transcripts (none chosen: all of the project's)
    would code, and which of those turns ``coder`` has coded with the code already. Refuses a code or a
    transcript of another project, a role that does not speak in the project, and a choice without turns
    of the role."""
    get_project(session, project_id)
    code = session.get(Code, code_id)
    if code is None:
        raise NotFound(f"no code with id {code_id}")
    if code.project_id != project_id:
        raise CodingRefused(f"the code with id {code_id} belongs to another project")
    wanted = list(dict.fromkeys(transcript_ids))
    chosen = _chosen(session, project_id=project_id, wanted=wanted)
    roles = speaker_roles(session, project_id=project_id)
    if role not in roles:
        known = ", ".join(roles) or "none yet"
        raise CodingRefused(f"no one speaks as {role[:40]!r} in this project (roles: {known})")
    rows = session.exec(
        select(Turn)
        .where(col(Turn.transcript_id).in_(list(chosen)), Turn.role == role, col(Turn.end) > col(Turn.start))
        .order_by(col(Turn.transcript_id), col(Turn.position))
    ).all()
    texts = dict(session.exec(select(Transcript.id, Transcript.text).where(col(Transcript.id).in_(list(chosen)))).all())
    done = _coded(session, code_id=code_id, coder=coder, transcript_ids={t.transcript_id for t in rows})
    by_transcript: dict[int, list[SpeakerTurn]] = {}
    for turn in rows:
        text = texts[turn.transcript_id][turn.start : turn.end]
        if not text.strip():
            continue  # a label with no speech after it: nothing a reader could quote
        i, span = chosen[turn.transcript_id], (turn.transcript_id, turn.start, turn.end)
        by_transcript.setdefault(turn.transcript_id, []).append(SpeakerTurn(
            turn.transcript_id, i.dyad, i.session, i.participant, turn.position, turn.speaker, role, turn.timestamp,
            turn.start, turn.end, text, span in done,
        ))  # fmt: skip
    if not by_transcript:
        where = "the chosen transcripts" if wanted else "this project"
        raise CodingRefused(f"nothing to code: no turns of the {role!r} role in {where}")
    ordered = [i for i in chosen.values() if i.id in by_transcript]
    turns = [turn for i in ordered for turn in by_transcript[i.id]]
    counts = Counter(t.transcript_id for t in turns)
    coded = Counter(t.transcript_id for t in turns if t.coded)
    return SpeakerPlan(code, role, [TranscriptTurns(i, counts[i.id], coded[i.id]) for i in ordered], turns)


def code_speaker_turns(
    session: Session,
    *,
    project_id: int,
    code_id: int,
    role: str,
    transcript_ids: Iterable[int] = (),
    coder: User,
) -> list[Coding]:
    """Code the speech of every turn of ``role`` in the chosen transcripts (none chosen: all of the
    project's) with one code, in one transaction with an audit event per coding; returns the new codings —
    turns this coder had coded with the code already stay as they are."""
    plan = speaker_plan(
        session, project_id=project_id, code_id=code_id, role=role, transcript_ids=transcript_ids, coder=coder
    )
    spans = [Span(t.transcript_id, t.start, t.end) for t in plan.turns if not t.coded]
    if not spans:
        return []
    return apply_code_to_spans(session, code_id=code_id, spans=spans, coder=coder)


def _chosen(session: Session, *, project_id: int, wanted: list[int]) -> dict[int, Interview]:
    """The chosen interviews in study order (transcript id → interview); none chosen means all."""
    found = {i.id: i for i in interviews(session, project_id=project_id)}
    for transcript_id in wanted:
        if transcript_id in found:
            continue
        transcript = session.get(Transcript, transcript_id)
        if transcript is None:
            raise NotFound(f"no transcript with id {transcript_id}")
        raise CodingRefused(f"the transcript with id {transcript_id} belongs to another project")
    if not wanted:
        return found
    keep = set(wanted)
    return {key: i for key, i in found.items() if key in keep}


def _coded(
    session: Session, *, code_id: int, coder: User | None, transcript_ids: set[int]
) -> set[tuple[int, int, int]]:
    """(transcript, start, end) of the spans ``coder`` has coded with the code in these transcripts."""
    if coder is None or not transcript_ids:
        return set()
    rows = session.exec(
        select(Coding.transcript_id, Coding.start, Coding.end).where(
            Coding.code_id == code_id, Coding.coder_id == coder.id, col(Coding.transcript_id).in_(list(transcript_ids))
        )
    ).all()
    return {(t, s, e) for t, s, e in rows}
