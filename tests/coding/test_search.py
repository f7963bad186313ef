"""Search as a researcher uses it: every form of a word, only in speech, narrowed by dyad, role, session and
group, in study order, with offsets that point at the word — and coding the sentence of every hit.

Each test runs on SQLite (FTS5) and on PostgreSQL (tsvector).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from coding.autocode import code_hits, coding_plan
from coding.errors import CodingRefused, InvalidInput
from coding.models import Coding
from coding.search import Filters, quote_label, search, search_options, search_results
from tests.factories import make_code, researcher, study, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import AuditEvent, Project, Sentence, Transcript, Turn
from transcripts.nlp import words
from transcripts.projects import create_project

FORMS = (
    "I: How did it start? #00:00:02-0#\n\n"
    "B: Trust was hard for me. She trusts people easily, I don't. #00:00:09-0#\n\n"
    "I: And later? #00:00:12-0#\n\n"
    "B: Later I trusted her, and trusting felt safe. //Trust// me. #00:00:20-0#\n"
)


def texts_of(session: Session) -> dict[int, str]:
    return {t.id: t.text for t in session.exec(select(Transcript))}  # type: ignore[misc]


def forms_study(session: Session, folder: Path) -> Project:
    """One interview whose speech holds "trust" in many forms, capitalised at a sentence's start too."""
    project = create_project(session, name="Forms", user=researcher(session))
    manifest = write_manifest(folder, [("c1.txt", "Dyad 1", "client", "C1", 3, "")], files={"c1.txt": FORMS})
    import_manifest(session, project=project, manifest=manifest, user=researcher(session), max_bytes=10**6)
    return project


def test_a_word_finds_every_form_of_it_with_offsets_at_the_word(session: Session, tmp_path: Path) -> None:
    project = forms_study(session, tmp_path / "forms")
    hits = search(session, project_id=project.id, query="trust")
    assert [hit.text for hit in hits] == ["Trust", "trusts", "trusted", "trusting", "Trust"]
    text = texts_of(session)[hits[0].transcript_id]
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
        assert hit.sentence_start <= hit.start < hit.end <= hit.sentence_end
        assert hit.turn_start <= hit.start and hit.end <= hit.turn_end
        assert hit.context[hit.context_start : hit.context_start + len(hit.text)] == hit.text
        assert hit.left + hit.text + hit.right == hit.context
        assert (hit.label, hit.speaker, hit.role, hit.participant, hit.session) == (
            "(client, dyad 1)", "B", "client", "C1", 3,
        )  # fmt: skip
    assert hits[0].timestamp == 9.0 and hits[2].timestamp == 20.0
    # Any form of the query finds the same words.
    assert [h.start for h in search(session, project_id=project.id, query="Trusting")] == [h.start for h in hits]


