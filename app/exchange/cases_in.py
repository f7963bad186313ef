"""Dyads and participants from a project's ``Cases`` and variable values, on import.

Variable names are compared without regard to case, after the user's mapping (``Rolle`` → ``role``). A case
with a name is a dyad (its ``group`` and other values become the dyad's group and attributes); a nameless
case with one source (how MAXQDA writes document variables) gives that source's variables. A source's
``role``, ``participant`` and ``session`` say whose interview it is; one without them gets a placeholder
participant in the dyad of its case (or "Unassigned"), and the report says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from app.exchange.guids import normalised
from app.exchange.report import ImportReport
from app.exchange.xml import Element, grandkids, kid, kids, local
from transcripts.models import INTERVIEWER, Dyad, Participant, Transcript

ROLE = re.compile(r"[a-z][a-z _-]{0,39}")
SOURCE_FIELDS = ("role", "participant", "session", "date")
UNASSIGNED = "Unassigned"
PLACEHOLDER_ROLE = "participant"


def variable_names(root: Element, mapping: dict[str, str]) -> dict[str, str]:
    """Variable GUID → the name Dyadic reads it as (lower case, after the mapping)."""
    names = {}
    for variable in grandkids(root, "Variables", "Variable"):
        guid = normalised(variable.get("guid"))
        name = " ".join((variable.get("name") or "").split()).casefold()
        if guid and name:
            names[guid] = mapping.get(name, name)
    return names


def values(element: Element, names: dict[str, str], report: ImportReport, where: str) -> dict[str, str]:
    """The variable values of a case or a source, by variable name."""
    found: dict[str, str] = {}
    for holder in kids(element, "VariableValue"):
        ref = kid(holder, "VariableRef")
        target = normalised(ref.get("targetGUID")) if ref is not None else None
        if target not in names:
            report.warn(
                f"{where}: a value of an unknown variable ({ref.get('targetGUID') if ref is not None else '?'})"
            )
            continue
        value = next((child for child in holder if isinstance(child.tag, str) and local(child) != "VariableRef"), None)
        text = " ".join("".join(value.itertext()).split()) if value is not None else ""
        if text:
            found[names[target]] = text
    return found


@dataclass(slots=True)
class CaseInfo:
    label: str
    variables: dict[str, str]


@dataclass(slots=True)
class Cases:
    by_source: dict[str, CaseInfo] = field(default_factory=dict)
    source_variables: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    named: dict[str, CaseInfo] = field(default_factory=dict)  # case GUID → case


def read_cases(root: Element, names: dict[str, str], report: ImportReport) -> Cases:
    cases = Cases()
    for element in grandkids(root, "Cases", "Case"):
        label = " ".join((element.get("name") or "").split())[:80]
        refs = [normalised(ref.get("targetGUID")) for ref in kids(element, "SourceRef")]
        sources = [ref for ref in refs if ref]
        found = values(element, names, report, f"case {label or element.get('guid')!r}")
        if not label:
            if len(sources) == 1:
                cases.source_variables[sources[0]].update(found)
            else:
                report.skip(f"a case without a name ({element.get('guid')}) over {len(sources)} sources")
            continue
        info = CaseInfo(label, found)
        guid = normalised(element.get("guid"))
        if guid:
            cases.named[guid] = info
        for source in sources:
            if source in cases.by_source:
                report.warn(f"a source is in cases {cases.by_source[source].label!r} and {label!r}: kept in the first")
                continue
            cases.by_source[source] = info
    return cases


class Registry:
    """The project's dyads, participants and transcripts, found or created as sources arrive."""

    def __init__(self, session: Session, project_id: int, report: ImportReport) -> None:
        self.session = session
        self.project_id = project_id
        self.report = report
        self.dyads = {d.label: d for d in session.exec(select(Dyad).where(Dyad.project_id == project_id))}
        self.people = {
            p.pseudonym: p for p in session.exec(select(Participant).where(Participant.project_id == project_id))
        }
        rows = session.exec(select(Transcript).where(Transcript.project_id == project_id)).all()
        self.checksums = {t.checksum: t for t in rows}
        self.sessions = {(t.participant_id, t.session) for t in rows}

    def dyad(self, case: CaseInfo | None) -> Dyad:
        label = case.label if case else UNASSIGNED
        dyad = self.dyads.get(label)
        if dyad is None:
            dyad = self.dyads[label] = Dyad(project_id=self.project_id, label=label)
            self.session.add(dyad)
            self.report.counts["dyads"] += 1
        if case:
            group = case.variables.get("group")
            if group and not dyad.group:
                dyad.group = group[:80]
            extra = {k: v for k, v in case.variables.items() if k != "group"}
            if extra:
                dyad.attributes = {**extra, **dyad.attributes}
        self.session.flush()
        return dyad

    def participant(self, dyad: Dyad, found: dict[str, str], source: str) -> Participant:
        role = found.get("role", "").casefold()
        pseudonym = found.get("participant", "")[:80]
        if role and (not ROLE.fullmatch(role) or role == INTERVIEWER):
            self.report.warn(f"source {source!r}: role {role!r} is not a participant role: a placeholder is used")
            role = ""
        if not role or not pseudonym:
            missing = " and ".join(what for what, value in (("role", role), ("participant", pseudonym)) if not value)
            role = role or PLACEHOLDER_ROLE
            pseudonym = pseudonym or self._free_pseudonym(source)
            self.report.warn(
                f"source {source!r} has no {missing}: placeholder participant {pseudonym} ({role}) in {dyad.label}"
            )
        person = self.people.get(pseudonym)
        if person is not None and (person.dyad_id, person.role) != (dyad.id, role):
            other = self._free_pseudonym(pseudonym)
            self.report.warn(
                f"source {source!r}: participant {pseudonym} is {person.role} in another dyad of this project: "
                f"this one is called {other}"
            )
            pseudonym, person = other, None
        if person is None:
            attributes = {k: v for k, v in found.items() if k not in SOURCE_FIELDS}
            person = Participant(
                project_id=self.project_id,
                dyad_id=dyad.id,  # type: ignore[arg-type]
                pseudonym=pseudonym,
                role=role,
                attributes=attributes,
            )
            self.session.add(person)
            self.session.flush()
            self.people[pseudonym] = person
            self.report.counts["participants"] += 1
        return person

    def _free_pseudonym(self, wanted: str) -> str:
        base = " ".join(wanted.split())[:70] or "P"
        name, number = base, 2
        while name in self.people:
            name, number = f"{base} ({number})", number + 1
        return name

    def session_number(self, person: Participant, found: dict[str, str], source: str) -> int:
        wanted = found.get("session", "")
        number = int(wanted) if re.fullmatch(r"\d{1,6}", wanted) else None
        if wanted and number is None:
            self.report.warn(f"source {source!r}: session {wanted!r} is not a number")
        if number is not None and (person.id, number) not in self.sessions:
            self.sessions.add((person.id, number))  # type: ignore[arg-type]
            return number
        free = 1
        while (person.id, free) in self.sessions:
            free += 1
        if number is not None:
            self.report.warn(f"source {source!r}: {person.pseudonym} has a session {number} already: stored as {free}")
        self.sessions.add((person.id, free))  # type: ignore[arg-type]
        return free


def interview_date(found: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(found["date"][:10]) if found.get("date") else None
    except ValueError:
        return None
