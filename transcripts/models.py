"""Tables of the study itself: projects, dyads, participants, transcripts, turns and sentences.

The people who work on a project (users), their memos, read marks and the audit log live here too,
because every other package (coding, themes) builds on them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints, so that Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CORE_ROLES = ("client", "therapist", "interpreter")
INTERVIEWER = "interviewer"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _when(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kwargs)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class User(SQLModel, table=True):
    """A member of a research team (in local mode: the person at this machine)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    created_at: datetime = _when()
    # Team mode only (see transcripts/accounts.py): an argon2 hash, or None for a person who cannot log in
    # (local mode, or someone named in an imported project); admins manage accounts.
    password_hash: str | None = Field(default=None, max_length=200)
    is_admin: bool = Field(default=False)
    active: bool = Field(default=True)


class Project(SQLModel, table=True):
    """One study: its transcripts, participants, dyads, codebook and themes."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    description: str = Field(default="", sa_type=Text)
    analysis_approach: str = Field(default="reflexive", max_length=40)
    created_at: datetime = _when()


PROJECT_ROLES = ("owner", "lead", "coder", "viewer")


class Member(SQLModel, table=True):
    """A person's role in a project: owner (members, settings), lead (codebook, themes), coder, viewer."""

    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        CheckConstraint("role IN ('owner', 'lead', 'coder', 'viewer')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=10)
    since: datetime = _when()


class Dyad(SQLModel, table=True):
    """A case: the participants of one therapy (client and therapist, perhaps an interpreter)."""

    __table_args__ = (UniqueConstraint("project_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    label: str = Field(max_length=80)
    group: str | None = Field(default=None, max_length=80)
    attributes: dict[str, str] = _json()
    created_at: datetime = _when()


class Participant(SQLModel, table=True):
    """A person in a dyad, with a role and a pseudonym ID such as ``C10``."""

    __table_args__ = (UniqueConstraint("project_id", "pseudonym"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    dyad_id: int = Field(foreign_key="dyad.id", index=True, ondelete="CASCADE")
    pseudonym: str = Field(max_length=80)
    role: str = Field(max_length=40)
    attributes: dict[str, str] = _json()


class Transcript(SQLModel, table=True):
    """One interview text of a participant about one therapy session; its text never changes once coded."""

    __table_args__ = (
        UniqueConstraint("project_id", "checksum"),
        UniqueConstraint("participant_id", "session"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    session: int
    name: str = Field(max_length=200)
    original_filename: str = Field(max_length=255)
    format: str = Field(max_length=10)
    encoding: str | None = Field(default=None, max_length=20)
    text: str = Field(sa_type=Text)
    checksum: str = Field(max_length=64, description="SHA-256 of the imported file's bytes")
    interview_date: date | None = None
    word_count: int = 0
    turn_count: int = 0
    report: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    imported_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    imported_at: datetime = _when()


class Turn(SQLModel, table=True):
    """One speaker's contiguous speech; ``[start, end)`` covers the speech, not the label."""

    __table_args__ = (Index("ix_turn_transcript_position", "transcript_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", ondelete="CASCADE")
    position: int
    speaker: str = Field(max_length=80, description="the label as the file writes it")
    role: str = Field(max_length=40, description="the participant's role, or 'interviewer'")
    start: int
    end: int
    timestamp: float | None = None
    end_time: float | None = None


class Sentence(SQLModel, table=True):
    """A spaCy sentence inside a turn, with its lower-cased lemmas for full-text search."""

    __table_args__ = (Index("ix_sentence_transcript_start", "transcript_id", "start"),)

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", ondelete="CASCADE")
    turn_id: int = Field(foreign_key="turn.id", index=True, ondelete="CASCADE")
    start: int
    end: int
    lemmas: str = Field(sa_type=Text)
    interviewer: bool = Field(default=False, description="said by the interviewer: its turn's role, kept for search")


class Memo(SQLModel, table=True):
    """A person's note on a project (journal), a transcript (familiarisation) or a dyad."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    author_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    kind: str = Field(max_length=20, description="familiarisation, dyad or journal")
    transcript_id: int | None = Field(default=None, foreign_key="transcript.id", index=True, ondelete="CASCADE")
    dyad_id: int | None = Field(default=None, foreign_key="dyad.id", index=True, ondelete="CASCADE")
    body: str = Field(default="", sa_type=Text)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class ReadMark(SQLModel, table=True):
    """That a person has read a transcript (familiarisation is tracked per person)."""

    __table_args__ = (UniqueConstraint("user_id", "transcript_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    transcript_id: int = Field(foreign_key="transcript.id", index=True, ondelete="CASCADE")
    read_at: datetime = _when()


class AuditEvent(SQLModel, table=True):
    """An append-only record of a change: who, when, what, before and after."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    at: datetime = _when()
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class ImportJob(SQLModel, table=True):
    """An import started from the browser: its progress, and what it said when it ended."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(default="queued", max_length=20, description="queued, running, done or failed")
    total: int = 0
    done: int = 0
    stage: str = Field(default="", max_length=200)
    error: str | None = Field(default=None, sa_type=Text)
    manifest: str = Field(default="", sa_type=Text, description="the manifest as submitted, kept for a retry")
    folder: str = Field(default="", max_length=500, description="where the uploaded files wait")
    runner: str = Field(default="", max_length=200, description="host:pid:token of the server process running it")
    report: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when()
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
