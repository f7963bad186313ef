"""A person's API tokens in the browser: the list, creating one (shown once, on the page that answers the
form), revoking one. Everyone manages only their own tokens here; an admin revokes others' with ``dyadic``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render
from transcripts.errors import InvalidInput
from transcripts.models import User
from transcripts.tokens import create_token, list_tokens, revoke_token

router = APIRouter()
PAGE = "/account/tokens"


def _page(request: Request, session: Session, me: User, *, status_code: int = 200, **extra: object) -> Response:
    context = {"tokens": list_tokens(session, user=me), "name": "", "created": None, **extra}
    return render(request, "account/tokens.html", context, status_code=status_code)


@router.get(PAGE, response_class=HTMLResponse)
def tokens(request: Request, session: Session = Depends(get_session), me: User = Depends(current_user)) -> Response:
    return _page(request, session, me)


@router.post(PAGE, response_class=HTMLResponse)
def new_token(
    request: Request,
    name: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """The new token is on this answer only: it is not stored, so no later page can show it."""
    try:
        token, plaintext = create_token(session, user=me, name=name)
    except InvalidInput as exc:
        return _page(request, session, me, status_code=422, error=str(exc), name=name)
    response = _page(request, session, me, created={"name": token.name, "token": plaintext})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(PAGE + "/{token_id}/revoke")
def revoke(token_id: int, session: Session = Depends(get_session), me: User = Depends(current_user)) -> Response:
    revoke_token(session, user=me, token_id=token_id)  # another person's token is "not found"
    return RedirectResponse(PAGE, status_code=303)
