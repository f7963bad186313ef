"""The demo study arrives coded: a nested codebook, codings by two coders, each where its searches say."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.demo import load_demo
from app.demo_coding import SECOND_CODER, TRIAD
from app.settings import Settings
from coding.models import Code, Coding
from transcripts.models import Dyad, Participant, Transcript, User


@pytest.mark.slow
def test_the_demo_has_a_nested_codebook_and_two_coders(session: Session, settings: Settings) -> None:
    project, created = load_demo(session, settings=settings)
    assert created and project is not None
    codes = {code.name: code for code in session.exec(select(Code).where(Code.project_id == project.id))}
    assert codes["Feeling heard"].parent_id == codes["Being with"].id
    rows = session.exec(
        select(Code.name, User.name, Participant.role, Dyad.label, Coding.text)
        .join(Code, Code.id == Coding.code_id)
        .join(User, User.id == Coding.coder_id)
        .join(Transcript, Transcript.id == Coding.transcript_id)
        .join(Participant, Participant.id == Transcript.participant_id)
        .join(Dyad, Dyad.id == Participant.dyad_id)
    ).all()
    assert {coder for _, coder, *_ in rows} == {settings.local_user, SECOND_CODER}
    assert {role for _, coder, role, *_ in rows if coder == SECOND_CODER} == {"client"}
    assert {dyad for code, _, _, dyad, _ in rows if code == "The interpreter's place"} == {TRIAD}
    assert len({dyad for code, *_, dyad, _ in rows if code == "Feeling heard"}) >= 6
    trust = [text for code, _, _, _, text in rows if code == "Trust"]
    assert trust and all("trust" in text.lower() for text in trust)  # the sentence of each hit of "trust"
    assert load_demo(session, settings=settings) == (project, False)  # idempotent: nothing coded twice
    assert len(session.exec(select(Coding.id)).all()) == len(rows)
