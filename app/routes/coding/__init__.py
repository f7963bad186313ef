"""Routes of the coding package: the codebook, coding in the reading view, retrieval and search."""

from fastapi import APIRouter

from app.routes.coding import codebook, codings, search

router = APIRouter()
for module in (codebook, codings, search):
    router.include_router(module.router)
