"""Agreement from a real study: units from the stored sentences and turns, the scope rule, the disagreement
list, and agreement rounds (leads and owners start and close them; lanes stay hidden while a round is open)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from coding.agreement_data import compare
from coding.agreement_lanes import coder_lanes
from coding.agreement_models import AgreementRound
from coding.agreement_rounds import (
    close_round,
    round_comparison,
    start_round,
    statistics_enabled,
    visible_coders,
)
from coding.apply import apply_code
from coding.errors import InvalidInput
from coding.models import Code
from tests.factories import make_code, researcher, study
from transcripts.errors import NotPermitted
from transcripts.models import AuditEvent, Participant, Project, Sentence, Transcript, Turn, User


class Team:
    def __init__(self, session: Session, tmp_path: Path) -> None:
        self.project, _ = study(session, tmp_path / "study")
        self.project.analysis_approach = "codebook"
        session.commit()
        self.ana = session.exec(select(User).where(User.name == "Ana")).one()  # the owner
        self.ben = researcher(session, "Ben", role="coder")
        self.cleo = researcher(session, "Cleo", role="lead")
        self.dan = researcher(session, "Dan", role="viewer")
        self.code = make_code(session, self.project, "Being heard")
        self.other = make_code(session, self.project, "Silence")
        self.c2 = transcript_of(session, "C2")
        self.t2 = transcript_of(session, "T2")
        self.sentences = sentences_of(session, self.c2)


def transcript_of(session: Session, pseudonym: str) -> Transcript:
    return session.exec(select(Transcript).join(Participant).where(Participant.pseudonym == pseudonym)).one()


def sentences_of(session: Session, transcript: Transcript) -> list[Sentence]:
    return list(
        session.exec(select(Sentence).where(Sentence.transcript_id == transcript.id).order_by(col(Sentence.start)))
    )


def code(session: Session, who: User, code: Code, transcript: Transcript, start: int, end: int) -> None:
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=who)  # type: ignore[arg-type]


@pytest.fixture
def team(session: Session, tmp_path: Path) -> Team:
    return Team(session, tmp_path)


def coded_in_two_ways(session: Session, team: Team) -> None:
    """Ana codes the first sentence (the interviewer's question: its first three characters) and the second
    (the client's first); Ben only the second, less its first two characters."""
    first, second = team.sentences[0], team.sentences[1]
    code(session, team.ana, team.code, team.c2, first.start, first.start + 3)
    code(session, team.ana, team.code, team.c2, second.start, second.end)
    code(session, team.ben, team.code, team.c2, second.start + 2, second.end)


def test_sentence_units_come_from_the_stored_sentences(session: Session, team: Team) -> None:
    coded_in_two_ways(session, team)
    n = len(team.sentences)
    assert n >= 4
    found = compare(session, project_id=team.project.id, coder_ids=[team.ana.id, team.ben.id], code_ids=[team.code.id])  # type: ignore[arg-type,list-item]
    (row,) = found.rows
    assert found.transcripts == {team.c2.id: "Dyad 2 · client C2 · session 3"}
    assert row.coefficients.units == n
    assert row.coefficients.percent_agreement == Fraction(n - 1, n)
    # A: 1 1 0 …, B: 0 1 0 …  → κ from the definitions
    p_o, a1, b1 = Fraction(n - 1, n), Fraction(2, n), Fraction(1, n)
    p_e = a1 * b1 + (1 - a1) * (1 - b1)
    assert row.coefficients.cohen_kappa == (p_o - p_e) / (1 - p_e)
    assert row.coefficients.pa_plus == Fraction(2, 3)
    (passage,) = found.passages
    first = team.sentences[0]
    assert (passage.start, passage.end) == (first.start, first.end)
    assert passage.text == team.c2.text[first.start : first.end]
    assert passage.text == "Where did you stop the recording?"
    assert passage.speakers == ("I (interviewer)",)
    assert (passage.applied, passage.not_applied) == (("Ana",), ("Ben",))


def test_turn_character_and_transcript_units(session: Session, team: Team) -> None:
    coded_in_two_ways(session, team)
    ids = [team.ana.id, team.ben.id]
    turns = session.exec(select(Turn).where(Turn.transcript_id == team.c2.id)).all()
    by_turn = compare(session, project_id=team.project.id, coder_ids=ids, code_ids=[team.code.id], unit="turn")  # type: ignore[arg-type,list-item]
    assert by_turn.rows[0].coefficients.units == len(turns) == 4
    # the interviewer's question (Ana only), the client's first turn (both), two turns nobody coded
    assert by_turn.rows[0].coefficients.percent_agreement == Fraction(3, 4)
    by_char = compare(session, project_id=team.project.id, coder_ids=ids, code_ids=[team.code.id], unit="character")  # type: ignore[arg-type,list-item]
    assert by_char.rows[0].coefficients.units == sum(t.end - t.start for t in turns)
    differing = sum(p.units for p in by_char.passages)
    assert differing == 3 + 2  # Ana's three characters of sentence 1, and the two Ben left out of sentence 2
    presence = compare(
        session,
        project_id=team.project.id,
        coder_ids=ids,
        code_ids=[team.code.id],
        unit="transcript",  # type: ignore[arg-type,list-item]
    )
    assert presence.rows[0].coefficients.units == 1
    assert presence.rows[0].coefficients.reason == "no variation: every coder applied the code to every unit"


def test_scope_is_what_every_coder_coded_unless_transcripts_are_named(session: Session, team: Team) -> None:
    coded_in_two_ways(session, team)
    code(session, team.ana, team.other, team.t2, 0, 5)  # only Ana has coded T2
    ids = [team.ana.id, team.ben.id]
    shared = compare(session, project_id=team.project.id, coder_ids=ids)  # type: ignore[arg-type,list-item]
    assert list(shared.transcripts) == [team.c2.id]
    assert [r.code.name for r in shared.rows] == ["Being heard", "Silence"]
    named = compare(session, project_id=team.project.id, coder_ids=ids, transcript_ids=[team.c2.id, team.t2.id])  # type: ignore[arg-type,list-item]
    t2_sentences = len(sentences_of(session, team.t2))
    assert named.rows[0].coefficients.units == len(team.sentences) + t2_sentences
    assert named.rows[0].coefficients.fleiss_kappa is None  # Ben is missing in T2: not complete data
    assert named.rows[0].coefficients.percent_agreement == Fraction(len(team.sentences) - 1, len(team.sentences))


def test_bad_comparisons_are_refused(session: Session, team: Team) -> None:
    pid = team.project.id
    with pytest.raises(InvalidInput, match="two or more different coders"):
        compare(session, project_id=pid, coder_ids=[team.ana.id, team.ana.id])  # type: ignore[arg-type,list-item]
    with pytest.raises(InvalidInput, match="unknown unit 'word'"):
        compare(session, project_id=pid, coder_ids=[team.ana.id, team.ben.id], unit="word")  # type: ignore[arg-type,list-item]
    with pytest.raises(InvalidInput, match="theta"):
        compare(session, project_id=pid, coder_ids=[team.ana.id, team.ben.id], unit="character", theta=0.5)  # type: ignore[arg-type,list-item]
    with pytest.raises(InvalidInput, match="no code with id 999"):
        compare(session, project_id=pid, coder_ids=[team.ana.id, team.ben.id], code_ids=[999])  # type: ignore[arg-type,list-item]


def rounds_and_events(session: Session) -> tuple[int, int]:
    session.expire_all()
    rounds = session.exec(select(func.count()).select_from(AgreementRound)).one()
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return rounds, events


def test_only_leads_and_owners_start_and_close_rounds(session: Session, team: Team) -> None:
    before = rounds_and_events(session)
    for who in (team.ben, team.dan):
        with pytest.raises(NotPermitted, match="only leads and above may start agreement rounds"):
            start_round(session, project=team.project, name="R", coder_ids=[team.ana.id, team.ben.id], by=who)  # type: ignore[list-item]
        session.rollback()
    assert rounds_and_events(session) == before
    found = start_round(
        session,
        project=team.project,
        name=" Pilot ",
        coder_ids=[team.ana.id, team.ben.id],
        unit="turn",
        theta=0.5,
        by=team.ana,  # type: ignore[list-item]
    )
    assert (found.name, found.status, found.unit, found.theta, found.code_ids) == ("Pilot", "open", "turn", 0.5, None)
    assert rounds_and_events(session) == (before[0] + 1, before[1] + 1)
    with pytest.raises(NotPermitted, match="close agreement rounds"):
        close_round(session, project=team.project, round_id=found.id, by=team.ben)  # type: ignore[arg-type]
    session.rollback()
    closed = close_round(session, project=team.project, round_id=found.id, by=team.ana)  # type: ignore[arg-type]
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(InvalidInput, match="closed already"):
        close_round(session, project=team.project, round_id=found.id, by=team.ana)  # type: ignore[arg-type]
    actions = session.exec(select(AuditEvent.action).where(col(AuditEvent.action).startswith("agreement."))).all()
    assert sorted(actions) == ["agreement.close", "agreement.start"]


def test_a_round_needs_coders_of_the_project_and_sound_choices(session: Session, team: Team) -> None:
    before = rounds_and_events(session)
    cases = [
        (dict(coder_ids=[team.ana.id]), "at least two coders"),
        (dict(coder_ids=[team.ana.id, team.dan.id]), f"user {team.dan.id} is not a coder of this project"),
        (dict(coder_ids=[team.ana.id, team.ben.id], code_ids=[12345]), "no code with id 12345"),
        (dict(coder_ids=[team.ana.id, team.ben.id], transcript_ids=[54321]), "no transcript with id 54321"),
        (dict(coder_ids=[team.ana.id, team.ben.id], unit="paragraph"), "unknown unit"),
        (dict(coder_ids=[team.ana.id, team.ben.id], theta=1.5), "at most 1"),
    ]
    for options, message in cases:
        with pytest.raises(InvalidInput, match=message):
            start_round(session, project=team.project, name="R", by=team.ana, **options)  # type: ignore[arg-type]
        session.rollback()
    with pytest.raises(InvalidInput, match="a name"):
        start_round(session, project=team.project, name="  ", coder_ids=[team.ana.id, team.ben.id], by=team.ana)  # type: ignore[list-item]
    assert rounds_and_events(session) == before


def test_lanes_stay_hidden_while_a_round_is_open(session: Session, team: Team) -> None:
    coded_in_two_ways(session, team)
    found = start_round(
        session,
        project=team.project,
        name="Pilot",
        coder_ids=[team.ana.id, team.ben.id],
        code_ids=[team.code.id],
        by=team.ana,  # type: ignore[list-item]
    )
    assert visible_coders(session, found=found, user=team.ben) == [team.ben.id]
    assert visible_coders(session, found=found, user=team.cleo) == [team.ana.id, team.ben.id]  # a lead
    assert visible_coders(session, found=found, user=team.ana) == [team.ana.id, team.ben.id]  # the owner
    assert visible_coders(session, found=found, user=team.dan) == []  # a viewer
    lanes = coder_lanes(session, found=found, transcript_id=team.c2.id, shown=[team.ben.id])  # type: ignore[arg-type]
    assert [c.name for c in lanes.coders] == ["Ben"] and lanes.hidden == 1
    marked = ["".join(s.text for s in lane if s.codes) for turn in lanes.turns for lane in turn.lanes]
    second = team.sentences[1]
    assert "".join(marked) == team.c2.text[second.start + 2 : second.end]  # Ben's coding only
    close_round(session, project=team.project, round_id=found.id, by=team.ana)  # type: ignore[arg-type]
    assert visible_coders(session, found=found, user=team.ben) == [team.ana.id, team.ben.id]
    lanes = coder_lanes(session, found=found, transcript_id=team.c2.id, shown=[team.ana.id, team.ben.id])  # type: ignore[arg-type]
    assert [c.name for c in lanes.coders] == ["Ana", "Ben"] and lanes.hidden == 0
    ana_marked = [s.text for turn in lanes.turns for s in turn.lanes[0] if s.codes]
    first, second = team.sentences[0], team.sentences[1]
    assert "".join(ana_marked) == team.c2.text[first.start : first.start + 3] + team.c2.text[second.start : second.end]
    comparison = round_comparison(session, found=found)
    assert [r.code.name for r in comparison.rows] == ["Being heard"]


def test_statistics_are_opt_in_outside_reflexive_ta(session: Session, team: Team) -> None:
    assert statistics_enabled(team.project)
    assert not statistics_enabled(Project(name="x", analysis_approach="reflexive"))
