"""Searching the speech of a study by lemma, keyword in context, and coding the sentences of every hit.

A search for "trust" finds "trusted", "trusting", "Trusts": the query is lemmatised like the transcripts
were, the engine's own full-text index (SQLite FTS5, PostgreSQL ``tsvector``) finds the sentences that hold
every query lemma, and each such sentence is tokenised again to point at the words themselves — one hit
per matching word, ``[start, end)`` in the transcript's text. Only speech is searched (turn spans), never
speaker labels or time stamps. Hits are where a word occurs, not what matters: counting is an audit device.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from sqlmodel import Session, select

from coding.errors import InvalidInput
from coding.models import Code
from transcripts.nlp import lemmatise, words
from transcripts.order import natural_key, role_key
from transcripts.projects import get_project
from transcripts.rows import fetch_all

SPEAKERS = ("participants", "all")
CONTEXT = 80  # characters of context either side of a hit, within its turn
_BATCH = 500  # ids per statement
_DYAD_WORD = re.compile(r"^Dyad\b")
# Plain SQL, run on the driver's own cursor (transcripts/rows.py), for the statements every search runs: building
# them as expressions, and SQLAlchemy's rows, cost more than running them does (the tables are those of
# transcripts.models). ``?`` marks a parameter; ``{ids}`` a list of them.
_INTERVIEWS = (
    'SELECT t.id, t.name, t.session, p.pseudonym, p.role, d.label, d."group" FROM transcript t '
    "JOIN participant p ON p.id = t.participant_id JOIN dyad d ON d.id = p.dyad_id WHERE t.project_id = ?"
)
_TEXTS = "SELECT id, text FROM transcript WHERE id IN ({ids})"
_TURNS = 'SELECT id, position, speaker, role, start, "end", timestamp FROM turn WHERE id IN ({ids})'
_TURN_COLUMNS = ', u.position, u.speaker, u.role, u.start, u."end", u.timestamp'
_TURN_JOIN = " JOIN turn u ON u.id = s.turn_id"
_natural_key = lru_cache(maxsize=4096)(natural_key)  # dyad labels, sorted on every search
_orders: dict[int, tuple[list[Any], list[Interview]]] = {}  # project id → its interviews' rows, in study order


@dataclass(frozen=True, slots=True)
class Filters:
    """Which part of the study to search: dyads (labels), roles and sessions of the interviews, dyad
    groups, and whether the interviewer's speech counts (``speakers="all"``) or only the participants'."""

    dyads: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    sessions: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    speakers: str = "participants"


class Interview(NamedTuple):
    """One transcript as search sees it: whose interview it is, about which session, in which dyad."""

    id: int
    name: str
    session: int
    participant: str
    role: str
    dyad: str
    group: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a query word in the speech of a transcript.

    ``role`` is the role of the interview's participant; ``speaker_role`` that of whoever said the word
    (the same, unless the interviewer's speech is searched too). ``context`` is the speech around the word
    (up to ``CONTEXT`` characters either side, within the turn), the word at ``context_start``.
    """

    transcript_id: int
    transcript: str
    dyad: str
    group: str | None
    role: str
    participant: str
    session: int
    speaker: str
    speaker_role: str
    turn_position: int
    turn_start: int
    turn_end: int
    timestamp: float | None
    sentence_start: int
    sentence_end: int
    start: int
    end: int
    text: str
    context: str
    context_start: int

    @property
    def label(self) -> str:
        return quote_label(self.speaker_role, self.dyad)

    @property
    def left(self) -> str:
        return self.context[: self.context_start]

    @property
    def right(self) -> str:
        return self.context[self.context_start + len(self.text) :]

    @property
    def cut_left(self) -> bool:
        """Whether the turn's speech goes on before the context (so that a view can show "…")."""
        return self.start - self.context_start > self.turn_start

    @property
    def cut_right(self) -> bool:
        return self.end + len(self.right) < self.turn_end

    def as_json(self) -> dict[str, object]:
        """The hit as ``dyadic search --format json`` prints it."""
        return {
            "transcript": self.transcript_id,
            "dyad": self.dyad,
            "role": self.role,
            "speaker": self.speaker,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "context": self.context,
        }


@dataclass(frozen=True, slots=True)
class Results:
    """The hits of a search in study order (at most ``limit`` of them), and how many there are in all:
    ``total`` matching words in ``transcripts`` transcripts (counted from the stored lemmas)."""

    query: str
    lemmas: tuple[str, ...]
    hits: list[Hit]
    total: int
    transcripts: int


