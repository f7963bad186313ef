"""Importing transcripts: a manifest (or one file) into a project, as one transaction.

Every file is read, checked and parsed before anything is written, so that one bad row imports
nothing; the error names the row, the file and what is wrong. A file already in the project (same
checksum) is reported and skipped. Turns and sentences are stored in bulk, because a study holds
millions of words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from transcripts import formats, nlp, store
from transcripts.audit import record
from transcripts.collector import cyclic_gc_paused
from transcripts.errors import ImportRefused
from transcripts.formats import ParsedTranscript
from transcripts.formats.speakers import Speakers
from transcripts.manifest import ManifestRow, read_manifest
from transcripts.models import INTERVIEWER, Dyad, Participant, Project, Transcript, User
from transcripts.nlp import TurnAnalysis

Progress = Callable[[int, int, str], None]
ROLE = re.compile(r"[a-z][a-z _-]{0,39}")


@dataclass(slots=True)
class FileReport:
    """What the import did with one file, and what it noticed."""

    file: str
    status: str  # "imported" or "skipped"
    row: int | None = None
    reason: str = ""
    transcript_id: int | None = None
    format: str = ""
    encoding: str | None = None
    speakers: dict[str, str] = field(default_factory=dict)
    turns: int = 0
    timestamps: int = 0
    words: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ImportReport:
    project_id: int
    files: list[FileReport]

    @property
    def imported(self) -> list[FileReport]:
        return [report for report in self.files if report.status == "imported"]

    @property
    def skipped(self) -> list[FileReport]:
        return [report for report in self.files if report.status == "skipped"]


@dataclass(slots=True)
class _Pending:
    row: ManifestRow
    data_checksum: str
    parsed: ParsedTranscript
    report: FileReport
    analyses: list[TurnAnalysis] = field(default_factory=list)


def import_manifest(
    session: Session,
    *,
    project: Project,
    manifest: Path,
    user: User,
    max_bytes: int,
    model: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import every file a manifest names (paths relative to the manifest's folder)."""
    try:
        data = manifest.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"{manifest}: cannot read the manifest ({exc.strerror})") from exc
    rows = read_manifest(data, filename=manifest.name)
    return import_rows(
        session,
        project=project,
        rows=rows,
        folder=manifest.parent,
        user=user,
        max_bytes=max_bytes,
        model=model,
        progress=progress,
    )


@cyclic_gc_paused()
def import_rows(
    session: Session,
    *,
    project: Project,
    rows: Sequence[ManifestRow],
    folder: Path,
    user: User,
    max_bytes: int,
    model: str | None = None,
    progress: Progress | None = None,
    flat: bool = False,
) -> ImportReport:
    """Import the files of ``rows`` from ``folder`` in one transaction (``flat``: the uploads sit side
    by side, so a manifest path is matched by its file name)."""
    assert project.id is not None
    report = progress or (lambda done, total, stage: None)
    _check_rows(rows)
    known = _Known.load(session, project.id)
    pending: list[_Pending] = []
    skipped: list[FileReport] = []
    seen: dict[str, ManifestRow] = {}
    for index, row in enumerate(rows):
        report(index, len(rows), f"reading {row.file}")
        known.check(row)
        data = _read(folder, row, max_bytes=max_bytes, flat=flat)
        checksum = hashlib.sha256(data).hexdigest()
        earlier = known.checksums.get(checksum)
        if earlier or checksum in seen:
            what = f"transcript {earlier}" if earlier else f"row {seen[checksum].row}"
            skipped.append(FileReport(row.file, "skipped", row.row, reason=f"already imported as {what}"))
            continue
        known.check_session_free(row)
        seen[checksum] = row
        try:
            parsed = formats.parse(row.file, data, speakers=Speakers(row.participant, row.role))
        except ImportRefused as exc:
            raise ImportRefused(f"manifest row {row.row}: {exc}") from None
        pending.append(_Pending(row, checksum, parsed, _file_report(row, parsed)))

    # Analyse before writing: a long import then holds the database's write lock only briefly, and
    # progress can be reported meanwhile.
    for index, item in enumerate(pending):
        report(index, len(pending), f"finding sentences and lemmas in {item.row.file}")
        text = item.parsed.text
        item.analyses = list(nlp.analyse(((text[t.start : t.end], t.start) for t in item.parsed.turns), model=model))
    report(len(rows), len(rows), f"storing {len(pending)} transcripts")
    stored = []
    for item in pending:
        transcript = _store(session, project, item, user, known)
        item.report.transcript_id = transcript.id
        stored.append(item.report)
    store.index_sentences(session, transcript_ids=[r.transcript_id for r in stored if r.transcript_id])
    record(
        session,
        project_id=project.id,
        user_id=user.id,
        action="transcripts.import",
        entity="project",
        entity_id=project.id,
        after={"imported": [r.file for r in stored], "skipped": [r.file for r in skipped]},
    )
    session.commit()
    return ImportReport(project.id, sorted(stored + skipped, key=lambda r: r.row or 0))


