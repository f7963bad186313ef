"""The API's JSON shapes, as Pydantic models, so that the OpenAPI schema says exactly what each answer holds.

Where the command line already prints JSON (DESIGN.md §6: ``transcripts list``, ``transcripts show``,
``search``), the API answers with the same keys, and a few more (ids to follow, the turn's position …).
Offsets are code points into the transcript's ``text``, ``[start, end)``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.api.auth import MAX_ID

Role = Literal["owner", "lead", "coder", "viewer"]


def _utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without their zone, which RFC 3339 requires."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Moment = Annotated[datetime, AfterValidator(_utc)]


class Me(BaseModel):
    id: int
    name: str
    is_admin: bool


class ProjectOut(BaseModel):
    id: int
    name: str
    description: str
    analysis_approach: str
    created_at: Moment
    role: Role = Field(description="the caller's role in the project")


class DyadMember(BaseModel):
    id: int
    pseudonym: str
    role: str
    transcripts: int


class DyadOut(BaseModel):
    id: int
    label: str
    group: str | None
    attributes: dict[str, str]
    participants: list[DyadMember]


class ParticipantOut(BaseModel):
    id: int
    pseudonym: str
    role: str
    dyad_id: int
    dyad: str
    attributes: dict[str, str]
    transcripts: int


class _Transcript(BaseModel):
    id: int
    name: str
    file: str
    dyad: str
    role: str
    participant: str
    session: int
    words: int
    dyad_id: int
    participant_id: int
    format: str
    date: date | None


class TranscriptOut(_Transcript):
    """``dyadic transcripts list --format json``'s object (``turns`` counts them), with the ids of the dyad and
    participant, the file's format and the interview's date."""

    turns: int


class TurnOut(BaseModel):
    """``dyadic transcripts show``'s turn: ``text`` is ``transcript.text[start:end]``, ``timestamp`` in seconds."""

    position: int
    speaker: str
    role: str
    start: int
    end: int
    text: str
    timestamp: float | None
    end_time: float | None


class TranscriptDetail(_Transcript):
    """``dyadic transcripts show --format json``: the canonical text and every turn (slices of the text, so
    they come whole rather than in pages)."""

    text: str
    turns: list[TurnOut]


class Counts(BaseModel):
    codings: int
    transcripts: int
    dyads: int


class CodeOut(BaseModel):
    """A code of the codebook, in the codebook's order (each code before its subcodes)."""

    id: int
    parent_id: int | None
    name: str
    path: str = Field(description='"Parent > Child"')
    depth: int
    position: int
    definition: str
    inclusion: str
    exclusion: str
    example: str
    colour: str
    guid: str
    counts: Counts = Field(description="its own codings")
    total: Counts = Field(description="with its subcodes' (a transcript or dyad counts once)")


class CodingOut(BaseModel):
    """A coded extract: where it lies (``turn`` and ``timestamp`` of the turn where it starts), who made it."""

    id: int
    code_id: int
    code: str
    code_path: str
    transcript_id: int
    transcript: str
    dyad_id: int
    dyad: str
    participant: str
    role: str
    session: int
    speaker_role: str
    turn: int | None
    timestamp: float | None
    coder: str | None
    start: int
    end: int
    text: str
    memo: str
    created_at: Moment


class CodingPage(BaseModel):
    items: list[CodingOut]
    total: int = Field(description="codings the filters leave, in all pages")
    offset: int
    limit: int


class NewCoding(BaseModel):
    """A code applied to ``[start, end)`` of a transcript's text by the caller."""

    model_config = ConfigDict(extra="forbid", strict=True)  # 1.0 or true is no offset

    transcript_id: int = Field(ge=1, le=MAX_ID)
    code_id: int = Field(ge=1, le=MAX_ID)
    start: int = Field(ge=0, le=MAX_ID)
    end: int = Field(ge=0, le=MAX_ID)


class CodingCreated(BaseModel):
    id: int
    code_id: int
    transcript_id: int
    coder: str
    start: int
    end: int
    text: str
    created_at: Moment


class ThemeOut(BaseModel):
    """A theme, in the team's order (each theme before its subthemes; ``parent_id`` for a subtheme)."""

    id: int
    parent_id: int | None
    name: str
    depth: int
    position: int
    status: Literal["candidate", "developing", "reviewed", "final", "discarded"]
    central_concept: str
    definition: str
    scope: str
    memo: str
    version: int
    guid: str
    code_ids: list[int] = Field(description="its own member codes")
    all_code_ids: list[int] = Field(description="with its subthemes' codes (what its row of the table counts)")


class DyadColumn(BaseModel):
    id: int
    label: str
    group: str | None


class FrequencyCell(BaseModel):
    dyad_id: int
    dyad: str
    roles: list[str]
    initials: str = Field(description='"C", "T", "C+T" … ; empty when the dyad contributed nothing')
    count: int = Field(description="distinct coded passages")


class FrequencyRow(BaseModel):
    theme_id: int
    theme: str
    subtheme: str = Field(description="empty on a theme's own row")
    depth: int
    code_ids: list[int]
    cells: list[FrequencyCell]
    n_dyads: int
    values: list[str] = Field(description="the row as the CSV of DESIGN.md §6 writes it, in `header`'s order")


class FrequencyOut(BaseModel):
    """The frequency table (DESIGN.md §6): ``header`` and each row's ``values`` are the CSV contract's; the
    rest says the same with ids and both measures in every cell."""

    cells: Literal["role", "count"]
    sessions: list[int] | None
    header: list[str]
    dyads: list[DyadColumn]
    rows: list[FrequencyRow]


class HitOut(BaseModel):
    """``dyadic search --format json``'s hit (``transcript`` is the transcript's id), with where it was said."""

    transcript: int
    transcript_name: str
    dyad: str
    role: str
    participant: str
    session: int
    speaker: str
    speaker_role: str
    turn: int
    timestamp: float | None
    start: int
    end: int
    text: str
    context: str
    context_start: int = Field(description="where `text` begins in `context`")


class SearchOut(BaseModel):
    query: str
    lemmas: list[str]
    total: int = Field(description="matching words in the whole selection")
    transcripts: int = Field(description="transcripts holding them")
    offset: int
    limit: int
    hits: list[HitOut]