@dataclass(frozen=True, slots=True)
class Options:
    """What a project's search can be narrowed to, and the codes its hits can be coded with."""

    dyads: list[str]
    roles: list[str]
    sessions: list[int]
    groups: list[str]
    codes: list[Code] = field(default_factory=list)


class _Candidate(NamedTuple):
    """A sentence that holds every query lemma; a transcript's sort in the order of its text."""

    start: int
    id: int
    end: int
    turn_id: int
    matches: int  # its words whose lemma is a query lemma


_ByTranscript = dict[int, list[_Candidate]]  # transcript id → its sentences with hits, in no order


class _Found(NamedTuple):
    """A sentence that holds every query lemma, with its transcript; tuples sort in study order."""

    rank: int  # of its interview in study order
    start: int
    id: int
    end: int
    turn_id: int
    transcript_id: int
    matches: int


class _Turn(NamedTuple):
    position: int
    speaker: str
    role: str
    start: int
    end: int
    timestamp: float | None


_Chosen = dict[int, tuple[int, Interview]]  # transcript id → (rank in study order, interview)


def quote_label(role: str, dyad: str) -> str:
    """The label of a quote, e.g. "(client, dyad 4)": generated from metadata, never typed by hand."""
    return f"({role}, {_DYAD_WORD.sub('dyad', dyad)})"


def interviews(session: Session, *, project_id: int) -> list[Interview]:
    """The project's transcripts in study order: dyad (natural order), session, role, participant.

    Every search reads them; the order last made for a project is kept with the rows it was made from, and
    used again while the rows read are the same (compared whole, so any change sorts anew)."""
    rows = list(fetch_all(session, _INTERVIEWS, (project_id,)))
    last = _orders.get(project_id)
    if last is not None and last[0] == rows:
        return list(last[1])
    found = [Interview(*row) for row in rows]
    roles = {role: role_key(role) for role in {i.role for i in found}}
    ordered = sorted(found, key=lambda i: (_natural_key(i.dyad), i.session, roles[i.role], i.participant, i.id))
    _orders[project_id] = (rows, ordered)
    return list(ordered)


def search_options(session: Session, *, project_id: int) -> Options:
    """The dyads, roles, sessions and groups of a project's interviews, and its codes, in study order."""
    return _options(
        interviews(session, project_id=project_id),
        session.exec(select(Code).where(Code.project_id == project_id)).all(),
    )


def _options(found: Sequence[Interview], codes: Iterable[Code] = ()) -> Options:
    return Options(
        dyads=sorted({i.dyad for i in found}, key=natural_key),
        roles=sorted({i.role for i in found}, key=role_key),
        sessions=sorted({i.session for i in found}),
        groups=sorted({i.group for i in found if i.group}, key=natural_key),
        codes=sorted(codes, key=lambda code: natural_key(code.name)),
    )


def search(
    session: Session,
    *,
    project_id: int,
    query: str,
    dyads: Sequence[str] | None = None,
    roles: Sequence[str] | None = None,
    sessions: Sequence[int] | None = None,
    groups: Sequence[str] | None = None,
    speakers: str = "participants",
    limit: int | None = None,
    model: str | None = None,
) -> list[Hit]:
    """Every occurrence in the project's speech of a word whose lemma is a query word's lemma ("trust"
    finds "trusted"); with several query words, in sentences that hold them all, a hit for each. In study
    order: dyad (natural order), session, role, position. ``limit`` keeps the first hits only."""
    filters = Filters(tuple(dyads or ()), tuple(roles or ()), tuple(sessions or ()), tuple(groups or ()), speakers)
    return search_results(session, project_id=project_id, query=query, filters=filters, limit=limit, model=model).hits


