"""Routes of the coding package: the codebook, coding in the reading view, retrieval and search."""

from fastapi import APIRouter

from app.routes.coding import by_speaker, codebook, codings, search

router = APIRouter()
for module in (codebook, codings, by_speaker, search):
    router.include_router(module.router)
