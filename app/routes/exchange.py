"""Exchange: REFI-QDA downloads (.qdpx, .qdc) with what the standard cannot carry, and an upload of a .qdpx or
.qdc into this project or a new one — previewed first (the real import, rolled back), with the file's
variables mapped onto role, participant, session …, then imported from the same kept upload.

Uploads wait under ``data_dir/uploads/<token>/`` between the preview and the import, and are removed after the
import, on a refusal, or after a day if nobody came back for them.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from app.deps import current_user, get_session, get_settings
from app.exchange import notes_out
from app.exchange.archive import Limits
from app.exchange.backup import backup_project
from app.exchange.errors import ExchangeRefused
from app.exchange.preview import MAPPABLE, import_file, kind_of, preview_file
from app.exchange.qdc import checked_codebook
from app.exchange.qdpx_export import checked_archive
from app.exchange.qdpx_import import Options
from app.exchange.report import ExportReport
from app.exchange.tidy import tidy_codings
from app.settings import Settings
from app.web import render
from transcripts.errors import DyadicError, NotFound
from transcripts.models import Project, User
from transcripts.projects import get_project, project_by_name

router = APIRouter()
TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_UPLOADS = timedelta(days=1)  # project files are sensitive: an abandoned preview does not linger
SAFE_NAME = re.compile(r"[^\w.() -]+")
TIDY = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _options(settings: Settings, mapping: dict[str, str] | None = None) -> Options:
    return Options(
        Limits(settings.max_archive_bytes, settings.max_archive_files),
        schema_dir=settings.refi_schema_dir,
        mapping=mapping or {},
        model=settings.spacy_model,
    )


def _download(data: bytes, filename: str, media_type: str) -> Response:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    return Response(
        data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{ascii_name}"'}
    )


# --- the page and the downloads ---------------------------------------------------------------------------


def _exchange_page(request: Request, session: Session, project: Project, status: int = 200, **extra: Any) -> Response:
    report = ExportReport()
    notes_out.not_carried(session, project, report)
    context = {"project": project, "not_carried": report.not_carried} | extra
    return render(request, "exchange/exchange.html", context, status_code=status)


@router.get("/projects/{project_id}/exchange", response_class=HTMLResponse)
def exchange_page(
    request: Request, project_id: int, session: Session = Depends(get_session), _: User = Depends(current_user)
) -> Response:
    return _exchange_page(request, session, get_project(session, project_id))


@router.get("/projects/{project_id}/export.qdpx")
def export_qdpx(
    request: Request,
    project_id: int,
    session: Session = Depends(get_session),
    _: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    project = get_project(session, project_id)
    try:
        data, _report = checked_archive(session, project=project, schema_dir=settings.refi_schema_dir)
    except ExchangeRefused as exc:
        return _exchange_page(request, session, project, 422, error=str(exc))
    return _download(data, f"{project.name}.qdpx", "application/zip")


@router.get("/projects/{project_id}/export.qdc")
def export_qdc(
    request: Request,
    project_id: int,
    session: Session = Depends(get_session),
    _: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    project = get_project(session, project_id)
    try:
        data, _report = checked_codebook(session, project=project, schema_dir=settings.refi_schema_dir)
    except ExchangeRefused as exc:
        return _exchange_page(request, session, project, 422, error=str(exc))
    return _download(data, f"{project.name}.qdc", "application/xml")


@router.get("/projects/{project_id}/codings.{format}")
def export_codings(
    project_id: int, format: str, session: Session = Depends(get_session), _: User = Depends(current_user)
) -> Response:
    project = get_project(session, project_id)
    if format not in TIDY:
        raise NotFound(f"no {format!r} download of the codings")
    data = tidy_codings(session, project_id=project_id, format=format)
    return _download(
        data.encode("utf-8") if isinstance(data, str) else data, f"{project.name} codings.{format}", TIDY[format]
    )


@router.get("/projects/{project_id}/backup.zip")
def download_backup(
    project_id: int, session: Session = Depends(get_session), _: User = Depends(current_user)
) -> Response:
    project = get_project(session, project_id)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backup.zip"
        backup_project(session, project=project, path=path)
        data = path.read_bytes()
    return _download(data, f"{project.name} backup.zip", "application/zip")


# --- uploads: keep, find, prune ---------------------------------------------------------------------------


def _uploads(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def _prune(settings: Settings) -> None:
    cutoff = time.time() - KEEP_UPLOADS.total_seconds()
    root = _uploads(settings)
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _kept(settings: Settings, token: str) -> Path | None:
    """The file kept under ``token``, if the token is well-formed and its file still there."""
    if not TOKEN.fullmatch(token):
        return None
    folder = _uploads(settings) / token
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return files[0] if len(files) == 1 and files[0].is_file() else None


def _discard(settings: Settings, token: str) -> None:
    if TOKEN.fullmatch(token):
        shutil.rmtree(_uploads(settings) / token, ignore_errors=True)


async def _keep(upload: UploadFile, settings: Settings) -> tuple[str, Path]:
    """Store an uploaded file under a new token, refusing one larger than the archive limit."""
    name = SAFE_NAME.sub("_", Path((upload.filename or "").replace("\\", "/")).name).strip(" .")
    kind_of(name)
    token = uuid.uuid4().hex
    folder = _uploads(settings) / token
    folder.mkdir(parents=True, exist_ok=True)
    path, size, limit = folder / name, 0, settings.max_archive_bytes
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise ExchangeRefused(f"{name}: larger than the limit of {settings.max_archive_mb:g} MiB: not imported")
            out.write(chunk)
    return token, path


def _mapping(form: FormData) -> dict[str, str]:
    """The variable mapping from the preview's form: ``var`` and ``map`` fields in the same order."""
    names = [str(value) for value in form.getlist("var")]
    targets = [str(value) for value in form.getlist("map")]
    return {name: target for name, target in zip(names, targets, strict=False) if target}


