"""Who works on a project, in which role, and what each role may do.

Roles: an **owner** manages members and settings, a **lead** shapes the codebook and themes, a **coder**
codes and writes memos, a **viewer** reads and exports. Each role may do what the roles after it may do.
What a person may do is asked through the named predicates below (``may_code`` …), never by comparing
role names elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from transcripts.audit import record
from transcripts.errors import InvalidInput, NotFound, NotPermitted
from transcripts.models import PROJECT_ROLES, Member, Project, User
from transcripts.order import natural_key
from transcripts.projects import ensure_user

_RANK = {role: rank for rank, role in enumerate(reversed(PROJECT_ROLES))}  # viewer 0 … owner 3


@dataclass(frozen=True, slots=True)
class Membership:
    user_id: int
    name: str
    role: str


# Asked on nearly every request: plain SQL prepared once (an ORM statement is built and compiled each time).
_ROLE = sa.text("SELECT role FROM member WHERE project_id = :project AND user_id = :user")


def role_of(session: Session, *, project_id: int, user: User) -> str | None:
    """The person's role in the project, or None when they are not a member."""
    role: str | None = session.execute(_ROLE, {"project": project_id, "user": user.id}).scalar()
    return role


def _at_least(role: str | None, needed: str) -> bool:
    return role is not None and _RANK[role] >= _RANK[needed]


def may_read(role: str | None) -> bool:
    return _at_least(role, "viewer")


def may_code(role: str | None) -> bool:
    return _at_least(role, "coder")


def may_lead(role: str | None) -> bool:
    return _at_least(role, "lead")


def may_manage(role: str | None) -> bool:
    return _at_least(role, "owner")


def require_coder(session: Session, *, project_id: int, user: User) -> None:
    """Refuse (``NotPermitted``) unless the person may code in the project."""
    role = role_of(session, project_id=project_id, user=user)
    if not may_code(role):
        what = f"a {role}" if role else "not a member"
        raise NotPermitted(
            f"{user.name} is {what} in this project; only its coders, leads and owners code (the owner can change "
            "roles on the Team page)"
        )


def require(session: Session, *, project_id: int, user: User, role: str, doing: str) -> None:
    """Refuse (``NotPermitted``) unless the person's role is ``role`` or above, saying what they tried."""
    held = role_of(session, project_id=project_id, user=user)
    if not _at_least(held, role):
        what = f"a {held}" if held else "not a member"
        raise NotPermitted(f"{user.name} is {what} in this project; only {role}s and above may {doing}")


def join(session: Session, *, project_id: int, user: User, role: str) -> Member:
    """Make the person a member with ``role`` if they are not one yet (flushed, not committed)."""
    _checked_role(role)
    member = session.exec(select(Member).where(Member.project_id == project_id, Member.user_id == user.id)).first()
    if member is None:
        member = Member(project_id=project_id, user_id=user.id, role=role)  # type: ignore[arg-type]
        session.add(member)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # joined meanwhile by another request
            member = session.exec(
                select(Member).where(Member.project_id == project_id, Member.user_id == user.id)
            ).one()
    return member


def members(session: Session, *, project_id: int) -> list[Membership]:
    """The project's members, owners first, then by name."""
    rows = session.exec(
        select(Member.user_id, User.name, Member.role)
        .join(User, col(User.id) == Member.user_id)
        .where(Member.project_id == project_id)
    ).all()
    found = [Membership(user_id, name, role) for user_id, name, role in rows]
    return sorted(found, key=lambda m: (-_RANK[m.role], natural_key(m.name)))


def _owner(session: Session, project: Project, by: User, what: str) -> None:
    if not may_manage(role_of(session, project_id=project.id, user=by)):  # type: ignore[arg-type]
        raise NotPermitted(f"{by.name} is not an owner of this project; only owners {what}")


def _checked_role(role: str) -> str:
    if role not in PROJECT_ROLES:
        raise InvalidInput(f"unknown role {role!r}; choose one of {', '.join(PROJECT_ROLES)}")
    return role


def add_member(
    session: Session, *, project: Project, name: str, role: str, by: User, accounts_only: bool = False
) -> Membership:
    """Add a person (by name, created on first sight) to the project's team (only an owner may). With
    ``accounts_only`` (team mode) the person must have an account that can log in. Commits."""
    _owner(session, project, by, "add members")
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput("a member needs a name of 1 to 80 characters")
    if accounts_only:
        known = session.exec(select(User).where(User.name == name)).first()
        if known is None or known.password_hash is None:
            raise InvalidInput(f"no account called {name!r}; an admin makes one with `dyadic user add`")
    person = ensure_user(session, name=name)
    if role_of(session, project_id=project.id, user=person) is not None:  # type: ignore[arg-type]
        raise InvalidInput(f"{name} is a member already; change their role instead")
    member = join(session, project_id=project.id, user=person, role=_checked_role(role))  # type: ignore[arg-type]
    record(
        session,
        project_id=project.id,
        user_id=by.id,
        action="member.add",
        entity="member",
        entity_id=member.id,
        after={"user": name, "role": role},
    )
    session.commit()
    return Membership(person.id, name, role)  # type: ignore[arg-type]


def set_role(session: Session, *, project: Project, user_id: int, role: str, by: User) -> Membership:
    """Give a member another role (only an owner may; a project keeps at least one owner). Commits."""
    _owner(session, project, by, "change roles")
    _checked_role(role)
    member = session.exec(select(Member).where(Member.project_id == project.id, Member.user_id == user_id)).first()
    person = session.get(User, user_id)
    if member is None or person is None:
        raise NotFound(f"no member with id {user_id} in this project")
    if member.role == "owner" and role != "owner":
        owners = session.exec(select(Member).where(Member.project_id == project.id, Member.role == "owner")).all()
        if len(owners) == 1:
            raise InvalidInput(f"{person.name} is the project's only owner; make someone else an owner first")
    before = member.role
    member.role = role
    record(
        session,
        project_id=project.id,
        user_id=by.id,
        action="member.role",
        entity="member",
        entity_id=member.id,
        before={"user": person.name, "role": before},
        after={"user": person.name, "role": role},
    )
    session.commit()
    return Membership(user_id, person.name, role)
