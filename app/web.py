"""Rendering: one URL serves the page or, for htmx, its fragment (with ``Vary: HX-Request``)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import filters
from app.turn_html import turns_html
from transcripts.members import may_lead

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.filters.update(clock=filters.clock, role_class=filters.role_class, initial=filters.initial)
templates.env.globals.update(role_label=filters.role_label, turns_html=turns_html)


def is_fragment_request(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page, or its ``partial`` when htmx asks for a fragment."""
    name = partial if partial and is_fragment_request(request) else template
    context = {
        "request": request,
        "me": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "team_mode": request.app.state.settings.mode == "team",
        "may_lead": may_lead(getattr(getattr(request.state, "standing", None), "role", None)),
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)
    response.headers["Vary"] = "HX-Request"
    return response


def slug(name: str) -> str:
    """A project's name as a file-name part: ASCII letters and digits joined by hyphens (``ipr-study``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower() or "project"