# --- preview and import ------------------------------------------------------------------------------------


async def _preview(
    request: Request, session: Session, me: User, settings: Settings, project: Project | None
) -> Response:
    form = await request.form()
    _prune(settings)
    token = str(form.get("upload", ""))
    name = str(form.get("name", "")).strip()
    mapping = _mapping(form)
    try:
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            _discard(settings, token)
            token, path = await _keep(upload, settings)
        else:
            kept = _kept(settings, token)
            if kept is None:
                raise ExchangeRefused("choose a .qdpx or .qdc file to import (an earlier upload has expired)")
            path = kept
        if project is None:
            name = name or Path(path.name).stem
            if project_by_name(session, name) is not None:
                raise ExchangeRefused(f"a project called {name!r} exists already: choose another name")
        target = project.name if project else name
        preview = await run_in_threadpool(
            preview_file, session, path=path, project_name=target, user=me, options=_options(settings, mapping)
        )
    except DyadicError as exc:
        _discard(settings, token)
        return _refused(request, session, project, str(exc), name)
    context = {
        "project": project,
        "preview": preview,
        "token": token,
        "filename": path.name,
        "name": name,
        "mapping": mapping,
        "targets": MAPPABLE,
        "action": f"/projects/{project.id}/exchange" if project else "/exchange",
    }
    return render(request, "exchange/preview.html", context)


async def _import(
    request: Request, session: Session, me: User, settings: Settings, project: Project | None
) -> Response:
    form = await request.form()
    token = str(form.get("upload", ""))
    name = str(form.get("name", "")).strip()
    path = _kept(settings, token)
    try:
        if path is None:
            raise ExchangeRefused("the upload has expired or was imported already: choose the file again")
        if project is None and project_by_name(session, name) is not None:
            raise ExchangeRefused(f"a project called {name!r} exists already: choose another name")
        target = project.name if project else name
        result = await run_in_threadpool(
            import_file, session, path=path, project_name=target, user=me, options=_options(settings, _mapping(form))
        )
    except DyadicError as exc:
        _discard(settings, token)
        return _refused(request, session, project, str(exc), name)
    _discard(settings, token)
    done = get_project(session, result.report.project_id or 0)
    return render(request, "exchange/imported.html", {"project": done, "preview": result, "filename": path.name})


def _refused(request: Request, session: Session, project: Project | None, message: str, name: str) -> Response:
    if project is None:
        return render(request, "exchange/new.html", {"import_error": message, "name": name}, status_code=422)
    return _exchange_page(request, session, project, 422, error=message)


@router.post("/projects/{project_id}/exchange/preview", response_class=HTMLResponse)
async def preview_into_project(
    request: Request,
    project_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    return await _preview(request, session, me, settings, get_project(session, project_id))


@router.post("/projects/{project_id}/exchange/import", response_class=HTMLResponse)
async def import_into_project(
    request: Request,
    project_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    return await _import(request, session, me, settings, get_project(session, project_id))


@router.get("/exchange", response_class=HTMLResponse)
def new_project_form(request: Request, _: User = Depends(current_user)) -> Response:
    return render(request, "exchange/new.html", {"name": ""})


@router.post("/exchange/preview", response_class=HTMLResponse)
async def preview_new_project(
    request: Request,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    return await _preview(request, session, me, settings, None)


@router.post("/exchange/import", response_class=HTMLResponse)
async def import_new_project(
    request: Request,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
    settings: Settings = Depends(get_settings),
) -> Response:
    return await _import(request, session, me, settings, None)
