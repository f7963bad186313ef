"""Uploading transcripts: files plus a manifest, or one file with its metadata; progress; the report.

Uploaded files wait in a folder of their own until the import succeeds, so that a refused import can be
fixed (the manifest edited, a file added) and sent again without choosing every file anew.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile  # what request.form() yields (FastAPI's is a subclass)

from app.deps import current_user, get_session, get_settings
from app.settings import Settings
from app.web import render
from transcripts.errors import DyadicError
from transcripts.formats import format_of
from transcripts.jobs import get_job, queue_import, run_import
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()
TOKEN = re.compile(r"[0-9a-f]{32}")
MAX_FILES = 1000
# Transcripts are sensitive: files of an attempt that failed and was never retried do not linger.
KEEP_FAILED_UPLOADS = timedelta(days=1)
FIELDS = ("dyad", "role", "participant", "session", "group", "date")


def _folder(settings: Settings, token: str) -> Path:
    return settings.data_dir / "uploads" / token


def _prune_uploads(settings: Settings) -> None:
    root = settings.data_dir / "uploads"
    cutoff = time.time() - KEEP_FAILED_UPLOADS.total_seconds()
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _uploaded(settings: Settings, token: str) -> list[str]:
    folder = _folder(settings, token)
    return sorted(path.name for path in folder.iterdir()) if TOKEN.fullmatch(token) and folder.is_dir() else []


@router.get("/projects/{project_id}/import", response_class=HTMLResponse)
def import_form(
    request: Request,
    project_id: int,
    upload: str = "",
    job: int | None = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    project = get_project(session, project_id)
    manifest = get_job(session, job_id=job, project_id=project_id).manifest if job else ""
    context = {
        "project": project,
        "form": {"manifest_text": manifest},
        "upload": upload if _uploaded(settings, upload) else "",
        "uploaded": _uploaded(settings, upload),
        "limit_mb": settings.max_file_mb,
    }
    return render(request, "transcripts/import.html", context)


@router.post("/projects/{project_id}/import", response_class=HTMLResponse)
async def start_import(
    request: Request,
    project_id: int,
    background: BackgroundTasks,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    project = get_project(session, project_id)
    form = await request.form()
    values = {key: str(form.get(key, "")).strip() for key in (*FIELDS, "mode", "manifest_text", "upload")}
    _prune_uploads(settings)
    token = values["upload"] if TOKEN.fullmatch(values["upload"]) else uuid.uuid4().hex
    folder = _folder(settings, token)
    try:
        files = [item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename]
        saved = await _save(files, folder, limit=settings.max_file_bytes)
        manifest, name = await _manifest(form.get("manifest"), values, saved)
        job = queue_import(session, project=project, user=me, manifest=manifest, manifest_name=name, folder=folder)
    except DyadicError as exc:
        upload = form.get("manifest")
        if values["mode"] != "single" and isinstance(upload, UploadFile) and upload.filename:
            await upload.seek(0)  # a file refused before the manifest was read must not lose the manifest
            values["manifest_text"] = (await upload.read()).decode("utf-8", errors="replace")
        context = {
            "project": project,
            "form": values,
            "error": str(exc),
            "upload": token if _uploaded(settings, token) else "",
            "uploaded": _uploaded(settings, token),
            "limit_mb": settings.max_file_mb,
        }
        return render(request, "transcripts/import.html", context, status_code=422)
    background.add_task(
        run_import,
        request.app.state.engine,
        job_id=job.id,
        max_bytes=settings.max_file_bytes,
        model=settings.spacy_model,
    )
    return RedirectResponse(f"/projects/{project_id}/imports/{job.id}", status_code=303)


async def _save(files: list[UploadFile], folder: Path, *, limit: int) -> list[str]:
    """Store the uploads side by side under their base names, refusing any larger than the limit."""
    if len(files) > MAX_FILES:
        raise DyadicError(f"at most {MAX_FILES} files in one import")
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for upload in files:
        name = Path((upload.filename or "").replace("\\", "/")).name
        if not name or name.startswith("."):
            raise DyadicError(f"the file name {upload.filename!r} is not allowed")
        format_of(name)  # a type Dyadic cannot read is refused now, not after the upload
        size = 0
        with (folder / name).open("wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    out.close()
                    (folder / name).unlink()
                    raise DyadicError(
                        f"{name}: larger than the limit of {limit / 1024 / 1024:.1f} MB; nothing was imported"
                    )
                out.write(chunk)
        names.append(name)
    return names


async def _manifest(upload: object, values: dict[str, str], saved: list[str]) -> tuple[bytes, str]:
    """The manifest: an uploaded CSV, the edited text of one, or one row built from the single-file form."""
    if values.get("mode") == "single":
        if len(saved) != 1:
            raise DyadicError("choose one transcript file for the single-file import")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", *FIELDS])
        writer.writerow([saved[0], *(values[key] for key in FIELDS)])
        return out.getvalue().encode("utf-8"), "the form"
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        values["manifest_text"] = data.decode("utf-8", errors="replace")
        return data, Path(upload.filename).name
    if values.get("manifest_text"):
        return values["manifest_text"].encode("utf-8"), "the manifest"
    raise DyadicError("add a manifest (file,dyad,role,participant,session) or use the single-file form")


@router.get("/projects/{project_id}/imports/{job_id}", response_class=HTMLResponse)
def import_job(
    request: Request,
    project_id: int,
    job_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    project = get_project(session, project_id)
    job = get_job(session, job_id=job_id, project_id=project_id)
    upload = Path(job.folder).name if job.status == "failed" and Path(job.folder).is_dir() else ""
    context = {"project": project, "job": job, "upload": upload}
    return render(request, "transcripts/job.html", context, partial="transcripts/_job.html")


@router.post("/projects/{project_id}/imports/discard")
def discard_upload(
    project_id: int, upload: Annotated[str, Form()] = "", settings: Settings = Depends(get_settings)
) -> Response:
    if TOKEN.fullmatch(upload):
        shutil.rmtree(_folder(settings, upload), ignore_errors=True)
    return RedirectResponse(f"/projects/{project_id}/import", status_code=303)
