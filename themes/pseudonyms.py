"""The pseudonymisation check before an export: the project's pseudonym dictionary, what the check finds in
the quotes an export will contain, and the team's decisions on each finding.

- **The dictionary** lists terms that identify someone or somewhere — participants' and third parties' names,
  places, employers — each with a kind (person, place, other), a replacement ("[sister]", "[city]") and a note.
- **The check** looks for every dictionary term in each quote, token by token and without regard to case
  (spaCy's ``PhraseMatcher``, in ``transcripts.nlp``); with a trained pipeline configured
  (``DYADIC_SPACY_MODEL``) also for PERSON, GPE and LOC entities. The participants' own pseudonym IDs
  ("C10") are what the export is meant to show: they are never findings.
- **Partner adjacency**: in dyadic studies the two partners may recognise each other. A quote of one partner
  placed straight after a quote of the other partner of the same dyad, in the same theme section, is flagged
  as a warning that the team can acknowledge (the seminar pack's dyad sections put partners together on
  purpose, for the team's own eyes, and are not checked for it).
- **Decisions**: each finding is *replaced* (the replacement is written into the exported quote only — the
  transcript and the coding never change) or *accepted* as it stands, with who and when. An export is blocked
  while any finding is undecided. A decision holds for one kind of export (a name may stand in the team's
  seminar pack yet not in a paper) and for the quote's text as it was: if the coded passage changes, the
  check asks again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from sqlmodel import Session, select

from themes.pseudonym_models import EXPORT_KINDS, PSEUDONYM_KINDS, Pseudonym, PseudonymDecision
from themes.quotes import QuoteSource
from transcripts.audit import record
from transcripts.errors import InvalidInput, NotFound
from transcripts.members import require
from transcripts.models import Participant, User, utcnow
from transcripts.nlp import entities, find_phrases
from transcripts.projects import get_project

ENTITY_LABELS = ("PERSON", "GPE", "LOC")
ENTITY_KINDS = {"PERSON": "person", "GPE": "place", "LOC": "place"}
DEFAULT_REPLACEMENTS = {"person": "[name]", "place": "[place]", "other": "[removed]"}
TERM_LIMIT = 200
NOTE_LIMIT = 2_000
DECIDING = "decide what exports show of possible identifiers"


class ExportBlocked(InvalidInput):
    """An export whose quotes still hold possible identifiers that nobody has replaced or accepted."""


@dataclass(frozen=True, slots=True)
class ExportQuote:
    """A quote as an export will place it: its source, and the section it sits in (a theme's row, a dyad's
    section). Quotes are passed in the export's order, so that neighbours can be seen."""

    source: QuoteSource
    section: str | None  # None: a section where partners sit together on purpose (not checked for adjacency)


@dataclass(slots=True)
class Finding:
    """A possible identifier (one term, perhaps found more than once) in one quote, and what was decided."""

    coding_id: int
    term: str  # lower case: the key of the decision
    shown: str  # as written in the quote, first occurrence
    kind: str  # person, place or other
    source: str  # "dictionary" or the entity label (PERSON, GPE, LOC)
    spans: list[tuple[int, int]]
    suggestion: str
    quote: QuoteSource
    decision: PseudonymDecision | None = None

    @property
    def resolved(self) -> bool:
        return self.decision is not None


@dataclass(slots=True)
class Adjacency:
    """Two partners' quotes side by side in one section (a warning)."""

    first: QuoteSource
    second: QuoteSource
    section: str | None
    decision: PseudonymDecision | None = None

    @property
    def key(self) -> str:
        return adjacency_key(self.first.coding_id, self.second.coding_id)

    @property
    def acknowledged(self) -> bool:
        return self.decision is not None


