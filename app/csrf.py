"""Cross-site request forgery: every unsafe request carries a form token another site cannot know.

The browser holds a random nonce in an HttpOnly cookie; the token is the nonce's HMAC under the server's
secret. Pages carry the token (a ``<meta name="csrf-token">`` for htmx, which sends it as the
``X-CSRF-Token`` header, and a hidden ``csrf_token`` field in every form, which works without script). A
request whose token does not match its cookie is refused before any route runs. API calls authenticated by
a Bearer token carry no cookie a forger could borrow, so they need none.
"""

from __future__ import annotations

import hmac
import re
import secrets

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.signing import Signer
from transcripts.errors import DyadicError

COOKIE = "dyadic_csrf"
HEADER = "x-csrf-token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NONCE = re.compile(r"^[A-Za-z0-9_-]{32}$")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRefused(DyadicError):
    """An unsafe request without the page's form token (an old page, or another site)."""


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                found, _, content = part.strip().partition("=")
                if found == name:
                    return content
    return None


def nonce_cookie(nonce: str, *, secure: bool) -> bytes:
    flags = "; Secure" if secure else ""
    return f"{COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax{flags}".encode()


class CsrfCookie:
    """Gives each browser its nonce (set on the first response) and each request its token
    (``request.state.csrf_token``), for pages to embed and for ``check_csrf`` to compare."""

    def __init__(self, app: ASGIApp, *, signer: Signer) -> None:
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = _cookie(scope, COOKIE)
        fresh = nonce is None or not _NONCE.match(nonce)
        if fresh:
            nonce = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_token"] = self.signer.mac(nonce)  # type: ignore[arg-type]

        async def with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                cookie = nonce_cookie(nonce, secure=scope.get("scheme") == "https")  # type: ignore[arg-type]
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, with_cookie)


def new_nonce() -> str:
    """A fresh nonce, for a login to rotate the form token (a token seen before the login is worth nothing)."""
    return secrets.token_urlsafe(24)


async def check_csrf(request: Request) -> None:
    """Refuse (``CsrfRefused``) an unsafe request whose token, from the header or the form, does not match."""
    if request.method in SAFE_METHODS:
        return
    if request.scope["path"].startswith("/api/"):  # the path as the URL has it, without building the URL
        return
    expected: str = request.state.csrf_token
    sent: object = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
        sent = (await request.form()).get(FIELD)  # parsed once: FastAPI reuses it for the route's fields
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused(
            "this form came without its security token (an old page, or another site sent it); "
            "reload the page and send it again"
        )
