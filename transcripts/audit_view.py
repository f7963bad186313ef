"""The project's audit log read as a list: who did what when, newest first, filtered and paged.

The filters are those a lead asks of a log: one person, one kind of thing (code, coding, theme …), one
action, a period, and free text. The free text is looked for in the person's name, the action and the
states before and after; names that live in other packages' tables (a code's, a transcript's) reach the
query as ids through ``AuditFilters.named``, so that this package need not know those tables.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from transcripts.models import AuditEvent, User

PER_PAGE = 100
_BATCH = 1000  # rows read at a time for an export


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """What to show; every field left empty shows everything. ``start`` and ``end`` are aware datetimes
    (``end`` excluded). ``named`` maps a state key such as ``"code_id"`` to the ids whose names match the free
    text: an event about such a thing (its own, or a coding's ``code_id``) matches too."""

    person_id: int | None = None
    kind: str = ""
    action: str = ""
    start: datetime | None = None
    end: datetime | None = None
    text: str = ""
    named: Mapping[str, Collection[int]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.person_id or self.kind or self.action or self.start or self.end or self.text.strip())


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One event: when (UTC), who (None: a person no longer known), the action, the thing, before and after."""

    id: int
    at: datetime
    user_id: int | None
    who: str | None
    action: str
    entity: str
    entity_id: int | None
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditRow]
    total: int  # events matching the filters
    page: int
    pages: int
    first: int  # the number of the page's first event, counted from the newest


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """What the filters can choose from: the people, kinds of thing and actions in this project's log."""

    people: list[tuple[int, str]]
    kinds: list[str]
    actions: list[str]


def audit_options(session: Session, *, project_id: int) -> AuditOptions:
    """The people who appear in the project's log (by name), and its kinds of thing and actions (sorted)."""
    people = session.exec(
        select(User.id, User.name)
        .where(col(User.id).in_(select(AuditEvent.user_id).where(AuditEvent.project_id == project_id).distinct()))
        .order_by(func.lower(User.name))
    ).all()
    kinds = session.exec(select(AuditEvent.entity).where(AuditEvent.project_id == project_id).distinct()).all()
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.project_id == project_id).distinct()).all()
    return AuditOptions([(i, n) for i, n in people if i is not None], sorted(kinds), sorted(actions))


def _utc(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def spellings(text: str) -> set[str]:
    """What to look for in a column lowered by the database: PostgreSQL lowers every letter, SQLite only
    ASCII ones, so other letters are also tried as typed, in capitals and capitalised ("über" finds "Über")."""
    text = text.strip()
    found = {text.lower()}
    for variant in (text, text.upper(), text.capitalize()):
        found.add("".join(c.lower() if c.isascii() else c for c in variant))
    return found


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` holds ``text``, whatever the case (wildcards in it are taken literally)."""
    return or_(*(func.lower(column).contains(spelling, autoescape=True) for spelling in spellings(text)))


def _text_match(text: str, named: Mapping[str, Collection[int]]) -> ColumnElement[bool]:
    # States are stored as JSON, which writes letters beyond ASCII as \u escapes: look for both spellings.
    escaped = {json.dumps(spelling)[1:-1] for spelling in spellings(text)}
    states = [cast(col(AuditEvent.before), String), cast(col(AuditEvent.after), String)]
    found = [contains(col(User.name), text), contains(col(AuditEvent.action), text)]
    found += [contains(state, spelling) for state in states for spelling in {text, *escaped}]
    for key, ids in named.items():
        wanted = sorted(set(ids))
        if not wanted:
            continue
        found.append((col(AuditEvent.entity) == key.removesuffix("_id")) & col(AuditEvent.entity_id).in_(wanted))
        for state in (AuditEvent.__table__.c.before, AuditEvent.__table__.c.after):  # type: ignore[attr-defined]
            found.append(state[key].as_integer().in_(wanted))
    return or_(*found)


def _where(project_id: int, filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(AuditEvent.project_id) == project_id]
    if filters.person_id is not None:
        conditions.append(col(AuditEvent.user_id) == filters.person_id)
    if filters.kind:
        conditions.append(col(AuditEvent.entity) == filters.kind)
    if filters.action:
        conditions.append(col(AuditEvent.action) == filters.action)
    if filters.start is not None:
        conditions.append(col(AuditEvent.at) >= filters.start.astimezone(UTC))
    if filters.end is not None:
        conditions.append(col(AuditEvent.at) < filters.end.astimezone(UTC))
    if filters.text.strip():
        conditions.append(_text_match(filters.text, filters.named))
    return conditions


def _rows(session: Session, conditions: list[ColumnElement[bool]], *, offset: int, limit: int) -> list[AuditRow]:
    found = session.exec(
        select(AuditEvent, User.name)
        .outerjoin(User, col(User.id) == col(AuditEvent.user_id))
        .where(*conditions)
        .order_by(col(AuditEvent.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        AuditRow(
            event.id or 0,
            _utc(event.at),
            event.user_id,
            who,
            event.action,
            event.entity,
            event.entity_id,
            event.before or {},
            event.after or {},
        )
        for event, who in found
    ]


def audit_page(
    session: Session, *, project_id: int, filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE
) -> AuditPage:
    """One page of the project's events that pass ``filters``, newest first (a page past the last shows the
    last)."""
    conditions = _where(project_id, filters)
    total = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .outerjoin(User, col(User.id) == col(AuditEvent.user_id))
        .where(*conditions)
    ).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = _rows(session, conditions, offset=(page - 1) * per_page, limit=per_page)
    return AuditPage(rows, total, page, pages, (page - 1) * per_page + 1)


def audit_rows(session: Session, *, project_id: int, filters: AuditFilters) -> Iterator[AuditRow]:
    """Every event that passes ``filters``, newest first (read a batch at a time, for the downloads)."""
    conditions = _where(project_id, filters)
    below: int | None = None
    while True:
        batch = _rows(
            session,
            conditions if below is None else [*conditions, col(AuditEvent.id) < below],
            offset=0,
            limit=_BATCH,
        )
        yield from batch
        if len(batch) < _BATCH:
            return
        below = batch[-1].id


def events(session: Session, *, project_id: int, ids: Collection[int]) -> dict[int, AuditRow]:
    """Some of the project's events by id (an undo names the event it undid)."""
    if not ids:
        return {}
    return {
        row.id: row
        for row in _rows(
            session,
            [col(AuditEvent.project_id) == project_id, col(AuditEvent.id).in_(sorted(ids))],
            offset=0,
            limit=len(ids),
        )
    }


def last_names(session: Session, *, project_id: int, entity: str, ids: Collection[int]) -> dict[int, str]:
    """The last name the log gives each of these things (a code or theme merged away or deleted is gone from
    its table, but its events keep what it was called)."""
    if not ids:
        return {}
    found: dict[int, str] = {}
    rows = session.exec(
        select(AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
        .where(
            AuditEvent.project_id == project_id,
            AuditEvent.entity == entity,
            col(AuditEvent.entity_id).in_(sorted(ids)),
        )
        .order_by(col(AuditEvent.id).desc())
    ).all()
    for entity_id, before, after in rows:
        if entity_id is None or entity_id in found:
            continue
        name = (after or {}).get("name") or (before or {}).get("name")
        if isinstance(name, str):
            found[entity_id] = name
    return found
