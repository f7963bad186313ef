"""The demo study arrives coded and with candidate themes: a nested codebook, codings by two coders, each
where its searches say, themes with a subtheme and chosen quotes, the project in phase 3."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.demo import load_demo
from app.demo_coding import SECOND_CODER, TRIAD
from app.settings import Settings
from coding.models import Code, Coding
from themes.frequency import frequency_table
from themes.models import Theme, ThemeExtract
from themes.phases import current_phase
from transcripts.models import Dyad, Participant, Transcript, User


@pytest.mark.slow
def test_the_demo_has_a_nested_codebook_two_coders_and_candidate_themes(session: Session, settings: Settings) -> None:
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
    table = frequency_table(session, project_id=project.id)
    by_name = {row.name: row for row in table.rows}
    assert by_name["Three voices in the room"].n_dyads == 1  # only the triad has an interpreter
    assert by_name["Being met in the moment"].n_dyads >= 6
    themes = {t.name: t for t in session.exec(select(Theme).where(Theme.project_id == project.id))}
    subtheme = themes["The body keeps the score of the moment"]
    assert subtheme.parent_id == themes["Being met in the moment"].id
    assert len(session.exec(select(ThemeExtract.id)).all()) == 2 * len(themes)
    assert current_phase(session, project_id=project.id) == 3
    assert load_demo(session, settings=settings) == (project, False)  # idempotent: nothing coded twice
    assert len(session.exec(select(Coding.id)).all()) == len(rows)
