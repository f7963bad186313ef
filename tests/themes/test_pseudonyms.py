"""The pseudonymisation check: the dictionary, what the check finds in an export's quotes, and the decisions
that unblock it — on real databases, with spaCy's real PhraseMatcher (and a real pipeline with an entity
ruler standing in for a trained NER model)."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from sqlmodel import Session, select

from coding.apply import update_coding
from coding.models import Coding
from tests.factories import researcher
from tests.themes.export_study import MARIA, T10_TRUST, ExportStudy, build
from themes.pseudonym_models import Pseudonym, PseudonymDecision
from themes.pseudonyms import (
    ExportBlocked,
    accept_all,
    acknowledge,
    add_pseudonym,
    decide,
    dictionary,
    remove_pseudonym,
    update_pseudonym,
)
from themes.report import check_report, paper_report
from themes.seminar import check_seminar
from transcripts.errors import InvalidInput, NotPermitted
from transcripts.models import AuditEvent, Transcript
from transcripts.nlp import find_phrases


@pytest.fixture
def s(session: Session, tmp_path: Path) -> ExportStudy:
    return build(session, tmp_path / "study")


def _maria(s: ExportStudy) -> Coding:
    return s.codings["C10:" + MARIA[:12]]


def test_a_dictionary_name_in_a_chosen_quote_blocks_the_report(s: ExportStudy) -> None:
    assert not check_report(s.session, project_id=s.pid).blocked  # an empty dictionary finds nothing
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="maria", kind="person", replacement="[partner]")
    check = check_report(s.session, project_id=s.pid)
    assert check.blocked
    assert [(f.coding_id, f.term, f.shown, f.source) for f in check.findings] == [
        (_maria(s).id, "maria", "Maria", "dictionary")
    ]
    assert check.summary() == (
        f"export blocked: 1 possible identifier in quotes — review them at /projects/{s.pid}/exports/report "
        "or pass --accept-all"
    )
    with pytest.raises(ExportBlocked, match="export blocked: 1 possible identifier"):
        paper_report(s.session, project_id=s.pid)


def test_replacing_changes_only_the_exported_text(s: ExportStudy) -> None:
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="Maria", replacement="[partner]")
    transcript_before = s.transcript("C10").text
    check = check_report(s.session, project_id=s.pid)
    decide(s.session, check=check, coding_id=_maria(s).id or 0, term="Maria", decision="replaced", user=s.ana)
    report = paper_report(s.session, project_id=s.pid)
    quotes = [quote.text for row in report.rows for quote in row.quotes]
    assert quotes[0] == "Here, when [partner] went quiet. I trusted her then, like back in Leeds."
    s.session.expire_all()
    assert s.session.get(Coding, _maria(s).id).text == MARIA  # type: ignore[union-attr]
    assert s.session.exec(select(Transcript.text).where(Transcript.id == s.transcript("C10").id)).one() == (
        transcript_before
    )
    # a replacement typed for this one quote wins over the dictionary's suggestion
    check = check_report(s.session, project_id=s.pid)
    decide(s.session, check=check, coding_id=_maria(s).id or 0, term="MARIA", decision="replaced", user=s.ana,
           replacement="my sister")  # fmt: skip
    report = paper_report(s.session, project_id=s.pid)
    assert report.rows[0].quotes[0].text.startswith("Here, when my sister went quiet.")


def test_accepting_unblocks_and_is_recorded_with_who_and_when(s: ExportStudy) -> None:
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="Leeds", kind="place")
    check = check_report(s.session, project_id=s.pid)
    assert [f.shown for f in check.unresolved] == ["Leeds"]
    decide(s.session, check=check, coding_id=_maria(s).id or 0, term="leeds", decision="accepted", user=s.ana)
    assert not check_report(s.session, project_id=s.pid).blocked
    row = s.session.exec(select(PseudonymDecision)).one()
    assert (row.export_kind, row.quote_key, row.term, row.decision, row.decided_by_id) == (
        "report",
        str(_maria(s).id),
        "leeds",
        "accepted",
        s.ana.id,
    )
    assert row.decided_at is not None
    assert s.session.exec(select(AuditEvent).where(AuditEvent.action == "pseudonym.accepted")).one().user_id == s.ana.id
    report = paper_report(s.session, project_id=s.pid)
    assert report.rows[0].quotes[0].text == MARIA  # accepted: the quote stands as it is
    # a decision holds for one kind of export: the seminar pack asks again
    assert [f.shown for f in check_seminar(s.session, project_id=s.pid).unresolved] == ["Leeds"]


def test_a_changed_passage_asks_again(s: ExportStudy) -> None:
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="Leeds", kind="place")
    accept_all(s.session, check=check_report(s.session, project_id=s.pid), user=s.ana)
    assert not check_report(s.session, project_id=s.pid).blocked
    coding = _maria(s)
    update_coding(s.session, coding_id=coding.id or 0, user=s.ana, start=coding.start, end=coding.end - 1)
    assert check_report(s.session, project_id=s.pid).blocked


def test_participant_ids_are_never_hits(s: ExportStudy) -> None:
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="T10", kind="other")
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="c10", kind="other")
    check = check_report(s.session, project_id=s.pid)
    assert check.quotes == 3  # T10's quote ("… as T10 always does.") is among them
    assert check.findings == []


def test_matching_is_by_whole_tokens_and_ignores_case() -> None:
    text = "Mari met MARIA and maria's friend in New York; Marian stayed."
    (found,) = find_phrases([text], ["Maria", "new york"])
    assert [(text[m.start : m.end], m.phrase) for m in found] == [
        ("MARIA", "Maria"),
        ("maria", "Maria"),
        ("New York", "new york"),
    ]


def test_entities_of_a_configured_pipeline_are_hits_but_pseudonym_ids_are_not(s: ExportStudy, tmp_path: Path) -> None:
    """A real pipeline on disk with an entity ruler stands in for a trained NER model (none is installed)."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "GPE", "pattern": "Leeds"},
            {"label": "PERSON", "pattern": "T10"},
            {"label": "PERSON", "pattern": "Maria"},
        ]
    )
    model = tmp_path / "ner-model"
    nlp.to_disk(model)
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="Maria", replacement="[partner]")
    check = check_report(s.session, project_id=s.pid, model=str(model))
    found = sorted((f.shown, f.source, f.kind, f.suggestion) for f in check.findings)
    # Maria once (the dictionary's finding wins over the entity), Leeds as a place, T10 not at all
    assert found == [("Leeds", "GPE", "place", "[place]"), ("Maria", "dictionary", "person", "[partner]")]


