"""Retrieval: the coded extracts of a code or of several, with their quote labels, sessions, turns, time
stamps, coders and memos, narrowed by dyad, role, session, group and coder, in study order. Every test runs
on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from coding.errors import InvalidInput, NotFound
from coding.extracts import ExtractFilters, extract_options, extracts
from tests.coding.extract_study import CodedStudy, coded_study, transcript_of
from tests.factories import make_code
from transcripts.models import Dyad
from transcripts.projects import create_project

ALL_IN_ORDER = ["c2_question", "c2_trusted", "c2_safe", "c2_formula", "t2_silence", "c10_heard", "t10_trusting"]


@pytest.fixture
def coded(session: Session, tmp_path: Path) -> CodedStudy:
    return coded_study(session, tmp_path)


def names_of(coded: CodedStudy, found: list) -> list[str]:  # type: ignore[type-arg]
    by_id = {coding.id: name for name, coding in coded.codings.items()}
    return [by_id[e.coding_id] for e in found]


def dyad_id(session: Session, coded: CodedStudy, label: str) -> int:
    return session.exec(select(Dyad.id).where(Dyad.project_id == coded.project.id, Dyad.label == label)).one() or 0


def test_every_extract_of_the_project_in_study_order(session: Session, coded: CodedStudy) -> None:
    found = extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters())

    # Dyad 2 before Dyad 10 (natural order); in a dyad the client, then the therapist; then session, place.
    assert names_of(coded, found) == ALL_IN_ORDER
    assert [(e.dyad, e.role, e.session) for e in found] == [
        ("Dyad 2", "client", 3), ("Dyad 2", "client", 3), ("Dyad 2", "client", 5), ("Dyad 2", "client", 5),
        ("Dyad 2", "therapist", 3), ("Dyad 10", "client", 3), ("Dyad 10", "therapist", 3),
    ]  # fmt: skip


def test_an_extract_carries_its_label_turn_time_stamp_coder_and_memo(session: Session, coded: CodedStudy) -> None:
    found = {e.coding_id: e for e in extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters())}
    trusted = found[coded.codings["c2_trusted"].id]
    transcript = transcript_of(session, coded.project, "C2")

    assert (trusted.code, trusted.code_path, trusted.project) == ("Trust", "Relationship > Trust", "IPR study")
    assert (trusted.transcript_id, trusted.transcript) == (transcript.id, transcript.name)
    assert (trusted.dyad, trusted.group, trusted.participant, trusted.role) == (
        "Dyad 2",
        "good outcome",
        "C2",
        "client",
    )
    assert (trusted.label, trusted.speaker_role, trusted.turn, trusted.timestamp) == (
        "(client, dyad 2)",
        "client",
        1,
        12.5,
    )
    assert (trusted.coder, trusted.memo, trusted.text) == ("Ana", "", "trusted")
    assert transcript.text[trusted.start : trusted.end] == "trusted"

    # The interviewer's words in the client's interview are labelled with the speaker: the interviewer.
    question = found[coded.codings["c2_question"].id]
    assert (question.label, question.role, question.turn, question.timestamp) == (
        "(interviewer, dyad 2)", "client", 0, 4.0,
    )  # fmt: skip
    assert question.coder == "Ben"

    heard = found[coded.codings["c10_heard"].id]
    assert (heard.label, heard.group, heard.turn, heard.timestamp, heard.memo) == (
        "(client, dyad 10)", "troubled", 3, 21.0, "a first",
    )  # fmt: skip
    assert found[coded.codings["t2_silence"].id].label == "(therapist, dyad 2)"


def test_offsets_after_an_emoji_are_code_points(session: Session, coded: CodedStudy) -> None:
    found = {e.coding_id: e for e in extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters())}
    safe = found[coded.codings["c2_safe"].id]
    text = transcript_of(session, coded.project, "C2", 5).text

    assert safe.text == "safe 🙏" and text[safe.start : safe.end] == "safe 🙏"
    assert safe.start == text.index("safe")  # a code point count, not UTF-16 units or bytes
    assert (safe.session, safe.turn, safe.timestamp) == (5, 1, 67.5)


def test_a_code_brings_its_subcodes_unless_asked_not_to(session: Session, coded: CodedStudy) -> None:
    pid = coded.project.id or 0
    relationship = coded.relationship.id or 0

    with_subcodes = extracts(session, project_id=pid, filters=ExtractFilters(code_ids=(relationship,)))
    assert names_of(coded, with_subcodes) == ["c2_question", "c2_trusted", "c2_safe", "c10_heard", "t10_trusting"]
    own = extracts(session, project_id=pid, filters=ExtractFilters(code_ids=(relationship,), include_subcodes=False))
    assert names_of(coded, own) == ["c10_heard"]

    # A set of codes: Trust and Silence together, still in study order.
    both = extracts(
        session, project_id=pid, filters=ExtractFilters(code_ids=(coded.silence.id or 0, coded.trust.id or 0))
    )
    assert names_of(coded, both) == [name for name in ALL_IN_ORDER if name != "c10_heard"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"roles": ("therapist",)}, ["t2_silence", "t10_trusting"]),
        ({"sessions": (5,)}, ["c2_safe", "c2_formula"]),
        ({"groups": ("troubled",)}, ["c10_heard", "t10_trusting"]),
        ({"roles": ("client",), "sessions": (3,)}, ["c2_question", "c2_trusted", "c10_heard"]),
    ],
)
def test_each_filter_narrows_the_extracts(
    session: Session, coded: CodedStudy, filters: dict[str, tuple[object, ...]], expected: list[str]
) -> None:
    found = extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters(**filters))  # type: ignore[arg-type]
    assert names_of(coded, found) == expected


def test_filters_by_dyad_and_by_coder(session: Session, coded: CodedStudy) -> None:
    pid = coded.project.id or 0
    dyad_10 = dyad_id(session, coded, "Dyad 10")

    assert names_of(coded, extracts(session, project_id=pid, filters=ExtractFilters(dyad_ids=(dyad_10,)))) == [
        "c10_heard", "t10_trusting",
    ]  # fmt: skip
    by_ben = extracts(session, project_id=pid, filters=ExtractFilters(coder_ids=(coded.ben.id or 0,)))
    assert names_of(coded, by_ben) == ["c2_question", "c10_heard"]
    trust_by_ana_in_dyad_2 = ExtractFilters(
        code_ids=(coded.trust.id or 0,), coder_ids=(coded.ana.id or 0,), dyad_ids=(dyad_id(session, coded, "Dyad 2"),)
    )
    assert names_of(coded, extracts(session, project_id=pid, filters=trust_by_ana_in_dyad_2)) == [
        "c2_trusted",
        "c2_safe",
    ]


def test_a_code_of_another_project_is_refused(session: Session, coded: CodedStudy) -> None:
    other = create_project(session, name="Another study", user=coded.ana)
    foreign = make_code(session, other, "Trust")

    with pytest.raises(NotFound) as caught:
        extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters(code_ids=(foreign.id or 0,)))
    assert str(caught.value) == f"no code with id {foreign.id} in this project"
    # and the other project's extracts are not this project's: it has none
    assert extracts(session, project_id=other.id or 0, filters=ExtractFilters()) == []


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"roles": ("patient",)}, "no role 'patient' in this project"),
        ({"sessions": (9,)}, "no session 9 in this project"),
        ({"groups": ("good",)}, "no group 'good' in this project"),
        ({"dyad_ids": (99999,)}, "no dyad with id 99999 in this project"),
        ({"coder_ids": (99999,)}, "no coder with id 99999 in this project"),
    ],
)
def test_a_filter_value_the_project_lacks_is_refused_in_one_line(
    session: Session, coded: CodedStudy, filters: dict[str, tuple[object, ...]], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters(**filters))  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_a_dyad_of_another_project_is_refused(session: Session, coded: CodedStudy, tmp_path: Path) -> None:
    other = coded_study(session, tmp_path / "other", name="Replication")  # its own "Dyad 2"
    foreign_dyad = dyad_id(session, other, "Dyad 2")
    with pytest.raises(InvalidInput):
        extracts(session, project_id=coded.project.id or 0, filters=ExtractFilters(dyad_ids=(foreign_dyad,)))


def test_the_options_list_what_the_project_has_in_study_order(session: Session, coded: CodedStudy) -> None:
    options = extract_options(session, coded.project.id or 0)

    assert [label for _, label in options.dyads] == ["Dyad 2", "Dyad 10"]
    assert options.dyads[0][0] == dyad_id(session, coded, "Dyad 2")
    assert (options.roles, options.sessions, options.groups) == (
        ["client", "therapist", "interpreter"], [3, 5], ["good outcome", "troubled"],
    )  # fmt: skip
    assert options.coders == [(coded.ana.id, "Ana"), (coded.ben.id, "Ben")]
    assert [(c.name, c.path, c.depth) for c in options.codes] == [
        ("Relationship", "Relationship", 0), ("Trust", "Relationship > Trust", 1), ("Silence", "Silence", 0),
    ]  # fmt: skip
