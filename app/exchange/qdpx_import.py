"""The project exchange in: a .qdpx archive (or a bare project .qde) into a new or an existing project.

Flow: the archive is checked (``archive``) and its ``.qde`` parsed (``xml``, hardened) and validated (only
warnings: real files deviate). Then, in one transaction: users become coders, the codebook becomes codes,
named cases become dyads, each text source a transcript (text kept exactly, turns found on top), its
selections codings, notes memos or journal entries, sets of codes themes. Any error rolls everything back.
Sources go in two passes: what needs the database first, then spaCy and the codings while a writer
(``store.BulkWriter``) stores their rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlmodel import Session, select

from app.exchange import cases_in
from app.exchange.archive import Limits, SafeArchive, open_archive
from app.exchange.codes import CodeImporter, codes_element
from app.exchange.codings_in import CodingContext, import_codings
from app.exchange.errors import ExchangeRefused
from app.exchange.guids import normalised
from app.exchange.offsets import model_for
from app.exchange.report import ImportReport
from app.exchange.sets import SetImporter
from app.exchange.sources_in import add_transcript, analysed_rows, decode_source, find_turns
from app.exchange.target import check_schema, member, read_limited, target_project
from app.exchange.xml import Element, grandkids, kids, local, parse, text_of
from themes.models import JournalEntry
from transcripts import store
from transcripts.audit import record
from transcripts.collector import cyclic_gc_paused
from transcripts.formats import ParsedTurn
from transcripts.models import Memo, Project, Transcript, User
from transcripts.projects import ensure_user

JOURNAL = re.compile(r"Journal(?:, phase ([1-6]))?")


@dataclass(slots=True)
class Options:
    limits: Limits
    schema_dir: Path | None = None
    mapping: dict[str, str] | None = None  # variable name (any case) → role, participant, session …
    model: str | None = None  # the spaCy pipeline


def import_project(
    session: Session, *, path: Path, project_name: str, user: User, options: Options, dry_run: bool = False
) -> ImportReport:
    """Import a REFI-QDA project; returns the report. Refusals raise ``ExchangeRefused`` and store nothing.
    With ``dry_run`` the whole import runs and is then rolled back: the report previews what it would create."""
    report = ImportReport()
    archive, root = _open(path, options.limits)
    try:
        if local(root) != "Project":
            raise ExchangeRefused(f"{path.name}: not a REFI-QDA project (the root element is {local(root)!r})")
        check_schema(root, kind="project", folder=options.schema_dir, report=report)
        report.offsets = model_for(root.get("origin"))
        # hundreds of thousands of objects that live until the end: no rescans by the cyclic collector
        with cyclic_gc_paused(), store.page_cache(session, mib=32):
            _import(
                session, root, archive, path=path, project_name=project_name, user=user, options=options, report=report
            )
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if archive is not None:
            archive.close()
    return report


def project_variables(path: Path, *, limits: Limits) -> list[str]:
    """The names of the variables a project file defines, as written (for mapping them onto role …)."""
    archive, root = _open(path, limits)
    if archive is not None:
        archive.close()
    names = (" ".join((v.get("name") or "").split()) for v in grandkids(root, "Variables", "Variable"))
    return list(dict.fromkeys(name for name in names if name))


def _open(path: Path, limits: Limits) -> tuple[SafeArchive | None, Element]:
    """The archive and its project XML; a bare .qde/.xml file is read as a project without sources."""
    if path.suffix.casefold() in (".qde", ".xml"):
        return None, parse(read_limited(path, max_bytes=limits.max_bytes), what=path.name)
    archive = open_archive(path, limits=limits)
    try:
        roots = [name for name in archive.names() if "/" not in name and name.casefold().endswith(".qde")]
        if len(roots) != 1:
            found = "no" if not roots else f"{len(roots)}"
            raise ExchangeRefused(f"{path.name}: {found} .qde project files at the archive's root (expected one)")
        return archive, parse(archive.read(roots[0]), what=f"{path.name}/{roots[0]}")
    except BaseException:
        archive.close()
        raise


def _import(
    session: Session,
    root: Element,
    archive: SafeArchive | None,
    *,
    path: Path,
    project_name: str,
    user: User,
    options: Options,
    report: ImportReport,
) -> None:
    project = target_project(session, name=project_name, user=user, report=report)
    assert project.id is not None
    users = _users(session, root, project, report)
    codes = CodeImporter(session, project_id=project.id, user=user, report=report)
    codes.run(codes_element(root))
    notes, authors = _notes(root, archive, report)
    names = cases_in.variable_names(root, {k.casefold(): v.casefold() for k, v in (options.mapping or {}).items()})
    cases = cases_in.read_cases(root, names, report)
    registry = cases_in.Registry(session, project.id, report)
    for case in cases.named.values():
        registry.dyad(case)
    context = CodingContext(session, project.id, report, codes.by_guid, users, user, notes, report.offsets)
    context.load_taken(root)
    # Two passes. The first does everything a source needs the database for, in order: dyads, participants,
    # the transcript, its memos. The second is the heavy part, spaCy and the codings, while a writer stores
    # the rows: the database's work (and on PostgreSQL the server's) overlaps the analysis of the next
    # source instead of following it. Each step writes into a part of the report of its own, joined in order.
    parts: list[ImportReport] = []
    sources: list[_Prepared] = []
    new_ids: list[int] = []
    for source in (child for holder in kids(root, "Sources") for child in holder if isinstance(child.tag, str)):
        part = registry.report = ImportReport()
        parts.append(part)
        kind = local(source)
        path_name = PurePosixPath((source.get("plainTextPath") or "").replace("\\", "/")).name
        name = source.get("name") or path_name or source.get("guid") or "?"
        if kind != "TextSource":
            part.skip(f"{kind} {name!r}: Dyadic imports text sources only")
            continue
        prepared = _source(session, source, archive, registry, cases, names, name, options, part, user, new_ids)
        if prepared is None:
            continue
        sources.append(prepared)
        parts.append(prepared.report)
        for ref in kids(source, "NoteRef"):
            target = normalised(ref.get("targetGUID")) or ""
            if target in notes:
                context.used_notes.add(target)
                _memo(
                    session,
                    project,
                    authors.get(target),
                    user,
                    users,
                    notes[target],
                    transcript_id=prepared.transcript.id,
                )
                prepared.memos += 1
    registry.report = report
    turn_ids = iter(store.allocate_turn_ids(session, sum(len(p.turns or ()) for p in sources)))
    with store.BulkWriter(session) as writer:  # the session is the writer's until the block ends
        context.writer = writer
        for prepared in sources:
            transcript, turns = prepared.transcript, prepared.turns
            if turns is not None:  # a new transcript
                ids = [next(turn_ids) for _ in turns]
                turn_rows, sentence_rows, transcript.word_count = analysed_rows(
                    transcript, turns, ids, model=options.model
                )
                writer.add("turn", store.TURN_COLUMNS, turn_rows)
                writer.add("sentence", f"{store.SENTENCE_COLUMNS}, interviewer", sentence_rows)
            context.report = prepared.report
            import_codings(context, prepared.source, transcript, prepared.name)
            context.store()
            if prepared.memos:
                prepared.report.counts["transcript memos"] += prepared.memos
            for selection in list(prepared.source.iterchildren("{*}PlainTextSelection")):  # read: free the tree
                prepared.source.remove(selection)
    context.writer, context.report = None, report
    report.join(parts)
    if context.anonymous:
        report.warn(f"{context.anonymous} codings name no coder: they are attributed to {user.name}")
    session.flush()
    store.index_sentences(session, transcript_ids=new_ids)
    _links(session, root, project, cases, registry, notes, authors, users, user, context.used_notes, report)
    themes = SetImporter(session, project_id=project.id, user=user, report=report)
    themes.run(list(grandkids(root, "Sets", "Set")), codes.by_guid, notes)
    used = context.used_notes | themes.used_notes
    _journal(session, root, project, notes, authors, users, user, used, report)
    record(
        session,
        project_id=project.id,
        user_id=user.id,
        action="exchange.import_qdpx",
        entity="project",
        entity_id=project.id,
        after={"file": path.name, "created": dict(report.counts)},
    )


def _users(session: Session, root: Element, project: Project, report: ImportReport) -> dict[str, User]:
    users: dict[str, User] = {}
    for element in grandkids(root, "Users", "User"):
        guid = normalised(element.get("guid"))
        if guid is None:
            report.skip(f"user {element.get('name')!r}: no valid GUID")
            continue
        name = " ".join((element.get("name") or element.get("id") or f"user {guid[:8]}").split())[:80]
        person = ensure_user(session, name=name)
        member(session, project, person)
        users[guid] = person
        report.counts["users"] += 1
    return users


def _notes(root: Element, archive: SafeArchive | None, report: ImportReport) -> tuple[dict[str, str], dict[str, str]]:
    """Note GUID → its text (name, description and content), and note GUID → its author's GUID."""
    texts: dict[str, str] = {}
    authors: dict[str, str] = {}
    for note in grandkids(root, "Notes", "Note"):
        guid = normalised(note.get("guid"))
        if guid is None:
            report.skip(f"note {note.get('name')!r}: no valid GUID")
            continue
        content = text_of(note, "PlainTextContent")
        if not content and note.get("plainTextPath") and archive is not None:
            found = _find_text(archive, note.get("plainTextPath") or "")
            content = decode_source(archive.read(found)).text if found else ""
        parts = [text_of(note, "Description").strip(), content.strip()]
        name = " ".join((note.get("name") or "").split())
        texts[guid] = "\n\n".join(part for part in parts if part)
        if (
            name
            and not JOURNAL.fullmatch(name)
            and not name.startswith(("Familiarisation memo", "Dyad memo", "Coding memo", "Theme memo"))
        ):
            texts[guid] = f"{name}\n\n{texts[guid]}" if texts[guid] else name
        authors[guid] = normalised(note.get("creatingUser")) or ""
        if name and JOURNAL.fullmatch(name):
            authors[guid + ":phase"] = JOURNAL.fullmatch(name).group(1) or ""  # type: ignore[union-attr]
    return texts, authors


