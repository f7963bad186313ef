"""Team mode's login session in the browser: a signed, HttpOnly, SameSite cookie holding the session's
token (the database keeps only its hash; see ``transcripts/accounts.py``)."""

from __future__ import annotations

from fastapi import Request, Response
from sqlmodel import Session

from app.csrf import COOKIE as CSRF_COOKIE
from app.csrf import new_nonce
from app.signing import Signer
from transcripts.accounts import session_user
from transcripts.errors import DyadicError
from transcripts.models import User

SESSION_COOKIE = "dyadic_session"


class LoginRequired(DyadicError):
    """A page of team mode asked for without a (valid) login session."""


def _signer(request: Request) -> Signer:
    signer: Signer = request.app.state.session_signer
    return signer


def session_token(request: Request) -> str | None:
    """The login session's token, if the browser holds a cookie the server signed."""
    return _signer(request).unsign(request.cookies.get(SESSION_COOKIE))


def team_user(request: Request, session: Session) -> User:
    """The logged-in person, or ``LoginRequired``."""
    token = session_token(request)
    user = session_user(session, token) if token else None
    if user is None:
        raise LoginRequired("log in to continue")
    return user


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"  # behind a proxy: uvicorn's proxy headers make this the client's scheme


def start_browser_session(request: Request, response: Response, *, token: str, days: float) -> None:
    """Hand the browser its login session, and a new form-token nonce (one seen before the login is void)."""
    secure = _secure(request)
    response.set_cookie(
        SESSION_COOKIE,
        _signer(request).sign(token),
        max_age=int(days * 86400),
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    response.set_cookie(CSRF_COOKIE, new_nonce(), httponly=True, samesite="lax", secure=secure)


def end_browser_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=_secure(request))
    response.delete_cookie(CSRF_COOKIE, httponly=True, samesite="lax", secure=_secure(request))
