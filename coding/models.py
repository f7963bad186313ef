"""Tables of the codebook and of coded extracts (codings)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Text
from sqlmodel import Field, SQLModel

from transcripts.models import utcnow


def _guid() -> str:
    return str(uuid.uuid4())


class Code(SQLModel, table=True):
    """A label in the codebook; codes nest to any depth through ``parent_id``."""

    __table_args__ = (CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(default=None, foreign_key="code.id", index=True, ondelete="SET NULL")
    name: str = Field(max_length=200)
    definition: str = Field(default="", sa_type=Text)
    inclusion: str = Field(default="", sa_type=Text, description="when to apply the code")
    exclusion: str = Field(default="", sa_type=Text, description="when not to apply it")
    example: str = Field(default="", sa_type=Text)
    colour: str = Field(default="#4c78a8", max_length=7, description="#RRGGBB")
    position: int = Field(default=0, description="order among its siblings")
    guid: str = Field(default_factory=_guid, max_length=36, unique=True, description="stable for REFI-QDA")
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    version: int = Field(default=1, description="raised by every edit, for optimistic checks (two leads editing)")


class Coding(SQLModel, table=True):
    """One code applied by one coder to ``[start, end)`` of a transcript's text (code points)."""

    __table_args__ = (
        CheckConstraint('start >= 0 AND start < "end"', name="span"),
        Index("ix_coding_transcript_start", "transcript_id", "start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    transcript_id: int = Field(foreign_key="transcript.id", ondelete="CASCADE")
    code_id: int = Field(foreign_key="code.id", index=True, ondelete="CASCADE")
    coder_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="SET NULL")
    start: int
    end: int
    text: str = Field(sa_type=Text, description="a copy of the coded passage")
    memo: str = Field(default="", sa_type=Text)
    guid: str = Field(default_factory=_guid, max_length=36, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
