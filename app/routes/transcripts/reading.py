"""The reading view of one transcript, "mark as read" per person, and the familiarisation memo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.routes.coding.live import poller_context, viewer
from app.web import is_fragment_request, render
from coding.visibility import visible_overlay
from transcripts.collector import cyclic_gc_paused
from transcripts.errors import InvalidInput
from transcripts.models import User
from transcripts.projects import get_project
from transcripts.reading import memos, readers, save_memo, set_read
from transcripts.study import TranscriptView, list_transcripts, sentences_of, show_transcript

router = APIRouter()


def _transcript(session: Session, project_id: int, transcript_id: int) -> TranscriptView:
    get_project(session, project_id)
    return show_transcript(session, transcript_id, project_id=project_id)


def _context(
    session: Session, project_id: int, view: TranscriptView, me: User, coder: str = "all"
) -> dict[str, object]:
    names = readers(session, transcript_id=view.info.id)
    notes = memos(session, transcript_id=view.info.id)
    mine = next((memo.body for memo, name in notes if name == me.name), "")
    siblings = list_transcripts(session, project_id=project_id)
    index = next(i for i, info in enumerate(siblings) if info.id == view.info.id)
    seen_by = viewer(session, project_id=project_id, transcript_id=view.info.id, me=me, coder=coder)
    live = poller_context(session, project_id=project_id, transcript_id=view.info.id, seen_by=seen_by, coder=coder)
    return {
        "project": get_project(session, project_id),
        "view": view,
        "readers": names,
        "read": me.name in names,
        "memo_text": mine,
        "others": [(memo, name) for memo, name in notes if name != me.name],
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "overlay": visible_overlay(
            session,
            project_id=project_id,
            transcript_id=view.info.id,
            text=view.text,
            turns=view.turns,
            me=me,
            coder_id=seen_by.coder_id,
            hidden=seen_by.hidden,
        ),
        "coder": coder,
        "sentences": sentences_of(session, transcript_id=view.info.id),
    } | live  # the poller's cursor, read before the codings


@router.get("/projects/{project_id}/transcripts/{transcript_id}", response_class=HTMLResponse)
def reading_view(
    request: Request,
    project_id: int,
    transcript_id: int,
    coder: str = "all",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    # A long transcript makes tens of thousands of objects that live until the page is written: without a
    # pause, the cyclic collector scans them again and again (BENCHMARKS.md, "Coding").
    with cyclic_gc_paused():
        view = _transcript(session, project_id, transcript_id)
        return render(request, "transcripts/reading.html", _context(session, project_id, view, me, coder))


@router.post("/projects/{project_id}/transcripts/{transcript_id}/read", response_class=HTMLResponse)
def mark_read(
    request: Request,
    project_id: int,
    transcript_id: int,
    read: Annotated[bool, Form()] = True,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    view = _transcript(session, project_id, transcript_id)
    set_read(session, transcript_id=transcript_id, user=me, read=read)
    if not is_fragment_request(request):
        return RedirectResponse(f"/projects/{project_id}/transcripts/{transcript_id}", status_code=303)
    context = _context(session, project_id, view, me)
    return render(request, "transcripts/_read.html", context)


@router.post("/projects/{project_id}/transcripts/{transcript_id}/memo", response_class=HTMLResponse)
def write_memo(
    request: Request,
    project_id: int,
    transcript_id: int,
    body: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    view = _transcript(session, project_id, transcript_id)
    context = _context(session, project_id, view, me)
    try:
        save_memo(session, author=me, body=body, transcript_id=transcript_id)
    except InvalidInput as exc:
        context |= {"memo_text": body, "memo_error": str(exc)}
        return render(request, "transcripts/reading.html", context, partial="transcripts/_memo.html", status_code=422)
    if not is_fragment_request(request):
        return RedirectResponse(f"/projects/{project_id}/transcripts/{transcript_id}", status_code=303)
    context |= {"memo_text": body.strip(), "memo_saved": True}
    return render(request, "transcripts/_memo.html", context)
