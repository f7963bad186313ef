"""Request dependencies: a database session per request, and who is working.

Local mode has no login: the person is the one named in a cookie (by default the ``local_user`` setting).
Team mode knows people by their login session (see ``app/auth.py``); without one, a page asks to log in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NamedTuple

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from app.auth import team_user
from app.settings import Settings
from transcripts.members import join, role_of
from transcripts.models import Project, User
from transcripts.projects import ensure_user

PERSON_COOKIE = "dyadic_person"


class Standing(NamedTuple):
    """The person's role in the project of the URL, read with the person (``request.state.standing``), so that
    the permission check needs no statement of its own."""

    project_id: int
    role: str | None


async def get_settings(request: Request) -> Settings:  # async: no I/O, so no trip through the thread pool
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request. Async only so that FastAPI does not hand its opening and closing to the thread
    pool (two trips per request): opening connects nothing, and closing returns a connection to the pool."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def current_user(request: Request, session: Session = Depends(get_session)) -> User:
    """The person working: the logged-in one in team mode, the one at this machine in local mode. On a project's
    URL their role there is read too (``request.state.standing``, what ``app.permissions.authorize`` checks)."""
    settings: Settings = request.app.state.settings
    project_id = _project_of(request)
    if settings.mode == "team":
        user = team_user(request, session)
        if project_id is not None:
            request.state.standing = Standing(project_id, role_of(session, project_id=project_id, user=user))
    else:
        name = (request.cookies.get(PERSON_COOKIE) or settings.local_user).strip()[:80] or settings.local_user
        user, role = _local_person(session, name, project_id)
        if project_id is not None:
            request.state.standing = Standing(project_id, role)
    request.state.user = user
    return user


def _project_of(request: Request) -> int | None:
    try:
        return int(request.path_params["project_id"])
    except (KeyError, ValueError):
        return None


# The person at this machine and their role in the URL's project, in one statement prepared once: every
# request of local mode asks it, and through the ORM it cost more than the rest of storing a coding's reads
# (BENCHMARKS.md, "Coding"). Read afresh each time rather than cached, so that nothing can go stale (a
# renamed or deleted person, a role changed by another process, a restored database).
_PERSON = sa.text(
    "SELECT id, name, created_at, password_hash, is_admin, active,"
    ' (SELECT role FROM member WHERE project_id = :project AND user_id = "user".id) AS role'
    ' FROM "user" WHERE name = :name'
).columns(
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("created_at", User.__table__.c.created_at.type),  # type: ignore[attr-defined]
    sa.column("password_hash", sa.String),
    sa.column("is_admin", sa.Boolean),
    sa.column("active", sa.Boolean),
    sa.column("role", sa.String),
)


def _local_person(session: Session, name: str, project_id: int | None) -> tuple[User, str | None]:
    """Local mode's person (created on first sight) and role. Whoever works at this machine joins a project
    they open, as an owner (everything works at once); the Team page can still give someone a narrower role,
    which then holds. Commits only when it created something."""
    row = session.execute(_PERSON, {"name": name.strip(), "project": project_id}).first()
    if row is not None:
        user = User(
            id=row.id,
            name=row.name,
            created_at=row.created_at,
            password_hash=row.password_hash,
            is_admin=row.is_admin,
            active=row.active,
        )
        make_transient_to_detached(user)  # as if loaded: the session knows it, and reads nothing more
        session.add(user)
        role: str | None = row.role
    else:
        user = ensure_user(session, name=name)
        role = None
    created = row is None
    if role is None and project_id is not None and session.get(Project, project_id) is not None:
        role = join(session, project_id=project_id, user=user, role="owner").role
        created = True
    if created:
        session.commit()
    return user, role
