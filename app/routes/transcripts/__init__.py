"""Routes of the transcripts package: projects, imports, reading, dyads and the team."""

from fastapi import APIRouter

from app.routes.transcripts import audit, dyads, imports, projects, reading, team

router = APIRouter()
for module in (projects, imports, reading, dyads, team, audit):
    router.include_router(module.router)
