"""Automatic transcription output: WebVTT (``<v Speaker>`` voice tags) and SRT (``Speaker: text`` cues).

Consecutive cues of one speaker form one turn. The canonical text writes each turn as a labelled line,
``[hh:mm:ss.s] Speaker: speech``, so that it reads like any other transcript and re-imports to the same
turns; the turn keeps its first cue's start as timestamp and its last cue's end as end time.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import dataclass, replace

import webvtt

from transcripts.errors import ImportRefused
from transcripts.formats import ParsedTranscript, labelled
from transcripts.formats.speakers import Speakers

CUE_LABEL = re.compile(r"^([^\W\d_][\w.'’\-]*(?: [\w.'’\-]+){0,2})[ \t]*:[ \t]+")
TAGS = re.compile(r"</?[^>]+>")


@dataclass(slots=True)
class _Cue:
    speaker: str
    text: str
    start: float
    end: float


def parse(kind: str, text: str, *, speakers: Speakers, filename: str) -> ParsedTranscript:
    cues = _read(kind, text, filename)
    merged: list[_Cue] = []
    notes: list[str] = []
    for number, cue in enumerate(cues, start=1):
        if not cue.text:
            continue
        if merged and (cue.speaker == merged[-1].speaker or not cue.speaker):
            if not cue.speaker and merged[-1].speaker:
                notes.append(f"cue {number} names no speaker: joined to the turn of {merged[-1].speaker}")
            merged[-1].text += " " + cue.text
            merged[-1].end = cue.end
        else:
            merged.append(replace(cue))
    lines, ends = [], {}
    offset = 0
    for cue in merged:
        label = f"{cue.speaker}: " if cue.speaker else ""
        # NFC again: removing tags and character references can bring a letter and its accent together.
        line = unicodedata.normalize("NFC", f"[{_clock(cue.start)}] {label}{cue.text}")
        ends[offset] = cue.end
        lines.append(line)
        offset += len(line) + 1
    canonical = "\n".join(lines)
    parsed = labelled.parse(canonical, speakers=speakers, filename=filename, paragraphs="line")
    line_starts = sorted(ends)
    turns = []
    for turn in parsed.turns:
        line_start = canonical.rfind("\n", 0, turn.start) + 1
        turns.append(replace(turn, end_time=ends.get(line_start)) if line_start in line_starts else turn)
    parsed.turns = turns
    parsed.notes = notes + parsed.notes
    return parsed


def _read(kind: str, text: str, filename: str) -> list[_Cue]:
    if kind == "vtt" and not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise ImportRefused(f"{filename}: not a WebVTT file (the first line must be WEBVTT)")
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=kind)
    except Exception as exc:
        reason = " ".join(str(exc).split())  # the refusal is one line
        raise ImportRefused(f"{filename}: not a readable {kind.upper()} file ({reason})") from exc
    cues = []
    for caption in captions.captions:
        raw = " ".join(part.strip() for part in caption.raw_text.split("\n") if part.strip())
        voice = re.match(r"<v(?:\.[\w.]+)?\s+([^>]+)>", raw)
        speaker = voice.group(1).strip() if voice else ""
        body = TAGS.sub("", raw).strip()
        if kind == "vtt":  # WebVTT writes &, < and > as character references (&amp; &lt; &gt;)
            speaker, body = html.unescape(speaker), html.unescape(body)
        if not speaker:
            label = CUE_LABEL.match(body)
            if label:
                speaker, body = label.group(1), body[label.end() :]
        cues.append(_Cue(speaker, re.sub(r"\s+", " ", body).strip(), _seconds(caption.start), _seconds(caption.end)))
    if not cues:
        raise ImportRefused(f"{filename}: the file holds no cues")
    return cues


def _seconds(clock: str) -> float:
    parts = clock.replace(",", ".").split(":")
    seconds = float(parts[-1]) + int(parts[-2]) * 60
    return seconds + (int(parts[-3]) * 3600 if len(parts) == 3 else 0)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    fraction = f"{seconds - whole:.3f}"[1:].rstrip("0").rstrip(".")
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}{fraction}"
