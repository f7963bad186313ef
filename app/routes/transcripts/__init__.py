"""Routes of the transcripts package: projects, imports, reading, dyads and the team."""

from fastapi import APIRouter

from app.routes.transcripts import dyads, imports, projects, reading, team

router = APIRouter()
for module in (projects, imports, reading, dyads, team):
    router.include_router(module.router)