@dataclass(slots=True)
class Check:
    """What the check found in one export's quotes."""

    project_id: int
    export_kind: str
    quotes: int
    findings: list[Finding] = field(default_factory=list)
    adjacent: list[Adjacency] = field(default_factory=list)

    @property
    def unresolved(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.resolved]

    @property
    def unacknowledged(self) -> list[Adjacency]:
        return [pair for pair in self.adjacent if not pair.acknowledged]

    @property
    def blocked(self) -> bool:
        return bool(self.unresolved)

    def summary(self) -> str:
        """One line: ``export blocked: 3 possible identifiers in quotes — review them at …``."""
        n = len(self.unresolved)
        what = "possible identifier" if n == 1 else "possible identifiers"
        return (
            f"export blocked: {n} {what} in quotes — review them at "
            f"/projects/{self.project_id}/exports/{self.export_kind} or pass --accept-all"
        )

    def warning(self) -> str:
        n = len(self.unacknowledged)
        pairs = "quote sits" if n == 1 else "quotes sit"
        return (
            f"warning: {n} {pairs} next to a quote of the dyad partner (partners may recognise each other) — "
            f"see /projects/{self.project_id}/exports/{self.export_kind}"
        )

    def exported_text(self, quote: QuoteSource) -> str:
        """The quote's text as the export prints it: every replaced finding's occurrences replaced."""
        edits = sorted(
            (start, end, finding.decision.replacement)
            for finding in self.findings
            if finding.coding_id == quote.coding_id
            and finding.decision is not None
            and finding.decision.decision == "replaced"
            for start, end in finding.spans
        )
        text, last, parts = quote.text, 0, []
        for start, end, replacement in edits:
            if start < last:  # overlapping findings (a dictionary term inside an entity): the first wins
                continue
            parts += [text[last:start], replacement]
            last = end
        parts.append(text[last:])
        return "".join(parts)


def adjacency_key(first: int, second: int) -> str:
    return f"{min(first, second)}+{max(first, second)}"


# --- the dictionary --------------------------------------------------------------------------------------


def _clean(value: str, label: str, limit: int, *, required: bool = False) -> str:
    value = " ".join("".join(ch for ch in unicodedata.normalize("NFC", value) if ch.isprintable()).split())
    if required and not value:
        raise InvalidInput(f"a pseudonym entry needs a {label}")
    if len(value) > limit:
        raise InvalidInput(f"a {label} has at most {limit} characters")
    return value


def _kind(kind: str) -> str:
    if kind not in PSEUDONYM_KINDS:
        raise InvalidInput(f"unknown kind {kind!r}: choose one of {', '.join(PSEUDONYM_KINDS)}")
    return kind


def dictionary(session: Session, *, project_id: int) -> list[Pseudonym]:
    """The project's pseudonym dictionary, by term."""
    get_project(session, project_id)
    entries = session.exec(select(Pseudonym).where(Pseudonym.project_id == project_id)).all()
    return sorted(entries, key=lambda entry: entry.term_key)


def _refuse_clash(session: Session, project_id: int, key: str, but: int | None = None) -> None:
    clash = session.exec(select(Pseudonym).where(Pseudonym.project_id == project_id, Pseudonym.term_key == key)).first()
    if clash is not None and clash.id != but:
        raise InvalidInput(f"{clash.term!r} is in the pseudonym dictionary already")


def _state(entry: Pseudonym) -> dict[str, str]:
    return {"term": entry.term, "kind": entry.kind, "replacement": entry.replacement, "note": entry.note}


