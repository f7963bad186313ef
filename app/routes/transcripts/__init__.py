"""Routes of the transcripts package: projects, imports, reading and dyads."""

from fastapi import APIRouter

from app.routes.transcripts import dyads, imports, projects, reading

router = APIRouter()
for module in (projects, imports, reading, dyads):
    router.include_router(module.router)
