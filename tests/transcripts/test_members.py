"""Project roles: the creator owns the project, owners manage the team, only coders (and up) code."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from coding.apply import apply_code, delete_coding, undo_last, update_coding
from coding.models import Coding
from tests.factories import make_code, researcher, study
from transcripts.errors import InvalidInput, NotPermitted
from transcripts.members import add_member, members, role_of, set_role
from transcripts.models import AuditEvent, Member, Transcript


@pytest.fixture
def ipr(session: Session, tmp_path: Path):  # type: ignore[no-untyped-def]
    project, _ = study(session, tmp_path)  # created by "Ana", who is therefore its owner
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    start = transcript.text.index("I felt heard")
    return project, transcript, make_code(session, project, "Feeling heard"), (start, start + len("I felt heard"))


def counts(session: Session) -> tuple[int, int]:
    codings = session.exec(select(func.count()).select_from(Coding)).one()
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return codings, events


def test_the_creator_owns_the_project_and_owners_add_people(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    project, *_ = ipr
    ana = researcher(session, "Ana")
    assert role_of(session, project_id=project.id, user=ana) == "owner"
    add_member(session, project=project, name="Cleo", role="viewer", by=ana)
    add_member(session, project=project, name="Ben", role="lead", by=ana)
    assert [(m.name, m.role) for m in members(session, project_id=project.id)] == [
        ("Ana", "owner"), ("Ben", "lead"), ("Cleo", "viewer"),
    ]  # fmt: skip
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "member.add")).first()
    assert event is not None and event.after == {"user": "Cleo", "role": "viewer"}


def test_a_viewer_and_a_stranger_cannot_code_and_nothing_changes(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    project, transcript, code, (start, end) = ipr
    ana = researcher(session, "Ana")
    add_member(session, project=project, name="Cleo", role="viewer", by=ana)
    cleo = researcher(session, "Cleo")
    stranger = researcher(session, "Dora")
    session.exec(select(Member).where(Member.user_id == stranger.id)).one()  # researcher() made her a coder…
    session.delete(session.exec(select(Member).where(Member.user_id == stranger.id)).one())
    session.commit()  # … so she is removed again: a person from outside the team
    before = counts(session)
    with pytest.raises(NotPermitted, match="Cleo is a viewer in this project"):
        apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=cleo)
    session.rollback()
    with pytest.raises(NotPermitted, match="Dora is not a member"):
        apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=stranger)
    session.rollback()
    assert counts(session) == before


def test_coders_change_only_their_own_codings_and_leads_any(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    project, transcript, code, (start, end) = ipr
    ana = researcher(session, "Ana")
    ben = researcher(session, "Ben")  # a coder
    add_member(session, project=project, name="Lea", role="lead", by=ana)
    lea = researcher(session, "Lea")
    bens = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)
    anas = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)
    with pytest.raises(NotPermitted, match="another coder's"):
        delete_coding(session, coding_id=anas.id, user=ben)
    session.rollback()
    update_coding(session, coding_id=bens.id, user=ben, memo="mine")
    update_coding(session, coding_id=anas.id, user=lea, memo="checked by the lead")
    assert session.get(Coding, anas.id).memo == "checked by the lead"
    set_role(session, project=project, user_id=ben.id, role="viewer", by=ana)
    with pytest.raises(NotPermitted, match="Ben is a viewer"):
        undo_last(session, project_id=project.id, user=ben)


def test_only_owners_change_roles_and_a_project_keeps_an_owner(session: Session, ipr) -> None:  # type: ignore[no-untyped-def]
    project, *_ = ipr
    ana, ben = researcher(session, "Ana"), researcher(session, "Ben")
    with pytest.raises(NotPermitted, match="Ben is not an owner"):
        set_role(session, project=project, user_id=ben.id, role="owner", by=ben)
    session.rollback()
    with pytest.raises(InvalidInput, match="only owner"):
        set_role(session, project=project, user_id=ana.id, role="coder", by=ana)
    session.rollback()
    with pytest.raises(InvalidInput, match="unknown role 'boss'"):
        set_role(session, project=project, user_id=ben.id, role="boss", by=ana)
    session.rollback()
    assert role_of(session, project_id=project.id, user=ana) == "owner"
    set_role(session, project=project, user_id=ben.id, role="owner", by=ana)
    set_role(session, project=project, user_id=ana.id, role="lead", by=ben)
    assert [(m.name, m.role) for m in members(session, project_id=project.id)] == [("Ben", "owner"), ("Ana", "lead")]
