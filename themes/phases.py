"""Braun & Clarke's six phases of thematic analysis, and where a project stands in each.

The phases are recursive, not a waterfall: nothing here blocks a researcher. The status of a phase is
an honest description of what the project holds, never a verdict on the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from transcripts.models import Memo, Project, ReadMark, Transcript, User


@dataclass(frozen=True, slots=True)
class Phase:
    number: int
    name_2006: str
    name_reflexive: str
    asks: str


PHASES = (
    Phase(
        1,
        "Familiarising yourself with the data",
        "Familiarisation",
        "Read and re-read each transcript, first separately, then dyadically; note initial ideas in memos.",
    ),
    Phase(
        2,
        "Generating initial codes",
        "Coding",
        "Code features of the data systematically across the whole data set; collate extracts per code.",
    ),
    Phase(
        3,
        "Searching for themes",
        "Generating initial themes",
        "Collate codes into candidate themes, each around a central organising concept.",
    ),
    Phase(
        4,
        "Reviewing themes",
        "Developing and reviewing themes",
        "Check themes against their extracts and against the whole data set; split, merge or discard.",
    ),
    Phase(
        5,
        "Defining and naming themes",
        "Refining, defining and naming themes",
        "Write what each theme is about and what it is not; name it; settle subthemes.",
    ),
    Phase(
        6,
        "Producing the report",
        "Writing up",
        "Choose vivid extracts and relate the analysis to the research question and literature.",
    ),
)


@dataclass(slots=True)
class PhaseStatus:
    phase: Phase
    state: str  # "not started", "under way"
    facts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def project_phases(session: Session, *, project: Project, user: User) -> list[PhaseStatus]:
    """Each phase with what the project holds for it and what is still missing."""
    statuses = [PhaseStatus(phase, "not started") for phase in PHASES]
    statuses[0] = _familiarisation(session, project, user)
    return statuses


def _familiarisation(session: Session, project: Project, user: User) -> PhaseStatus:
    transcripts = session.exec(
        select(func.count()).select_from(Transcript).where(Transcript.project_id == project.id)
    ).one()
    read_by_me = session.exec(
        select(func.count())
        .select_from(ReadMark)
        .join(Transcript)
        .where(Transcript.project_id == project.id, ReadMark.user_id == user.id)
    ).one()
    memos = session.exec(
        select(func.count()).select_from(Memo).where(Memo.project_id == project.id, Memo.body != "")
    ).one()
    status = PhaseStatus(PHASES[0], "under way" if transcripts else "not started")
    status.facts = [_count(transcripts, "transcript"), f"{read_by_me} read by you", _count(memos, "memo")]
    if not transcripts:
        status.missing.append("no transcripts imported yet")
    elif read_by_me < transcripts:
        status.missing.append(f"{_count(transcripts - read_by_me, 'transcript')} not yet read by you")
    return status


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