def add_pseudonym(
    session: Session,
    *,
    project_id: int,
    user: User,
    term: str,
    kind: str = "person",
    replacement: str = "",
    note: str = "",
) -> Pseudonym:
    """Add a term to the project's pseudonym dictionary (a lead's or owner's action)."""
    get_project(session, project_id)
    require(session, project_id=project_id, user=user, role="lead", doing="edit the pseudonym dictionary")
    term = _clean(term, "term", TERM_LIMIT, required=True)
    kind = _kind(kind)
    _refuse_clash(session, project_id, term.casefold())
    entry = Pseudonym(
        project_id=project_id,
        term=term,
        term_key=term.casefold(),
        kind=kind,
        replacement=_clean(replacement, "replacement", TERM_LIMIT) or DEFAULT_REPLACEMENTS[kind],
        note=_clean(note, "note", NOTE_LIMIT),
        created_by_id=user.id,
    )
    session.add(entry)
    session.flush()
    record(
        session,
        project_id=project_id,
        user_id=user.id,
        action="pseudonym.add",
        entity="pseudonym",
        entity_id=entry.id,
        after=_state(entry),
    )
    session.commit()
    return entry


def _entry(session: Session, project_id: int, entry_id: int) -> Pseudonym:
    entry = session.get(Pseudonym, entry_id)
    if entry is None or entry.project_id != project_id:
        raise NotFound(f"no pseudonym entry with id {entry_id} in this project")
    return entry


def update_pseudonym(
    session: Session, *, project_id: int, entry_id: int, user: User, term: str, kind: str, replacement: str, note: str
) -> Pseudonym:
    """Change a dictionary entry (its term, kind, replacement or note)."""
    entry = _entry(session, project_id, entry_id)
    require(session, project_id=project_id, user=user, role="lead", doing="edit the pseudonym dictionary")
    term = _clean(term, "term", TERM_LIMIT, required=True)
    kind = _kind(kind)
    _refuse_clash(session, project_id, term.casefold(), but=entry.id)
    before = _state(entry)
    entry.term, entry.term_key, entry.kind = term, term.casefold(), kind
    entry.replacement = _clean(replacement, "replacement", TERM_LIMIT) or DEFAULT_REPLACEMENTS[kind]
    entry.note = _clean(note, "note", NOTE_LIMIT)
    session.add(entry)
    record(
        session,
        project_id=project_id,
        user_id=user.id,
        action="pseudonym.update",
        entity="pseudonym",
        entity_id=entry.id,
        before=before,
        after=_state(entry),
    )
    session.commit()
    return entry


def remove_pseudonym(session: Session, *, project_id: int, entry_id: int, user: User) -> None:
    """Take an entry out of the dictionary (decisions already taken on its term stay)."""
    entry = _entry(session, project_id, entry_id)
    require(session, project_id=project_id, user=user, role="lead", doing="edit the pseudonym dictionary")
    record(
        session,
        project_id=project_id,
        user_id=user.id,
        action="pseudonym.remove",
        entity="pseudonym",
        entity_id=entry.id,
        before=_state(entry),
    )
    session.delete(entry)
    session.commit()


# --- the check -------------------------------------------------------------------------------------------


def _export_kind(export_kind: str) -> str:
    if export_kind not in EXPORT_KINDS:
        raise InvalidInput(f"unknown export {export_kind!r}: choose one of {', '.join(EXPORT_KINDS)}")
    return export_kind


def check_quotes(
    session: Session, *, project_id: int, export_kind: str, quotes: Sequence[ExportQuote], model: str | None = None
) -> Check:
    """Check the quotes an export will contain (in its order) against the dictionary, the entities a trained
    pipeline finds, and partner adjacency; each finding carries the decision that holds for it, if any."""
    _export_kind(export_kind)
    check = Check(project_id, export_kind, len(quotes))
    own_ids = {
        pseudonym.casefold()
        for pseudonym in session.exec(select(Participant.pseudonym).where(Participant.project_id == project_id))
    }
    entries = [entry for entry in dictionary(session, project_id=project_id) if entry.term_key not in own_ids]
    by_key = {entry.term_key: entry for entry in entries}
    sources = list({quote.source.coding_id: quote.source for quote in quotes}.values())
    texts = [source.text for source in sources]
    matches = find_phrases(texts, [entry.term for entry in entries], model=model)
    found = entities(texts, labels=ENTITY_LABELS, model=model)
    for source, phrase_matches, entity_matches in zip(sources, matches, found, strict=True):
        findings: dict[str, Finding] = {}
        for match in phrase_matches:
            entry = by_key[match.phrase.casefold()]
            _note(findings, source, entry.term_key, match.start, match.end, entry.kind, "dictionary", entry.replacement)
        taken = [span for finding in findings.values() for span in finding.spans]
        for entity in entity_matches:
            key = entity.text.casefold()
            if key in own_ids or any(s < entity.end and entity.start < e for s, e in taken):
                continue
            kind = ENTITY_KINDS[entity.label]
            _note(findings, source, key, entity.start, entity.end, kind, entity.label, DEFAULT_REPLACEMENTS[kind])
        check.findings.extend(findings.values())
    check.adjacent = _adjacent(quotes)
    _attach_decisions(session, check)
    return check


