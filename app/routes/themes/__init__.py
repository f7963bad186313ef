"""Routes of the themes package: the phase workflow, the reflexive journal, the candidate board, a theme's page
(and merging, splitting, deleting), reviewing (extracts and coverage), the frequency table and the thematic map."""

from fastapi import APIRouter

from app.routes.themes import board, exports, journal, map, phases, restructure, review, table, theme

router = APIRouter()
for module in (phases, journal, board, theme, restructure, review, table, exports, map):
    router.include_router(module.router)