def _check_rows(rows: Sequence[ManifestRow]) -> None:
    """Refuse a manifest that contradicts itself: one dyad/role/session twice, a participant in two
    dyads or roles, a dyad in two groups."""
    slots: dict[tuple[str, str, int], ManifestRow] = {}
    people: dict[str, ManifestRow] = {}
    groups: dict[str, ManifestRow] = {}
    for row in rows:
        if not ROLE.fullmatch(row.role) or row.role == INTERVIEWER:
            raise ImportRefused(
                f"{row.where()}: role {row.role!r} is not a participant role (e.g. client, therapist, interpreter)"
            )
        slot = (row.dyad, row.role, row.session)
        if slot in slots:
            raise ImportRefused(
                f"{row.where()}: {row.dyad}, {row.role}, session {row.session} is already row {slots[slot].row}"
            )
        slots[slot] = row
        first = people.setdefault(row.participant, row)
        if (first.dyad, first.role) != (row.dyad, row.role):
            raise ImportRefused(
                f"{row.where()}: participant {row.participant} is {first.role} in {first.dyad} in row {first.row}"
            )
        if row.group:
            grouped = groups.setdefault(row.dyad, row)
            if grouped.group != row.group:
                raise ImportRefused(
                    f"{row.where()}: {row.dyad} is in group {grouped.group!r} in row {grouped.row}, here {row.group!r}"
                )


@dataclass(slots=True)
class _Known:
    """What the project holds already, to check rows against it and to reuse dyads and participants."""

    project_id: int
    dyads: dict[str, Dyad]
    participants: dict[str, Participant]
    checksums: dict[str, int]
    sessions: dict[tuple[int, int], int]  # (participant id, session) → transcript id

    @classmethod
    def load(cls, session: Session, project_id: int) -> _Known:
        dyads = {d.label: d for d in session.exec(select(Dyad).where(Dyad.project_id == project_id))}
        people = session.exec(select(Participant).where(Participant.project_id == project_id))
        rows = session.exec(
            select(Transcript.id, Transcript.checksum, Transcript.participant_id, Transcript.session).where(
                Transcript.project_id == project_id
            )
        ).all()
        return cls(
            project_id,
            dyads,
            {p.pseudonym: p for p in people},
            {checksum: _id(tid) for tid, checksum, _, _ in rows},
            {(pid, number): _id(tid) for tid, _, pid, number in rows},
        )

    def check(self, row: ManifestRow) -> None:
        dyad = self.dyads.get(row.dyad)
        if dyad and row.group and dyad.group and dyad.group != row.group:
            raise ImportRefused(f"{row.where()}: {row.dyad} is in group {dyad.group!r} in this project")
        person = self.participants.get(row.participant)
        if person is not None:
            where = next((d.label for d in self.dyads.values() if d.id == person.dyad_id), "another dyad")
            if (where, person.role) != (row.dyad, row.role):
                raise ImportRefused(
                    f"{row.where()}: participant {row.participant} is {person.role} in {where} in this project"
                )

    def check_session_free(self, row: ManifestRow) -> None:
        person = self.participants.get(row.participant)
        taken = person and self.sessions.get((person.id, row.session))  # type: ignore[arg-type]
        if taken:
            raise ImportRefused(
                f"{row.where()}: {row.participant} already has a transcript of session {row.session} "
                f"(transcript {taken})"
            )


