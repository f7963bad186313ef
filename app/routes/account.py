"""Team mode's login, logout and password change. Local mode has no login: these pages send you home."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.auth import end_browser_session, session_token, start_browser_session
from app.deps import current_user, get_session
from app.settings import Settings
from app.web import render
from transcripts.accounts import change_password, log_in, log_out
from transcripts.errors import InvalidInput, LoginRefused
from transcripts.models import User

router = APIRouter()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _local(path: str) -> str:
    """Only a path of this site is a place to go back to (no open redirect)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    if _settings(request).mode != "team":
        return RedirectResponse("/", status_code=303)
    return render(request, "account/login.html", {"name": "", "next": _local(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    session: Session = Depends(get_session),
) -> Response:
    settings = _settings(request)
    if settings.mode != "team":
        return RedirectResponse("/", status_code=303)
    address = request.client.host if request.client else ""
    try:
        _, token = log_in(session, name=name, password=password, address=address, days=settings.session_days)
    except LoginRefused as exc:
        status = 429 if str(exc).startswith("too many") else 401
        context = {"name": name, "next": _local(next), "error": str(exc)}
        return render(request, "account/login.html", context, status_code=status)
    response = RedirectResponse(_local(next), status_code=303)
    start_browser_session(request, response, token=token, days=settings.session_days)
    return response


@router.post("/logout")
def logout(request: Request, session: Session = Depends(get_session)) -> Response:
    token = session_token(request)
    if token:
        log_out(session, token=token)
    response = RedirectResponse("/login" if _settings(request).mode == "team" else "/", status_code=303)
    end_browser_session(request, response)
    return response


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, me: User = Depends(current_user)) -> Response:
    return render(request, "account/password.html", {})


@router.post("/account/password", response_class=HTMLResponse)
def password_change(
    request: Request,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    token = session_token(request)
    try:
        if _settings(request).mode != "team" or token is None:
            raise InvalidInput("local mode has no passwords")
        if new != repeat:
            raise InvalidInput("the new password and its repetition differ")
        change_password(session, user=me, current=current, new=new, keep_token=token)
    except InvalidInput as exc:
        return render(request, "account/password.html", {"error": str(exc)}, status_code=422)
    return render(request, "account/password.html", {"done": True})
