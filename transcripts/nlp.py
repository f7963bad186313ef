"""The one place that speaks to spaCy: sentences, word counts and lemmas of turns.

The default pipeline is ``spacy.blank("en")`` with a sentencizer and a lookup lemmatizer (data from
``spacy-lookups-data``); a trained pipeline is used when one is installed and configured. Nothing here
downloads a model. Callers get plain dataclasses with code-point offsets, never spaCy objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from transcripts.errors import ImportRefused

# Time stamps inside speech are not words: they are blanked out (same length, so offsets hold).
INLINE_STAMP = re.compile(r"#\d{1,2}:\d{2}:\d{2}(?:[-.,]\d+)?#|\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]")
# Edges of a lemma that are transcription markup, not language: //overlap// is the word "overlap".
MARKUP_EDGES = "/#*_"


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """A sentence: ``[start, end)`` in the transcript's text, and its lower-cased lemmas."""

    start: int
    end: int
    lemmas: str


@dataclass(frozen=True, slots=True)
class TurnAnalysis:
    words: int
    sentences: list[SentenceSpan]


@cache
def pipeline(model: str | None = None) -> Language:
    """The pipeline, loaded once per process: a trained one by name, else blank English."""
    if model:
        try:
            return spacy.load(model)
        except OSError as exc:
            raise ImportRefused(f"the spaCy pipeline {model!r} is not installed") from exc
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def analyse(
    spans: Iterable[tuple[str, int]], *, model: str | None = None, batch_size: int = 256
) -> Iterator[TurnAnalysis]:
    """Analyse each turn's speech (its text and its offset in the transcript), in order.

    Sentences never cross turns, because each turn is its own document.
    """
    nlp = pipeline(model)
    strings = nlp.vocab.strings
    lowered: dict[int, str] = {}

    def lemma_text(key: int) -> str:
        text = lowered.get(key)
        if text is None:
            text = lowered[key] = strings[key].lower().strip(MARKUP_EDGES)
        return text

    offsets: list[int] = []

    def texts() -> Iterator[str]:
        for text, offset in spans:
            offsets.append(offset)
            yield INLINE_STAMP.sub(lambda m: " " * len(m.group()), text)

    for index, doc in enumerate(nlp.pipe(texts(), batch_size=batch_size)):
        offset = offsets[index]
        if not len(doc):
            yield TurnAnalysis(0, [])
            continue
        rows = doc.to_array([LEMMA, IS_PUNCT, IS_SPACE, SENT_START]).tolist()
        words = 0
        sentences: list[SentenceSpan] = []
        lemmas: list[str] = []
        first = 0
        for i, (lemma, is_punct, is_space, sent_start) in enumerate(rows):
            if sent_start == 1 and i > first:
                _close(doc, first, i, lemmas, offset, sentences)
                first, lemmas = i, []
            if not (is_punct or is_space):
                words += 1
                text = lemma_text(lemma)
                if text:
                    lemmas.append(text)
        _close(doc, first, len(rows), lemmas, offset, sentences)
        yield TurnAnalysis(words, sentences)


def _close(doc: Doc, first: int, last: int, lemmas: list[str], offset: int, out: list[SentenceSpan]) -> None:
    """Append the sentence of tokens ``[first, last)``, trimmed of white space, if it has any text."""
    while first < last and doc[first].is_space:
        first += 1
    while last > first and doc[last - 1].is_space:
        last -= 1
    if first == last:
        return
    start = doc[first].idx
    end = doc[last - 1].idx + len(doc[last - 1].text)
    out.append(SentenceSpan(offset + start, offset + end, " ".join(lemmas)))