def _read(folder: Path, row: ManifestRow, *, max_bytes: int, flat: bool) -> bytes:
    path = folder / (Path(row.file).name if flat else row.file)
    if flat and not path.resolve().is_relative_to(folder.resolve()):
        raise ImportRefused(f"{row.where()}: the file name is not allowed")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImportRefused(f"{row.where()}: {row.file} is not a file")
        if size > max_bytes:
            raise ImportRefused(
                f"{row.where()}: the file has {size / 2**20:.1f} MiB, "
                f"more than the limit of {max_bytes / 2**20:.1f} MiB"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportRefused(f"{row.where()}: no such file") from None
    except OSError as exc:
        raise ImportRefused(f"{row.where()}: cannot read the file ({exc.strerror})") from None


def _file_report(row: ManifestRow, parsed: ParsedTranscript) -> FileReport:
    return FileReport(
        file=row.file,
        status="imported",
        row=row.row,
        format=parsed.format,
        encoding=parsed.encoding,
        speakers=parsed.speakers,
        turns=len(parsed.turns),
        timestamps=sum(turn.timestamp is not None for turn in parsed.turns),
        notes=list(parsed.notes)
        + (["read as Windows-1252: check accents and quotes"] if parsed.encoding == "Windows-1252" else []),
    )


def _store(session: Session, project: Project, item: _Pending, user: User, known: _Known) -> Transcript:
    row, parsed = item.row, item.parsed
    project_id = project.id
    assert project_id is not None
    dyad = known.dyads.get(row.dyad)
    if dyad is None:
        dyad = known.dyads[row.dyad] = Dyad(project_id=project_id, label=row.dyad, group=row.group)
        session.add(dyad)
        session.flush()
    elif row.group and not dyad.group:
        dyad.group = row.group
    person = known.participants.get(row.participant)
    if person is None:
        person = Participant(
            project_id=project_id,
            dyad_id=_id(dyad),
            pseudonym=row.participant,
            role=row.role,
            attributes=row.attributes,
        )
        known.participants[row.participant] = person
        session.add(person)
        session.flush()
    elif row.attributes:
        person.attributes = {**person.attributes, **row.attributes}
    transcript = Transcript(
        project_id=project_id,
        participant_id=_id(person),
        session=row.session,
        name=Path(row.file).stem,
        original_filename=Path(row.file).name,
        format=parsed.format,
        encoding=parsed.encoding,
        text=parsed.text,
        checksum=item.data_checksum,
        interview_date=row.date,
        turn_count=len(parsed.turns),
        report=item.report.notes,
        imported_by_id=user.id,
    )
    session.add(transcript)
    session.flush()
    transcript_id = _id(transcript)
    turn_ids = store.insert_turns(session, transcript_id=transcript_id, turns=parsed.turns)
    words = 0
    sentences: list[store.SentenceRow] = []
    for turn_id, analysis in zip(turn_ids, item.analyses, strict=True):
        words += analysis.words
        sentences.extend((transcript_id, turn_id, s.start, s.end, s.lemmas) for s in analysis.sentences)
    store.insert_sentences(session, sentences)
    transcript.word_count = words
    item.report.words = words
    known.checksums[item.data_checksum] = _id(transcript)
    return transcript


def _id(value: object) -> int:
    """The primary key of a flushed row (or a selected id): never None once the database assigned it."""
    key = getattr(value, "id", value)
    assert isinstance(key, int)
    return key
