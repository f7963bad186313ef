"""Tables of the pseudonymisation check: a project's pseudonym dictionary (names, places and other
identifiers that must not reach an export, with their replacements) and the team's decisions on what the
check found in the quotes of an export (replaced in the exported text, or accepted as they stand)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from transcripts.models import utcnow

PSEUDONYM_KINDS = ("person", "place", "other")
EXPORT_KINDS = ("report", "seminar")
# replaced / accepted: a possible identifier in a quote; acknowledged: a warning (partners' quotes side by side)
DECISIONS = ("replaced", "accepted", "acknowledged")


def _when() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Pseudonym(SQLModel, table=True):
    """An entry of the project's pseudonym dictionary: a term (a name, a place, another identifier) that the
    check looks for in exported quotes, and what to write instead."""

    __table_args__ = (
        UniqueConstraint("project_id", "term_key"),
        CheckConstraint(_in("kind", PSEUDONYM_KINDS), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    term: str = Field(max_length=200, description="as the team wrote it")
    term_key: str = Field(max_length=200, description="the term in lower case, for uniqueness and matching")
    kind: str = Field(default="person", max_length=10)
    replacement: str = Field(default="", max_length=200, description="what the export writes instead")
    note: str = Field(default="", sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = _when()


class PseudonymDecision(SQLModel, table=True):
    """What the team decided about one finding of the check in one quote of one kind of export.

    ``quote_key`` is the coding's id for a term in a quote, and ``"<id>+<id>"`` for two partners' quotes
    side by side (``term`` then empty). ``quote_hash`` is the quote's text when the decision was taken (a
    SHA-256): if the coded passage changes, the decision no longer holds and the check asks again.
    """

    __tablename__ = "pseudonym_decision"
    __table_args__ = (
        UniqueConstraint("project_id", "export_kind", "quote_key", "term"),
        CheckConstraint(_in("export_kind", EXPORT_KINDS), name="export_kind"),
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    export_kind: str = Field(max_length=10)
    coding_id: int = Field(foreign_key="coding.id", index=True, ondelete="CASCADE")
    quote_key: str = Field(max_length=40)
    quote_hash: str = Field(max_length=64)
    term: str = Field(default="", max_length=200, description="the term in lower case; empty for a warning")
    decision: str = Field(max_length=12)
    replacement: str = Field(default="", max_length=200)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    decided_at: datetime = _when()
