"""Routes of the themes package: the phase workflow and the reflexive journal."""

from fastapi import APIRouter

from app.routes.themes import journal, phases

router = APIRouter()
for module in (phases, journal):
    router.include_router(module.router)
