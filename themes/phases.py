"""Braun & Clarke's six phases of thematic analysis, and where a project stands in each.

The phases are recursive, not a waterfall: nothing here blocks a researcher. The status of a phase is
an honest description of what the project holds, never a verdict on the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from coding.models import Code, Coding
from themes.models import ChecklistTick, PhaseNote, ProjectPhase, Theme, ThemeCode, ThemeExtract
from transcripts.audit import record
from transcripts.errors import InvalidInput
from transcripts.members import require
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


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    phase: int
    text: str


# Braun & Clarke's (2006) 15-point checklist for good thematic analysis, in short, each under the phase where
# the team can first answer it.
CHECKLIST = (
    ChecklistItem("transcripts-checked", 1, "Transcripts checked against the recordings for accuracy."),
    ChecklistItem("equal-attention", 2, "Every data item given equal attention in coding."),
    ChecklistItem("not-vivid-examples", 3, "Themes built from the whole data set, not from a few vivid examples."),
    ChecklistItem("extracts-collated", 3, "All relevant extracts collated for each theme."),
    ChecklistItem("themes-checked", 4, "Themes checked against each other and back against the data set."),
    ChecklistItem("themes-coherent", 4, "Themes internally coherent, consistent and distinct."),
    ChecklistItem("interpreted", 5, "Data interpreted and made sense of, not only paraphrased or described."),
    ChecklistItem("extracts-fit", 5, "Analysis and extracts match: the extracts illustrate the claims."),
    ChecklistItem("convincing-story", 6, "The analysis tells a convincing, well-organised story."),
    ChecklistItem("balance", 6, "A good balance between analytic narrative and illustrative extracts."),
    ChecklistItem("not-rushed", 6, "Enough time given to every phase; none rushed."),
    ChecklistItem("approach-explicit", 6, "The assumptions and the kind of thematic analysis are made explicit."),
    ChecklistItem("claims-match", 6, "What the report says was done matches what was done."),
    ChecklistItem("epistemology", 6, "Language and concepts fit the epistemological position of the analysis."),
    ChecklistItem("researcher-active", 6, "The researcher is positioned as active: themes do not just emerge."),
)
ITEMS = {item.key: item for item in CHECKLIST}


@dataclass(frozen=True, slots=True)
class Tick:
    item: ChecklistItem
    by: str | None
    at: datetime | None

    @property
    def ticked(self) -> bool:
        return self.at is not None


@dataclass(slots=True)
class PhaseStatus:
    phase: Phase
    state: str  # "not started", "under way"
    facts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    checklist: list[Tick] = field(default_factory=list)
    note: str = ""
    current: bool = False


def current_phase(session: Session, *, project_id: int) -> int:
    """Where the team says the project stands (1 until someone moves it)."""
    found = session.exec(select(ProjectPhase.phase).where(ProjectPhase.project_id == project_id)).first()
    return found or 1


def project_phases(session: Session, *, project: Project, user: User) -> list[PhaseStatus]:
    """Each phase with what the project holds for it, what is still missing, its checklist and its note.
    Nothing here blocks a researcher: the missing items are said honestly, not enforced."""
    pid: int = project.id  # type: ignore[assignment]
    statuses = [
        _familiarisation(session, project, user),
        _coding(session, pid),
        _searching(session, pid),
        _reviewing(session, pid),
        _defining(session, pid),
        _reporting(session, pid),
    ]
    ticks = {
        item: (name, at)
        for item, name, at in session.exec(
            select(ChecklistTick.item, User.name, ChecklistTick.ticked_at)
            .outerjoin(User, col(User.id) == ChecklistTick.ticked_by_id)
            .where(ChecklistTick.project_id == pid)
        )
    }
    notes = dict(session.exec(select(PhaseNote.phase, PhaseNote.text).where(PhaseNote.project_id == pid)).all())
    now = current_phase(session, project_id=pid)
    for status in statuses:
        number = status.phase.number
        status.checklist = [
            Tick(item, *ticks.get(item.key, (None, None))) for item in CHECKLIST if item.phase == number
        ]
        status.note = notes.get(number, "")
        status.current = number == now
    return statuses


def move_to_phase(session: Session, *, project: Project, phase: int, user: User) -> int:
    """Say the project now stands in ``phase`` (on or back: both are allowed, and logged). Commits."""
    require(session, project_id=project.id, user=user, role="lead", doing="move the project between phases")  # type: ignore[arg-type]
    if phase not in range(1, 7):
        raise InvalidInput(f"there is no phase {phase}: the phases are 1 to 6")
    row = session.exec(select(ProjectPhase).where(ProjectPhase.project_id == project.id)).first()
    before = row.phase if row else 1
    if row is None:
        row = ProjectPhase(project_id=project.id)  # type: ignore[arg-type]
    row.phase, row.updated_by_id = phase, user.id
    session.add(row)
    record(
        session,
        project_id=project.id,
        user_id=user.id,
        action="phase.move",
        entity="project",
        entity_id=project.id,
        before={"phase": before},
        after={"phase": phase},
    )
    session.commit()
    return phase


def tick(session: Session, *, project: Project, item: str, ticked: bool, user: User) -> None:
    """Tick a checklist item (or take the tick back), with who and when. Commits."""
    require(session, project_id=project.id, user=user, role="lead", doing="tick the checklist")  # type: ignore[arg-type]
    if item not in ITEMS:
        raise InvalidInput(f"no checklist item {item!r}")
    row = session.exec(
        select(ChecklistTick).where(ChecklistTick.project_id == project.id, ChecklistTick.item == item)
    ).first()
    if ticked == (row is not None):
        return
    if row is None:
        session.add(ChecklistTick(project_id=project.id, item=item, ticked_by_id=user.id))  # type: ignore[arg-type]
    else:
        session.delete(row)
    record(
        session,
        project_id=project.id,
        user_id=user.id,
        action="checklist.tick" if ticked else "checklist.untick",
        entity="project",
        entity_id=project.id,
        after={"item": item},
    )
    session.commit()


def save_phase_note(session: Session, *, project: Project, phase: int, text: str, user: User) -> str:
    """The team's note on a phase (one per phase; the audit log keeps earlier wordings). Commits."""
    require(session, project_id=project.id, user=user, role="coder", doing="write phase notes")  # type: ignore[arg-type]
    if phase not in range(1, 7):
        raise InvalidInput(f"there is no phase {phase}: the phases are 1 to 6")
    if len(text) > 20_000:
        raise InvalidInput("a phase note has at most 20,000 characters")
    row = session.exec(select(PhaseNote).where(PhaseNote.project_id == project.id, PhaseNote.phase == phase)).first()
    before = row.text if row else ""
    row = row or PhaseNote(project_id=project.id, phase=phase)  # type: ignore[arg-type]
    row.text, row.updated_by_id = text.strip(), user.id
    session.add(row)
    record(
        session,
        project_id=project.id,
        user_id=user.id,
        action="phase.note",
        entity="project",
        entity_id=project.id,
        before={"phase": phase, "text": before},
        after={"phase": phase, "text": row.text},
    )
    session.commit()
    return row.text


