"""Coding in the reading view: apply a code to a selection, open, change, delete and undo a coding.

Each change answers with the turns it touched, as htmx out-of-band fragments, so that the page never
reloads and the server never renders more than those turns.
"""

from __future__ import annotations

import re
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from app.deps import current_user, get_session
from app.turn_html import turns_html
from app.web import is_fragment_request, render
from coding.apply import delete_coding, get_coding, store_coding, store_coding_shown, undo_last, update_coding
from coding.codebook import create_code
from coding.errors import InvalidInput, NotFound
from coding.models import Code
from coding.spans import step
from coding.visibility import seen_turns
from transcripts.models import Transcript, User
from transcripts.projects import get_project
from transcripts.study import TranscriptText, transcript_text

router = APIRouter()
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _transcript(session: Session, project_id: int, transcript_id: int) -> TranscriptText:
    transcript = transcript_text(session, transcript_id)  # its text only: storing a coding needs no more
    if transcript is None or transcript.project_id != project_id:
        get_project(session, project_id)  # an unknown project says so first
        raise NotFound(f"no transcript {transcript_id} in this project")
    return transcript


def _coder_filter(value: str, me: User) -> int | None:
    return me.id if value == "me" else int(value) if value.isdigit() else None


class _ProjectId(NamedTuple):
    """All the turns' fragment needs of its project. The project is not read again for it: the permission
    check found the person a member, so it exists."""

    id: int


def _turns(
    request: Request,
    session: Session,
    transcript: Transcript | TranscriptText,
    spans: list[tuple[int, int]],
    me: User,
    coder: str,
) -> dict[str, object]:
    """The context that renders the turns overlapping ``spans``, each as an out-of-band fragment (with the
    project as its id only: a caller that shows more of the project puts it in the context itself)."""
    turns, layer = seen_turns(session, transcript=transcript, spans=spans, me=me, coder_id=_coder_filter(coder, me))
    return {
        "project": _ProjectId(transcript.project_id),
        "turns": turns,
        "overlay": layer,
        "coder": coder,
        "oob": True,
        "transcript_id": transcript.id,
    }


