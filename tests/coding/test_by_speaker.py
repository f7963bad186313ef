"""Coding by speaker: every turn of one role in chosen transcripts, coded with one code after a preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from coding.by_speaker import code_speaker_turns, speaker_options, speaker_plan
from coding.errors import CodingRefused, NotFound
from coding.models import Code, Coding
from tests.factories import make_code, researcher, study
from transcripts.models import AuditEvent, Participant, Project, Transcript, Turn

CLIENT_SPEECH = [
    "Here, when she went quiet. I trusted her then (laughs).",
    "I felt heard, for the first time — really heard.",
]


def setup(session: Session, tmp_path: Path) -> tuple[Project, Code]:
    project, _ = study(session, tmp_path / "study")
    return project, make_code(session, project, "Voice")


def transcript_of(session: Session, pseudonym: str, project: Project | None = None) -> Transcript:
    query = select(Transcript).join(Participant).where(Participant.pseudonym == pseudonym)
    if project is not None:
        query = query.where(Transcript.project_id == project.id)
    return session.exec(query).one()


def counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    codings = session.exec(select(func.count()).select_from(Coding)).one()
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return codings, events


def turn_spans(session: Session, role: str, transcripts: list[Transcript]) -> set[tuple[int, int, int]]:
    ids = [t.id for t in transcripts]
    turns = session.exec(select(Turn).where(Turn.role == role, col(Turn.transcript_id).in_(ids))).all()
    return {(t.transcript_id, t.start, t.end) for t in turns}


def test_codes_exactly_the_clients_turns(session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    coder = researcher(session, "Ben")
    clients = [transcript_of(session, "C2"), transcript_of(session, "C10")]
    plan = speaker_plan(session, project_id=project.id, code_id=code.id, role="client", coder=coder)  # type: ignore[arg-type]
    assert [(t.interview.participant, t.turns, t.coded) for t in plan.transcripts] == [("C2", 2, 0), ("C10", 2, 0)]
    assert (plan.new, plan.already) == (4, 0)
    assert [t.label for t in plan.turns] == ["(client, dyad 2)"] * 2 + ["(client, dyad 10)"] * 2
    _, events_before = counts(session)

    created = code_speaker_turns(session, project_id=project.id, code_id=code.id, role="client", coder=coder)  # type: ignore[arg-type]

    assert len(created) == 4
    assert {(c.transcript_id, c.start, c.end) for c in created} == turn_spans(session, "client", clients)
    texts = {t.id: t.text for t in clients}
    for coding in created:
        assert coding.text == texts[coding.transcript_id][coding.start : coding.end]
        assert (coding.code_id, coding.coder_id, coding.project_id) == (code.id, coder.id, project.id)
    assert sorted(c.text for c in created) == sorted(
        CLIENT_SPEECH + [s.replace("quiet", "silent") for s in CLIENT_SPEECH]
    )
    events = session.exec(select(AuditEvent).where(col(AuditEvent.id) > 0, AuditEvent.action == "coding.create")).all()
    assert len(events) == 4 and counts(session)[1] == events_before + 4
    assert {e.entity_id for e in events} == {c.id for c in created}
    assert {e.user_id for e in events} == {coder.id}


def test_the_interviewers_turns_and_chosen_transcripts_only(session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    coder = researcher(session)
    c2, t10 = transcript_of(session, "C2"), transcript_of(session, "T10")
    created = code_speaker_turns(
        session,
        project_id=project.id,  # type: ignore[arg-type]
        code_id=code.id,  # type: ignore[arg-type]
        role="interviewer",
        transcript_ids=[c2.id, t10.id],  # type: ignore[list-item]
        coder=coder,
    )
    assert [c.text for c in created] == [
        "Where did you stop the recording?", "What was going on for you?",
        "Where did you stop the recording?", "And then?",
    ]  # fmt: skip
    assert {(c.transcript_id, c.start, c.end) for c in created} == turn_spans(session, "interviewer", [c2, t10])

    therapist = code_speaker_turns(
        session,
        project_id=project.id,
        code_id=code.id,
        role="therapist",
        transcript_ids=[t10.id],
        coder=coder,  # type: ignore[arg-type, list-item]
    )
    assert {c.transcript_id for c in therapist} == {t10.id}
    assert len(therapist) == 2
    assert counts(session)[0] == 6


def test_a_second_run_adds_nothing_but_another_coder_keeps_their_own(session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    ana, ben = researcher(session, "Ana"), researcher(session, "Ben")
    options = dict(project_id=project.id, code_id=code.id, role="therapist")
    assert len(code_speaker_turns(session, **options, coder=ana)) == 4  # type: ignore[arg-type]
    before = counts(session)
    assert code_speaker_turns(session, **options, coder=ana) == []  # type: ignore[arg-type]
    assert counts(session) == before
    plan = speaker_plan(session, **options, coder=ana)  # type: ignore[arg-type]
    assert (plan.new, plan.already) == (0, 4)
    assert [t.coded for t in plan.transcripts] == [2, 2]
    assert len(code_speaker_turns(session, **options, coder=ben)) == 4  # type: ignore[arg-type]
    assert counts(session)[0] == 8


def test_the_form_offers_the_roles_that_speak_and_the_interviews_by_dyad(session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    options = speaker_options(session, project_id=project.id)  # type: ignore[arg-type]
    assert options.roles == ["interviewer", "client", "therapist", "interpreter"]
    assert [(dyad, [i.participant for i in found]) for dyad, found in options.dyads] == [
        ("Dyad 2", ["C2", "T2", "I2"]), ("Dyad 10", ["C10", "T10"]),
    ]  # fmt: skip
    assert [c.name for c in options.codes] == [code.name]


def test_refusals_change_nothing(session: Session, tmp_path: Path) -> None:
    project, code = setup(session, tmp_path)
    other, _ = study(session, tmp_path / "other", name="Another study")
    foreign_code = make_code(session, other, "Foreign")
    foreign_transcript = session.exec(select(Transcript).where(Transcript.project_id == other.id)).first()
    c2 = transcript_of(session, "C2", project)
    coder = researcher(session)
    code_speaker_turns(session, project_id=project.id, code_id=code.id, role="client", coder=coder)  # type: ignore[arg-type]
    before = counts(session)
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"role": "supervisor"}, CodingRefused, "no one speaks as 'supervisor' in this project (roles: "
                                                "interviewer, client, therapist, interpreter)"),
        ({"code_id": foreign_code.id}, CodingRefused, f"the code with id {foreign_code.id} belongs to another project"),
        ({"code_id": 9999}, NotFound, "no code with id 9999"),
        ({"transcript_ids": [c2.id, foreign_transcript.id]}, CodingRefused,  # type: ignore[union-attr]
         f"the transcript with id {foreign_transcript.id} belongs to another project"),  # type: ignore[union-attr]
        ({"transcript_ids": [9999]}, NotFound, "no transcript with id 9999"),
        ({"role": "interpreter", "transcript_ids": [c2.id]}, CodingRefused,
         "nothing to code: no turns of the 'interpreter' role in the chosen transcripts"),
        ({"project_id": 9999}, NotFound, "no project"),
    ]  # fmt: skip
    for change, error, message in cases:
        arguments = {"project_id": project.id, "code_id": code.id, "role": "therapist", "transcript_ids": []} | change
        with pytest.raises(error) as raised:
            code_speaker_turns(session, **arguments, coder=coder)  # type: ignore[arg-type]
        assert str(raised.value).startswith(message)
        assert "\n" not in str(raised.value)
        session.rollback()
        with pytest.raises(error):
            speaker_plan(session, **arguments, coder=coder)  # type: ignore[arg-type]
        assert counts(session) == before
