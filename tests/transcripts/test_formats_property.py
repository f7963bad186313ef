"""Property: any Dresing & Pehl transcript, in any encoding and line end Dyadic reads, parses back to its
turns, with spans that cover exactly the speech and leave only labels, stamps and whitespace outside."""

from __future__ import annotations

import codecs
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcripts.formats import parse
from transcripts.formats.speakers import Speakers

CLIENT = Speakers("P01", "client")
ROLES = {"I": "interviewer", "B": "client"}

LABEL_LIKE = re.compile(r"[^\W\d_][\w.'’\-]*(?:\s[\w.'’\-]+){0,2}\s*:")
OUTSIDE_SPEECH = re.compile(r"(?:\s|[IB]:|#\d\d:\d\d:\d\d-\d#|\[\d\d:\d\d:\d\d\])*")

characters = st.one_of(
    st.characters(
        codec="utf-8",
        categories=["L", "M", "N", "P", "S", "Zs"],
        exclude_characters="#[",
    ),
    st.sampled_from(["😀", "é", "e\u0301", "ß", "“", "”", "’", "—", "(...)", "(laughs)", "//", "你好"]),
)


def is_speech(text: str) -> bool:
    nfc = unicodedata.normalize("NFC", text)
    return bool(nfc) and nfc == nfc.strip() and text == text.strip() and not LABEL_LIKE.match(nfc)


speech = st.lists(characters, min_size=1, max_size=30).map("".join).filter(is_speech)
stamp = st.none() | st.integers(min_value=0, max_value=99 * 3600 * 10 - 1)  # tenths of a second
turn = st.tuples(st.sampled_from(["I", "B"]), speech, stamp, st.sampled_from(["trailing", "leading", "after"]))

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-bom": "UTF-8 (BOM)",
    "utf-16-le": "UTF-16 (BOM)",
    "utf-16-be": "UTF-16 (BOM)",
}


def render(speaker: str, said: str, tenths: int | None, style: str) -> tuple[str, float | None]:
    """One paragraph: ``I: speech #hh:mm:ss-d#`` (or a leading ``[hh:mm:ss]`` stamp), and its seconds."""
    if tenths is None:
        return f"{speaker}: {said}", None
    seconds, tenth = divmod(tenths, 10)
    clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if style == "leading":
        return f"[{clock}] {speaker}: {said}", float(seconds)
    if style == "after":
        return f"{speaker}: [{clock}] {said}", float(seconds)
    return f"{speaker}: {said} #{clock}-{tenth}#", seconds + tenth / 10


@settings(max_examples=200, deadline=None)
@given(
    turns=st.lists(turn, min_size=1, max_size=8),
    newline=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(sorted(ENCODINGS)),
    trailing_newline=st.booleans(),
)
def test_dresing_and_pehl_transcripts_parse_back_to_their_turns(
    turns: list[tuple[str, str, int | None, str]], newline: str, encoding: str, trailing_newline: bool
) -> None:
    rendered = [render(*t) for t in turns]
    source = "\n\n".join(paragraph for paragraph, _ in rendered) + ("\n" if trailing_newline else "")
    data = ENCODINGS[encoding](source.replace("\n", newline))

    parsed = parse("c01.txt", data, speakers=CLIENT)

    assert parsed.encoding == ENCODING_NAMES[encoding]
    assert parsed.text == unicodedata.normalize("NFC", source)
    assert len(parsed.turns) == len(turns)
    for parsed_turn, (speaker, said, _, _), (_, seconds) in zip(parsed.turns, turns, rendered, strict=True):
        assert parsed.text[parsed_turn.start : parsed_turn.end] == unicodedata.normalize("NFC", said)
        assert parsed_turn.speaker == speaker
        assert parsed_turn.role == ROLES[speaker]
        if seconds is None:
            assert parsed_turn.timestamp is None
        else:
            assert parsed_turn.timestamp == pytest.approx(seconds)

    bounds = [0, *(edge for t in parsed.turns for edge in (t.start, t.end)), len(parsed.text)]
    assert bounds == sorted(bounds), "spans are ordered and do not overlap"
    outside = [parsed.text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    for gap in outside:
        assert OUTSIDE_SPEECH.fullmatch(gap), f"only labels, stamps and whitespace outside speech: {gap!r}"
