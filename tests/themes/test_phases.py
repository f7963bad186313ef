"""The phase workflow: where a project stands, what each phase still lacks, the checklist, phase notes and
the reflexive journal. Nothing blocks a researcher; every move is logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from coding.apply import apply_code
from tests.factories import make_code, researcher, study
from themes.journal import journal, write_entry
from themes.phases import CHECKLIST, current_phase, move_to_phase, project_phases, save_phase_note, tick
from themes.themes import create_theme
from transcripts.errors import InvalidInput, NotPermitted
from transcripts.models import AuditEvent, Transcript


def by_number(session: Session, project, user):  # type: ignore[no-untyped-def]
    return {s.phase.number: s for s in project_phases(session, project=project, user=user)}


def test_the_checklist_has_fifteen_points_spread_over_the_phases() -> None:
    assert len(CHECKLIST) == 15 and len({item.key for item in CHECKLIST}) == 15
    assert {item.phase for item in CHECKLIST} == {1, 2, 3, 4, 5, 6}


def test_each_phase_says_honestly_what_is_missing(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)  # five transcripts, nothing coded
    ana = researcher(session, "Ana")
    phases = by_number(session, project, ana)
    assert phases[2].state == "not started"
    assert phases[2].missing == ["no codes in the codebook yet", "5 transcripts have no codings"]

    heard, silence = make_code(session, project, "Feeling heard"), make_code(session, project, "Silence")
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    start = transcript.text.index("I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=heard.id, start=start, end=start + 12, coder=ana)
    phases = by_number(session, project, ana)
    assert phases[2].state == "under way"
    assert phases[2].facts == ["2 codes", "1 coding", "1 coder"]
    assert phases[2].missing == ["4 transcripts have no codings"]
    assert phases[3].missing == ["no candidate themes yet"]

    create_theme(session, project_id=project.id, user=ana, name="Being met", code_ids=[heard.id])
    phases = by_number(session, project, ana)
    assert (phases[3].state, phases[3].facts) == ("under way", ["1 theme", "1 of 2 codes in a theme"])
    assert phases[3].missing == ["1 code in no theme"]
    assert phases[4].missing == ["1 theme not yet reviewed"]
    assert phases[5].missing == ["1 theme without a definition or central organising concept"]
    assert silence.id  # the code left out above


def test_moving_on_and_back_is_logged_and_never_blocked(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    ana = researcher(session, "Ana")
    assert current_phase(session, project_id=project.id) == 1
    move_to_phase(session, project=project, phase=4, user=ana)  # nothing coded: allowed all the same
    move_to_phase(session, project=project, phase=2, user=ana)
    assert current_phase(session, project_id=project.id) == 2
    assert [s.current for s in project_phases(session, project=project, user=ana)] == [0, 1, 0, 0, 0, 0]
    moves = session.exec(select(AuditEvent).where(AuditEvent.action == "phase.move").order_by(AuditEvent.id)).all()
    assert [(m.before, m.after) for m in moves] == [({"phase": 1}, {"phase": 4}), ({"phase": 4}, {"phase": 2})]
    with pytest.raises(InvalidInput, match="there is no phase 7"):
        move_to_phase(session, project=project, phase=7, user=ana)


def test_checklist_ticks_keep_who_and_when_and_notes_are_per_phase(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    ana = researcher(session, "Ana")
    tick(session, project=project, item="transcripts-checked", ticked=True, user=ana)
    tick(session, project=project, item="transcripts-checked", ticked=True, user=ana)  # twice: still one tick
    save_phase_note(session, project=project, phase=1, text="  Read all client interviews first.  ", user=ana)
    first = by_number(session, project, ana)[1]
    (item,) = first.checklist
    assert (item.ticked, item.by) == (True, "Ana") and item.at is not None
    assert first.note == "Read all client interviews first."
    tick(session, project=project, item="transcripts-checked", ticked=False, user=ana)
    assert not by_number(session, project, ana)[1].checklist[0].ticked
    with pytest.raises(InvalidInput, match="no checklist item 'made-up'"):
        tick(session, project=project, item="made-up", ticked=True, user=ana)


def test_viewers_cannot_move_phases_or_write_in_the_journal(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    cleo = researcher(session, "Cleo", role="viewer")
    with pytest.raises(NotPermitted, match="Cleo is a viewer in this project; only leads and above may move"):
        move_to_phase(session, project=project, phase=3, user=cleo)
    session.rollback()
    with pytest.raises(NotPermitted, match="only coders and above may write in the journal"):
        write_entry(session, project=project, text="I think…", user=cleo)
    session.rollback()
    assert current_phase(session, project_id=project.id) == 1 and journal(session, project_id=project.id) == []


def test_the_journal_is_dated_newest_first_and_refuses_empty_entries(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    ana = researcher(session, "Ana")
    write_entry(session, project=project, text="My own therapy shapes how I hear silence.", user=ana, phase=1)
    write_entry(session, project=project, text="Coding <script>trust</script> now.", user=ana)
    entries = journal(session, project_id=project.id)
    assert [(e.author, e.phase, e.text[:9]) for e in entries] == [("Ana", None, "Coding <s"), ("Ana", 1, "My own th")]
    with pytest.raises(InvalidInput, match="a journal entry needs some text"):
        write_entry(session, project=project, text="   ", user=ana)