def _scalar(session: Session, query: Any) -> int:
    return int(session.exec(query).one() or 0)


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


def _coding(session: Session, pid: int) -> PhaseStatus:
    transcripts = _scalar(session, select(func.count()).select_from(Transcript).where(Transcript.project_id == pid))
    codes = _scalar(session, select(func.count()).select_from(Code).where(Code.project_id == pid))
    codings = _scalar(session, select(func.count()).select_from(Coding).where(Coding.project_id == pid))
    coded = _scalar(session, select(func.count(func.distinct(Coding.transcript_id))).where(Coding.project_id == pid))
    coders = _scalar(session, select(func.count(func.distinct(Coding.coder_id))).where(Coding.project_id == pid))
    status = PhaseStatus(PHASES[1], "under way" if codings else "not started")
    status.facts = [_count(codes, "code"), _count(codings, "coding"), _count(coders, "coder")]
    if not codes:
        status.missing.append("no codes in the codebook yet")
    if transcripts > coded:
        status.missing.append(f"{_count(transcripts - coded, 'transcript')} {_have(transcripts - coded)} no codings")
    return status


def _searching(session: Session, pid: int) -> PhaseStatus:
    themes = _scalar(session, _live_themes(pid))
    codes = _scalar(session, select(func.count()).select_from(Code).where(Code.project_id == pid))
    in_themes = _scalar(
        session,
        select(func.count(func.distinct(ThemeCode.code_id)))
        .join(Theme, col(Theme.id) == ThemeCode.theme_id)
        .where(Theme.project_id == pid, Theme.status != "discarded"),
    )
    status = PhaseStatus(PHASES[2], "under way" if themes else "not started")
    status.facts = [_count(themes, "theme"), f"{in_themes} of {_count(codes, 'code')} in a theme"]
    if codes and not themes:
        status.missing.append("no candidate themes yet")
    elif codes > in_themes:
        status.missing.append(f"{_count(codes - in_themes, 'code')} in no theme")
    return status


def _reviewing(session: Session, pid: int) -> PhaseStatus:
    reviewed = _scalar(session, _live_themes(pid).where(col(Theme.status).in_(("reviewed", "final"))))
    themes = _scalar(session, _live_themes(pid))
    discarded = _scalar(
        session, select(func.count()).select_from(Theme).where(Theme.project_id == pid, Theme.status == "discarded")
    )
    status = PhaseStatus(PHASES[3], "under way" if reviewed or discarded else "not started")
    status.facts = [f"{reviewed} of {_count(themes, 'theme')} reviewed", f"{discarded} discarded"]
    if themes > reviewed:
        status.missing.append(f"{_count(themes - reviewed, 'theme')} not yet reviewed")
    return status


def _defining(session: Session, pid: int) -> PhaseStatus:
    themes = _scalar(session, _live_themes(pid))
    undefined = _scalar(session, _live_themes(pid).where((Theme.definition == "") | (Theme.central_concept == "")))
    status = PhaseStatus(PHASES[4], "under way" if themes and undefined < themes else "not started")
    status.facts = [f"{themes - undefined} of {_count(themes, 'theme')} defined"]
    if undefined:
        status.missing.append(f"{_count(undefined, 'theme')} without a definition or central organising concept")
    return status


def _reporting(session: Session, pid: int) -> PhaseStatus:
    final = _scalar(session, _live_themes(pid).where(Theme.status == "final"))
    with_quotes = _scalar(
        session,
        select(func.count(func.distinct(ThemeExtract.theme_id)))
        .join(Theme, col(Theme.id) == ThemeExtract.theme_id)
        .where(Theme.project_id == pid, Theme.status == "final"),
    )
    status = PhaseStatus(PHASES[5], "under way" if final else "not started")
    status.facts = [_count(final, "final theme"), f"{with_quotes} with chosen quotes"]
    if final > with_quotes:
        status.missing.append(f"{_count(final - with_quotes, 'final theme')} without a chosen quote")
    return status


def _live_themes(pid: int) -> Any:
    return select(func.count()).select_from(Theme).where(Theme.project_id == pid, Theme.status != "discarded")


def _have(number: int) -> str:
    return "has" if number == 1 else "have"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