def _note(
    findings: dict[str, Finding],
    source: QuoteSource,
    key: str,
    start: int,
    end: int,
    kind: str,
    origin: str,
    suggestion: str,
) -> None:
    finding = findings.get(key)
    if finding is None:
        findings[key] = Finding(
            source.coding_id, key, source.text[start:end], kind, origin, [(start, end)], suggestion, source
        )
    else:
        finding.spans.append((start, end))


def _adjacent(quotes: Sequence[ExportQuote]) -> list[Adjacency]:
    """Consecutive quotes of one section by two different participants of one dyad."""
    pairs = []
    for before, after in pairwise(quotes):
        a, b = before.source, after.source
        same_section = before.section is not None and before.section == after.section
        if same_section and a.dyad_id == b.dyad_id and a.participant_id != b.participant_id:
            pairs.append(Adjacency(a, b, before.section))
    return pairs


def _attach_decisions(session: Session, check: Check) -> None:
    decisions = {
        (decision.quote_key, decision.term): decision
        for decision in session.exec(
            select(PseudonymDecision).where(
                PseudonymDecision.project_id == check.project_id, PseudonymDecision.export_kind == check.export_kind
            )
        )
    }
    for finding in check.findings:
        decision = decisions.get((str(finding.coding_id), finding.term))
        if decision is not None and decision.quote_hash == finding.quote.text_hash:
            finding.decision = decision
    for pair in check.adjacent:
        decision = decisions.get((pair.key, ""))
        if decision is not None and decision.quote_hash == _pair_hash(pair):
            pair.decision = decision


def _pair_hash(pair: Adjacency) -> str:
    first, second = sorted((pair.first, pair.second), key=lambda source: source.coding_id)
    return (first.text_hash[:32] + second.text_hash[:32])[:64]


# --- decisions -------------------------------------------------------------------------------------------


def _store(
    session: Session,
    check: Check,
    *,
    coding_id: int,
    quote_key: str,
    quote_hash: str,
    term: str,
    decision: str,
    replacement: str,
    user: User,
) -> PseudonymDecision:
    """Write (or overwrite) one decision; flushed, not committed."""
    row = session.exec(
        select(PseudonymDecision).where(
            PseudonymDecision.project_id == check.project_id,
            PseudonymDecision.export_kind == check.export_kind,
            PseudonymDecision.quote_key == quote_key,
            PseudonymDecision.term == term,
        )
    ).first()
    before = {"decision": row.decision, "replacement": row.replacement} if row else None
    if row is None:
        row = PseudonymDecision(
            project_id=check.project_id,
            export_kind=check.export_kind,
            coding_id=coding_id,
            quote_key=quote_key,
            quote_hash=quote_hash,
            term=term,
            decision=decision,
        )
    row.quote_hash, row.decision, row.replacement = quote_hash, decision, replacement
    row.decided_by_id, row.decided_at = user.id, utcnow()
    session.add(row)
    session.flush()
    record(
        session,
        project_id=check.project_id,
        user_id=user.id,
        action=f"pseudonym.{decision}",
        entity="pseudonym_decision",
        entity_id=row.id,
        before=before,
        after={
            "export": check.export_kind,
            "quote": quote_key,
            "term": term,
            "decision": decision,
            "replacement": replacement,
        },
    )
    return row


