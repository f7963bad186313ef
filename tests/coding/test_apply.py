"""Applying, changing, removing and undoing codings; refusals change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from coding.apply import (
    Span,
    apply_code,
    apply_code_to_spans,
    codings_in,
    delete_coding,
    undo_last,
    update_coding,
)
from coding.errors import CodingRefused
from coding.models import Coding
from coding.spans import step
from tests.factories import make_code, researcher, study
from transcripts.models import AuditEvent, Transcript
from transcripts.projects import create_project


@pytest.fixture
def ipr(session: Session, tmp_path: Path):  # type: ignore[no-untyped-def]
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    return project, transcript, make_code(session, project, "Feeling heard"), researcher(session, "Ana")


def span_of(transcript: Transcript, words: str) -> tuple[int, int]:
    start = transcript.text.index(words)
    return start, start + len(words)


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Coding)).one()


def test_a_coding_keeps_its_span_text_coder_and_an_audit_event(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    _, transcript, code, ana = ipr
    start, end = span_of(transcript, "I felt heard")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    assert (coding.text, coding.coder_id) == ("I felt heard", ana.id)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "coding.create")).one()
    assert event.after == {"transcript_id": transcript.id, "code_id": code.id, "coder_id": ana.id, "start": start,
                           "end": end, "memo": ""}  # fmt: skip


def test_two_coders_on_the_same_span_both_keep_theirs(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    _, transcript, code, ana = ipr
    ben = researcher(session, "Ben")
    start, end = span_of(transcript, "I felt heard")
    first = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    second = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)
    again = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    assert first.id != second.id and again.id == first.id
    assert count(session) == 2


def test_offsets_are_code_points_even_with_emoji_and_combining_marks(session: Session, tmp_path: Path) -> None:
    from tests.factories import write_manifest
    from transcripts.ingest import import_manifest

    ana = researcher(session)
    project = create_project(session, name="Emoji", user=ana)
    text = "I: How was it? #00:00:01-0#\n\nB: It was 😀 and Zoe\u0308 said “fine”, really 👍🏽 fine. #00:00:05-0#\n"
    manifest = write_manifest(tmp_path, [("c.txt", "Dyad 1", "client", "C1", 3, "")], files={"c.txt": text})
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=10**6)
    transcript = session.exec(select(Transcript).where(Transcript.project_id == project.id)).one()
    code = make_code(session, project, "Emoji")
    start, end = span_of(transcript, "😀 and Zoë said")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    assert coding.text == "😀 and Zoë said"
    assert end - start == len("😀 and Zoë said") == 14  # code points, NFC: not UTF-16 units, not bytes


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (10, 10, "start 10 is not before end 10"),
        (20, 5, "start 20 is not before end 5"),
        (-1, 5, "lies outside the transcript"),
        (0, 10**6, "lies outside the transcript"),
    ],
)
def test_a_bad_span_is_refused_and_changes_nothing(session: Session, ipr, start: int, end: int, message: str) -> None:  # type: ignore[no-untyped-def]
    _, transcript, code, ana = ipr
    with pytest.raises(CodingRefused, match=message):
        apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    session.rollback()
    assert count(session) == 0


def test_a_code_of_another_project_is_refused(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    _, transcript, _, ana = ipr
    other = create_project(session, name="Other study", user=ana)
    foreign = make_code(session, other, "Elsewhere")
    with pytest.raises(CodingRefused, match="the code 'Elsewhere' belongs to another project"):
        apply_code(session, transcript_id=transcript.id, code_id=foreign.id, start=0, end=5, coder=ana)
    session.rollback()
    assert count(session) == 0


def test_changing_a_coding_moves_its_span_and_keeps_history(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    project, transcript, code, ana = ipr
    other = make_code(session, project, "Relief")
    start, end = span_of(transcript, "I felt heard")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    wider_end = step(transcript.text, end, edge="end", forward=True)
    update_coding(session, coding_id=coding.id, user=ana, code_id=other.id, end=wider_end, memo=" first time ")
    session.refresh(coding)
    assert (coding.code_id, coding.text, coding.memo) == (other.id, "I felt heard, for", "first time")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "coding.update")).one()
    assert event.before["code_id"] == code.id and event.after["code_id"] == other.id


def test_undo_takes_back_the_last_change_once(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    project, transcript, code, ana = ipr
    start, end = span_of(transcript, "I felt heard")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    delete_coding(session, coding_id=coding.id, user=ana)
    assert count(session) == 0
    assert undo_last(session, project_id=project.id, user=ana) == "brought the deleted coding back"
    assert [c.text for c in codings_in(session, transcript_id=transcript.id)] == ["I felt heard"]
    assert undo_last(session, project_id=project.id, user=ana) is None  # one step, not a history walk
    assert count(session) == 1


def test_a_code_applied_to_many_spans_is_one_transaction(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    _, transcript, code, ana = ipr
    spans = [Span(transcript.id, *span_of(transcript, words)) for words in ("I felt heard", "I trusted her")]
    created = apply_code_to_spans(session, code_id=code.id, spans=[*spans, spans[0]], coder=ana)
    assert [c.text for c in created] == ["I felt heard", "I trusted her"]
    assert apply_code_to_spans(session, code_id=code.id, spans=spans, coder=ana) == []
    with pytest.raises(CodingRefused):
        apply_code_to_spans(session, code_id=code.id, spans=[Span(transcript.id, 5, 3)], coder=ana)
    session.rollback()
    assert count(session) == 2


def test_word_steps_move_starts_to_starts_and_ends_to_ends() -> None:
    text = "I felt heard, for the first time"
    assert step(text, 12, edge="end", forward=True) == len("I felt heard, for")
    assert step(text, 12, edge="end", forward=False) == len("I felt")
    assert step(text, 2, edge="start", forward=True) == len("I felt ")
    assert step(text, 2, edge="start", forward=False) == 0
