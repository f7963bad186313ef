"""Routes of the coding package: the codebook, coding in the reading view, retrieval and search, and the code
tables (codes × dyads, co-occurrence)."""

from fastapi import APIRouter

from app.routes.coding import agreement, by_speaker, codebook, codings, extracts, live, search, tables

router = APIRouter()
for module in (codebook, codings, by_speaker, extracts, search, tables, agreement, live):
    router.include_router(module.router)
