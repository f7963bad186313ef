"""Others' codings arriving in the reading view without a reload: the page's poller asks every few seconds
what changed since its cursor, and gets nothing (204) or the changed turns as out-of-band swaps, with a poller
that carries the next cursor (``coding/live.py`` says why the cursor is three numbers)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render
from coding.errors import InvalidInput, NotFound
from coding.live import Cursor, Viewer, coding_changes, live_cursor, turns_touched
from coding.visibility import concealed, visible_overlay
from transcripts.models import Transcript, User
from transcripts.projects import get_project
from transcripts.study import sentences_of, turns_of

router = APIRouter()
POLL_SECONDS = 5


def viewer(session: Session, *, project_id: int, transcript_id: int, me: User, coder: str) -> Viewer:
    """Who is reading, with the view's coder filter (``all``, ``me`` or a coder's id) and what rounds hide."""
    coder_id = me.id if coder == "me" else int(coder) if coder.isdigit() else None
    hidden = concealed(session, project_id=project_id, transcript_id=transcript_id, user=me)
    return Viewer(me.id or 0, coder_id, hidden)


def poller_context(
    session: Session, *, project_id: int, transcript_id: int, seen_by: Viewer, coder: str
) -> dict[str, object]:
    """What the reading view's poller needs; read it before the page's codings (see ``live_cursor``)."""
    cursor = live_cursor(session, project_id=project_id, transcript_id=transcript_id, viewer=seen_by)
    return {"live_cursor": str(cursor), "live_coder": coder, "poll_seconds": POLL_SECONDS}


@router.get("/projects/{project_id}/transcripts/{transcript_id}/codings/changes", response_class=HTMLResponse)
def changes(
    request: Request,
    project_id: int,
    transcript_id: int,
    since: str = "",
    coder: str = "all",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Nothing (204) when no coding this person may see changed in the transcript since ``since``; else the
    turns that changed, out of band, and the poller with its next cursor."""
    project = get_project(session, project_id)
    transcript = session.get(Transcript, transcript_id)
    if transcript is None or transcript.project_id != project_id:
        raise NotFound(f"no transcript {transcript_id} in this project")
    try:
        cursor = Cursor.parse(since)
    except InvalidInput as exc:
        return Response(str(exc) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    seen_by = viewer(session, project_id=project_id, transcript_id=transcript_id, me=me, coder=coder)
    found = coding_changes(session, project_id=project_id, transcript_id=transcript_id, since=cursor, viewer=seen_by)
    if not found.any and found.cursor == cursor:
        return Response(status_code=204)
    turns = turns_touched(turns_of(session, transcript), found.spans) if found.spans else []
    layer = visible_overlay(
        session,
        project_id=project_id,
        transcript_id=transcript_id,
        text=transcript.text,
        turns=turns,
        me=me,
        coder_id=seen_by.coder_id,
        picker=False,
        hidden=seen_by.hidden,
    )
    sentences = sentences_of(session, transcript_id=transcript_id) if turns else {}
    context = {
        "project": project,
        "transcript_id": transcript_id,
        "turns": turns,
        "overlay": layer,
        "sentences": sentences,
        "codes_changed": found.codes,
        "live_cursor": str(found.cursor),
        "live_coder": coder,
        "poll_seconds": POLL_SECONDS,
        "oob": True,
    }
    return render(request, "coding/_live.html", context)
