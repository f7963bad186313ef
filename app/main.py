"""The web application: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session

from app import api
from app.auth import LoginRequired
from app.csrf import CsrfCookie, CsrfRefused, check_csrf
from app.db import make_engine
from app.middleware import SecurityHeaders, ServerTiming
from app.permissions import authorize
from app.routes import account, account_tokens, coding, exchange, themes, transcripts
from app.settings import Settings
from app.signing import Signer, server_secret
from app.web import is_fragment_request, render
from transcripts.errors import NotFound, NotPermitted
from transcripts.jobs import settle_abandoned
from transcripts.nlp import pipeline

STATIC = Path(__file__).resolve().parent / "static"


class UnsafeSettings(RuntimeError):
    """Settings the server refuses to start with (team mode without a secret or PostgreSQL)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    if settings.mode == "team" and (problem := settings.team_problem()):
        raise UnsafeSettings(problem)
    secret = server_secret(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pipeline(settings.spacy_model)  # loaded once, before the first import or search needs it
        with Session(app.state.engine) as session:  # imports a crash cut off are said to have failed
            settle_abandoned(session)
        # What start-up loaded (spaCy's tables, SQLAlchemy, Jinja) lives as long as the server: frozen, it
        # is left out of every garbage collection, which would otherwise scan it again and again
        # (measured: a 150 ms pause in the middle of a reading view).
        gc.freeze()
        yield

    # Every unsafe request must carry its form token (app/csrf.py); the JSON API's Bearer calls are exempt.
    app = FastAPI(title="Dyadic", docs_url=None, redoc_url=None, lifespan=lifespan, dependencies=[Depends(check_csrf)])
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.session_signer = Signer(secret, "login session")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # A request is matched against the routes in this order, one pattern after another (FastAPI has no
    # index), so the most requested come first: coding (storing codings, the reading view's poller), then
    # the reading view. No path matches routes of two routers (tests/app/test_request_path.py), so the order
    # decides nothing else.
    for router in (coding.router, transcripts.router, themes.router, exchange.router):
        app.include_router(router, dependencies=[Depends(authorize)], include_in_schema=False)
    app.include_router(account.router, include_in_schema=False)
    app.include_router(account_tokens.router, include_in_schema=False)
    app.include_router(api.router)  # the JSON API: Bearer tokens, its own JSON errors, the OpenAPI schema

    app.add_middleware(CsrfCookie, signer=Signer(secret, "form token"))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ServerTiming)
    _error_pages(app)
    return app


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> HTMLResponse:
        return render(request, "error.html", {"title": "Not found", "message": str(exc)}, status_code=404)

    @app.exception_handler(NotPermitted)
    async def not_permitted(request: Request, exc: NotPermitted) -> HTMLResponse:
        return render(request, "error.html", {"title": "Not permitted", "message": str(exc)}, status_code=403)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> HTMLResponse:
        return render(request, "error.html", {"title": "Form expired", "message": str(exc)}, status_code=403)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = f"/login?next={quote(back, safe='')}"
        if is_fragment_request(request):  # htmx follows this header with a full page load
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