def search_results(
    session: Session,
    *,
    project_id: int,
    query: str,
    filters: Filters = Filters(),
    offset: int = 0,
    limit: int | None = None,
    model: str | None = None,
) -> Results:
    """Like :func:`search`, with the number of hits and of transcripts in the whole selection. Only the
    hits ``offset`` to ``offset + limit`` (a page) are located word by word, the costly part; the counts
    come from the stored lemmas, a transcript at a time, and only the transcripts that hold the page have
    their sentences read one by one."""
    lemmas = _query_lemmas(query, model=model)
    chosen = _chosen(session, project_id=project_id, filters=filters)
    everyone = filters.speakers == "all"
    end = None if limit is None else offset + limit
    found: _ByTranscript = {}
    turns: dict[int, _Turn] = {}
    texts: dict[int, str] = {}
    if end is None:  # every hit: one pass over the sentences, with their turns
        found, turns = _sentences(session, lemmas=lemmas, everyone=everyone, chosen=chosen, with_turns=True)
        counts = {transcript_id: sum(s.matches for s in sentences) for transcript_id, sentences in found.items()}
    else:  # a page: the totals per transcript, then the sentences of the transcripts that hold the page
        totals = _totals(session, lemmas=lemmas, everyone=everyone, chosen=chosen)
        counts = {transcript_id: hits for transcript_id, (hits, _) in totals.items()}
    # Study order: interviews by rank, sentences by their place in the text. The interviews before the page
    # are skipped whole, by their counts; only those that hold the page have their sentences read and sorted.
    ordered = sorted(counts, key=lambda t: chosen[t][0])
    holding: list[int] = []
    covered = before = 0
    for transcript_id in ordered:
        if end is not None and covered >= end:
            break
        if covered + counts[transcript_id] <= offset:
            before = covered = covered + counts[transcript_id]
            continue
        holding.append(transcript_id)
        covered += counts[transcript_id]
    if end is not None and holding:
        found, turns, texts = _page(session, lemmas=lemmas, chosen=chosen, holding=holding, totals=totals)
    first, covered = 0, before  # first: the number of hits before the page's first sentence
    page: list[tuple[int, _Candidate]] = []
    for transcript_id in holding:
        for sentence in sorted(found[transcript_id]):
            if end is not None and covered >= end:
                break
            if covered + sentence.matches > offset:
                first = first if page else covered
                page.append((transcript_id, sentence))
            covered += sentence.matches
    if page and not texts:
        texts = _texts(session, {transcript_id for transcript_id, _ in page})
    hits = _hits(page, chosen, turns, texts, set(lemmas), model=model)[offset - first :]
    return Results(query, lemmas, hits if limit is None else hits[:limit], sum(counts.values()), len(counts))


def _query_lemmas(query: str, *, model: str | None) -> tuple[str, ...]:
    if not query.strip():
        raise InvalidInput("type a word to search for: the query is empty")
    lemmas = tuple(dict.fromkeys(lemmatise(query, model=model)))
    if not lemmas:
        raise InvalidInput(f"the query {query.strip()!r} has no words to search for")
    return lemmas


def _chosen(session: Session, *, project_id: int, filters: Filters) -> _Chosen:
    """The interviews the filters leave, by transcript id, with their rank in study order."""
    if filters.speakers not in SPEAKERS:
        raise InvalidInput(f"speakers must be one of {', '.join(SPEAKERS)}, not {filters.speakers!r}")
    found = interviews(session, project_id=project_id)
    if not found:
        get_project(session, project_id)  # a project without transcripts, or none at all
    if not (filters.dyads or filters.roles or filters.sessions or filters.groups):
        return {i.id: (rank, i) for rank, i in enumerate(found)}
    for name, chosen in (
        ("dyad", filters.dyads),
        ("role", filters.roles),
        ("session", filters.sessions),
        ("group", filters.groups),
    ):
        known = {getattr(i, name) for i in found} if chosen else set()
        unknown = [value for value in chosen if value not in known]
        if unknown:
            raise InvalidInput(f"no {name} {unknown[0]!r} in this project")
    return {
        i.id: (rank, i)
        for rank, i in enumerate(found)
        if (not filters.dyads or i.dyad in filters.dyads)
        and (not filters.roles or i.role in filters.roles)
        and (not filters.sessions or i.session in filters.sessions)
        and (not filters.groups or i.group in filters.groups)
    }


def _statement(dialect: str, *, lemmas: Sequence[str], everyone: bool) -> tuple[str, str, str]:
    """For the engine: the tables of a statement over the sentences (``s``) whose index entry holds every
    query lemma, the condition that finds them, and its one parameter, the index's query.

    Whose speech a sentence is comes from its own ``interviewer`` flag (a copy of its turn's role), not
    from a lookup of its turn: that lookup cost as much again as finding the sentences. Plain SQL, because
    building it as an expression each time cost more than running it for a rare word.
    """
    role = "" if everyone else " AND NOT s.interviewer"
    if dialect == "postgresql":
        quoted = " & ".join("'" + lemma.replace("\\", "\\\\").replace("'", "''") + "'" for lemma in lemmas)
        return "sentence s", f"s.search_vector @@ to_tsquery('simple', ?){role}", quoted
    # The index first, then each sentence it names by its id.
    quoted = " ".join('"' + lemma.replace('"', '""') + '"' for lemma in lemmas)
    return "sentence_fts CROSS JOIN sentence s ON s.id = sentence_fts.rowid", f"sentence_fts MATCH ?{role}", quoted


