"""Others' codings arriving in an open reading view: what changed in a transcript's codings since a cursor.

The audit log is the source: every change to a coding (made, changed, removed, undone) and to the codebook
appends an event in the change's own transaction, and a removed coding leaves its event where the coding
table keeps nothing. A cursor says which events a page has taken in.

Event ids are handed out when an event is written, not when its transaction commits: on PostgreSQL a
transaction holding id 10 may commit after one holding id 11, so "everything after 11" would miss 10 for
good. The cursor therefore keeps three numbers: ``settled`` (every event up to it had committed, or never
will, when the cursor was made: older than ``GRACE``), ``high`` (the newest event seen) and ``seen`` (how
many events that matter to this view lie between the two). When that count grows, an event committed late;
the changes between ``settled`` and ``high`` are sent again — turns re-rendered twice look the same.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from coding.errors import InvalidInput
from coding.models import Coding
from coding.visibility import Concealed
from transcripts.models import AuditEvent, utcnow
from transcripts.study import TurnView

# Longer than twice the longest transaction that writes coding events (from its first event to its commit).
GRACE = timedelta(minutes=2)
ENTITIES = ("coding", "code", "agreementround")
IMPORTS = ("exchange.import_qdpx", "exchange.import_codebook")
_CURSOR = re.compile(r"([0-9]{1,18})-([0-9]{1,18})-([0-9]{1,9})")


@dataclass(frozen=True, slots=True)
class Cursor:
    settled: int
    high: int
    seen: int

    def __str__(self) -> str:
        return f"{self.settled}-{self.high}-{self.seen}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        match = _CURSOR.fullmatch(text.strip())
        if match is None or int(match[1]) > int(match[2]):
            raise InvalidInput(f"{text[:40]!r} is not a cursor of the reading view")
        return cls(int(match[1]), int(match[2]), int(match[3]))


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who looks, and at whose codings: ``coder_id`` is the view's coder filter (None: all coders);
    ``hidden`` what open agreement rounds hide from them. Their own changes are on their page already."""

    user_id: int
    coder_id: int | None
    hidden: Concealed


@dataclass(frozen=True, slots=True)
class Changes:
    cursor: Cursor
    spans: list[tuple[int, int]]  # passages of the transcript whose codings changed
    codes: bool  # code names or colours may have changed (the page's style sheet is stale)

    @property
    def any(self) -> bool:
        return bool(self.spans) or self.codes


@dataclass(frozen=True, slots=True)
class _Event:
    id: int
    at: datetime
    user_id: int | None
    action: str
    entity: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(slots=True)
class _Effect:
    spans: list[tuple[int, int]]
    everything: bool = False
    codes: bool = False


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _events(session: Session, project_id: int, after: int, viewer: Viewer) -> list[_Event]:
    """The events after ``after`` that may matter to the view. The viewer's own codings are left out in the
    query (they are on their page already): after a burst of their own, they would be thousands of rows."""
    rows = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.project_id == project_id,
            col(AuditEvent.id) > after,
            or_(col(AuditEvent.entity).in_(ENTITIES), col(AuditEvent.action).in_(IMPORTS)),
            or_(
                col(AuditEvent.entity) != "coding",
                col(AuditEvent.user_id).is_(None),
                col(AuditEvent.user_id) != viewer.user_id,
            ),
        )
        .order_by(col(AuditEvent.id))
    ).all()
    return [_Event(e.id or 0, _aware(e.at), e.user_id, e.action, e.entity, e.before or {}, e.after or {}) for e in rows]


def _undone(session: Session, project_id: int, found: Iterable[_Event]) -> dict[int, _Event]:
    ids = {e.before.get("undone") for e in found if e.action == "coding.undo"}
    wanted = sorted(i for i in ids if isinstance(i, int))
    if not wanted:
        return {}
    rows = session.exec(
        select(AuditEvent).where(AuditEvent.project_id == project_id, col(AuditEvent.id).in_(wanted))
    ).all()
    return {
        e.id or 0: _Event(e.id or 0, _aware(e.at), e.user_id, e.action, e.entity, e.before or {}, e.after or {})
        for e in rows
    }


def _coding_effect(event: _Event, transcript_id: int, viewer: Viewer) -> _Effect | None:
    states = [s for s in (event.before, event.after) if s.get("transcript_id") == transcript_id]
    if not states or event.user_id == viewer.user_id:
        return None
    if viewer.coder_id is not None and all(s.get("coder_id") != viewer.coder_id for s in states):
        return None
    if all(viewer.hidden.hides(s.get("coder_id"), s.get("code_id")) for s in states):
        return None
    return _Effect([(s["start"], s["end"]) for s in states])


