"""The reading view's turns drawn from kept HTML are the turns drawn afresh: after every change that can alter a
turn (codings, codes' names and order, coders' names, the viewer, the coder filter, an open agreement round,
the transcript's turns and sentences), the page built with what was kept equals the page built with nothing
kept; and a turn is cut from its codings only when something looks at it."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select, update

from app.turn_html import forget_kept_turns, turns_html
from coding.agreement_rounds import start_round
from coding.apply import apply_code, delete_coding
from coding.models import Code, Coding
from coding.view import CodedTurn, coded_turn
from coding.visibility import NOTHING_CONCEALED, Concealed, concealed, visible_overlay
from tests.factories import make_code, researcher, study, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Project, Sentence, Transcript, Turn, User
from transcripts.study import sentences_of, show_transcript

EMOJI_TEXT = (
    "I: Hello 🙂 and <b>welcome</b> & \"quoted\" 'single'. Where did you stop? #00:00:04-0#\n\n"
    "B: Ja 👍🏽 das ist schön — “so”, it's <fine> & good. Then 👨‍👩‍👧 came. #00:01:02-5#\n\n"
    "I: And then? #01:15:15-0#\n\n"
    "B: I felt heard, for the first time 🙂 — really heard. #01:16:21-0#\n"
)


def page(session: Session, project: Project, transcript_id: int, me: User, *, coder_id: int | None = None) -> str:
    """The turns of the reading view as the route builds them."""
    view = show_transcript(session, transcript_id)
    hidden = concealed(session, project_id=project.id, transcript_id=transcript_id, user=me)  # type: ignore[arg-type]
    layer = visible_overlay(
        session,
        project_id=project.id,  # type: ignore[arg-type]
        transcript_id=transcript_id,
        text=view.text,
        turns=view.turns,
        me=me,
        coder_id=coder_id,
        hidden=hidden,
    )
    return str(turns_html(view.turns, layer.turns, project.id, sentences_of(session, transcript_id=transcript_id)))  # type: ignore[arg-type]


def fresh(session: Session, project: Project, transcript_id: int, me: User, *, coder_id: int | None = None) -> str:
    forget_kept_turns()
    return page(session, project, transcript_id, me, coder_id=coder_id)


def coded_study(session: Session, tmp_path: Path) -> tuple[Project, Transcript, list[User], list[Code]]:
    project, _ = study(session, tmp_path)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    manifest = write_manifest(
        tmp_path / "emoji", [("e7_s3.txt", "Dyad 7", "client", "C7", 3, "good")], files={"e7_s3.txt": EMOJI_TEXT}
    )
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=10**7)
    transcript = session.exec(select(Transcript).where(Transcript.name == "e7_s3")).one()
    ben, cy = researcher(session, "Ben"), researcher(session, "Cy <&>")
    codes = [make_code(session, project, name) for name in ("Zeta", "alpha 🙂", "Beta <&>")]
    turns = show_transcript(session, transcript.id).turns  # type: ignore[arg-type]
    spans = [
        (turns[0].start, turns[0].start + 9),
        (turns[0].start + 3, turns[1].start + 5),  # across turns
        (turns[1].start + 2, turns[1].end),
        (turns[1].start + 2, turns[1].end),
        (turns[3].start, turns[3].end),
        (turns[3].start + 4, turns[3].start + 12),
    ]
    for index, (start, end) in enumerate(spans):
        apply_code(
            session,
            transcript_id=transcript.id,  # type: ignore[arg-type]
            code_id=codes[index % 3].id,  # type: ignore[arg-type]
            start=start,
            end=end,
            coder=(ana, ben, cy)[index % 3],
        )
    return project, transcript, [ana, ben, cy], codes


def test_kept_turns_are_the_turns_drawn_afresh_after_every_change(session: Session, tmp_path: Path) -> None:
    project, transcript, (ana, ben, cy), codes = coded_study(session, tmp_path)
    tid: int = transcript.id  # type: ignore[assignment]
    turns = show_transcript(session, tid).turns
    seen: set[str] = set()

    def check(me: User = ana, coder_id: int | None = None) -> str:
        page(session, project, tid, me, coder_id=coder_id)  # keeps the turns
        kept = page(session, project, tid, me, coder_id=coder_id)  # drawn from what was kept
        assert kept == fresh(session, project, tid, me, coder_id=coder_id)
        seen.add(kept)
        return kept

    before = check()
    for me, coder_id in ((ben, None), (cy, None), (ana, ana.id), (ana, ben.id), (ben, cy.id)):
        check(me, coder_id)
    apply_code(session, transcript_id=tid, code_id=codes[1].id, start=turns[2].start, end=turns[2].end, coder=ben)  # type: ignore[arg-type]
    assert 'class="turn role-interviewer has-codings lanes-1" id="turn-2"' in check()
    coding = session.exec(select(Coding).where(Coding.coder_id == ben.id)).first()
    assert coding is not None
    delete_coding(session, coding_id=coding.id, user=ben)  # type: ignore[arg-type]
    check()
    session.exec(update(Code).where(col(Code.id) == codes[2].id).values(name="Gamma & co"))
    session.commit()
    assert "Gamma &amp; co — Cy &lt;&amp;&gt;" in check()
    session.exec(update(Code).where(col(Code.id) == codes[0].id).values(position=9))  # lanes in a new order
    session.commit()
    check()
    session.exec(update(User).where(col(User.id) == cy.id).values(name="Cyd"))
    session.commit()
    session.refresh(cy)
    assert "— Cyd" in check()
    check(cy)
    session.exec(update(Coding).where(col(Coding.coder_id) == ben.id).values(coder_id=None))  # a removed coder
    session.commit()
    assert "unknown coder" in check()
    first = session.exec(select(Turn).where(Turn.transcript_id == tid, Turn.position == 1)).one()
    session.exec(update(Turn).where(col(Turn.id) == first.id).values(speaker="B <2>"))
    session.commit()
    assert "B &lt;2&gt;" in check()
    sentence = session.exec(select(Sentence).where(Sentence.turn_id == first.id)).first()
    assert sentence is not None
    session.exec(update(Sentence).where(col(Sentence.id) == sentence.id).values(end=sentence.end - 1))
    session.commit()
    check()
    assert len(seen) >= 10 and before in seen


def test_an_open_round_hides_codings_in_kept_and_fresh_turns_alike(session: Session, tmp_path: Path) -> None:
    project, transcript, (ana, ben, cy), codes = coded_study(session, tmp_path)
    tid: int = transcript.id  # type: ignore[assignment]
    page(session, project, tid, ben)
    open_before = page(session, project, tid, ben)
    start_round(session, project=project, name="Pilot", coder_ids=[ana.id, ben.id], code_ids=[codes[0].id], by=ana)  # type: ignore[list-item]
    hidden = page(session, project, tid, ben)
    assert hidden == fresh(session, project, tid, ben) and hidden != open_before
    assert "Zeta — Ana" not in hidden and "Zeta — Ana" in page(session, project, tid, ana)
    assert page(session, project, tid, cy) == fresh(session, project, tid, cy)


def test_a_turn_is_cut_only_when_looked_at_and_equals_the_turn_cut_at_once(session: Session, tmp_path: Path) -> None:
    project, transcript, (ana, _, _), _ = coded_study(session, tmp_path)
    view = show_transcript(session, transcript.id)  # type: ignore[arg-type]
    layer = visible_overlay(
        session,
        project_id=project.id,  # type: ignore[arg-type]
        transcript_id=transcript.id,  # type: ignore[arg-type]
        text=view.text,
        turns=view.turns,
        me=ana,
        hidden=NOTHING_CONCEALED,
    )
    codings = session.exec(select(Coding).where(Coding.transcript_id == transcript.id)).all()
    by_id = {code.id: code for code in session.exec(select(Code))}
    names = {user.id: user.name for user in session.exec(select(User))}
    for turn in view.turns:
        later = layer.turns.get(turn.position)
        if later is None:
            continue
        assert later._cut is not None and later.key is not None  # nothing cut yet
        now = coded_turn(view.text, start=turn.start, end=turn.end, codings=codings, codes=by_id, coders=names)  # type: ignore[arg-type]
        assert later == now and now.key is None and later._cut is None
        assert repr(later) == repr(now)
    assert Concealed({}) == NOTHING_CONCEALED
    assert CodedTurn([]) != CodedTurn([], lanes=1)
