"""Imports started from the browser: queued as a job, run in the background, progress kept in the job.

The job's progress is written through its own short transactions while the import reads and analyses
files; the import itself still commits once, at the end, or not at all.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import time
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from transcripts.errors import DyadicError, ImportRefused, NotFound
from transcripts.ingest import import_rows
from transcripts.manifest import read_manifest
from transcripts.models import ImportJob, Project, User, utcnow

log = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.25  # seconds between progress writes
# Which server process runs a job: a process killed mid-import (a crash, a SIGKILL, a power cut) leaves its job
# unfinished, and whoever looks next must be able to tell it will never finish. The token tells this process
# from an earlier one that had the same pid (a container restarted).
_TOKEN = secrets.token_hex(4)
STOPPED = "the server stopped during this import; nothing was imported (your files are kept: try again)"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


def _gone(runner: str) -> bool:
    """Whether the process that ran a job has ended (only knowable for processes of this machine)."""
    host, _, rest = runner.partition(":")
    pid, _, token = rest.partition(":")
    if not runner or host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return token != _TOKEN
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def settle_abandoned(session: Session, *, project_id: int | None = None) -> int:
    """Mark as failed the unfinished jobs whose process has ended (nothing of them was stored: an import
    commits once, at its end). Returns how many. Commits when it changed any."""
    query = select(ImportJob).where(col(ImportJob.status).in_(("queued", "running")))
    if project_id is not None:
        query = query.where(ImportJob.project_id == project_id)
    abandoned = [job for job in session.exec(query) if _gone(job.runner)]
    for job in abandoned:
        job.status, job.stage, job.error, job.finished_at = "failed", "failed", STOPPED, utcnow()
        session.add(job)
    if abandoned:
        session.commit()
    return len(abandoned)


def queue_import(
    session: Session, *, project: Project, user: User, manifest: bytes, manifest_name: str, folder: Path
) -> ImportJob:
    """Check the manifest now (so that a bad one is answered at once) and queue the import."""
    rows = read_manifest(manifest, filename=manifest_name)
    present = {path.name for path in folder.iterdir()} if folder.is_dir() else set()
    for row in rows:
        if Path(row.file).name not in present:
            raise ImportRefused(f"{row.where()}: the file was not uploaded")
    job = ImportJob(
        project_id=project.id,  # type: ignore[arg-type]
        user_id=user.id,
        total=len(rows),
        manifest=manifest.decode("utf-8", errors="replace"),
        folder=str(folder),
        stage="waiting to start",
        runner=this_process(),
    )
    session.add(job)
    session.commit()
    return job


def run_import(engine: Engine, *, job_id: int, max_bytes: int, model: str | None = None) -> None:
    """Run a queued import to its end, recording progress and the outcome in the job."""
    with Session(engine, expire_on_commit=False) as jobs, Session(engine, expire_on_commit=False) as work:
        job = jobs.get(ImportJob, job_id)
        if job is None:
            raise NotFound(f"no import job {job_id}")
        job.status, job.stage, job.runner = "running", "starting", this_process()
        jobs.commit()
        last = 0.0

        def progress(done: int, total: int, stage: str) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL or stage.startswith("storing"):
                job.done, job.total, job.stage = done, total, stage[:200]
                jobs.commit()
                last = now

        try:
            project = work.get(Project, job.project_id)
            user = work.get(User, job.user_id) if job.user_id else None
            if project is None or user is None:
                raise NotFound("the project or the person who started the import is gone")
            rows = read_manifest(job.manifest.encode("utf-8"), filename="manifest")
            report = import_rows(
                work,
                project=project,
                rows=rows,
                folder=Path(job.folder),
                user=user,
                max_bytes=max_bytes,
                model=model,
                progress=progress,
                flat=True,
            )
        except DyadicError as exc:
            work.rollback()
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # report it in the job rather than lose it in a background thread
            log.exception("import job %s failed", job_id)
            work.rollback()
            job.status, job.error = (
                "failed",
                f"the import failed unexpectedly ({type(exc).__name__}); nothing was imported",
            )
        else:
            job.status, job.done = "done", job.total
            job.report = [asdict(file) for file in report.files]
            shutil.rmtree(job.folder, ignore_errors=True)
        job.stage = job.status
        job.finished_at = utcnow()
        jobs.add(job)
        jobs.commit()


def get_job(session: Session, *, job_id: int, project_id: int) -> ImportJob:
    """The job, settled first if its process has ended (see ``settle_abandoned``)."""
    job = session.get(ImportJob, job_id)
    if job is None or job.project_id != project_id:
        raise NotFound(f"no import {job_id} in this project")
    if job.status in ("queued", "running") and _gone(job.runner):
        settle_abandoned(session, project_id=project_id)
        session.refresh(job)
    return job
