"""The dyad and participant registry: labels, groups (e.g. outcome) and attributes, by hand or from CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from transcripts.audit import record
from transcripts.errors import InvalidInput, NotFound
from transcripts.formats.decode import decode
from transcripts.ingest import ROLE
from transcripts.models import INTERVIEWER, Dyad, Participant, Transcript, User
from transcripts.order import natural_key, role_key

MAX_ATTRIBUTES = 50


def _clean_attributes(attributes: dict[str, str]) -> dict[str, str]:
    cleaned = {key.strip(): value.strip() for key, value in attributes.items() if key.strip() and value.strip()}
    if len(cleaned) > MAX_ATTRIBUTES:
        raise InvalidInput(f"at most {MAX_ATTRIBUTES} attributes")
    for key in cleaned:
        if len(key) > 60:
            raise InvalidInput(f"attribute name {key[:20]!r}… is longer than 60 characters")
    return cleaned


def _dyad_state(dyad: Dyad) -> dict[str, Any]:
    return {"label": dyad.label, "group": dyad.group, "attributes": dict(dyad.attributes)}


def update_dyad(
    session: Session,
    *,
    dyad_id: int,
    project_id: int,
    user: User,
    label: str,
    group: str | None,
    attributes: dict[str, str],
) -> Dyad:
    """Rename a dyad, set its group and attributes."""
    dyad = session.get(Dyad, dyad_id)
    if dyad is None or dyad.project_id != project_id:
        raise NotFound(f"no dyad with id {dyad_id}")
    label = label.strip()
    if not label or len(label) > 80:
        raise InvalidInput("a dyad label has 1 to 80 characters")
    clash = session.exec(
        select(Dyad).where(Dyad.project_id == dyad.project_id, Dyad.label == label, Dyad.id != dyad_id)
    ).first()
    if clash:
        raise InvalidInput(f"another dyad is already called {label!r}")
    before = _dyad_state(dyad)
    dyad.label, dyad.group = label, (group or "").strip() or None
    dyad.attributes = _clean_attributes(attributes)
    session.add(dyad)
    record(
        session,
        project_id=dyad.project_id,
        user_id=user.id,
        action="dyad.update",
        entity="dyad",
        entity_id=dyad.id,
        before=before,
        after=_dyad_state(dyad),
    )
    session.commit()
    return dyad


def update_participant(
    session: Session,
    *,
    participant_id: int,
    project_id: int,
    user: User,
    pseudonym: str,
    role: str,
    attributes: dict[str, str],
) -> Participant:
    """Change a participant's pseudonym ID, role or attributes."""
    person = session.get(Participant, participant_id)
    if person is None or person.project_id != project_id:
        raise NotFound(f"no participant with id {participant_id}")
    pseudonym, role = pseudonym.strip(), role.strip().lower()
    if not pseudonym or len(pseudonym) > 80:
        raise InvalidInput("a pseudonym ID has 1 to 80 characters")
    if not ROLE.fullmatch(role) or role == INTERVIEWER:
        raise InvalidInput(f"{role!r} is not a participant role (e.g. client, therapist, interpreter)")
    clash = session.exec(
        select(Participant).where(
            Participant.project_id == person.project_id,
            Participant.pseudonym == pseudonym,
            Participant.id != participant_id,
        )
    ).first()
    if clash:
        raise InvalidInput(f"another participant is already {pseudonym!r}")
    before = {"pseudonym": person.pseudonym, "role": person.role, "attributes": dict(person.attributes)}
    person.pseudonym, person.role, person.attributes = pseudonym, role, _clean_attributes(attributes)
    session.add(person)
    record(
        session,
        project_id=person.project_id,
        user_id=user.id,
        action="participant.update",
        entity="participant",
        entity_id=person.id,
        before=before,
        after={"pseudonym": pseudonym, "role": role, "attributes": person.attributes},
    )
    session.commit()
    return person


def import_attributes(session: Session, *, project_id: int, user: User, data: bytes, filename: str) -> int:
    """Set attributes from a CSV whose first column is ``dyad`` (labels) or ``participant`` (pseudonym
    IDs); a ``group`` column sets dyads' groups. All rows or none; returns how many rows were applied."""
    text, _ = decode(data, filename=filename)
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader, [])]
    if not header or header[0].lower() not in ("dyad", "participant"):
        raise InvalidInput(f"{filename}: the first column must be 'dyad' or 'participant'")
    kind = header[0].lower()
    if len(header) < 2:
        raise InvalidInput(f"{filename}: no attribute columns after {kind!r}")
    targets: dict[str, Any]
    if kind == "dyad":
        targets = {d.label: d for d in session.exec(select(Dyad).where(Dyad.project_id == project_id))}
    else:
        targets = {
            p.pseudonym: p for p in session.exec(select(Participant).where(Participant.project_id == project_id))
        }
    try:
        applied = _apply_rows(
            session, reader, header, kind, targets, project_id=project_id, user=user, filename=filename
        )
    except InvalidInput:
        session.rollback()
        raise
    session.commit()
    return applied


def _apply_rows(
    session: Session,
    reader: Any,
    header: list[str],
    kind: str,
    targets: dict[str, Any],
    *,
    project_id: int,
    user: User,
    filename: str,
) -> int:
    applied = 0
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        key = cells[0].strip()
        target = targets.get(key)
        if target is None:
            raise InvalidInput(f"{filename}: row {number}: no {kind} {key!r} in this project")
        values = dict(zip(header[1:], (cell.strip() for cell in cells[1:]), strict=False))
        before = dict(target.attributes)
        if kind == "dyad" and "group" in {h.lower() for h in values}:
            target.group = next(v for h, v in values.items() if h.lower() == "group") or None
            values = {h: v for h, v in values.items() if h.lower() != "group"}
        target.attributes = _clean_attributes({**target.attributes, **values})
        session.add(target)
        record(
            session,
            project_id=project_id,
            user_id=user.id,
            action=f"{kind}.attributes",
            entity=kind,
            entity_id=target.id,
            before={"attributes": before},
            after={"attributes": target.attributes},
        )
        applied += 1
    return applied


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    dyad: Dyad
    participants: list[tuple[Participant, int]]  # with their number of transcripts


def dyad_registry(session: Session, *, project_id: int) -> list[RegistryEntry]:
    """Every dyad of the project (natural order) with its participants (by role) and their transcripts."""
    dyads = sorted(
        session.exec(select(Dyad).where(Dyad.project_id == project_id)).all(), key=lambda d: natural_key(d.label)
    )
    people = session.exec(select(Participant).where(Participant.project_id == project_id)).all()
    counts = dict(
        session.exec(
            select(Transcript.participant_id, func.count())
            .where(Transcript.project_id == project_id)
            .group_by(col(Transcript.participant_id))
        ).all()
    )
    entries = []
    for dyad in dyads:
        members = sorted((p for p in people if p.dyad_id == dyad.id), key=lambda p: (role_key(p.role), p.pseudonym))
        entries.append(RegistryEntry(dyad, [(p, counts.get(p.id or 0, 0)) for p in members]))
    return entries