def test_hits_come_in_study_order_with_their_quote_labels(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    hits = search(session, project_id=project.id, query="trust")
    assert [(h.dyad, h.role, h.text) for h in hits] == [
        ("Dyad 2", "client", "trusted"),
        ("Dyad 2", "therapist", "trusting"),
        ("Dyad 10", "client", "trusted"),
        ("Dyad 10", "therapist", "trusting"),
    ]
    assert [h.label for h in hits] == [
        "(client, dyad 2)", "(therapist, dyad 2)", "(client, dyad 10)", "(therapist, dyad 10)",
    ]  # fmt: skip
    assert hits[0].left == "Here, when she went quiet. I " and hits[0].right == " her then (laughs)."
    assert hits[0].as_json() == {
        "transcript": hits[0].transcript_id, "dyad": "Dyad 2", "role": "client", "speaker": "B",
        "start": hits[0].start, "end": hits[0].end, "text": "trusted", "context": hits[0].context,
    }  # fmt: skip
    assert quote_label("therapist", "Case 7") == "(therapist, Case 7)"


def test_several_words_must_share_a_sentence_and_each_is_a_hit(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    hits = search(session, project_id=project.id, query="felt heard")
    assert [(h.participant, h.text) for h in hits] == [
        ("C2", "felt"), ("C2", "heard"), ("C2", "heard"), ("C10", "felt"), ("C10", "heard"), ("C10", "heard"),
    ]  # fmt: skip
    # Both words occur in the clients' interviews, but never in one sentence.
    assert search(session, project_id=project.id, query="trusted heard") == []
    assert search(session, project_id=project.id, query="trusted, Trusting!") == search(
        session, project_id=project.id, query="trust"
    )


def test_only_speech_is_searched_never_labels_or_time_stamps(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    texts = texts_of(session)
    turns = session.exec(select(Turn)).all()
    for query in ("B", "00", "12", "5"):
        assert search(session, project_id=project.id, query=query, speakers="all") == [], query
    hits = search(session, project_id=project.id, query="I", speakers="all")
    assert hits and all(h.text == "I" for h in hits)
    for hit in hits:  # every "I" found is a word said, none the "I:" label of an interviewer's turn
        assert texts[hit.transcript_id][hit.end] != ":"
        assert any(t.transcript_id == hit.transcript_id and t.start <= hit.start < t.end for t in turns)


def test_the_interviewers_speech_counts_only_when_asked_for(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    assert search(session, project_id=project.id, query="recording") == []
    hits = search(session, project_id=project.id, query="recording", speakers="all")
    assert [(h.dyad, h.role, h.speaker, h.speaker_role, h.label) for h in hits][:2] == [
        ("Dyad 2", "client", "I", "interviewer", "(interviewer, dyad 2)"),
        ("Dyad 2", "therapist", "I", "interviewer", "(interviewer, dyad 2)"),
    ]
    assert len(hits) == 4


def test_filters_narrow_by_dyad_role_session_and_group(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")

    def found(**filters: object) -> list[tuple[str, str]]:
        return [(h.dyad, h.role) for h in search(session, project_id=project.id, query="trust", **filters)]  # type: ignore[arg-type]

    assert found(dyads=["Dyad 10"]) == [("Dyad 10", "client"), ("Dyad 10", "therapist")]
    assert found(roles=["therapist"]) == [("Dyad 2", "therapist"), ("Dyad 10", "therapist")]
    assert found(groups=["good outcome"]) == [("Dyad 2", "client"), ("Dyad 2", "therapist")]
    assert found(sessions=[3], roles=["client"], dyads=["Dyad 2", "Dyad 10"]) == [
        ("Dyad 2", "client"),
        ("Dyad 10", "client"),
    ]
    assert found(roles=["interpreter"]) == []
    with pytest.raises(InvalidInput, match=r"^no dyad 'Dyad 99' in this project$"):
        found(dyads=["Dyad 99"])
    with pytest.raises(InvalidInput, match=r"^no session 7 in this project$"):
        found(sessions=[7])
    options = search_options(session, project_id=project.id)
    assert (options.dyads, options.roles, options.sessions, options.groups) == (
        ["Dyad 2", "Dyad 10"], ["client", "therapist", "interpreter"], [3], ["good outcome", "troubled"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", r"^type a word to search for: the query is empty$"),
        ("   ", r"^type a word to search for: the query is empty$"),
        ("?! —", r"^the query '\?! —' has no words to search for$"),
    ],
)
def test_a_query_without_words_is_refused_in_one_line(
    session: Session, tmp_path: Path, query: str, message: str
) -> None:
    project, _ = study(session, tmp_path / "study")
    with pytest.raises(InvalidInput, match=message):
        search(session, project_id=project.id, query=query)


def test_a_page_of_hits_comes_with_the_counts_of_all(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    everything = search_results(session, project_id=project.id, query="I")
    assert (everything.total, everything.transcripts, everything.lemmas) == (len(everything.hits), 4, ("i",))
    for offset, limit in ((0, 3), (3, 3), (6, 10)):
        page = search_results(session, project_id=project.id, query="I", offset=offset, limit=limit)
        assert (page.total, page.transcripts) == (everything.total, everything.transcripts)
        assert page.hits == everything.hits[offset : offset + limit]
    filtered = search_results(session, project_id=project.id, query="I", filters=Filters(dyads=("Dyad 10",)), limit=1)
    assert (filtered.total, filtered.transcripts, len(filtered.hits)) == (4, 2, 1)


def test_coding_all_hits_codes_each_hits_sentence_once(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    code = make_code(session, project, "Heard")
    coder = researcher(session)
    plan = coding_plan(session, project_id=project.id, code_id=code.id, query="felt heard")  # type: ignore[arg-type]
    assert (len(plan.passages), plan.transcripts) == (2, 2)  # one sentence, three hits, in each client interview
    assert [p.text for p in plan.passages] == ["I felt heard, for the first time — really heard."] * 2
    assert [p.label for p in plan.passages] == ["(client, dyad 2)", "(client, dyad 10)"]

    created = code_hits(session, project_id=project.id, code_id=code.id, query="felt heard", coder=coder)  # type: ignore[arg-type]
    texts = texts_of(session)
    stored = session.exec(select(Coding)).all()
    assert len(created) == len(stored) == 2
    for coding in stored:
        assert coding.text == texts[coding.transcript_id][coding.start : coding.end] == plan.passages[0].text
        assert (coding.code_id, coding.coder_id) == (code.id, coder.id)
    assert (
        session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "coding.create")).one()
        == 2
    )
    # Again: nothing new.
    assert code_hits(session, project_id=project.id, code_id=code.id, query="felt heard", coder=coder) == []  # type: ignore[arg-type]
    assert session.exec(select(func.count()).select_from(Coding)).one() == 2


def test_a_code_of_another_project_is_refused_and_nothing_is_coded(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    other = create_project(session, name="Other study", user=researcher(session))
    foreign = make_code(session, other, "Foreign")
    with pytest.raises(CodingRefused, match=r"^the code with id \d+ belongs to another project$"):
        code_hits(session, project_id=project.id, code_id=foreign.id, query="trust", coder=researcher(session))  # type: ignore[arg-type]
    assert session.exec(select(func.count()).select_from(Coding)).one() == 0


def test_the_words_search_points_at_are_the_lemmas_it_found(session: Session, tmp_path: Path) -> None:
    """Hits are located by tokenising each sentence again: that must give exactly the stored lemmas, or
    the counts (from the stored lemmas) and the hits (from the words) would disagree."""
    forms_study(session, tmp_path / "forms")
    study(session, tmp_path / "study", name="IPR")
    texts = texts_of(session)
    for sentence in session.exec(select(Sentence)).all():
        found = words(texts[sentence.transcript_id][sentence.start : sentence.end])
        assert " ".join(word.lemma for word in found) == sentence.lemmas
        for word in found:
            assert texts[sentence.transcript_id][sentence.start + word.start : sentence.start + word.end] == word.text
