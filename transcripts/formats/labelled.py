"""Text with speaker labels, one turn per paragraph (plain text, and the paragraphs of .docx/.odt/.rtf).

Labels: Dresing & Pehl ``I:``/``B:``, ``I:``/``R:``, or words (``Interviewer:``, ``Client:``, names).
Time stamps: a trailing ``#hh:mm:ss-d#`` (d = tenths) or a leading ``[hh:mm:ss]``. Markup such as
``(...)``, ``(laughs)`` or ``//overlap//`` stays in the speech.

A line that starts like a label but whose "label" occurs once and names nobody known is speech ("Mum
said: …"); a label that recurs and can be placed neither as the interviewer nor as the participant is
refused, because guessing would put words in the wrong mouth.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from transcripts.errors import ImportRefused
from transcripts.formats import ParsedTranscript, ParsedTurn
from transcripts.formats.speakers import Speakers, norm

_STAMP = r"\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]"
LABELLED_LINE = re.compile(
    rf"(?P<lead>[ \t]*(?P<stamp1>{_STAMP})?[ \t]*)"
    r"(?P<label>[^\W\d_][\w.'’\-]*(?:[ \t][\w.'’\-]+){0,2})[ \t]*:(?:[ \t]+|$)"
    rf"(?:(?P<stamp2>{_STAMP})[ \t]*)?"
)
TRAILING_STAMP = re.compile(r"[ \t]*#(\d{1,2}):(\d{2}):(\d{2})(?:[-.,](\d{1,3}))?#[ \t]*$")
LEADING_STAMP = re.compile(r"\[(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d{1,3}))?\]")


def stamp_seconds(match: re.Match[str]) -> float:
    """Seconds of a matched stamp: ``#00:01:02-5#`` and ``[00:01:02.5]`` are 62.5, ``[01:02]`` is 62."""
    first, second, third, fraction = match.groups()
    hours, minutes, secs = ("0", first, second) if third is None else (first, second, third)  # [mm:ss]
    seconds = int(hours) * 3600 + int(minutes) * 60 + int(secs)
    return seconds + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


@dataclass(slots=True)
class _Open:
    """A turn being read: its label, where its speech starts, and its last non-blank line's end."""

    label: str
    line: int
    start: int
    end: int
    timestamp: float | None


def parse(text: str, *, speakers: Speakers, filename: str, paragraphs: Literal["blank", "line"]) -> ParsedTranscript:
    """Turns of ``text``. ``paragraphs="blank"``: blank lines separate paragraphs (plain text, whose
    lines may be hard-wrapped); ``"line"``: every line is a paragraph (word-processor files)."""
    lines = _lines(text)
    matches = [LABELLED_LINE.match(line) for _, line in lines]
    roles, notes = _place_labels(lines, matches, speakers, filename)
    if not roles:
        return _unlabelled(text, speakers, notes, paragraphs)

    turns: list[ParsedTurn] = []
    current: _Open | None = None
    blank_before = False
    preamble: list[int] = []

    def close(turn: _Open) -> None:
        start, end, timestamp = _speech(text, turn.start, turn.end, turn.timestamp)
        if end > start:
            turns.append(ParsedTurn(turn.label, roles[norm(turn.label)], start, end, timestamp))

    for number, ((offset, line), match) in enumerate(zip(lines, matches, strict=True), start=1):
        if match and norm(match["label"]) in roles:
            if current:
                close(current)
            stamp = match["stamp1"] or match["stamp2"]
            timestamp = stamp_seconds(LEADING_STAMP.match(stamp)) if stamp else None  # type: ignore[arg-type]
            current = _Open(match["label"], number, offset + match.end(), offset + len(line), timestamp)
            blank_before = False
            continue
        if not line.strip():
            blank_before = True
            continue
        if current is None:
            preamble.append(number)
            continue
        if paragraphs == "line" or blank_before:
            notes.append(
                f"line {number} has no speaker label: joined to the turn of {current.label} (line {current.line})"
            )
        current.end = offset + len(line)
        blank_before = False
    if current:
        close(current)
    if preamble:
        span = f"line {preamble[0]}" if len(preamble) == 1 else f"lines {preamble[0]}–{preamble[-1]}"
        notes.insert(0, f"{span} before the first speaker label: kept in the text, not part of any turn")
    return ParsedTranscript(
        text=text, format="", turns=turns, notes=notes, speakers=_speaker_roles(roles, lines, matches)
    )