def _in_range(ids: Iterable[int]) -> str:
    """The chosen transcripts as a range of ids, written out: as parameters, PostgreSQL's generic plan guesses
    the range narrow, and reads it through the index of transcript ids. Python keeps the chosen ones."""
    ids = list(ids)
    return f"s.transcript_id BETWEEN {int(min(ids))} AND {int(max(ids))}"


def _matches(stored: str, first: str, others: Sequence[str]) -> int:
    """A sentence's number of hits, from its stored lemmas: 0 unless every query lemma is one of them.

    The index finds sentences by tokens of its own making; the stored lemmas decide, word by word."""
    words_ = stored.split()
    hits = words_.count(first)
    for lemma in others:
        more = words_.count(lemma)
        hits = hits + more if hits and more else 0
    return hits


def _totals(session: Session, *, lemmas: Sequence[str], everyone: bool, chosen: _Chosen) -> dict[int, tuple[int, str]]:
    """Per chosen transcript with hits: their number, and the ids of its sentences found (as text).

    The database joins each transcript's found sentences' lemmas into one text, a line each (stored lemmas
    hold no white space but single spaces), so that a row per transcript, not one per sentence, crosses to
    Python: building a row cost more than counting its lemmas. The ids spare the page a second search."""
    if not chosen:
        return {}
    dialect = session.get_bind().dialect.name
    tables, condition, match = _statement(dialect, lemmas=lemmas, everyone=everyone)
    if dialect == "postgresql":
        joined = "string_agg(s.lemmas, chr(10)), string_agg(s.id::text, ' ')"
    else:
        joined = "group_concat(s.lemmas, char(10)), group_concat(s.id, ' ')"
    sql = (
        f"SELECT s.transcript_id, {joined} FROM {tables} WHERE {condition} AND {_in_range(chosen)} "
        "GROUP BY s.transcript_id"
    )
    first, *others = lemmas
    totals = {}
    for transcript_id, stored, ids in fetch_all(session, sql, (match,)):
        if transcript_id not in chosen:
            continue
        if others:
            hits = sum(_matches(sentence, first, others) for sentence in stored.split("\n"))
        else:
            hits = stored.split().count(first)
        if hits:
            totals[transcript_id] = (hits, ids)
    return totals


def _sentences(
    session: Session, *, lemmas: Sequence[str], everyone: bool, chosen: _Chosen, with_turns: bool = False
) -> tuple[_ByTranscript, dict[int, _Turn]]:
    """The sentences of the selection that hold a hit, by transcript, with their number of hits (and their
    turns, if asked)."""
    if not chosen:
        return {}, {}
    dialect = session.get_bind().dialect.name
    tables, condition, match = _statement(dialect, lemmas=lemmas, everyone=everyone)
    turn, join = (_TURN_COLUMNS, _TURN_JOIN) if with_turns else ("", "")
    sql = (
        f'SELECT s.transcript_id, s.start, s.id, s."end", s.turn_id, s.lemmas{turn} FROM {tables}{join} '
        f"WHERE {condition} AND {_in_range(chosen)}"
    )
    return _grouped(fetch_all(session, sql, (match,)), lemmas, chosen)


def _grouped(
    rows: Iterable[Sequence[Any]], lemmas: Sequence[str], chosen: _Chosen
) -> tuple[_ByTranscript, dict[int, _Turn]]:
    """Rows of found sentences (transcript, start, id, end, turn, stored lemmas, the turn's columns if any)
    as the chosen transcripts' sentences with hits, and their turns."""
    found: _ByTranscript = {}
    turns: dict[int, _Turn] = {}
    first, *others = lemmas
    for transcript_id, start, id_, end, turn_id, stored, *turn in rows:
        if transcript_id not in chosen:
            continue
        hits = _matches(stored, first, others)
        if hits:
            sentences = found.get(transcript_id)
            if sentences is None:
                sentences = found[transcript_id] = []
            sentences.append(_Candidate(start, id_, end, turn_id, hits))
            if turn:
                turns[turn_id] = _Turn(*turn)
    return found, turns


