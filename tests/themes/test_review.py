"""Level-1 review of a theme's extracts (phase 4): verdicts stored, replaced, refused and summarised."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.themes.study import Study, build
from themes.errors import ThemeRefused
from themes.models import ExtractReview
from themes.review import chosen_extracts, clear_review, review_extract, reviews, summarise, theme_extracts
from themes.themes import choose_extract, create_theme, discard_theme
from transcripts.models import AuditEvent


@pytest.fixture
def s(session: Session, tmp_path: Path) -> Study:
    return build(session, tmp_path / "study")


def test_a_themes_extracts_are_its_codes_and_its_live_subthemes(s: Study, session: Session) -> None:
    heard, trust, stay = s.code("heard"), s.code("trust"), s.code("stay")
    c1 = s.mark(heard, "C2", "heard")
    c2 = s.mark(trust, "T10", "trusting")
    s.mark(stay, "T10", "stay")
    pid = s.project.id or 0
    theme = create_theme(session, project_id=pid, user=s.ana, name="Being heard", code_ids=[heard.id or 0])
    create_theme(session, project_id=pid, user=s.ana, name="Trust", code_ids=[trust.id or 0], parent_id=theme.id)
    gone = create_theme(session, project_id=pid, user=s.ana, name="Stay", code_ids=[stay.id or 0], parent_id=theme.id)
    discard_theme(session, theme_id=gone.id or 0, user=s.ana)
    assert [e.coding_id for e in theme_extracts(session, theme_id=theme.id or 0)] == [c1.id, c2.id]
    empty = create_theme(session, project_id=pid, user=s.ana, name="Empty")
    assert theme_extracts(session, theme_id=empty.id or 0) == []  # not every extract of the project
    choose_extract(session, theme_id=theme.id or 0, coding_id=c2.id or 0, user=s.ana)
    assert [e.label for e in chosen_extracts(session, theme_id=theme.id or 0)] == ["(therapist, dyad 10)"]


def test_verdicts_are_stored_replaced_summarised_and_cleared(s: Study, session: Session) -> None:
    heard, waiting = s.code("heard"), s.code("waiting")
    codings = [s.mark(heard, p, "heard") for p in ("C2", "C10", "C1")]
    pid = s.project.id or 0
    theme = create_theme(session, project_id=pid, user=s.ana, name="Being heard", code_ids=[heard.id or 0])
    other = create_theme(session, project_id=pid, user=s.ana, name="Waiting", code_ids=[waiting.id or 0])
    tid = theme.id or 0
    review_extract(session, theme_id=tid, coding_id=codings[0].id or 0, verdict="fits", user=s.ana)
    review_extract(session, theme_id=tid, coding_id=codings[1].id or 0, verdict="fits", user=s.ana)
    review_extract(
        session,
        theme_id=tid,
        coding_id=codings[1].id or 0,
        verdict="move",
        target_theme_id=other.id,
        note="  about waiting, really ",
        user=s.ben,
    )
    found = reviews(session, theme_id=tid)
    assert {k: (v.verdict, v.target_theme_id, v.note) for k, v in found.items()} == {
        codings[0].id: ("fits", None, ""),
        codings[1].id: ("move", other.id, "about waiting, really"),
    }
    summary = summarise(theme_extracts(session, theme_id=tid), found)
    assert str(summary) == "1 fit, 0 do not, 1 to move, 1 not reviewed yet"
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "theme.extract_review")).all()
    assert len(events) == 3 and events[-1].before["verdict"] == "fits" and events[-1].after["verdict"] == "move"

    clear_review(session, theme_id=tid, coding_id=codings[1].id or 0, user=s.ana)
    assert list(reviews(session, theme_id=tid)) == [codings[0].id]


def test_refused_verdicts_change_nothing(s: Study, session: Session) -> None:
    heard, waiting = s.code("heard"), s.code("waiting")
    coding = s.mark(heard, "C2", "heard")
    elsewhere = s.mark(waiting, "I2", "waited")
    pid = s.project.id or 0
    theme = create_theme(session, project_id=pid, user=s.ana, name="Being heard", code_ids=[heard.id or 0])
    gone = create_theme(session, project_id=pid, user=s.ana, name="Gone")
    discard_theme(session, theme_id=gone.id or 0, user=s.ana)
    tid, cid = theme.id or 0, coding.id or 0
    refusals = [
        (dict(coding_id=cid, verdict="maybe"), "unknown verdict 'maybe': an extract fits, does not fit, or moves"),
        (
            dict(coding_id=elsewhere.id, verdict="fits"),
            f"extract {elsewhere.id} is not among the extracts of 'Being heard'",
        ),
        (dict(coding_id=cid, verdict="move"), "choose the theme the extract should move to"),
        (
            dict(coding_id=cid, verdict="move", target_theme_id=tid),
            "the extract is in 'Being heard' already: choose another theme to move it to",
        ),
        (
            dict(coding_id=cid, verdict="move", target_theme_id=gone.id),
            "'Gone' is discarded: choose a theme that is not",
        ),
        (dict(coding_id=999_999, verdict="fits"), "no coded extract with id 999999 in this project"),
    ]
    for arguments, message in refusals:
        with pytest.raises(ThemeRefused) as refused:
            review_extract(session, theme_id=tid, user=s.ana, **arguments)  # type: ignore[arg-type]
        assert str(refused.value) == message
        session.rollback()
    assert session.exec(select(ExtractReview)).all() == []