def _find_text(archive: SafeArchive, reference: str) -> str | None:
    path = re.sub(r"^internal://", "", reference.strip(), flags=re.IGNORECASE).replace("\\", "/")
    if "://" in path:
        return None
    base = PurePosixPath(path).name
    for candidate in (f"sources/{path}", path, f"sources/{base}", base):
        found = archive.find(candidate)
        if found:
            return found
    return None


@dataclass(slots=True)
class _Prepared:
    """A text source after the first pass: its transcript, and its turns when the transcript is new (their
    sentences and codings come in the second pass, into the report's part ``report``)."""

    source: Element
    name: str
    transcript: Transcript
    turns: list[ParsedTurn] | None
    report: ImportReport = field(default_factory=ImportReport)
    memos: int = 0


def _source(
    session: Session,
    source: Element,
    archive: SafeArchive | None,
    registry: cases_in.Registry,
    cases: cases_in.Cases,
    names: dict[str, str],
    name: str,
    options: Options,
    report: ImportReport,
    user: User,
    new_ids: list[int],
) -> _Prepared | None:
    """A text source's transcript, added (or the project's transcript with the same text), and its turns."""
    guid = normalised(source.get("guid")) or ""
    inline = text_of(source, "PlainTextContent")
    reference = source.get("plainTextPath") or ""
    if inline:
        data = inline.encode("utf-8")
    elif archive is None:
        report.skip(f"text source {name!r}: its text is not in the file (a .qde without its sources)")
        return None
    else:
        found = _find_text(archive, reference) if reference else None
        if found is None:
            report.skip(f"text source {name!r}: its text {reference or '(no path)'} is not in the archive")
            return None
        data = archive.read(found)
    decoded = decode_source(data)
    existing = registry.checksums.get(decoded.checksum)
    if existing is not None:
        report.warn(f"text source {name!r} has the same text as transcript {existing.name!r}: its codings go there")
        return _Prepared(source, name, existing, None)
    found_values = dict(cases.source_variables.get(guid, {}))
    found_values.update(cases_in.values(source, names, report, f"source {name!r}"))
    case = cases.by_source.get(guid)
    dyad = registry.dyad(case)
    person = registry.participant(dyad, found_values, name)
    number = registry.session_number(person, found_values, name)
    turns, turn_notes = find_turns(decoded.text, pseudonym=person.pseudonym, role=person.role, name=name)
    notes = decoded.notes + turn_notes
    for note in decoded.notes:
        report.warn(f"text source {name!r}: {note}")
    transcript = Transcript(
        project_id=registry.project_id,
        participant_id=person.id,  # type: ignore[arg-type]
        session=number,
        name=name[:200],
        original_filename=(PurePosixPath(reference.replace("\\", "/")).name or name)[:255],
        format="qdpx",
        encoding=decoded.encoding,
        text=decoded.text,
        checksum=decoded.checksum,
        interview_date=cases_in.interview_date(found_values),
        report=notes,
        imported_by_id=user.id,
    )
    add_transcript(session, transcript, turns)
    registry.checksums[decoded.checksum] = transcript
    new_ids.append(transcript.id)  # type: ignore[arg-type]
    report.counts["transcripts"] += 1
    return _Prepared(source, name, transcript, turns)