@router.post("/projects/{project_id}/transcripts/{transcript_id}/codings", response_class=HTMLResponse)
def code_selection(
    request: Request,
    project_id: int,
    transcript_id: int,
    start: Annotated[int, Form()],
    end: Annotated[int, Form()],
    code_id: Annotated[str, Form()] = "",
    new_code: Annotated[str, Form()] = "",
    coder: Annotated[str, Form()] = "all",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Apply a code (or a new one, named in the picker) to the selected ``[start, end)``."""
    transcript = _transcript(session, project_id, transcript_id)
    fragment = is_fragment_request(request)
    try:
        if code_id.isdigit():
            target = int(code_id)
        elif new_code.strip():
            target = create_code(session, project_id=project_id, user=me, name=new_code).id  # type: ignore[assignment]
        else:
            raise InvalidInput("choose a code, or type the name of a new one")
        if not fragment:
            store_coding(session, transcript=transcript, code_id=target, start=start, end=end, coder=me)
            return RedirectResponse(f"/projects/{project_id}/transcripts/{transcript_id}", status_code=303)
        shown = store_coding_shown(
            session,
            transcript=transcript,
            code_id=target,
            start=start,
            end=end,
            coder=me,
            coder_id=_coder_filter(coder, me),
        )
    except InvalidInput as exc:
        session.rollback()
        return render(request, "coding/_message.html", {"message": str(exc), "error": True}, status_code=422)
    # What coding/_turns.html renders, without the template: its context and lookup cost more than the one
    # call it makes (BENCHMARKS.md, "Coding"; the same bytes, tests/app/test_request_path.py).
    response = HTMLResponse(str(turns_html(shown.turns, shown.overlay.turns, project_id, oob=True)))
    response.headers["Vary"] = "HX-Request"  # as render() adds it
    return response


def _panel_context(session: Session, project_id: int, coding_id: int) -> dict[str, object]:
    coding = get_coding(session, coding_id)
    if coding.project_id != project_id:
        raise NotFound(f"no coding {coding_id} in this project")
    transcript = session.get(Transcript, coding.transcript_id)
    codes = sorted(session.exec(select(Code).where(Code.project_id == project_id)), key=lambda c: c.name.casefold())
    coder = session.get(User, coding.coder_id) if coding.coder_id else None
    return {
        "project": get_project(session, project_id),
        "coding": coding,
        "codes": codes,
        "transcript": transcript,
        "code": session.get(Code, coding.code_id),
        "coder_name": coder.name if coder else "unknown coder",
    }


@router.get("/projects/{project_id}/codings/{coding_id}", response_class=HTMLResponse)
def coding_panel(
    request: Request,
    project_id: int,
    coding_id: int,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    return render(
        request,
        "coding/coding.html",
        _panel_context(session, project_id, coding_id),
        partial="coding/_coding_panel.html",
    )


@router.post("/projects/{project_id}/codings/{coding_id}", response_class=HTMLResponse)
def change_coding(
    request: Request,
    project_id: int,
    coding_id: int,
    code_id: Annotated[int, Form()],
    start: Annotated[int, Form()],
    end: Annotated[int, Form()],
    memo: Annotated[str, Form()] = "",
    adjust: Annotated[str, Form()] = "",
    coder: Annotated[str, Form()] = "all",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Change the code, widen or narrow the span (by a word with the arrow buttons), or write the memo."""
    context = _panel_context(session, project_id, coding_id)
    coding, transcript = context["coding"], context["transcript"]
    before = (coding.start, coding.end)  # type: ignore[attr-defined]
    text = transcript.text  # type: ignore[attr-defined]
    if adjust in ("start-", "start+"):
        start = step(text, start, edge="start", forward=adjust == "start+")
    elif adjust in ("end-", "end+"):
        end = step(text, end, edge="end", forward=adjust == "end+")
    try:
        update_coding(session, coding_id=coding_id, user=me, code_id=code_id, start=start, end=end, memo=memo)
    except InvalidInput as exc:
        session.rollback()
        context = _panel_context(session, project_id, coding_id) | {"error": str(exc)}
        return render(request, "coding/coding.html", context, partial="coding/_coding_panel.html", status_code=422)
    if not is_fragment_request(request):
        return RedirectResponse(f"/projects/{project_id}/codings/{coding_id}", status_code=303)
    context = _turns(request, session, transcript, [before, (start, end)], me, coder)  # type: ignore[arg-type]
    context |= _panel_context(session, project_id, coding_id) | {"saved": True}
    return render(request, "coding/_coding_changed.html", context)


@router.post("/projects/{project_id}/codings/{coding_id}/delete", response_class=HTMLResponse)
def remove_coding(
    request: Request,
    project_id: int,
    coding_id: int,
    coder: Annotated[str, Form()] = "all",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    context = _panel_context(session, project_id, coding_id)
    coding, transcript = context["coding"], context["transcript"]
    span = (coding.start, coding.end)  # type: ignore[attr-defined]
    delete_coding(session, coding_id=coding_id, user=me)
    if not is_fragment_request(request):
        return RedirectResponse(f"/projects/{project_id}/transcripts/{transcript.id}", status_code=303)  # type: ignore[attr-defined]
    context = _turns(request, session, transcript, [span], me, coder) | {"deleted": True}  # type: ignore[arg-type]
    return render(request, "coding/_coding_changed.html", context)


@router.post("/projects/{project_id}/codings-undo", response_class=HTMLResponse)
def undo(
    request: Request,
    project_id: int,
    back: Annotated[str, Form()] = "",
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Undo my last change to a coding in this project, and show the transcript again."""
    get_project(session, project_id)
    undo_last(session, project_id=project_id, user=me)
    target = back if back.startswith(f"/projects/{project_id}/") else f"/projects/{project_id}"
    if is_fragment_request(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.get("/projects/{project_id}/codes.css")
def code_colours(project_id: int, session: Session = Depends(get_session)) -> Response:
    """Each code's colour as a CSS custom property, so that pages need no inline styles."""
    codes = session.exec(select(Code).where(Code.project_id == project_id)).all()
    rules = "\n".join(f".code-{c.id} {{ --code: {c.colour}; }}" for c in codes if COLOUR.fullmatch(c.colour))
    return Response(rules + "\n", media_type="text/css", headers={"Cache-Control": "no-cache"})
