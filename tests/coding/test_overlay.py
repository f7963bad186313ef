"""The reading view's overlay, read in one statement as plain rows, shows what cutting each turn from the
codings as ORM objects shows: the same segments, lanes in codebook order, hover labels (a removed coder's
codings say "unknown coder") and coders; and its turns are escaped exactly as markupsafe escapes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sqlmodel import Session, col, select, update

from app.turn_html import _escaped
from coding.apply import apply_code, codings_in, store_coding
from coding.models import Code, Coding
from coding.overlay import overlay
from coding.view import coded_turn
from tests.factories import make_code, researcher, study
from transcripts.models import AuditEvent, Transcript, User
from transcripts.study import sentences_of, show_transcript, transcript_text


def test_the_overlay_cuts_turns_as_coded_turn_does_with_orm_codings(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    ana, ben, gone = researcher(session, "Ana"), researcher(session, "Ben"), researcher(session, "Gone")
    codes = [make_code(session, project, name) for name in ("Zeta", "alpha", "Beta <&>")]
    for code, position in zip(codes, (2, 0, 1), strict=True):
        code.position = position
    session.commit()
    view = show_transcript(session, transcript.id)  # type: ignore[arg-type]
    first, second = view.turns[0], view.turns[1]
    spans = [
        (first.start, first.start + 5),
        (first.start + 2, first.end),
        (first.start + 3, second.start + 4),  # across two turns
        (second.start, second.end),
        (second.start + 1, second.start + 3),
    ]
    for index, (start, end) in enumerate(spans):
        for coder in (ana, ben, gone)[: 1 + index % 3]:
            apply_code(
                session,
                transcript_id=transcript.id,  # type: ignore[arg-type]
                code_id=codes[index % 3].id,  # type: ignore[arg-type]
                start=start,
                end=end,
                coder=coder,
            )
    session.exec(update(Coding).where(col(Coding.coder_id) == gone.id).values(coder_id=None))
    session.commit()

    for coder_id in (None, ana.id, ben.id):
        layer = overlay(
            session,
            project_id=project.id,  # type: ignore[arg-type]
            transcript_id=transcript.id,  # type: ignore[arg-type]
            text=view.text,
            turns=view.turns,
            me=ana,
            coder_id=coder_id,
        )
        found = [
            c
            for c in codings_in(session, transcript_id=transcript.id)  # type: ignore[arg-type]
            if coder_id is None or c.coder_id == coder_id
        ]
        by_id = {code.id: code for code in session.exec(select(Code).where(Code.project_id == project.id))}
        names = {user.id: user.name for user in session.exec(select(User)) if user.id in {c.coder_id for c in found}}
        for turn in view.turns:
            expected = coded_turn(
                view.text,
                start=turn.start,
                end=turn.end,
                codings=found,
                codes=by_id,  # type: ignore[arg-type]
                coders=names,  # type: ignore[arg-type]
            )
            if expected.stripes:
                assert layer.turns[turn.position] == expected
            else:  # a turn without codings is drawn plain, from the turn itself
                assert turn.position not in layer.turns
        assert layer.codings == len(found)
        assert list(layer.coders) == sorted({ana.id} | {c.coder_id for c in found if c.coder_id is not None})  # type: ignore[type-var]
    stripes = [s for coded in layer.turns.values() for s in coded.stripes]
    assert {s.label for s in stripes} >= {"Beta <&> — Ben"}
    everyone = overlay(
        session,
        project_id=project.id,  # type: ignore[arg-type]
        transcript_id=transcript.id,  # type: ignore[arg-type]
        text=view.text,
        turns=view.turns,
        me=ana,
    )
    labels = {s.label for coded in everyone.turns.values() for s in coded.stripes}
    assert any(label.endswith("— unknown coder") for label in labels)


def test_storing_a_coding_twice_gives_the_first_back_with_one_audit_event(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    code, ana = make_code(session, project, "Feeling heard"), researcher(session, "Ana")
    text = transcript_text(session, transcript.id)  # type: ignore[arg-type]
    assert text is not None and text.text == transcript.text
    stored = [
        store_coding(session, transcript=text, code_id=code.id, start=5, end=20, coder=ana)  # type: ignore[arg-type]
        for _ in range(2)
    ]
    assert stored[0] == stored[1]
    coding = session.get(Coding, stored[0])
    assert coding is not None and coding.text == transcript.text[5:20] and coding.guid and coding.memo == ""
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "coding.create")).all()
    assert [(e.entity_id, e.user_id, e.project_id, e.before) for e in events] == [(stored[0], ana.id, project.id, None)]


def test_sentence_spans_are_written_start_colon_end_in_text_order(session: Session, tmp_path: Path) -> None:
    study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    view = show_transcript(session, transcript.id)  # type: ignore[arg-type]
    spans = sentences_of(session, transcript_id=transcript.id)  # type: ignore[arg-type]
    for turn in view.turns:
        pairs = [tuple(map(int, pair.split(":"))) for pair in spans[turn.id].split(" ")]
        assert pairs == sorted(pairs) and all(turn.start <= s < e <= turn.end for s, e in pairs)


@given(st.text(alphabet=st.sampled_from("ab &<>\"'’🙂\n"), max_size=20))
def test_turn_text_is_escaped_exactly_as_markupsafe_escapes(text: str) -> None:
    assert str(_escaped(text)) == str(escape(text))