def _effect(event: _Event, transcript_id: int, viewer: Viewer, undone: dict[int, _Event]) -> _Effect | None:
    """What an event changes in this view, or None when it changes nothing the viewer may see."""
    if event.action in ("coding.create", "coding.update", "coding.delete"):
        return _coding_effect(event, transcript_id, viewer)
    if event.action == "coding.undo":
        original = undone.get(event.before.get("undone"))  # type: ignore[arg-type]
        return _coding_effect(original, transcript_id, viewer) if original else None
    if event.action in ("code.create", "exchange.import_codebook"):
        return _Effect([], codes=True)
    if event.action == "code.update" and event.before.get("name") == event.after.get("name"):
        return _Effect([], codes=True)  # a colour or a definition: the stripes' words stay
    if event.entity == "code" or event.action == "exchange.import_qdpx":
        # The codebook was restructured: codings moved between codes (or were deleted with their code).
        gone = event.before.get("codings") if event.action == "code.delete" else None
        spans = [
            (c["start"], c["end"])
            for c in gone or []
            if isinstance(c, dict) and c.get("transcript_id") == transcript_id
        ]
        return _Effect(spans, everything=True, codes=True)
    if event.entity == "agreementround":  # a round began (codings hide) or closed (they show)
        return _Effect([], everything=True)
    return None


def _coded_spans(session: Session, transcript_id: int) -> list[tuple[int, int]]:
    rows = session.exec(select(Coding.start, Coding.end).where(Coding.transcript_id == transcript_id)).all()
    return [(start, end) for start, end in rows]


def _settled(session: Session, project_id: int, floor: int) -> int:
    """The newest event of the project older than ``GRACE``: every event before it has committed by now."""
    found = session.exec(
        select(AuditEvent.id)
        .where(AuditEvent.project_id == project_id, col(AuditEvent.id) > floor, AuditEvent.at < utcnow() - GRACE)
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    return max(floor, found or 0)


def live_cursor(session: Session, *, project_id: int, transcript_id: int, viewer: Viewer) -> Cursor:
    """Where a reading view stands now. Read it before the codings the page shows: whatever commits in
    between is then both on the page and sent again, never neither."""
    settled = _settled(session, project_id, 0)
    found = _events(session, project_id, settled, viewer)
    undone = _undone(session, project_id, found)
    seen = sum(_effect(e, transcript_id, viewer, undone) is not None for e in found)
    return Cursor(settled, max([settled, *(e.id for e in found)]), seen)


def coding_changes(session: Session, *, project_id: int, transcript_id: int, since: Cursor, viewer: Viewer) -> Changes:
    """What changed in the transcript's codings, for this viewer, since ``since``; with the cursor to ask
    from next time. A restructured codebook, or a round begun or closed, counts as a change to every coded
    passage."""
    found = _events(session, project_id, since.settled, viewer)
    undone = _undone(session, project_id, found)
    effects = {e.id: _effect(e, transcript_id, viewer, undone) for e in found}
    between = [e.id for e in found if e.id <= since.high and effects[e.id] is not None]
    late = len(between) != since.seen
    taken = [effect for e in found if (e.id > since.high or late) and (effect := effects[e.id]) is not None]
    cutoff = utcnow() - GRACE
    settled = max([since.settled, *(e.id for e in found if e.at < cutoff)])
    high = max([since.high, *(e.id for e in found)])
    seen = sum(1 for e in found if settled < e.id <= high and effects[e.id] is not None)
    spans = [span for effect in taken for span in effect.spans]
    if any(effect.everything for effect in taken):
        spans += _coded_spans(session, transcript_id)
    return Changes(Cursor(settled, high, seen), sorted(set(spans)), any(effect.codes for effect in taken))


def turns_touched(turns: Sequence[TurnView], spans: Iterable[tuple[int, int]]) -> list[TurnView]:
    """The turns (in order) that overlap any of the spans."""
    ends = [turn.end for turn in turns]
    touched: set[int] = set()
    for start, end in spans:
        index = bisect_right(ends, start)  # the first turn ending after the span starts
        while index < len(turns) and turns[index].start < end:
            touched.add(index)
            index += 1
    return [turns[i] for i in sorted(touched)]
