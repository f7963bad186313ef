"""The demo study: a synthetic IPR study, written for Dyadic, imported through the real importer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlmodel import Session, select

from app.demo_coding import code_demo
from app.demo_study import demo_memos, write_study
from app.demo_themes import build_demo_themes
from app.settings import Settings
from transcripts.ingest import import_manifest
from transcripts.models import Dyad, Project, Transcript
from transcripts.projects import create_project, ensure_user, list_projects, project_by_name
from transcripts.reading import save_memo

DEMO_NAME = "Demo IPR study"
DESCRIPTION = (
    "A synthetic Interpersonal Process Recall study: seven client–therapist dyads (one with an interpreter), "
    "recall interviews after sessions 3 and 5. Every name and word is invented."
)


def load_demo(session: Session, *, settings: Settings, if_empty: bool = False) -> tuple[Project | None, bool]:
    """Create the demo study unless it is there (or, with ``if_empty``, unless any project is)."""
    if if_empty and list_projects(session):
        return None, False
    project = project_by_name(session, DEMO_NAME)
    if project and session.exec(select(Transcript.id).where(Transcript.project_id == project.id)).first():
        return project, False
    user = ensure_user(session, name=settings.local_user)
    session.commit()
    project = project or create_project(session, name=DEMO_NAME, user=user, description=DESCRIPTION)
    with tempfile.TemporaryDirectory(prefix="dyadic-demo-") as folder:
        manifest = write_study(Path(folder))
        import_manifest(
            session,
            project=project,
            manifest=manifest,
            user=user,
            max_bytes=settings.max_file_bytes,
            model=settings.spacy_model,
        )
    dyads = {d.label: d for d in session.exec(select(Dyad).where(Dyad.project_id == project.id))}
    for label, body in demo_memos().items():
        if label in dyads:
            save_memo(session, author=user, body=body, dyad_id=dyads[label].id)
    code_demo(session, project=project, user=user)
    build_demo_themes(session, project=project, user=user)
    return project, True
