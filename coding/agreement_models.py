"""The agreement round: which coders are compared on which codes (and transcripts), in which unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, DateTime
from sqlmodel import Field, SQLModel

from transcripts.models import utcnow


class AgreementRound(SQLModel, table=True):
    """An owner's comparison of coders: open while they code (each sees only their own codings for it),
    closed when the team compares. Coders, codes and transcripts are lists of ids; no codes means every code
    of the codebook, no transcripts means those every compared coder has coded."""

    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("unit IN ('sentence', 'turn', 'character', 'transcript')", name="unit"),
        CheckConstraint("theta IS NULL OR (theta > 0 AND theta <= 1)", name="theta"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    coder_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    code_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    transcript_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    unit: str = Field(default="sentence", max_length=12)
    theta: float | None = Field(default=None, description="minimum share of a unit a coding must cover")
    status: str = Field(default="open", max_length=6)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
