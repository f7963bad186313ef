"""Reading transcript files into canonical text and speaker turns, one module per family of formats.

Every parser returns a :class:`ParsedTranscript`: the canonical text (LF line ends, NFC) and turns whose
``[start, end)`` spans cover each turn's speech in that text. Speaker labels and time stamps stay in the
text, outside the spans. Parsers never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from transcripts.errors import ImportRefused
from transcripts.formats.speakers import Speakers

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
    ".odt": "odt",
    ".rtf": "rtf",
    ".vtt": "vtt",
    ".srt": "srt",
}


@dataclass(frozen=True, slots=True)
class ParsedTurn:
    speaker: str  # the label as the file writes it
    role: str  # "interviewer" or the participant's role
    start: int
    end: int
    timestamp: float | None = None
    end_time: float | None = None


@dataclass(slots=True)
class ParsedTranscript:
    text: str
    format: str
    turns: list[ParsedTurn]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # doubtful things, each naming its line
    speakers: dict[str, str] = field(default_factory=dict)  # label → role


def format_of(filename: str) -> str:
    """The format a file name announces, or a refusal naming the formats Dyadic reads."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ImportRefused(f"{filename}: unsupported file type {suffix or '(none)'!r}; Dyadic reads {known}")
    return FORMATS[suffix]


def parse(filename: str, data: bytes, *, speakers: Speakers) -> ParsedTranscript:
    """Parse a transcript file's bytes; ``speakers`` knows whose interview it is."""
    from transcripts.formats import labelled, office, subtitles
    from transcripts.formats.decode import decode, normalise

    kind = format_of(filename)
    if not data.strip():
        raise ImportRefused(f"{filename}: the file is empty")
    try:
        if kind == "text":
            text, encoding = decode(data, filename=filename)
            parsed = labelled.parse(text, speakers=speakers, filename=filename, paragraphs="blank")
            parsed.encoding = encoding
        elif kind in ("docx", "odt", "rtf"):
            text = normalise(office.extract(kind, data, filename=filename))
            if not text.strip():
                raise ImportRefused(f"{filename}: the file is empty")
            parsed = labelled.parse(text, speakers=speakers, filename=filename, paragraphs="line")
        else:
            text, encoding = decode(data, filename=filename)
            parsed = subtitles.parse(kind, text, speakers=speakers, filename=filename)
            parsed.encoding = encoding
    except ImportRefused:
        raise
    except Exception as exc:  # a library choking on a malformed file: say which file, keep nothing
        reason = " ".join(str(exc).split())  # the refusal is one line, whatever the library says
        raise ImportRefused(f"{filename}: not a readable {kind} file ({type(exc).__name__}: {reason})") from exc
    parsed.format = kind
    if not parsed.turns:
        raise ImportRefused(f"{filename}: no speech found in the file")
    return parsed
