"""Request dependencies: a database session per request, and who is working.

Local mode has no login: the person is the one named in a cookie (by default the ``local_user`` setting).
Team mode knows people by their login session (see ``app/auth.py``); without one, a page asks to log in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, Request
from sqlmodel import Session

from app.auth import team_user
from app.settings import Settings
from transcripts.members import join
from transcripts.models import Project, User
from transcripts.projects import ensure_user

PERSON_COOKIE = "dyadic_person"


async def get_settings(request: Request) -> Settings:  # async: no I/O, so no trip through the thread pool
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request. Async only so that FastAPI does not hand its opening and closing to the thread
    pool (two trips per request): opening connects nothing, and closing returns a connection to the pool."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def current_user(request: Request, session: Session = Depends(get_session)) -> User:
    """The person working: the logged-in one in team mode, the one at this machine in local mode."""
    settings: Settings = request.app.state.settings
    if settings.mode == "team":
        user = team_user(request, session)
    else:
        name = (request.cookies.get(PERSON_COOKIE) or settings.local_user).strip()[:80] or settings.local_user
        user = ensure_user(session, name=name)
        _local_member(request, session, user)
        session.commit()
    request.state.user = user
    return user


def _local_member(request: Request, session: Session, user: User) -> None:
    """Local mode has no accounts: whoever works at this machine joins a project they open, as an owner
    (everything works at once). The Team page can still give someone a narrower role, which then holds."""
    try:
        project_id = int(request.path_params["project_id"])
    except (KeyError, ValueError):
        return
    seen: set[tuple[int, int]] = request.app.state.members_seen
    key = (project_id, user.id)  # type: ignore[arg-type]
    if key in seen:
        return
    if session.get(Project, key[0]) is not None:
        join(session, project_id=key[0], user=user, role="owner")
        seen.add(key)
