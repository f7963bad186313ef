"""A source's text into a transcript, exactly as the file has it, with speaker turns found on top.

The text is never rewritten — not even to LF line ends or NFC — because every selection offset points into
it; a text the importer of transcript files would have changed is stored as it is, and the report says so.
Turns come from the transcript parser (``transcripts.formats.labelled``); when its labels cannot be placed,
every paragraph becomes a turn of the participant. Sentences and lemmas come from ``transcripts.nlp`` and are
stored through ``transcripts.store``, as the transcript importer does.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field

from sqlmodel import Session

from app.exchange.xml import ILLEGAL
from transcripts import nlp, store
from transcripts.errors import ImportRefused
from transcripts.formats import ParsedTurn, labelled
from transcripts.formats.decode import normalise
from transcripts.formats.speakers import Speakers
from transcripts.models import INTERVIEWER, Transcript

PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")


@dataclass(slots=True)
class SourceText:
    text: str
    encoding: str
    checksum: str
    notes: list[str] = field(default_factory=list)


def decode_source(data: bytes) -> SourceText:
    """The text of a source file: UTF-8 (a BOM is dropped, as offsets never count it), UTF-16 with a BOM, or
    Windows-1252 as a last resort."""
    checksum = hashlib.sha256(data).hexdigest()
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        raw, encoding = data[3:], "utf-8"
        label = "UTF-8 (BOM)"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw, encoding, label = data, "utf-16", "UTF-16 (BOM)"
    else:
        raw, encoding, label = data, "utf-8", "UTF-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text, label = raw.decode("cp1252", errors="replace"), "Windows-1252"
        notes.append("not UTF-8: read as Windows-1252, check accents and quotes")
    if normalise(text) != text:
        what = "CR or CRLF line ends" if "\r" in text else "characters not in Unicode NFC"
        notes.append(f"the text has {what}: kept exactly as the file has it, so that the offsets stay valid")
    if ILLEGAL.search(text.replace("\r", "")):
        notes.append("the text holds control characters: kept as they are")
    return SourceText(text, label, checksum, notes)


def find_turns(text: str, *, pseudonym: str, role: str, name: str) -> tuple[list[ParsedTurn], list[str]]:
    """Speaker turns over ``text`` (which stays as it is), and what the parser noticed."""
    if not text.strip():
        return [], ["the source's text is empty"]
    try:
        parsed = labelled.parse(text, speakers=Speakers(pseudonym, role), filename=name, paragraphs="blank")
    except ImportRefused as exc:
        turns = [_trimmed(text, match.start(), match.end(), role) for match in PARAGRAPH.finditer(text)]
        reason = str(exc).split(": ", 1)[-1]
        return [t for t in turns if t.end > t.start], [f"{reason}; every paragraph taken as the speech of {pseudonym}"]
    assert parsed.text is text  # the parser finds turns; it never rewrites the text
    return parsed.turns, parsed.notes


def _trimmed(text: str, start: int, end: int, role: str) -> ParsedTurn:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return ParsedTurn("", role, start, end)


def add_transcript(session: Session, transcript: Transcript, turns: list[ParsedTurn]) -> Transcript:
    """Add the transcript (flushed: it has its id). Its turns, sentences and word count come later, from
    ``analysed_rows``, written while the next source is analysed."""
    transcript.turn_count = len(turns)
    session.add(transcript)
    session.flush()
    return transcript


def analysed_rows(
    transcript: Transcript, turns: list[ParsedTurn], turn_ids: list[int], *, model: str | None
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    """The transcript's turn rows (``store.TURN_COLUMNS``) and lemmatised sentence rows (``store.SENTENCE_COLUMNS``
    and the interviewer flag, known here from the turn's role), as the transcript importer stores them, and its
    word count."""
    text = transcript.text
    assert transcript.id is not None
    analyses = nlp.analyse(((text[t.start : t.end], t.start) for t in turns), model=model)
    words = 0
    sentences: list[tuple[object, ...]] = []
    for turn_id, turn, analysis in zip(turn_ids, turns, analyses, strict=True):
        words += analysis.words
        interviewer = turn.role == INTERVIEWER
        sentences += [(transcript.id, turn_id, s.start, s.end, s.lemmas, interviewer) for s in analysis.sentences]
    return store.turn_rows(transcript.id, turns, turn_ids), sentences, words