def decide(
    session: Session,
    *,
    check: Check,
    coding_id: int,
    term: str,
    decision: str,
    user: User,
    replacement: str = "",
) -> PseudonymDecision:
    """Replace one finding in the exported quote (``decision="replaced"``, with its ``replacement``: the
    suggestion when empty) or accept it as it stands (``"accepted"``). The finding must be one of the check's."""
    require(session, project_id=check.project_id, user=user, role="lead", doing=DECIDING)
    finding = next((f for f in check.findings if f.coding_id == coding_id and f.term == term.casefold()), None)
    if finding is None:
        raise InvalidInput(f"{term!r} is not a finding of the check in quote {coding_id}")
    if decision not in ("replaced", "accepted"):
        raise InvalidInput(f"unknown decision {decision!r}: choose replaced or accepted")
    text = (_clean(replacement, "replacement", TERM_LIMIT) or finding.suggestion) if decision == "replaced" else ""
    row = _store(
        session,
        check,
        coding_id=coding_id,
        quote_key=str(coding_id),
        quote_hash=finding.quote.text_hash,
        term=finding.term,
        decision=decision,
        replacement=text,
        user=user,
    )
    session.commit()
    finding.decision = row
    return row


def acknowledge(session: Session, *, check: Check, quote_key: str, user: User) -> PseudonymDecision:
    """Acknowledge a partner-adjacency warning (the two quotes stay where they are)."""
    require(session, project_id=check.project_id, user=user, role="lead", doing=DECIDING)
    pair = next((pair for pair in check.adjacent if pair.key == quote_key), None)
    if pair is None:
        raise InvalidInput(f"no partners' quotes {quote_key!r} side by side in this export")
    row = _store(
        session,
        check,
        coding_id=min(pair.first.coding_id, pair.second.coding_id),
        quote_key=pair.key,
        quote_hash=_pair_hash(pair),
        term="",
        decision="acknowledged",
        replacement="",
        user=user,
    )
    session.commit()
    pair.decision = row
    return row


def accept_all(session: Session, *, check: Check, user: User) -> int:
    """Accept every undecided finding and acknowledge every warning (``--accept-all``), in one commit;
    returns how many decisions were recorded."""
    require(session, project_id=check.project_id, user=user, role="lead", doing=DECIDING)
    rows = []
    for finding in check.unresolved:
        rows.append(
            (
                finding,
                _store(
                    session,
                    check,
                    coding_id=finding.coding_id,
                    quote_key=str(finding.coding_id),
                    quote_hash=finding.quote.text_hash,
                    term=finding.term,
                    decision="accepted",
                    replacement="",
                    user=user,
                ),
            )
        )
    pairs = []
    for pair in check.unacknowledged:
        pairs.append(
            (
                pair,
                _store(
                    session,
                    check,
                    coding_id=min(pair.first.coding_id, pair.second.coding_id),
                    quote_key=pair.key,
                    quote_hash=_pair_hash(pair),
                    term="",
                    decision="acknowledged",
                    replacement="",
                    user=user,
                ),
            )
        )
    session.commit()
    for finding, row in rows:
        finding.decision = row
    for pair, row in pairs:
        pair.decision = row
    return len(rows) + len(pairs)


def decided_by(session: Session, decision: PseudonymDecision) -> str:
    """The name of whoever took a decision."""
    user = session.get(User, decision.decided_by_id) if decision.decided_by_id else None
    return user.name if user else "someone"


def refuse_if_blocked(check: Check) -> None:
    """Raise ``ExportBlocked`` (one line) while any finding is undecided."""
    if check.blocked:
        raise ExportBlocked(check.summary())