def _author(authors: dict[str, str], users: dict[str, User], note: str | None, fallback: User) -> User:
    return users.get(authors.get(note or "", ""), fallback)


def _memo(
    session: Session,
    project: Project,
    author_guid: str | None,
    fallback: User,
    users: dict[str, User],
    body: str,
    *,
    transcript_id: int | None = None,
    dyad_id: int | None = None,
) -> None:
    author = users.get(author_guid or "", fallback)
    kind = "familiarisation" if transcript_id else "dyad"
    query = select(Memo).where(Memo.author_id == author.id, Memo.kind == kind)
    query = query.where(Memo.transcript_id == transcript_id) if transcript_id else query.where(Memo.dyad_id == dyad_id)
    mine = session.exec(query).first()
    if mine is not None:  # one memo per person and target: the note joins it, once
        if body not in mine.body:
            mine.body = "\n\n".join(part for part in (mine.body, body) if part)
        return
    session.add(
        Memo(
            project_id=project.id,  # type: ignore[arg-type]
            author_id=author.id,  # type: ignore[arg-type]
            kind=kind,
            transcript_id=transcript_id,
            dyad_id=dyad_id,
            body=body,
        )
    )
    session.flush()


def _links(
    session: Session,
    root: Element,
    project: Project,
    cases: cases_in.Cases,
    registry: cases_in.Registry,
    notes: dict[str, str],
    authors: dict[str, str],
    users: dict[str, User],
    user: User,
    used: set[str],
    report: ImportReport,
) -> None:
    """A link from a note to a case is a dyad memo; other links are listed as not imported."""
    for link in grandkids(root, "Links", "Link"):
        origin, target = normalised(link.get("originGUID")), normalised(link.get("targetGUID"))
        case = cases.named.get(target or "")
        if origin in notes and case is not None:
            dyad = registry.dyads[case.label]
            _memo(session, project, authors.get(origin or ""), user, users, notes[origin or ""], dyad_id=dyad.id)
            used.add(origin or "")
            report.counts["dyad memos"] += 1
        else:
            report.skip(f"link {link.get('name') or link.get('guid')!r}: only links from a note to a case are read")


def _journal(
    session: Session,
    root: Element,
    project: Project,
    notes: dict[str, str],
    authors: dict[str, str],
    users: dict[str, User],
    user: User,
    used: set[str],
    report: ImportReport,
) -> None:
    """Notes on the project, and notes attached to nothing Dyadic reads, become reflexive journal entries."""
    for guid, text in notes.items():
        if guid in used or not text:
            continue
        phase = authors.get(guid + ":phase")
        author = _author(authors, users, guid, user)
        same = select(JournalEntry.id).where(
            JournalEntry.project_id == project.id, JournalEntry.author_id == author.id, JournalEntry.text == text
        )
        if session.exec(same).first() is not None:  # imported before
            continue
        session.add(
            JournalEntry(
                project_id=project.id,  # type: ignore[arg-type]
                author_id=author.id,
                phase=int(phase) if phase else None,
                text=text,
            )
        )
        report.counts["journal entries"] += 1
    session.flush()
