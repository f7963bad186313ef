"""The frequency table of DESIGN.md §6 on a hand-built study, on SQLite and PostgreSQL.

Dyad 2 is a triad (C2, T2, I2; C2 was interviewed about sessions 3 and 5), Dyad 10 a client and a
therapist, Dyad 1 and Dyad 9 (no group) are never coded. Themes: "Being heard" (code heard) with the
subthemes "Trust" (trust) and "Silence" (silence); "Waiting" (waiting, and trust again); "Empty" (a code
nobody used); "Abandoned" (stay), discarded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from tests.themes.study import Study, build
from themes.errors import InvalidInput
from themes.frequency import FrequencyTable, frequency_table, role_initials
from themes.table_export import table_csv
from themes.themes import create_theme, discard_theme

HEADER = "theme,subtheme,Dyad 1,Dyad 2,Dyad 9,Dyad 10,n_dyads"


@pytest.fixture
def coded(session: Session, tmp_path: Path) -> tuple[Study, dict[str, int]]:
    s = build(session, tmp_path / "study")
    heard, trust, silence, waiting, stay, spare = (
        s.code(name) for name in ("heard", "trust", "silence", "waiting", "stay", "spare")
    )
    s.mark(heard, "C2", "heard")
    s.mark(heard, "C2", "heard", coder=s.ben)  # the same passage by a second coder: one passage
    s.mark(heard, "C10", "heard")
    s.mark(heard, "T2", "trusting")  # also coded trust below: one passage in "Being heard"
    s.mark(trust, "C2", "trusted")
    s.mark(trust, "T2", "trusting")
    s.mark(trust, "C10", "trusted")
    s.mark(silence, "T2", "silence")
    s.mark(silence, "C2", "still", number=5)
    s.mark(waiting, "I2", "waited")
    s.mark(stay, "T10", "stay")
    pid, ana = s.project.id or 0, s.ana
    heard_theme = create_theme(session, project_id=pid, user=ana, name="Being heard", code_ids=[heard.id or 0])
    themes = {"Being heard": heard_theme.id or 0}
    for name, codes, parent in (
        ("Trust", [trust], heard_theme.id),
        ("Silence", [silence], heard_theme.id),
        ("Waiting", [waiting, trust], None),
        ("Abandoned", [stay], None),
        ("Empty", [spare], None),
    ):
        theme = create_theme(
            session, project_id=pid, user=ana, name=name, code_ids=[c.id or 0 for c in codes], parent_id=parent
        )
        themes[name] = theme.id or 0
    discard_theme(session, theme_id=themes["Abandoned"], user=ana)
    return s, themes | {f"code:{c.name}": c.id or 0 for c in (heard, trust, silence, waiting, stay, spare)}


def lines(table: FrequencyTable) -> list[str]:
    return table_csv(table).splitlines()


def test_roles_per_dyad_with_subthemes_rolled_up_and_discarded_themes_left_out(
    session: Session, coded: tuple[Study, dict[str, int]]
) -> None:
    s, _ = coded
    assert lines(frequency_table(session, project_id=s.project.id or 0)) == [
        HEADER,
        "Being heard,,,C+T,,C,2",
        "Being heard,Trust,,C+T,,C,2",
        "Being heard,Silence,,C+T,,,1",
        "Waiting,,,C+T+I,,C,2",
        "Empty,,,,,,0",
    ]


def test_counts_are_distinct_passages_whoever_coded_them_and_with_whichever_code(
    session: Session, coded: tuple[Study, dict[str, int]]
) -> None:
    s, _ = coded
    assert lines(frequency_table(session, project_id=s.project.id or 0, cells="count")) == [
        HEADER,
        # Dyad 2: heard (two coders), trusted, trusting (heard and trust), silence, still (session 5)
        "Being heard,,0,5,0,2,2",
        "Being heard,Trust,0,2,0,1,2",
        "Being heard,Silence,0,2,0,0,1",
        "Waiting,,0,3,0,1,2",
        "Empty,,0,0,0,0,0",
    ]


def test_cells_know_their_codes_and_dyad(session: Session, coded: tuple[Study, dict[str, int]]) -> None:
    s, ids = coded
    table = frequency_table(session, project_id=s.project.id or 0)
    assert [d.label for d in table.dyads] == ["Dyad 1", "Dyad 2", "Dyad 9", "Dyad 10"]
    heard_row = table.rows[0]
    assert heard_row.theme_id == ids["Being heard"]
    assert set(heard_row.code_ids) == {ids["code:heard"], ids["code:trust"], ids["code:silence"]}
    dyad2 = heard_row.cells[1]
    assert dyad2.dyad_id == table.dyads[1].id
    assert (dyad2.roles, dyad2.count, set(dyad2.code_ids)) == (("client", "therapist"), 5, set(heard_row.code_ids))
    assert table.rows[2].code_ids == (ids["code:silence"],)


def test_a_session_filter_keeps_only_interviews_about_those_sessions(
    session: Session, coded: tuple[Study, dict[str, int]]
) -> None:
    s, _ = coded
    pid = s.project.id or 0
    assert lines(frequency_table(session, project_id=pid, cells="count", sessions=[3])) == [
        HEADER,
        "Being heard,,0,4,0,2,2",
        "Being heard,Trust,0,2,0,1,2",
        "Being heard,Silence,0,1,0,0,1",
        "Waiting,,0,3,0,1,2",
        "Empty,,0,0,0,0,0",
    ]
    assert lines(frequency_table(session, project_id=pid, sessions=[5])) == [
        HEADER,
        "Being heard,,,C,,,1",
        "Being heard,Trust,,,,,0",
        "Being heard,Silence,,C,,,1",
        "Waiting,,,,,,0",
        "Empty,,,,,,0",
    ]
    with pytest.raises(InvalidInput, match=r"^no interviews about session 7 in this project$"):
        frequency_table(session, project_id=pid, sessions=[3, 7])


def test_column_bands_by_dyad_group(session: Session, coded: tuple[Study, dict[str, int]]) -> None:
    s, _ = coded
    table = frequency_table(session, project_id=s.project.id or 0, by_group=True)
    assert [(band.group, [d.label for d in band.dyads]) for band in table.bands or []] == [
        ("good outcome", ["Dyad 2"]),
        ("troubled", ["Dyad 1", "Dyad 10"]),
        ("no group", ["Dyad 9"]),
    ]
    assert lines(table)[:3] == [
        "theme,subtheme,Dyad 2,Dyad 1,Dyad 10,Dyad 9,n_dyads (good outcome),n_dyads (troubled),"
        "n_dyads (no group),n_dyads",
        "Being heard,,C+T,,C,,1,1,0,2",
        "Being heard,Trust,C+T,,C,,1,1,0,2",
    ]


def test_a_discarded_subtheme_leaves_its_row_and_its_codes_leave_the_theme_row(
    session: Session, coded: tuple[Study, dict[str, int]]
) -> None:
    s, ids = coded
    discard_theme(session, theme_id=ids["Silence"], user=s.ana)
    assert lines(frequency_table(session, project_id=s.project.id or 0, cells="count"))[1:3] == [
        "Being heard,,0,3,0,2,2",
        "Being heard,Trust,0,2,0,1,2",
    ]


def test_dyad_labels_sort_naturally_and_a_project_without_themes_has_only_columns(
    session: Session, tmp_path: Path
) -> None:
    s = build(session, tmp_path / "study", name="No themes yet")
    table = frequency_table(session, project_id=s.project.id or 0, cells="count")
    assert lines(table) == [HEADER]


def test_role_initials_follow_client_therapist_interpreter_then_other_roles() -> None:
    assert role_initials(["interpreter", "client", "therapist", "client"]) == "C+T+I"
    assert role_initials(["supervisor", "therapist"]) == "T+S"
    assert role_initials([]) == ""


def test_unknown_cells_are_refused(session: Session, coded: tuple[Study, dict[str, int]]) -> None:
    s, _ = coded
    with pytest.raises(InvalidInput, match=r"^unknown cells 'roles': choose role or count$"):
        frequency_table(session, project_id=s.project.id or 0, cells="roles")
