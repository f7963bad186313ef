"""The project exchange out (.qdpx): a zip of ``project.qde`` and ``sources/<GUID>.txt``.

Mapping (DESIGN §6): coders are ``Users``; the codebook is ``CodeBook``; dyads are ``Cases`` (name = label,
group and attributes as variable values, a ``SourceRef`` per transcript); each transcript is a ``TextSource``
whose .txt is its canonical text exactly (UTF-8, no BOM), so that selection offsets are our code points;
each coded passage is one ``PlainTextSelection`` holding one ``Coding`` per code and coder; memos are
``Notes`` (on a transcript by ``NoteRef``, on a dyad by a ``Link`` from the note to the case, on a coding by
the coding's ``NoteRef``, project-wide by the project's ``NoteRef``); themes are ``Sets`` of member codes.
GUIDs are stable: codes, codings and themes have their own; the rest are derived (``guids``).
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml.etree import SubElement
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.exchange import notes_out
from app.exchange.builder import Builder
from app.exchange.codes import write_codes
from app.exchange.errors import ExchangeRefused
from app.exchange.guids import derived, project_namespace, user_guid
from app.exchange.report import ExportReport
from app.exchange.sets import project_themes, write_sets
from app.exchange.xml import PROJECT_NS, Element, iso, schema_errors, serialise
from coding.models import Code, Coding
from transcripts.collector import cyclic_gc_paused
from transcripts.models import Dyad, Member, Participant, Project, Transcript, User
from transcripts.order import natural_key, role_key

ORIGIN = "Dyadic 0.1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # a fixed time: the same project gives the same archive, byte for byte
RESERVED = ("role", "participant", "session", "date", "group")
SELECTION_TAG, CODING_TAG, CODE_REF_TAG, NOTE_REF_TAG = (
    f"{{{PROJECT_NS}}}{tag}" for tag in ("PlainTextSelection", "Coding", "CodeRef", "NoteRef")
)
# A coding as the export reads it: a row, not an ORM object (a project holds hundreds of thousands)
CODING_COLUMNS: tuple[Any, ...] = (Coding.id, Coding.transcript_id, Coding.code_id, Coding.coder_id, Coding.start,
                                   Coding.end, Coding.guid, Coding.created_at)  # fmt: skip


@dataclass(slots=True)
class _Study:
    project: Project
    namespace: object
    users: dict[int, User]
    codes: list[Code]
    dyads: list[Dyad]
    participants: dict[int, Participant]
    transcripts: list[Transcript]
    codings: dict[int, list[Any]] = field(default_factory=dict)  # transcript id → rows of CODING_COLUMNS
    user_guids: dict[int, str] = field(default_factory=dict)
    code_guids: dict[int | None, str] = field(default_factory=dict)

    def guid(self, kind: str, key: object) -> str:
        return derived(self.namespace, kind, key)  # type: ignore[arg-type]

    def user(self, user_id: int | None) -> str | None:
        if user_id is None or user_id not in self.users:
            return None
        if user_id not in self.user_guids:
            self.user_guids[user_id] = user_guid(self.users[user_id].name)
        return self.user_guids[user_id]


def _load(session: Session, project: Project) -> _Study:
    assert project.id is not None
    pid = project.id
    dyads = sorted(session.exec(select(Dyad).where(Dyad.project_id == pid)), key=lambda d: natural_key(d.label))
    participants = {p.id: p for p in session.exec(select(Participant).where(Participant.project_id == pid))}
    dyad_rank = {dyad.id: rank for rank, dyad in enumerate(dyads)}
    transcripts = sorted(
        session.exec(select(Transcript).where(Transcript.project_id == pid)),
        key=lambda t: (
            dyad_rank.get(participants[t.participant_id].dyad_id, 0),
            role_key(participants[t.participant_id].role),
            natural_key(participants[t.participant_id].pseudonym),
            t.session,
            t.id,
        ),
    )
    codings: dict[int, list[Any]] = defaultdict(list)
    for coding in session.execute(
        sa_select(*CODING_COLUMNS)
        .where(col(Coding.project_id) == pid)
        .order_by(col(Coding.start), col(Coding.end), col(Coding.id))
    ):
        codings[coding.transcript_id].append(coding)
    users = {u.id: u for u in session.exec(select(User)) if u.id is not None}
    codes = list(session.exec(select(Code).where(Code.project_id == pid)))
    return _Study(
        project=project,
        namespace=project_namespace(project),
        users=users,
        codes=codes,
        dyads=dyads,
        participants={k: v for k, v in participants.items() if k is not None},
        transcripts=transcripts,
        codings=dict(codings),
        code_guids={code.id: code.guid for code in codes},
    )


def project_archive(session: Session, *, project: Project, report: ExportReport) -> bytes:
    """The .qdpx archive of a project, as bytes."""
    with cyclic_gc_paused():
        root, texts = _project(session, project=project, report=report)
        return _zip(serialise(root), texts)


def _project(session: Session, *, project: Project, report: ExportReport) -> tuple[Element, dict[str, bytes]]:
    """The project's XML tree and its sources' texts by archive path."""
    study = _load(session, project)
    builder = Builder(PROJECT_NS)
    root = builder.root("Project", name=project.name, origin=ORIGIN, creationDateTime=iso(project.created_at))
    notes = notes_out.collect(session, study.project, guid=study.guid, user=study.user)
    used_users = _used_users(session, study, notes)
    if used_users:
        holder = builder.add(root, "Users")
        for user in sorted(used_users, key=lambda u: natural_key(u.name)):
            builder.add(holder, "User", guid=user_guid(user.name), name=user.name)
        report.counts["users"] = len(used_users)
    if study.codes:
        report.counts["codes"] = write_codes(builder, builder.add(root, "CodeBook"), study.codes)
    variables = _variables(builder, root, study)
    _cases(builder, root, study, variables)
    texts = _sources(builder, root, study, variables, notes, report)
    notes_out.write(builder, root, notes, report)
    themes, members = project_themes(session, project.id)  # type: ignore[arg-type]
    guids = {code.id: code.guid for code in study.codes if code.id is not None}
    report.counts["themes (sets)"] = write_sets(
        builder, root, themes, members, guids, member_attribute="targetGUID", memo_note=notes.theme_note
    )
    if project.description.strip():
        builder.add(root, "Description", project.description)
    for guid in notes.project_refs:
        builder.add(root, "NoteRef", targetGUID=guid)
    notes_out.not_carried(session, project, report)
    if builder.stripped:
        report.notes.append(f"{builder.stripped} characters that XML cannot hold were left out of names and memos")
    return root, texts


def _used_users(session: Session, study: _Study, notes: notes_out.Notes) -> list[User]:
    ids = {c.coder_id for group in study.codings.values() for c in group}
    ids |= {t.imported_by_id for t in study.transcripts} | notes.author_ids
    ids |= {row for row in session.exec(select(Member.user_id).where(Member.project_id == study.project.id))}
    return [study.users[i] for i in ids if i in study.users]


@dataclass(slots=True)
class _Variables:
    guids: dict[str, str]
    dyad_keys: list[str]
    participant_keys: list[str]


def _variables(builder: Builder, root: Element, study: _Study) -> _Variables:
    dyad_keys = sorted({k for d in study.dyads for k in d.attributes if k.casefold() not in RESERVED})
    participant_keys = sorted(
        {k for p in study.participants.values() for k in p.attributes if k.casefold() not in RESERVED}
    )
    names: list[tuple[str, str]] = [("role", "Text"), ("participant", "Text"), ("session", "Integer")]
    if any(t.interview_date for t in study.transcripts):
        names.append(("date", "Date"))
    if any(d.group for d in study.dyads):
        names.append(("group", "Text"))
    names += [(k, "Text") for k in dict.fromkeys(dyad_keys + participant_keys)]
    guids = {}
    if study.transcripts or study.dyads:
        holder = builder.add(root, "Variables")
        for name, kind in names:
            guids[name] = study.guid("variable", name)
            builder.add(holder, "Variable", guid=guids[name], name=name, typeOfVariable=kind)
    return _Variables(guids, dyad_keys, participant_keys)


def _value(builder: Builder, parent: Element, variable: str, kind: str, value: str) -> None:
    element = builder.add(parent, "VariableValue")
    builder.add(element, "VariableRef", targetGUID=variable)
    builder.add(element, kind, value)


def _cases(builder: Builder, root: Element, study: _Study, variables: _Variables) -> None:
    if not study.dyads:
        return
    by_dyad: dict[int, list[Transcript]] = defaultdict(list)
    for transcript in study.transcripts:
        by_dyad[study.participants[transcript.participant_id].dyad_id].append(transcript)
    holder = builder.add(root, "Cases")
    for dyad in study.dyads:
        case = builder.add(holder, "Case", guid=study.guid("dyad", dyad.id), name=dyad.label)
        if dyad.group:
            _value(builder, case, variables.guids["group"], "TextValue", dyad.group)
        for key in variables.dyad_keys:
            if dyad.attributes.get(key):
                _value(builder, case, variables.guids[key], "TextValue", dyad.attributes[key])
        for transcript in by_dyad.get(dyad.id or 0, []):
            builder.add(case, "SourceRef", targetGUID=study.guid("transcript", transcript.id))


def _sources(
    builder: Builder,
    root: Element,
    study: _Study,
    variables: _Variables,
    notes: notes_out.Notes,
    report: ExportReport,
) -> dict[str, bytes]:
    texts: dict[str, bytes] = {}
    if not study.transcripts:
        return texts
    holder = builder.add(root, "Sources")
    for transcript in study.transcripts:
        guid = study.guid("transcript", transcript.id)
        texts[f"sources/{guid}.txt"] = transcript.text.encode("utf-8")
        source = builder.add(
            holder,
            "TextSource",
            guid=guid,
            name=transcript.name,
            plainTextPath=f"internal://{guid}.txt",
            creatingUser=study.user(transcript.imported_by_id),
            creationDateTime=iso(transcript.imported_at),
        )
        _selections(builder, source, study, transcript, notes, report)
        for note in notes.transcript_refs.get(transcript.id or 0, []):
            builder.add(source, "NoteRef", targetGUID=note)
        person = study.participants[transcript.participant_id]
        _value(builder, source, variables.guids["role"], "TextValue", person.role)
        _value(builder, source, variables.guids["participant"], "TextValue", person.pseudonym)
        _value(builder, source, variables.guids["session"], "IntegerValue", str(transcript.session))
        if transcript.interview_date:
            _value(builder, source, variables.guids["date"], "DateValue", transcript.interview_date.isoformat())
        for key in variables.participant_keys:
            if person.attributes.get(key):
                _value(builder, source, variables.guids[key], "TextValue", person.attributes[key])
    report.counts["sources"] = len(texts)
    return texts


def _selections(
    builder: Builder,
    source: Element,
    study: _Study,
    transcript: Transcript,
    notes: notes_out.Notes,
    report: ExportReport,
) -> None:
    passages: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for coding in study.codings.get(transcript.id or 0, []):
        passages[(coding.start, coding.end)].append(coding)
    code_guids = study.code_guids
    for (start, end), codings in passages.items():
        first = min(codings, key=lambda c: (c.created_at, c.id or 0))
        excerpt = " ".join(transcript.text[start:end].split())
        name = excerpt if len(excerpt) <= 80 else excerpt[:79] + "…"
        attributes = {"guid": study.guid("selection", (transcript.id, start, end))}
        name = builder.clean(name)  # only the name can hold what XML cannot; the rest are numbers, GUIDs, times
        if name:
            attributes["name"] = name
        attributes |= {"startPosition": str(start), "endPosition": str(end)}
        creator = study.user(first.coder_id)
        if creator:
            attributes["creatingUser"] = creator
        created = iso(first.created_at)
        if created:
            attributes["creationDateTime"] = created
        selection = SubElement(source, SELECTION_TAG, attributes)
        for coding in codings:  # GUIDs and times only: nothing to clean, so lxml directly (the bulk of the file)
            attributes = {"guid": coding.guid}
            creator = study.user(coding.coder_id)
            if creator:
                attributes["creatingUser"] = creator
            created = iso(coding.created_at)
            if created:
                attributes["creationDateTime"] = created
            element = SubElement(selection, CODING_TAG, attributes)
            SubElement(element, CODE_REF_TAG, {"targetGUID": code_guids[coding.code_id]})
            note = notes.coding_refs.get(coding.id or 0)
            if note:
                SubElement(element, NOTE_REF_TAG, {"targetGUID": note})
        report.counts["coded passages"] += 1
        report.counts["codings"] += len(codings)


def _zip(project_xml: bytes, texts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("project.qde", project_xml), *texts.items()]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def checked_archive(
    session: Session, *, project: Project, schema_dir: Path | None = None
) -> tuple[bytes, ExportReport]:
    """The .qdpx archive and its report; with ``schema_dir`` the XML is checked against the schema first (a
    failure is a bug in Dyadic, and refused)."""
    report = ExportReport()
    with cyclic_gc_paused():
        root, texts = _project(session, project=project, report=report)
        if schema_dir is not None:  # the tree as written (serialising and parsing it again gives the same tree)
            errors = schema_errors(root, kind="project", folder=schema_dir)
            if errors:
                raise ExchangeRefused(f"the project export breaks the schema (a bug in Dyadic): {errors[0]}")
        return _zip(serialise(root), texts), report


def export_project(session: Session, *, project: Project, path: Path, schema_dir: Path | None = None) -> ExportReport:
    """Write the whole project as a .qdpx archive; with ``schema_dir`` the XML is checked against the schema
    first (a failure is a bug, and nothing is written)."""
    data, report = checked_archive(session, project=project, schema_dir=schema_dir)
    report.path = str(path)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ExchangeRefused(f"cannot write {path}: {exc.strerror}") from None
    return report
