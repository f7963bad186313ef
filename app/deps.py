"""Request dependencies: a database session per request, and who is working."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from sqlmodel import Session

from app.settings import Settings
from transcripts.models import User
from transcripts.projects import ensure_user

PERSON_COOKIE = "dyadic_person"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def current_user(request: Request, session: Session = Depends(get_session)) -> User:
    """In local mode there is no login: the person is the one named in the header (a cookie), by default
    the ``local_user`` setting, so that read marks and memos stay per person on a shared machine."""
    settings = get_settings(request)
    name = (request.cookies.get(PERSON_COOKIE) or settings.local_user).strip()[:80] or settings.local_user
    user = ensure_user(session, name=name)
    session.commit()
    request.state.user = user
    return user
