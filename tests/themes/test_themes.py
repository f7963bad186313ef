"""Themes as a team shapes them: created from codes, renamed, defined, moved, merged, split, discarded and
deleted — each change in the theme's history — on SQLite and PostgreSQL. A refusal is one line and leaves
the database as it was (``snapshot`` reads themes, members, chosen extracts and audit events afresh)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from tests.factories import make_code
from tests.themes.study import Study, build
from themes.errors import ThemeConflict, ThemeRefused
from themes.history import theme_history
from themes.models import Theme, ThemeCode, ThemeExtract
from themes.restructure import delete_theme, merge_themes, split_theme
from themes.themes import (
    add_codes,
    choose_extract,
    create_theme,
    discard_theme,
    drop_extract,
    move_theme,
    remove_code,
    shift_theme,
    update_theme,
)
from themes.tree import theme_code_ids, theme_extract_ids, theme_tree
from transcripts.models import AuditEvent
from transcripts.projects import create_project


@pytest.fixture
def s(session: Session, tmp_path: Path) -> Study:
    return build(session, tmp_path / "study")


def snapshot(session: Session) -> tuple[Any, ...]:
    session.rollback()
    session.expire_all()
    themes = [
        (t.id, t.name, t.parent_id, t.position, t.status, t.definition, t.version)
        for t in session.exec(select(Theme).order_by(col(Theme.id)))
    ]
    members = [(m.theme_id, m.code_id) for m in session.exec(select(ThemeCode).order_by(col(ThemeCode.id)))]
    extracts = [(e.theme_id, e.coding_id, e.position) for e in session.exec(select(ThemeExtract))]
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return themes, members, extracts, events


def refused(session: Session, message: str, action: Any, error: type[Exception] = ThemeRefused) -> None:
    """The action is refused with exactly ``message`` and changes nothing."""
    before = snapshot(session)
    with pytest.raises(error) as raised:
        action()
    assert str(raised.value) == message
    assert snapshot(session) == before


def names(session: Session, s: Study) -> list[tuple[str, str, list[str]]]:
    """Each theme as the board shows it: depth-first, (indent, name, status-if-not-candidate)."""
    session.expire_all()
    nodes = theme_tree(session, project_id=s.project.id or 0)
    out = []

    def walk(nodes: Any, indent: str) -> None:
        for node in nodes:
            out.append((indent, node.theme.name, [node.theme.status]))
            walk(node.children, indent + "  ")

    walk(nodes, "")
    return out


def test_a_theme_from_selected_codes_and_its_refusals(session: Session, s: Study) -> None:
    trust, silence = s.code("trust"), s.code("silence")
    pid = s.project.id or 0
    theme = create_theme(
        session,
        project_id=pid,
        user=s.ana,
        name="  Being   heard ",
        code_ids=[trust.id or 0, silence.id or 0],
        central_concept="Feeling understood without words",
        definition="Moments where the client felt understood.",
        scope="Not: advice given.",
    )
    assert (theme.name, theme.status, theme.version, theme.position) == ("Being heard", "candidate", 1, 0)
    assert theme_code_ids(session, theme_id=theme.id or 0) == [trust.id, silence.id]
    assert [v.summary for v in theme_history(session, theme_id=theme.id or 0)] == [
        "created at the top level with 2 codes"
    ]

    other = create_project(session, name="Another study", user=s.ana)
    foreign = make_code(session, other, "foreign")
    foreign_theme = create_theme(session, project_id=other.id or 0, user=s.ana, name="Elsewhere")
    create = create_theme
    for message, kwargs in (
        ("a theme needs a name", {"name": " \t "}),
        ("the top level already has a theme called 'Being heard'", {"name": "being HEARD"}),
        (f"no code with id {foreign.id} in this project", {"name": "New", "code_ids": [foreign.id]}),
        ("no code with id 9999 in this project", {"name": "New", "code_ids": [9999]}),
        (
            f"no theme with id {foreign_theme.id} in this project to put 'New' under",
            {"name": "New", "parent_id": foreign_theme.id},
        ),
        (
            "unknown status 'done': choose one of candidate, developing, reviewed, final, discarded",
            {"name": "New", "status": "done"},
        ),
    ):
        refused(session, message, lambda kw=kwargs: create(session, project_id=pid, user=s.ana, **kw))


def test_rename_and_definitions_are_versions_in_the_history(session: Session, s: Study) -> None:
    pid = s.project.id or 0
    theme = create_theme(session, project_id=pid, user=s.ana, name="Silence")
    create_theme(session, project_id=pid, user=s.ana, name="Trust")
    update_theme(session, theme_id=theme.id or 0, user=s.ben, name="Shared silence", definition="Silence held by both.")
    update_theme(session, theme_id=theme.id or 0, user=s.ana, status="developing", scope="Not: withdrawal.")
    assert theme.version == 3
    history = theme_history(session, theme_id=theme.id or 0)
    assert [(v.who, v.summary, v.version) for v in history] == [
        ("Ana", "status candidate → developing; rewrote the scope", 3),
        ("Ben", "renamed 'Silence' to 'Shared silence'; rewrote the definition", 2),
        ("Ana", "created at the top level with 0 codes", 1),
    ]
    assert history[1].before is not None and history[1].before["name"] == "Silence"

    tid = theme.id or 0
    refused(
        session,
        "the top level already has a theme called 'Trust'",
        lambda: update_theme(session, theme_id=tid, user=s.ana, name="trust"),
    )
    refused(session, "a theme needs a name", lambda: update_theme(session, theme_id=tid, user=s.ana, name=""))
    refused(
        session,
        "'Shared silence' was changed meanwhile by someone else: your version is kept in the form",
        lambda: update_theme(session, theme_id=tid, user=s.ana, name="Quiet", expected_version=2),
        ThemeConflict,
    )
    # nothing to change: no new version
    update_theme(session, theme_id=tid, user=s.ana, name="Shared silence", expected_version=3)
    assert len(theme_history(session, theme_id=tid)) == 3


def test_subthemes_and_a_theme_as_its_own_ancestor(session: Session, s: Study) -> None:
    pid = s.project.id or 0
    heard = create_theme(session, project_id=pid, user=s.ana, name="Being heard")
    trust = create_theme(session, project_id=pid, user=s.ana, name="Trust", parent_id=heard.id)
    quiet = create_theme(session, project_id=pid, user=s.ana, name="Quiet")
    hid, tid = heard.id or 0, trust.id or 0
    refused(
        session,
        "'Being heard' cannot go under 'Trust': 'Trust' lies inside it",
        lambda: move_theme(session, theme_id=hid, user=s.ana, parent_id=tid),
    )
    refused(
        session,
        "'Being heard' cannot be a subtheme of itself",
        lambda: update_theme(session, theme_id=hid, user=s.ana, parent_id=hid),
    )
    refused(
        session,
        "'Trust' is a subtheme: a subtheme has no subthemes of its own",
        lambda: move_theme(session, theme_id=quiet.id or 0, user=s.ana, parent_id=tid),
    )
    refused(
        session,
        "the theme 'Being heard' already has a subtheme called 'Trust'",
        lambda: create_theme(session, project_id=pid, user=s.ana, name="TRUST", parent_id=hid),
    )

    update_theme(session, theme_id=quiet.id or 0, user=s.ana, parent_id=hid)
    assert names(session, s) == [
        ("", "Being heard", ["candidate"]),
        ("  ", "Trust", ["candidate"]),
        ("  ", "Quiet", ["candidate"]),
    ]
    shift_theme(session, theme_id=quiet.id or 0, user=s.ana, by=-1)
    move_theme(session, theme_id=tid, user=s.ana, parent_id=None, position=0)
    assert [n for _, n, _ in names(session, s)] == ["Trust", "Being heard", "Quiet"]
    assert [v.summary for v in theme_history(session, theme_id=tid)][:1] == ["moved to the top level"]
    assert [v.summary for v in theme_history(session, theme_id=quiet.id or 0)][:3] == [
        "moved from place 2 to 1",
        "moved under 'Being heard'",
        "created at the top level with 0 codes",
    ]


def test_codes_come_and_go_and_a_code_may_sit_in_several_themes(session: Session, s: Study) -> None:
    pid = s.project.id or 0
    trust, silence = s.code("trust"), s.code("silence")
    a = create_theme(session, project_id=pid, user=s.ana, name="A", code_ids=[trust.id or 0])
    b = create_theme(session, project_id=pid, user=s.ana, name="B", code_ids=[trust.id or 0])
    assert add_codes(session, theme_id=a.id or 0, code_ids=[trust.id or 0, silence.id or 0], user=s.ana) == [silence.id]
    assert add_codes(session, theme_id=a.id or 0, code_ids=[trust.id or 0], user=s.ana) == []
    remove_code(session, theme_id=a.id or 0, code_id=trust.id or 0, user=s.ana)
    assert theme_code_ids(session, theme_id=a.id or 0) == [silence.id]
    assert theme_code_ids(session, theme_id=b.id or 0) == [trust.id]
    assert [v.summary for v in theme_history(session, theme_id=a.id or 0)] == [
        "code removed: 'trust'",
        "codes added: 'silence'",
        "created at the top level with 1 code",
    ]
    aid = a.id or 0
    refused(
        session,
        "the code 'trust' is not a member of 'A'",
        lambda: remove_code(session, theme_id=aid, code_id=trust.id or 0, user=s.ana),
    )
    other = create_project(session, name="Another study", user=s.ana)
    foreign = make_code(session, other, "foreign")
    refused(
        session,
        f"no code with id {foreign.id} in this project",
        lambda: add_codes(session, theme_id=aid, code_ids=[foreign.id or 0], user=s.ana),
    )


def test_merge_moves_codes_extracts_and_subthemes_and_keeps_the_merged_theme_discarded(
    session: Session, s: Study
) -> None:
    pid = s.project.id or 0
    trust, silence, heard = s.code("trust"), s.code("silence"), s.code("heard")
    t1, t2 = s.mark(trust, "C2", "trusted"), s.mark(silence, "T2", "silence")
    keep = create_theme(
        session, project_id=pid, user=s.ana, name="Being heard", code_ids=[heard.id or 0, trust.id or 0]
    )
    gone = create_theme(session, project_id=pid, user=s.ben, name="Silence", code_ids=[trust.id or 0, silence.id or 0])
    sub = create_theme(session, project_id=pid, user=s.ben, name="Waiting", parent_id=gone.id)
    choose_extract(session, theme_id=keep.id or 0, coding_id=t1.id or 0, user=s.ana)
    choose_extract(session, theme_id=gone.id or 0, coding_id=t1.id or 0, user=s.ana)
    choose_extract(session, theme_id=gone.id or 0, coding_id=t2.id or 0, user=s.ana)

    result = merge_themes(session, source_ids=[gone.id or 0], target_id=keep.id or 0, user=s.ana)
    assert (result.merged, result.codes_moved, result.extracts_moved, result.subthemes_moved) == (["Silence"], 1, 1, 1)
    assert theme_code_ids(session, theme_id=keep.id or 0) == [heard.id, trust.id, silence.id]
    assert theme_extract_ids(session, theme_id=keep.id or 0) == [t1.id, t2.id]
    assert theme_code_ids(session, theme_id=gone.id or 0) == []
    assert names(session, s) == [
        ("", "Being heard", ["candidate"]),
        ("  ", "Waiting", ["candidate"]),
        ("", "Silence", ["discarded"]),
    ]
    merged = theme_history(session, theme_id=gone.id or 0)[0]
    assert merged.summary == "merged into 'Being heard' (1 code and 1 chosen extract moved there); kept as discarded"
    assert merged.before is not None and merged.before["codes"] == [trust.id, silence.id]
    assert theme_history(session, theme_id=keep.id or 0)[0].summary == "'Silence' merged into this theme"
    assert (
        theme_history(session, theme_id=sub.id or 0)[0].summary == "moved under 'Being heard' (its parent was merged)"
    )

    # a name freed by the merge can be used again; the discarded theme cannot come back beside it
    again = create_theme(session, project_id=pid, user=s.ana, name="Silence")
    refused(
        session,
        "the top level already has a theme called 'Silence'",
        lambda: update_theme(session, theme_id=gone.id or 0, user=s.ana, status="candidate"),
    )
    kid = keep.id or 0
    refused(
        session,
        "'Being heard' cannot be merged into itself",
        lambda: merge_themes(session, source_ids=[kid], target_id=kid, user=s.ana),
    )
    refused(
        session,
        "cannot merge 'Being heard' into 'Waiting': 'Waiting' is its subtheme; move it out first",
        lambda: merge_themes(session, source_ids=[kid], target_id=sub.id or 0, user=s.ana),
    )
    refused(
        session,
        "'Silence' is discarded: restore it before merging into it",
        lambda: merge_themes(session, source_ids=[again.id or 0], target_id=gone.id or 0, user=s.ana),
    )


def test_split_takes_the_chosen_codes_and_their_extracts(session: Session, s: Study) -> None:
    pid = s.project.id or 0
    trust, silence = s.code("trust"), s.code("silence")
    t1, t2 = s.mark(trust, "C2", "trusted"), s.mark(silence, "T2", "silence")
    theme = create_theme(
        session,
        project_id=pid,
        user=s.ana,
        name="Attunement",
        status="developing",
        code_ids=[trust.id or 0, silence.id or 0],
    )
    create_theme(session, project_id=pid, user=s.ana, name="Later")
    choose_extract(session, theme_id=theme.id or 0, coding_id=t1.id or 0, user=s.ana)
    choose_extract(session, theme_id=theme.id or 0, coding_id=t2.id or 0, user=s.ana)
    new = split_theme(
        session, theme_id=theme.id or 0, new_name="Shared silence", code_ids=[silence.id or 0], user=s.ben
    )
    assert (new.status, new.position) == ("developing", 1)
    assert [n for _, n, _ in names(session, s)] == ["Attunement", "Shared silence", "Later"]
    assert theme_code_ids(session, theme_id=theme.id or 0) == [trust.id]
    assert theme_code_ids(session, theme_id=new.id or 0) == [silence.id]
    assert theme_extract_ids(session, theme_id=theme.id or 0) == [t1.id]
    assert theme_extract_ids(session, theme_id=new.id or 0) == [t2.id]
    assert (
        theme_history(session, theme_id=theme.id or 0)[0].summary
        == "split: 1 code went to the new theme 'Shared silence'"
    )
    assert [v.summary for v in theme_history(session, theme_id=new.id or 0)] == [
        "split off from 'Attunement', taking 1 code"
    ]
    tid = theme.id or 0
    refused(
        session,
        "the code 'silence' is not a member of 'Attunement'; only its own codes can move",
        lambda: split_theme(session, theme_id=tid, new_name="X", code_ids=[silence.id or 0], user=s.ana),
    )
    refused(
        session,
        "the top level already has a theme called 'Later'",
        lambda: split_theme(session, theme_id=tid, new_name="later", code_ids=[trust.id or 0], user=s.ana),
    )
    refused(
        session,
        "choose the codes of 'Attunement' that go to the new theme",
        lambda: split_theme(session, theme_id=tid, new_name="X", code_ids=[], user=s.ana),
    )


def test_discarding_a_theme_discards_its_subthemes_and_restoring_checks_the_way_back(
    session: Session, s: Study
) -> None:
    pid = s.project.id or 0
    parent = create_theme(session, project_id=pid, user=s.ana, name="Rupture")
    child = create_theme(session, project_id=pid, user=s.ana, name="Repair", parent_id=parent.id)
    discard_theme(session, theme_id=parent.id or 0, user=s.ana)
    assert [status for _, _, [status] in names(session, s)] == ["discarded", "discarded"]
    assert theme_history(session, theme_id=child.id or 0)[0].summary == (
        "status candidate → discarded with its parent 'Rupture'"
    )
    assert theme_tree(session, project_id=pid, include_discarded=False) == []
    refused(
        session,
        "'Rupture' is discarded: restore it before 'Repair', or move it out",
        lambda: update_theme(session, theme_id=child.id or 0, user=s.ana, status="candidate"),
    )
    update_theme(session, theme_id=parent.id or 0, user=s.ana, status="developing")
    update_theme(session, theme_id=child.id or 0, user=s.ana, status="candidate")
    assert [status for _, _, [status] in names(session, s)] == ["developing", "candidate"]


def test_delete_lets_subthemes_up_and_keeps_the_history_readable(session: Session, s: Study) -> None:
    pid = s.project.id or 0
    trust = s.code("trust")
    coding = s.mark(trust, "C2", "trusted")
    first = create_theme(session, project_id=pid, user=s.ana, name="First")
    doomed = create_theme(session, project_id=pid, user=s.ana, name="Doomed", code_ids=[trust.id or 0])
    create_theme(session, project_id=pid, user=s.ana, name="Part", parent_id=doomed.id)
    create_theme(session, project_id=pid, user=s.ana, name="Last")
    choose_extract(session, theme_id=doomed.id or 0, coding_id=coding.id or 0, user=s.ana)
    drop_extract(session, theme_id=doomed.id or 0, coding_id=coding.id or 0, user=s.ana)
    choose_extract(session, theme_id=doomed.id or 0, coding_id=coding.id or 0, user=s.ana)
    delete_theme(session, theme_id=doomed.id or 0, user=s.ana)
    assert [(indent, n) for indent, n, _ in names(session, s)] == [("", "First"), ("", "Part"), ("", "Last")]
    assert session.exec(select(func.count()).select_from(ThemeCode)).one() == 0
    assert session.exec(select(func.count()).select_from(ThemeExtract)).one() == 0
    assert [v.summary for v in theme_history(session, theme_id=doomed.id or 0)] == [
        "deleted",
        "an extract chosen to illustrate it",
        "a chosen extract dropped",
        "an extract chosen to illustrate it",
        "created at the top level with 1 code",
    ]
    assert first.id is not None
    create_theme(session, project_id=pid, user=s.ana, name="Part 2", parent_id=first.id)
    create_theme(session, project_id=pid, user=s.ana, name="Part", parent_id=first.id)
    refused(
        session,
        "the top level already has a theme called 'Part': rename one before deleting 'First'",
        lambda: delete_theme(session, theme_id=first.id or 0, user=s.ana),
    )
