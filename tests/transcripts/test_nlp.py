"""The spaCy module: words, sentences within turns, lemmas equal to spaCy's, configured pipelines."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from transcripts import nlp
from transcripts.errors import ImportRefused


def test_words_exclude_punctuation_and_inline_time_stamps() -> None:
    (turn,) = nlp.analyse([("I trusted her (laughs) #00:00:05-2# – “yes”.", 10)])
    assert turn.words == 5  # I, trusted, her, laughs, yes
    assert [(s.start, s.end) for s in turn.sentences] == [
        (10, 10 + len("I trusted her (laughs) #00:00:05-2# – “yes”."))
    ]
    assert turn.sentences[0].lemmas == "i trust her laugh yes"


def test_sentences_carry_offsets_into_the_transcript_and_strip_markup_from_lemmas() -> None:
    text = "She was trusting. //Mhm// Really?  "
    (turn,) = nlp.analyse([(text, 100)])
    assert [text[s.start - 100 : s.end - 100] for s in turn.sentences] == ["She was trusting.", "//Mhm// Really?"]
    assert [s.lemmas for s in turn.sentences] == ["she be trust", "mhm really"]


def test_lemmas_are_those_of_spacys_lookup_lemmatizer_and_capitals_are_found_too() -> None:
    """The import applies the lookup lemmatizer's table itself: it gives what spaCy gives, except that a
    capitalised form the table lacks is looked up in lower case ("Trusting" → "trust")."""
    text = (
        "Trusting her was new. She trusted me, and I was trusting her — we’d been doing better. //Mhm// The "
        "children were running; he'd gone (laughs). Mice, geese, went, better, best, ran, Zoë’s José’s cafés."
    )
    (turn,) = nlp.analyse([(text, 0)])
    pipeline = nlp.pipeline()
    table = pipeline.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    expected = []
    for token in pipeline(text):
        lemma = token.lemma_
        if lemma == token.text and token.text not in table:
            lemma = table.get(token.text.lower(), token.text)
        lemma = lemma.lower().strip(nlp.MARKUP_EDGES)
        if not (token.is_punct or token.is_space) and lemma:
            expected.append(lemma)
    assert " ".join(s.lemmas for s in turn.sentences).split() == expected
    assert expected[0] == "trust"
    assert {"trust", "be", "do", "go", "run", "child"} <= set(expected)


def test_a_configured_pipeline_is_used_with_its_own_lemmatizer(tmp_path: Path) -> None:
    trained = spacy.blank("en")
    trained.add_pipe("sentencizer")
    trained.add_pipe("lemmatizer", config={"mode": "lookup"})
    trained.initialize()
    trained.to_disk(tmp_path / "with_lemmas")
    (turn,) = nlp.analyse([("She was trusting. He trusted.", 0)], model=str(tmp_path / "with_lemmas"))
    assert [s.lemmas for s in turn.sentences] == ["she be trust", "he trust"]


def test_a_configured_pipeline_without_lemmatizer_is_searched_by_its_words(tmp_path: Path) -> None:
    plain = spacy.blank("en")
    plain.add_pipe("sentencizer")
    plain.to_disk(tmp_path / "plain")
    (turn,) = nlp.analyse([("She was trusting. He trusted.", 0)], model=str(tmp_path / "plain"))
    assert [s.lemmas for s in turn.sentences] == ["she was trusting", "he trusted"]


def test_a_missing_pipeline_is_refused_in_one_line() -> None:
    with pytest.raises(ImportRefused, match=r"^the spaCy pipeline 'no_such_pipeline' is not installed$"):
        list(nlp.analyse([("Hello.", 0)], model="no_such_pipeline"))
