"""The JSON API, ``/api/v1``: a person's token (``Authorization: Bearer …``) reads the projects they are a
member of and codes in them as their role allows. One module per subject; the shapes in ``schemas.py``, the
errors (always ``{"detail": "one line"}``) in ``errors.py``, the token check in ``auth.py``.

The app includes ``router``; FastAPI serves its OpenAPI schema at ``/openapi.json``.
"""

from fastapi import APIRouter

from app.api import codes, codings, me, projects, search, themes, transcripts

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
for module in (me, projects, transcripts, codes, codings, themes, search):
    router.include_router(module.router, tags=[module.__name__.rsplit(".", 1)[-1]])

__all__ = ["PREFIX", "router"]