def _speech(text: str, start: int, end: int, timestamp: float | None) -> tuple[int, int, float | None]:
    """The speech in ``text[start:end]``, without surrounding whitespace or a trailing ``#…#`` stamp, and
    its timestamp: the one given, else the trailing stamp's, else that of a stamp ending the first line."""
    while start < end and text[start].isspace():  # speech may begin on the line after its label
        start += 1
    speech = text[start:end]
    trailing = TRAILING_STAMP.search(speech)
    if trailing:
        end = start + trailing.start()
        if timestamp is None:
            timestamp = stamp_seconds(trailing)
    if timestamp is None:
        first_line = TRAILING_STAMP.search(speech.split("\n", 1)[0])
        timestamp = stamp_seconds(first_line) if first_line else None
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end, timestamp


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def _place_labels(
    lines: list[tuple[int, str]], matches: list[re.Match[str] | None], speakers: Speakers, filename: str
) -> tuple[dict[str, str], list[str]]:
    """Map each accepted label (normalised) to a role; refuse labels that recur but fit nobody."""
    counts = Counter(norm(m["label"]) for m in matches if m)
    first_line: dict[str, tuple[int, str]] = {}
    for number, match in enumerate(matches, start=1):
        if match:
            first_line.setdefault(norm(match["label"]), (number, match["label"]))
    placed = {label: speakers.place(label) for label in counts}
    roles = {label: "interviewer" for label, kind in placed.items() if kind == "interviewer"}
    roles |= {label: speakers.role for label, kind in placed.items() if kind == "participant"}
    notes: list[str] = []
    unknown = [label for label, kind in placed.items() if kind is None]
    if not any(kind == "participant" for kind in placed.values()):
        recurring = [label for label in unknown if counts[label] >= 2] or unknown
        if len(recurring) == 1:
            label = recurring[0]
            roles[label] = speakers.role
            unknown.remove(label)
            notes.append(f"label {first_line[label][1]!r} taken as {speakers.describe()}")
    refused = [label for label, kind in placed.items() if kind == "other"]
    refused += [label for label in unknown if counts[label] >= 2]
    if refused:  # even with no label placed: the file has speakers, but not whose they are
        number, written = min(first_line[label] for label in refused)
        raise ImportRefused(
            f"{filename}, line {number}: cannot place the speaker label {written!r}: "
            f"it is neither the interviewer nor {speakers.describe()}"
        )
    for label in unknown:
        if counts[label] == 1 and roles:
            number, written = first_line[label]
            notes.append(f"line {number} starts like a speaker label ({written}:) but is kept as speech")
    return roles, notes


def _speaker_roles(
    roles: dict[str, str], lines: list[tuple[int, str]], matches: list[re.Match[str] | None]
) -> dict[str, str]:
    written: dict[str, str] = {}
    for match in matches:
        if match and norm(match["label"]) in roles:
            written.setdefault(match["label"], roles[norm(match["label"])])
    return written


def _unlabelled(
    text: str, speakers: Speakers, notes: list[str], paragraphs: Literal["blank", "line"]
) -> ParsedTranscript:
    """No labels at all: each paragraph is a turn of the participant, and the report says so. Time stamps
    stay outside the turns, as in labelled text."""
    paragraph = r"\S.*" if paragraphs == "line" else r"\S(?:.*\S)?(?:\n[ \t]*\S.*)*"
    turns: list[ParsedTurn] = []
    for match in re.finditer(paragraph, text):
        start, timestamp = match.start(), None
        leading = LEADING_STAMP.match(text, start)
        if leading:
            start, timestamp = leading.end(), stamp_seconds(leading)
        start, end, timestamp = _speech(text, start, match.end(), timestamp)
        if end > start:
            turns.append(ParsedTurn("", speakers.role, start, end, timestamp))
    if turns:
        notes.append(f"no speaker labels found: every paragraph taken as the speech of {speakers.describe()}")
    return ParsedTranscript(text=text, format="", turns=turns, notes=notes)
