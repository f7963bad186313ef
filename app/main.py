"""The web application: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.db import make_engine
from app.routes import transcripts
from app.settings import Settings
from app.web import render
from transcripts.errors import NotFound

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="Dyadic", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(transcripts.router)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> HTMLResponse:
        return render(request, "error.html", {"title": "Not found", "message": str(exc)}, status_code=404)

    return app
