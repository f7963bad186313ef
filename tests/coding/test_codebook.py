"""The codebook as a research team shapes it: codes created, renamed, moved, merged, split and deleted, each
change on record; the tree with its counts. Every test runs on SQLite and on PostgreSQL.

A refusal must leave the database as it was: ``snapshot`` reads codes, codings and audit events afresh
before and after.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, func, select

from coding.apply import apply_code
from coding.codebook import PALETTE, create_code, move_code, shift_code, update_code
from coding.errors import InvalidInput
from coding.extracts import ExtractFilters, extracts
from coding.history import code_history
from coding.models import Code, Coding
from coding.restructure import delete_code, merge_codes, split_code
from coding.tree import Counts, code_tree, find_node, flatten
from tests.factories import make_code, researcher, study
from transcripts.models import AuditEvent, Participant, Project, Transcript, User
from transcripts.projects import create_project


@pytest.fixture
def ana(session: Session) -> User:
    return researcher(session, "Ana")


@pytest.fixture
def project(session: Session, ana: User) -> Project:
    """An empty project: enough for the shape of the codebook."""
    return create_project(session, name="Pilot", user=ana)


@pytest.fixture
def ipr(session: Session, tmp_path: Path) -> Project:
    """The small study (Dyad 2: C2, T2, I2; Dyad 10: C10, T10), for codings."""
    project, _ = study(session, tmp_path / "study")
    return project


def transcript(session: Session, project: Project, pseudonym: str) -> Transcript:
    return session.exec(
        select(Transcript)
        .join(Participant)
        .where(Transcript.project_id == project.id, Participant.pseudonym == pseudonym)
    ).one()


def code_at(session: Session, project: Project, code: Code, start: int, end: int, coder: User, who: str) -> Coding:
    return apply_code(
        session,
        transcript_id=transcript(session, project, who).id or 0,
        code_id=code.id or 0,
        start=start,
        end=end,
        coder=coder,
    )


def snapshot(session: Session) -> tuple[Any, ...]:
    session.rollback()
    session.expire_all()
    codes = [
        (c.id, c.name, c.parent_id, c.position, c.definition, c.colour)
        for c in session.exec(select(Code).order_by(col(Code.id)))
    ]
    codings = [(c.id, c.code_id, c.memo) for c in session.exec(select(Coding).order_by(col(Coding.id)))]
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return codes, codings, events


def names(session: Session, project: Project, parent: Code | None = None) -> list[str]:
    session.expire_all()
    query = select(Code).where(Code.project_id == project.id, Code.parent_id == (parent.id if parent else None))
    return [c.name for c in session.exec(query.order_by(col(Code.position), col(Code.id)))]


def refused(session: Session, message: str, action: Any) -> None:
    """``action`` is refused with ``message`` (one line) and changes nothing."""
    before = snapshot(session)
    with pytest.raises(InvalidInput) as caught:
        action()
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)
    assert snapshot(session) == before


# --- creating and editing --------------------------------------------------------------------------


def test_codes_are_created_in_order_with_palette_colours_and_on_record(
    session: Session, project: Project, ana: User
) -> None:
    relationship = create_code(session, project_id=project.id or 0, user=ana, name="  Relationship  ")
    trust = create_code(
        session,
        project_id=project.id or 0,
        user=ana,
        name="Trust",
        parent_id=relationship.id,
        definition="The client relies on the therapist.\r\nSecond line.",
        inclusion="explicit talk of trusting",
        exclusion="trust in others",
        example="I trusted her then",
        colour="#0072B2",
    )
    rupture = create_code(session, project_id=project.id or 0, user=ana, name="Rupture")

    assert (relationship.name, relationship.colour, relationship.position) == ("Relationship", PALETTE[0][1], 0)
    assert (rupture.colour, rupture.position) == (PALETTE[2][1], 1)  # the third code: the third colour
    assert (trust.parent_id, trust.colour, trust.created_by_id) == (relationship.id, "#0072b2", ana.id)
    assert trust.definition == "The client relies on the therapist.\nSecond line."
    assert names(session, project) == ["Relationship", "Rupture"]

    [entry] = code_history(session, code_id=trust.id or 0)
    assert (entry.action, entry.who, entry.summary) == ("code.create", "Ana", "created under 'Relationship'")
    assert entry.after and entry.after["inclusion"] == "explicit talk of trusting"


def test_a_new_code_is_refused_when_its_name_clashes_or_its_input_is_bad(
    session: Session, project: Project, ana: User
) -> None:
    pid = project.id or 0
    relationship = create_code(session, project_id=pid, user=ana, name="Relationship")
    create_code(session, project_id=pid, user=ana, name="Trust", parent_id=relationship.id)
    other = create_project(session, name="Other study", user=ana)
    foreign = create_code(session, project_id=other.id or 0, user=ana, name="Elsewhere")

    def new(**kwargs: Any) -> Any:
        return lambda: create_code(session, project_id=pid, user=ana, **kwargs)

    refused(
        session,
        "the code 'Relationship' already has a code called 'Trust'",
        new(name="TRUST", parent_id=relationship.id),
    )
    refused(session, "the top level already has a code called 'Relationship'", new(name="relationship"))
    refused(session, "a code name has 1 to 200 characters", new(name="   "))
    refused(session, "a code name has 1 to 200 characters", new(name="x" * 201))
    refused(session, "'blue' is not a colour: write it as #RRGGBB, e.g. #0072b2", new(name="Hope", colour="blue"))
    refused(
        session,
        f"no code with id {foreign.id} in this project to put the new code under",
        new(name="Hope", parent_id=foreign.id),
    )
    # the same name elsewhere in the tree is fine
    assert create_code(session, project_id=pid, user=ana, name="Trust").parent_id is None


def test_a_code_is_renamed_and_edited_with_the_change_in_its_history(
    session: Session, project: Project, ana: User
) -> None:
    pid = project.id or 0
    trust = create_code(session, project_id=pid, user=ana, name="Trust")
    create_code(session, project_id=pid, user=ana, name="Silence")
    ben = researcher(session, "Ben")

    update_code(session, code_id=trust.id or 0, user=ben, name="Trusting", definition="Relying on the therapist")
    update_code(session, code_id=trust.id or 0, user=ana, name="Trusting", definition="Relying on the therapist")
    update_code(session, code_id=trust.id or 0, user=ana, name="trusting")  # a change of case is a rename

    assert trust.name == "trusting"
    history = code_history(session, code_id=trust.id or 0)
    assert [e.action for e in history] == ["code.update", "code.update", "code.create"]  # no event for no change
    renamed = history[1]
    assert (renamed.who, renamed.summary) == ("Ben", "renamed 'Trust' to 'Trusting'; changed the definition")
    assert [(c.field, c.before, c.after) for c in renamed.changes] == [
        ("name", "Trust", "Trusting"),
        ("definition", "", "Relying on the therapist"),
    ]
    assert history[0].at >= renamed.at

    refused(
        session,
        "the top level already has a code called 'Silence'",
        lambda: update_code(session, code_id=trust.id or 0, user=ana, name="SILENCE", definition="changed"),
    )
    refused(
        session,
        "'#12345' is not a colour: write it as #RRGGBB, e.g. #0072b2",
        lambda: update_code(session, code_id=trust.id or 0, user=ana, definition="changed", colour="#12345"),
    )


# --- moving -----------------------------------------------------------------------------------------


def test_a_code_moves_under_another_and_among_its_siblings(session: Session, project: Project, ana: User) -> None:
    pid = project.id or 0
    relationship, rupture, hope = (
        create_code(session, project_id=pid, user=ana, name=n) for n in ("Relationship", "Rupture", "Hope")
    )
    trust = create_code(session, project_id=pid, user=ana, name="Trust", parent_id=relationship.id)

    move_code(session, code_id=rupture.id or 0, user=ana, parent_id=relationship.id, position=0)
    assert names(session, project) == ["Relationship", "Hope"]
    assert names(session, project, relationship) == ["Rupture", "Trust"]
    assert [c.position for c in (relationship, hope, rupture, trust)] == [0, 1, 0, 1]

    shift_code(session, code_id=hope.id or 0, user=ana, by=-1)
    assert names(session, project) == ["Hope", "Relationship"]
    shift_code(session, code_id=hope.id or 0, user=ana, by=-1)  # already first: nothing happens
    move_code(session, code_id=rupture.id or 0, user=ana, parent_id=None)
    assert names(session, project) == ["Hope", "Relationship", "Rupture"]
    assert names(session, project, relationship) == ["Trust"]
    assert trust.position == 0

    history = code_history(session, code_id=rupture.id or 0)
    assert [e.summary for e in history[:2]] == [
        "moved from under 'Relationship' to the top level",
        "moved from the top level to under 'Relationship'",
    ]
    [hope_moved, _] = code_history(session, code_id=hope.id or 0)
    assert hope_moved.summary == "moved from place 2 to 1 among the top-level codes"


def test_a_code_cannot_move_under_itself_its_subcodes_or_a_namesake(
    session: Session, project: Project, ana: User
) -> None:
    pid = project.id or 0
    relationship = create_code(session, project_id=pid, user=ana, name="Relationship")
    trust = create_code(session, project_id=pid, user=ana, name="Trust", parent_id=relationship.id)
    safety = create_code(session, project_id=pid, user=ana, name="Safety", parent_id=trust.id)
    create_code(session, project_id=pid, user=ana, name="safety")

    def move(code: Code, parent: Code | None) -> Any:
        return lambda: move_code(session, code_id=code.id or 0, user=ana, parent_id=parent.id if parent else None)

    refused(session, "cannot move 'Relationship' under itself", move(relationship, relationship))
    refused(session, "cannot move 'Relationship' under 'Safety': 'Safety' lies inside it", move(relationship, safety))
    refused(session, "the top level already has a code called 'safety'", move(safety, None))


# --- the tree and its counts --------------------------------------------------------------------------


def test_the_tree_counts_codings_transcripts_and_dyads_on_their_own_and_with_subcodes(
    session: Session, ipr: Project, engine: Any
) -> None:
    ana, ben = researcher(session, "Ana"), researcher(session, "Ben")
    relationship = make_code(session, ipr, "Relationship")
    trust = make_code(session, ipr, "Trust", parent=relationship)
    silence = make_code(session, ipr, "Silence", parent=relationship)
    make_code(session, ipr, "Rupture")
    code_at(session, ipr, trust, 10, 20, ana, "C2")
    code_at(session, ipr, trust, 10, 20, ben, "C2")  # a second coder: a second coding, same transcript
    code_at(session, ipr, silence, 30, 40, ana, "C2")
    code_at(session, ipr, silence, 30, 40, ana, "T10")
    code_at(session, ipr, relationship, 5, 9, ana, "I2")

    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    session.rollback()
    event.listen(engine, "before_cursor_execute", seen)
    tree = code_tree(session, project_id=ipr.id or 0)
    event.remove(engine, "before_cursor_execute", seen)

    assert len(statements) == 3  # the codes, then one GROUP BY for own counts and one for the subtrees
    assert [(n.path, n.depth) for n in flatten(tree)] == [
        ("Relationship", 0),
        ("Relationship > Trust", 1),
        ("Relationship > Silence", 1),
        ("Rupture", 0),
    ]
    top = find_node(tree, relationship.id or 0)
    assert top.own == Counts(1, 1, 1)
    assert top.total == Counts(5, 3, 2)  # C2 and I2 in Dyad 2, T10 in Dyad 10
    assert find_node(tree, trust.id or 0).total == Counts(2, 1, 1)
    assert find_node(tree, silence.id or 0).own == Counts(2, 2, 2)
    assert find_node(tree, relationship.id or 0).subtree_ids == {relationship.id, trust.id, silence.id}
    assert tree[1].own == tree[1].total == Counts()


# --- merging ----------------------------------------------------------------------------------------


def test_merging_moves_codings_and_subcodes_collapses_duplicates_and_keeps_the_history(
    session: Session, ipr: Project
) -> None:
    ana, ben = researcher(session, "Ana"), researcher(session, "Ben")
    trust = make_code(session, ipr, "Trust")
    trusting = make_code(session, ipr, "Trusting")
    faith = make_code(session, ipr, "Faith")
    doubt = make_code(session, ipr, "Doubt", parent=trusting)
    kept = code_at(session, ipr, trust, 10, 20, ana, "C2")
    kept.memo = "first reading"
    dup = code_at(session, ipr, trusting, 10, 20, ana, "C2")
    dup.memo = "seen again"
    session.commit()
    other_coder = code_at(session, ipr, trusting, 10, 20, ben, "C2")
    moved = code_at(session, ipr, faith, 50, 60, ana, "T10")
    update_code(session, code_id=trusting.id or 0, user=ana, definition="leaning on her")

    result = merge_codes(session, source_ids=[trusting.id or 0, faith.id or 0], target_id=trust.id or 0, user=ben)

    assert (result.merged, result.moved, result.collapsed, result.children_moved) == (["Trusting", "Faith"], 2, 1, 1)
    session.expire_all()
    assert session.get(Code, trusting.id) is None and session.get(Code, faith.id) is None
    codings = session.exec(select(Coding).order_by(col(Coding.id))).all()
    assert [(c.id, c.code_id) for c in codings] == [
        (kept.id, trust.id),
        (other_coder.id, trust.id),  # Ben's coding of the same passage is his own
        (moved.id, trust.id),
    ]
    assert codings[0].memo == "first reading\n\nseen again"
    assert session.get(Code, doubt.id).parent_id == trust.id  # type: ignore[union-attr]
    assert names(session, ipr) == ["Trust"]

    [merge, edit, *_] = code_history(session, code_id=trusting.id or 0)
    assert merge.action == "code.merge" and merge.who == "Ben"
    assert merge.summary == "merged into 'Trust': 1 coding moved, 1 duplicate joined with the same passage there"
    assert merge.before and merge.before["definition"] == "leaning on her" and merge.before["codings"] == 2
    assert merge.after == {
        "into": trust.id,
        "into_name": "Trust",
        "moved": [other_coder.id],
        "collapsed": [[dup.id, kept.id]],
        "children_moved": [doubt.id],
    }
    assert edit.action == "code.update"
    into = code_history(session, code_id=trust.id or 0)[0]
    assert into.summary == "'Trusting' and 'Faith' merged into this code: 2 codings moved here, 1 duplicate joined"
    assert code_history(session, code_id=doubt.id or 0)[0].summary == (
        "moved from under 'Trusting' to under 'Trust' (its parent was merged)"
    )


def test_a_merge_is_refused_into_itself_into_a_subcode_or_when_subcodes_would_clash(
    session: Session, project: Project, ana: User
) -> None:
    pid = project.id or 0
    trust = create_code(session, project_id=pid, user=ana, name="Trust")
    safety = create_code(session, project_id=pid, user=ana, name="Safety", parent_id=trust.id)
    faith = create_code(session, project_id=pid, user=ana, name="Faith")
    create_code(session, project_id=pid, user=ana, name="safety", parent_id=faith.id)

    def merge(sources: list[Code], target: Code) -> Any:
        return lambda: merge_codes(session, source_ids=[s.id or 0 for s in sources], target_id=target.id or 0, user=ana)

    refused(session, "'Trust' cannot be merged into itself", merge([trust], trust))
    refused(
        session,
        "cannot merge 'Trust' into 'Safety': 'Safety' lies inside it; move 'Safety' out first",
        merge([trust], safety),
    )
    refused(
        session,
        "'Trust > Safety' and 'Faith > safety' would both be called 'safety' under 'Trust'; rename one of them first",
        merge([faith], trust),
    )


# --- splitting --------------------------------------------------------------------------------------


def test_splitting_gives_the_chosen_codings_to_a_new_sibling(session: Session, ipr: Project) -> None:
    ana = researcher(session, "Ana")
    relationship = make_code(session, ipr, "Relationship")
    trust = make_code(session, ipr, "Trust", parent=relationship)
    make_code(session, ipr, "Silence", parent=relationship)
    first = code_at(session, ipr, trust, 10, 20, ana, "C2")
    second = code_at(session, ipr, trust, 30, 40, ana, "T2")
    third = code_at(session, ipr, trust, 5, 15, ana, "C10")

    new = split_code(
        session,
        code_id=trust.id or 0,
        new_name="Trusting the process",
        coding_ids=[third.id or 0, second.id or 0],
        user=ana,
    )

    assert names(session, ipr, relationship) == ["Trust", "Trusting the process", "Silence"]
    own = [ExtractFilters(code_ids=(code.id or 0,), include_subcodes=False) for code in (trust, new)]
    assert [e.coding_id for e in extracts(session, project_id=ipr.id or 0, filters=own[0])] == [first.id]
    moved = extracts(session, project_id=ipr.id or 0, filters=own[1])
    assert [(e.coding_id, e.dyad, e.role, e.participant, e.coder) for e in moved] == [
        (second.id, "Dyad 2", "therapist", "T2", "Ana"),
        (third.id, "Dyad 10", "client", "C10", "Ana"),
    ]
    [split] = code_history(session, code_id=trust.id or 0)
    assert split.summary == "split: 2 codings went to the new code 'Trusting the process'"
    assert split.before == {"codings": 3}
    [born] = code_history(session, code_id=new.id or 0)
    assert born.summary == "split off from 'Trust', taking 2 codings"
    assert born.after and born.after["moved"] == sorted([second.id, third.id])


def test_a_split_is_refused_for_a_foreign_coding_no_coding_or_a_clashing_name(session: Session, ipr: Project) -> None:
    ana = researcher(session, "Ana")
    trust = make_code(session, ipr, "Trust")
    make_code(session, ipr, "Silence")
    mine = code_at(session, ipr, trust, 10, 20, ana, "C2")
    other = code_at(session, ipr, make_code(session, ipr, "Hope"), 10, 20, ana, "C2")

    def split(name: str, ids: list[int]) -> Any:
        return lambda: split_code(session, code_id=trust.id or 0, new_name=name, coding_ids=ids, user=ana)

    refused(
        session,
        f"coding {other.id} is not a coding of 'Trust'; only its own codings can move",
        split("Trust II", [mine.id or 0, other.id or 0]),
    )
    refused(session, "choose the codings of 'Trust' that go to the new code", split("Trust II", []))
    refused(session, "the top level already has a code called 'Silence'", split("silence", [mine.id or 0]))


# --- deleting ---------------------------------------------------------------------------------------


def test_deleting_a_code_with_codings_needs_a_choice(session: Session, ipr: Project) -> None:
    ana = researcher(session, "Ana")
    relationship = make_code(session, ipr, "Relationship")
    trust = make_code(session, ipr, "Trust", parent=relationship)
    make_code(session, ipr, "Rupture", parent=relationship)
    safety = make_code(session, ipr, "Safety", parent=trust)
    held = code_at(session, ipr, relationship, 10, 20, ana, "C2")
    same = code_at(session, ipr, trust, 10, 20, ana, "C2")
    same.memo = "heard"
    session.commit()
    code_at(session, ipr, trust, 30, 40, ana, "C2")

    def delete(code: Code, choice: Any = None) -> Any:
        return lambda: delete_code(session, code_id=code.id or 0, user=ana, codings=choice)

    refused(
        session,
        "'Trust' has 2 codings: choose whether to delete them or move them to its parent 'Relationship'",
        delete(trust),
    )
    refused(session, "'Relationship' has 1 coding: choose whether to delete them", delete(relationship))
    refused(
        session,
        "'Relationship' is a top-level code: no parent can take its 1 coding; delete them",
        delete(relationship, "move_to_parent"),
    )

    delete_code(session, code_id=trust.id or 0, user=ana, codings="move_to_parent")

    assert names(session, ipr, relationship) == ["Safety", "Rupture"]  # the subcode takes its parent's place
    codings = session.exec(select(Coding).order_by(col(Coding.id))).all()
    assert [c.code_id for c in codings] == [relationship.id, relationship.id]
    assert codings[0].id == held.id and codings[0].memo == "heard"
    [gone, *_] = code_history(session, code_id=trust.id or 0)
    assert gone.summary == "deleted; its 2 codings moved to 'Relationship'"
    assert gone.before and [c["start"] for c in gone.before["codings"]] == [10, 30]
    assert code_history(session, code_id=safety.id or 0)[0].summary == (
        "moved from under 'Trust' to under 'Relationship' (its parent was deleted)"
    )

    delete_code(session, code_id=relationship.id or 0, user=ana, codings="delete")
    assert session.exec(select(func.count()).select_from(Coding)).one() == 0
    assert names(session, ipr) == ["Safety", "Rupture"]
    assert code_history(session, code_id=relationship.id or 0)[0].summary == "deleted with its 2 codings"


def test_a_code_without_codings_is_deleted_without_asking(session: Session, project: Project, ana: User) -> None:
    code = create_code(session, project_id=project.id or 0, user=ana, name="Hope")
    delete_code(session, code_id=code.id or 0, user=ana)
    assert names(session, project) == []
    assert [e.summary for e in code_history(session, code_id=code.id or 0)] == ["deleted", "created at the top level"]