def _page(
    session: Session,
    *,
    lemmas: Sequence[str],
    chosen: _Chosen,
    holding: Sequence[int],
    totals: dict[int, tuple[int, str]],
) -> tuple[_ByTranscript, dict[int, _Turn], dict[int, str]]:
    """The sentences with hits of the transcripts that hold a page (by the ids the totals found), their
    turns, and those transcripts' texts, in one statement (on PostgreSQL, one round trip)."""
    ids = [int(id_) for t in holding for id_ in totals[t][1].split()]
    params: tuple[object, ...] = ()
    if session.get_bind().dialect.name == "postgresql":  # one statement text, prepared once by the server
        sentences, transcripts, params = "= ANY(?)", "= ANY(?)", (ids, list(holding))
    else:
        sentences, transcripts = f"IN ({', '.join(map(str, ids))})", f"IN ({', '.join(map(str, holding))})"
    sql = (
        f'SELECT s.transcript_id, s.start, s.id, s."end", s.turn_id, s.lemmas{_TURN_COLUMNS}, NULL '
        f"FROM sentence s{_TURN_JOIN} WHERE s.id {sentences} UNION ALL "
        f"SELECT t.id, {', '.join(['NULL'] * 11)}, t.text FROM transcript t WHERE t.id {transcripts}"
    )
    rows = fetch_all(session, sql, params)
    texts = {row[0]: row[-1] for row in rows if row[-1] is not None}
    found, turns = _grouped((row[:-1] for row in rows if row[-1] is None), lemmas, chosen)
    return found, turns, texts


def _found(
    session: Session,
    *,
    project_id: int,
    lemmas: Sequence[str],
    chosen: _Chosen,
    everyone: bool,
) -> list[_Found]:
    """The sentences of the selection that hold a hit, in study order, with their number of hits."""
    by_transcript = _candidates(session, project_id=project_id, lemmas=lemmas, chosen=chosen, everyone=everyone)
    return sorted(
        _Found(chosen[transcript_id][0], c.start, c.id, c.end, c.turn_id, transcript_id, c.matches)
        for transcript_id, candidates in by_transcript.items()
        for c in candidates
    )


def _candidates(
    session: Session,
    *,
    project_id: int,
    lemmas: Sequence[str],
    chosen: _Chosen,
    everyone: bool,
) -> _ByTranscript:
    """The sentences of the selection that hold a hit, by transcript, with their number of hits."""
    return _sentences(session, lemmas=lemmas, everyone=everyone, chosen=chosen)[0]


def _in_batches(session: Session, query: str, ids: Iterable[int]) -> Iterable[Any]:
    ids = sorted(ids)
    for first in range(0, len(ids), _BATCH):
        batch = ids[first : first + _BATCH]
        yield from fetch_all(session, query.format(ids=", ".join("?" * len(batch))), batch * query.count("{ids}"))


def _turns(session: Session, turn_ids: Iterable[int]) -> dict[int, _Turn]:
    return {row[0]: _Turn(*row[1:]) for row in _in_batches(session, _TURNS, turn_ids)}


def _texts(session: Session, transcript_ids: Iterable[int]) -> dict[int, str]:
    return {row[0]: row[1] for row in _in_batches(session, _TEXTS, transcript_ids)}


def _hits(
    found: Sequence[tuple[int, _Candidate]],
    chosen: _Chosen,
    turns: dict[int, _Turn],
    texts: dict[int, str],
    wanted: set[str],
    *,
    model: str | None,
) -> list[Hit]:
    hits = []
    for transcript_id, s in found:
        i, turn, text = chosen[transcript_id][1], turns[s.turn_id], texts[transcript_id]
        for word in words(text[s.start : s.end], model=model, lemmas=wanted):
            start, end = s.start + word.start, s.start + word.end
            left, right = _context(text, start, end, turn)
            hits.append(Hit(
                i.id, i.name, i.dyad, i.group, i.role, i.participant, i.session,
                turn.speaker, turn.role, turn.position, turn.start, turn.end, turn.timestamp,
                s.start, s.end, start, end, word.text, f"{left}{word.text}{right}", len(left),
            ))  # fmt: skip
    return hits


def _context(text: str, start: int, end: int, turn: _Turn) -> tuple[str, str]:
    """Up to ``CONTEXT`` characters of the turn's speech either side of ``text[start:end]``, on one line,
    without a cut word at either edge."""
    left_edge, right_edge = max(turn.start, start - CONTEXT), min(turn.end, end + CONTEXT)
    left, right = text[left_edge:start], text[end:right_edge]
    if left_edge > turn.start and not text[left_edge - 1].isspace():
        cut = re.search(r"\s", left)
        left = left[cut.start() :] if cut else ""
    if right_edge < turn.end and not text[right_edge].isspace():
        cut = re.search(r"\s\S*$", right)
        right = right[: cut.start()] if cut else ""
    return left.lstrip().replace("\n", " "), right.rstrip().replace("\n", " ")
