"""The one place that speaks to spaCy: sentences, word counts and lemmas of turns.

The default pipeline is ``spacy.blank("en")`` with a sentencizer and a lookup lemmatizer (data from
``spacy-lookups-data``); a trained pipeline is used when one is installed and configured. Nothing here
downloads a model. Callers get plain dataclasses with code-point offsets, never spaCy objects.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import compress

import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.lookups import Table
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc
from spacy.util import filter_spans

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


class _LemmaTexts(dict[int, str]):
    """Token key → lower-cased lemma without markup edges, filled on first sight of each key.

    With a trained pipeline the key is the lemma spaCy assigned. With the default pipeline it is the
    token's text (ORTH): the lookup lemmatizer's table is applied here, once per distinct token,
    instead of by spaCy's lemmatizer component token by token — the same table and the same rule
    (``table.get(text, text)``), at a fraction of the cost; a capitalised word that the table lacks is
    also looked up in lower case.
    """

    def __init__(self, nlp: Language, table: Table | None) -> None:
        super().__init__()
        self.strings = nlp.vocab.strings
        self.table = table

    def __missing__(self, key: int) -> str:
        text = self.strings[key]
        if self.table is not None:
            # The table is case-sensitive; a capitalised form ("Trusted" opening a sentence) is looked up
            # in lower case too, so that a search for "trust" finds it.
            text = self.table.get(key) or self.table.get(text.lower(), text)
        lemma = self[key] = text.lower().strip(MARKUP_EDGES)
        return lemma


def analyse(
    spans: Iterable[tuple[str, int]], *, model: str | None = None, batch_size: int = 256
) -> Iterator[TurnAnalysis]:
    """Analyse each turn's speech (its text and its offset in the transcript), in order.

    Sentences never cross turns, because each turn is its own document. The work per token runs over
    one array per turn and in C-level iteration, because an import walks millions of tokens.
    """
    nlp = pipeline(model)
    table = None if model else _lookup_table(nlp)
    lemma_texts = _LemmaTexts(nlp, table)
    # A configured pipeline lemmatises itself; one without a lemmatizer is searched by its words.
    key = LEMMA if table is None and "lemmatizer" in nlp.pipe_names else ORTH
    offsets: list[int] = []

    def texts() -> Iterator[str]:
        for text, offset in spans:
            offsets.append(offset)
            yield INLINE_STAMP.sub(lambda m: " " * len(m.group()), text)

    docs = nlp.pipe(texts(), batch_size=batch_size, disable=["lemmatizer"] if table is not None else [])
    for index, doc in enumerate(docs):
        yield _turn(doc, offsets[index], lemma_texts, key) if len(doc) else TurnAnalysis(0, [])


def _lookup_table(nlp: Language) -> Table:
    lemmatizer: Lemmatizer = nlp.get_pipe("lemmatizer")  # type: ignore[assignment]
    return lemmatizer.lookups.get_table("lemma_lookup")


def _turn(doc: Doc, offset: int, lemma_texts: _LemmaTexts, key: int) -> TurnAnalysis:
    columns = doc.to_array([key, IS_PUNCT, IS_SPACE, SENT_START, IDX, LENGTH]).tolist()
    keys, punct, space, sent_start, idx, length = zip(*columns, strict=True)
    is_word = [not (p or s) for p, s in zip(punct, space, strict=True)]
    lemmas = list(map(lemma_texts.__getitem__, keys))
    bounds = [i for i in range(1, len(lemmas)) if sent_start[i] == 1]
    bounds.append(len(lemmas))
    sentences = []
    first = 0
    for last in bounds:
        start, end = first, last  # trim white space tokens at the sentence's edges
        while start < end and space[start]:
            start += 1
        while end > start and space[end - 1]:
            end -= 1
        if start < end:
            text = " ".join(filter(None, compress(lemmas[first:last], is_word[first:last])))
            span_end = idx[end - 1] + length[end - 1]
            sentences.append(SentenceSpan(offset + idx[start], offset + span_end, text))
        first = last
    return TurnAnalysis(sum(is_word), sentences)


def lemmatise(text: str, *, model: str | None = None) -> list[str]:
    """The lower-cased lemmas of a text's words, as they are stored for search (for search queries)."""
    (turn,) = analyse([(text, 0)], model=model)
    return [lemma for sentence in turn.sentences for lemma in sentence.lemmas.split()]


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a text: ``[start, end)`` in that text, the word as written, and its lemma as stored."""

    start: int
    end: int
    text: str
    lemma: str


@cache
def _word_lemmas(model: str | None) -> tuple[Language, _LemmaTexts, int]:
    nlp = pipeline(model)
    table = None if model else _lookup_table(nlp)
    key = LEMMA if table is None and "lemmatizer" in nlp.pipe_names else ORTH
    return nlp, _LemmaTexts(nlp, table), key


def words(text: str, *, model: str | None = None, lemmas: set[str] | None = None) -> list[Word]:
    """The words of a text (not punctuation, spaces, markup edges or inline time stamps), each with its
    offsets in the text and its lemma by the same rule as ``analyse`` — so that a search that found a
    sentence by its lemmas can point at the words it matched. With ``lemmas``, only words with one of them."""
    nlp, lemma_texts, key = _word_lemmas(model)
    blanked = INLINE_STAMP.sub(lambda m: " " * len(m.group()), text) if "#" in text or "[" in text else text
    # The default pipeline needs only the tokenizer: its lemmas come from the lookup table, as on import.
    doc = nlp(blanked) if model else nlp.make_doc(blanked)
    if not len(doc):
        return []
    found = []
    for k, punct, space, idx, length in doc.to_array([key, IS_PUNCT, IS_SPACE, IDX, LENGTH]).tolist():
        lemma = lemma_texts[k]
        if punct or space or not lemma or (lemmas is not None and lemma not in lemmas):
            continue
        written = text[idx : idx + length]
        core = written.strip(MARKUP_EDGES) or written  # "//overlap//" is the word "overlap"
        start = idx + written.index(core)
        found.append(Word(start, start + len(core), core, lemma))
    return found


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """Where a phrase occurs in a text: ``[start, end)`` in that text, and the phrase as it was given."""

    start: int
    end: int
    phrase: str


def find_phrases(texts: Sequence[str], phrases: Sequence[str], *, model: str | None = None) -> list[list[PhraseMatch]]:
    """Each text's occurrences of the phrases, token by token and without regard to case (spaCy's
    ``PhraseMatcher`` on ``LOWER``): "Ann" finds "ANN" and "Ann's", never "Anna". Where matches overlap the
    longest wins; each text's matches come in text order."""
    nlp = pipeline(model)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    patterns: dict[str, list[Doc]] = {}
    for phrase in phrases:
        doc = nlp.make_doc(phrase)
        if len(doc):
            patterns.setdefault(phrase, []).append(doc)
    for phrase, docs in patterns.items():
        matcher.add(phrase, docs)
    found: list[list[PhraseMatch]] = []
    for text in texts:
        doc = nlp.make_doc(text)
        spans = matcher(doc, as_spans=True) if patterns else []
        found.append(
            [
                PhraseMatch(span.start_char, span.end_char, span.label_)
                for span in sorted(filter_spans(spans), key=lambda span: span.start)
            ]
        )
    return found


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity that a trained pipeline found: ``[start, end)`` in the text, its label and its text."""

    start: int
    end: int
    label: str
    text: str


def entities(texts: Sequence[str], *, labels: Collection[str], model: str | None) -> list[list[Entity]]:
    """Each text's named entities with one of ``labels`` (e.g. PERSON, GPE, LOC), by the configured trained
    pipeline. The default pipeline has no entity recogniser: without ``model`` every list is empty."""
    if not model:
        return [[] for _ in texts]
    nlp = pipeline(model)
    return [
        [Entity(ent.start_char, ent.end_char, ent.label_, ent.text) for ent in doc.ents if ent.label_ in labels]
        for doc in nlp.pipe(texts)
    ]
