"""Tables of themes (phases 3–6) and of the phase workflow: themes and subthemes, their member codes, the
extracts chosen to illustrate them, the level-1 review of extracts, where a project stands among the six
phases, the checklist the team ticks, phase notes and the reflexive journal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from transcripts.models import utcnow

THEME_STATUSES = ("candidate", "developing", "reviewed", "final", "discarded")
VERDICTS = ("fits", "does_not_fit", "move")


def _guid() -> str:
    return str(uuid.uuid4())


def _when() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Theme(SQLModel, table=True):
    """A pattern of shared meaning around a central organising concept; a subtheme has a parent theme."""

    __table_args__ = (
        CheckConstraint(_in("status", THEME_STATUSES), name="status"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(default=None, foreign_key="theme.id", index=True, ondelete="SET NULL")
    name: str = Field(max_length=200)
    central_concept: str = Field(default="", sa_type=Text, description="the central organising concept")
    definition: str = Field(default="", sa_type=Text, description="what the theme is")
    scope: str = Field(default="", sa_type=Text, description="what it is not: its boundaries")
    status: str = Field(default="candidate", max_length=20)
    position: int = Field(default=0, description="order among its siblings")
    memo: str = Field(default="", sa_type=Text)
    guid: str = Field(default_factory=_guid, max_length=36, unique=True, description="stable for REFI-QDA")
    version: int = Field(default=1, description="raised by every change, for optimistic checks")
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = _when()
    updated_at: datetime = _when()


class ThemeCode(SQLModel, table=True):
    """A code as a member of a theme (a code may sit in several themes)."""

    __table_args__ = (UniqueConstraint("theme_id", "code_id"),)

    id: int | None = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="CASCADE")
    code_id: int = Field(foreign_key="code.id", index=True, ondelete="CASCADE")
    added_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    added_at: datetime = _when()


class ThemeExtract(SQLModel, table=True):
    """A coded extract chosen to illustrate a theme (the quotes of the theme table), in the team's order."""

    __table_args__ = (UniqueConstraint("theme_id", "coding_id"),)

    id: int | None = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="CASCADE")
    coding_id: int = Field(foreign_key="coding.id", index=True, ondelete="CASCADE")
    position: int = 0
    chosen_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    chosen_at: datetime = _when()


class ExtractReview(SQLModel, table=True):
    """Phase 4, level 1: whether an extract fits its theme, does not, or belongs in another theme."""

    __table_args__ = (
        UniqueConstraint("theme_id", "coding_id"),
        CheckConstraint(_in("verdict", VERDICTS), name="verdict"),
    )

    id: int | None = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="CASCADE")
    coding_id: int = Field(foreign_key="coding.id", index=True, ondelete="CASCADE")
    verdict: str = Field(max_length=20)
    target_theme_id: int | None = Field(default=None, foreign_key="theme.id", ondelete="SET NULL")
    reviewer_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    reviewed_at: datetime = _when()
    note: str = Field(default="", sa_type=Text)


class ProjectPhase(SQLModel, table=True):
    """Where a project stands among Braun & Clarke's six phases (moving on or back is allowed)."""

    __table_args__ = (CheckConstraint("phase BETWEEN 1 AND 6", name="phase"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", unique=True, ondelete="CASCADE")
    phase: int = 1
    updated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = _when()


class ChecklistTick(SQLModel, table=True):
    """A quality-checklist item (Braun & Clarke's 15 points) that the team has ticked, with who and when."""

    __table_args__ = (UniqueConstraint("project_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    item: str = Field(max_length=60, description="the checklist item's key")
    ticked_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    ticked_at: datetime = _when()


class PhaseNote(SQLModel, table=True):
    """The team's note on one phase of a project."""

    __table_args__ = (
        UniqueConstraint("project_id", "phase"),
        CheckConstraint("phase BETWEEN 1 AND 6", name="phase"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    phase: int
    text: str = Field(default="", sa_type=Text)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = _when()


class JournalEntry(SQLModel, table=True):
    """An entry of the project's reflexive journal, dated, perhaps tied to a phase."""

    __table_args__ = (CheckConstraint("phase IS NULL OR phase BETWEEN 1 AND 6", name="phase"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    written_at: datetime = _when()
    phase: int | None = None
    text: str = Field(default="", sa_type=Text)