def test_partner_adjacency_is_flagged_and_can_be_acknowledged(s: ExportStudy) -> None:
    check = check_report(s.session, project_id=s.pid)
    assert not check.blocked  # a warning, not a block
    t10 = s.codings["T10:" + T10_TRUST[:12]]
    assert [(p.first.coding_id, p.second.coding_id) for p in check.adjacent] == [(_maria(s).id, t10.id)]
    assert check.warning().startswith("warning: 1 quote sits next to a quote of the dyad partner")
    acknowledge(s.session, check=check, quote_key=check.adjacent[0].key, user=s.ana)
    assert check_report(s.session, project_id=s.pid).unacknowledged == []
    # the seminar pack's dyad sections put partners together on purpose: not flagged there
    assert check_seminar(s.session, project_id=s.pid).adjacent == []


def test_the_dictionary_is_kept_by_leads_and_refuses_bad_input(s: ExportStudy) -> None:
    entry = add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="  Maria  ", note="C10's sister")
    assert (entry.term, entry.kind, entry.replacement) == ("Maria", "person", "[name]")
    for kwargs, message in (
        ({"term": "MARIA"}, "'Maria' is in the pseudonym dictionary already"),
        ({"term": "  "}, "a pseudonym entry needs a term"),
        ({"term": "Leeds", "kind": "city"}, "unknown kind 'city': choose one of person, place, other"),
        ({"term": "x" * 201}, "a term has at most 200 characters"),
    ):
        with pytest.raises(InvalidInput, match=message):
            add_pseudonym(s.session, project_id=s.pid, user=s.ana, **kwargs)  # type: ignore[arg-type]
        s.session.rollback()
    viewer = researcher(s.session, "Vic", role="viewer")
    with pytest.raises(NotPermitted, match="only leads and above may edit the pseudonym dictionary"):
        add_pseudonym(s.session, project_id=s.pid, user=viewer, term="Leeds")
    s.session.rollback()
    with pytest.raises(NotPermitted):
        accept_all(s.session, check=check_report(s.session, project_id=s.pid), user=viewer)
    s.session.rollback()
    assert [e.term for e in dictionary(s.session, project_id=s.pid)] == ["Maria"]
    update_pseudonym(s.session, project_id=s.pid, entry_id=entry.id or 0, user=s.ana, term="Maria B.",
                     kind="person", replacement="[sister]", note="")  # fmt: skip
    assert s.session.get(Pseudonym, entry.id).term_key == "maria b."  # type: ignore[union-attr]
    remove_pseudonym(s.session, project_id=s.pid, entry_id=entry.id or 0, user=s.ana)
    assert dictionary(s.session, project_id=s.pid) == []


def test_a_finding_that_is_not_in_the_check_is_refused(s: ExportStudy) -> None:
    add_pseudonym(s.session, project_id=s.pid, user=s.ana, term="Maria")
    check = check_report(s.session, project_id=s.pid)
    with pytest.raises(InvalidInput, match="'Bob' is not a finding of the check"):
        decide(s.session, check=check, coding_id=_maria(s).id or 0, term="Bob", decision="accepted", user=s.ana)
    with pytest.raises(InvalidInput, match="unknown decision 'ignore'"):
        decide(s.session, check=check, coding_id=_maria(s).id or 0, term="maria", decision="ignore", user=s.ana)
    assert s.session.exec(select(PseudonymDecision)).all() == []
