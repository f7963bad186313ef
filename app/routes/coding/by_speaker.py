"""Coding by speaker: every turn of one role (client, therapist, interviewer …) in chosen transcripts coded
with one code — the form, a preview of the turns, then coding them all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import current_user, get_session
from app.web import render
from coding.by_speaker import SpeakerOptions, code_speaker_turns, speaker_options, speaker_plan
from coding.errors import InvalidInput
from transcripts.models import User
from transcripts.projects import get_project

router = APIRouter()
PREVIEW_TURNS = 100  # turns listed in the preview; all of them are counted, and all are coded
FormValues = Annotated[list[str] | None, Form()]


@dataclass
class Choice:
    """What the form sent: the code, the role, the transcripts ticked and the dyads ticked whole."""

    code_id: str = ""
    role: str = ""
    transcripts: list[str] = field(default_factory=list)
    dyads: list[str] = field(default_factory=list)

    @classmethod
    def sent(cls, code_id: str, role: str, transcripts: list[str] | None, dyads: list[str] | None) -> Choice:
        return cls(code_id.strip(), role.strip(), transcripts or [], dyads or [])

    def code(self) -> int:
        if not self.code_id.isdigit():
            raise InvalidInput("choose the code to apply to the turns")
        return int(self.code_id)

    def speaker(self) -> str:
        if not self.role:
            raise InvalidInput("choose whose turns to code")
        return self.role

    def transcript_ids(self, options: SpeakerOptions) -> list[int]:
        """The transcripts ticked, and every transcript of a dyad ticked whole; none: all of the project."""
        ids = []
        for value in self.transcripts:
            if not value.strip().isdigit():
                raise InvalidInput(f"{value[:20]!r} is not a transcript")
            ids.append(int(value))
        for dyad, found in options.dyads:
            if dyad in self.dyads:
                ids += [i.id for i in found]
        return list(dict.fromkeys(ids))

    def hidden(self) -> list[tuple[str, str]]:
        """The choice as hidden fields, for the form that confirms it."""
        pairs = [("code_id", self.code_id), ("role", self.role)]
        return pairs + [("dyad", d) for d in self.dyads] + [("transcript", t) for t in self.transcripts]


def _context(session: Session, project_id: int, choice: Choice, **extra: Any) -> dict[str, Any]:
    return {
        "project": get_project(session, project_id),
        "options": speaker_options(session, project_id=project_id),
        "choice": choice,
        "plan": None,
        "error": None,
        "message": None,
        "preview_turns": PREVIEW_TURNS,
        **extra,
    }


@router.get("/projects/{project_id}/code-speakers", response_class=HTMLResponse)
def speakers_form(
    request: Request,
    project_id: int,
    code: str = "",
    role: str = "",
    coded: int | None = None,
    transcripts: int | None = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """The form: a code, a role, and the transcripts (grouped by dyad; none ticked means all)."""
    context = _context(session, project_id, Choice.sent(code, role, None, None))
    if coded is not None:
        name = next((c.name for c in context["options"].codes if str(c.id) == code), "the code")
        context["coded_code"] = code if code.isdigit() else None
        context["message"] = (
            f"Coded {coded} {'turn' if coded == 1 else 'turns'} in {transcripts or 0} "
            f"{'transcript' if transcripts == 1 else 'transcripts'} with “{name}”."
            if coded
            else f"Nothing new to code: these turns were coded with “{name}” already."
        )
    return render(request, "coding/code_speakers.html", context)


def _refused(request: Request, session: Session, project_id: int, choice: Choice, exc: Exception) -> Response:
    session.rollback()
    context = _context(session, project_id, choice, error=str(exc))
    return render(
        request,
        "coding/code_speakers.html",
        context,
        partial="coding/_code_speakers_preview.html",
        status_code=422,
    )


@router.post("/projects/{project_id}/code-speakers/preview", response_class=HTMLResponse)
def speakers_preview(
    request: Request,
    project_id: int,
    code_id: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    transcript: FormValues = None,
    dyad: FormValues = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Which turns coding by speaker would code, transcript by transcript, and how many are coded already."""
    choice = Choice.sent(code_id, role, transcript, dyad)
    context = _context(session, project_id, choice)
    try:
        context["plan"] = speaker_plan(
            session,
            project_id=project_id,
            code_id=choice.code(),
            role=choice.speaker(),
            transcript_ids=choice.transcript_ids(context["options"]),
            coder=me,
        )
    except InvalidInput as exc:
        return _refused(request, session, project_id, choice, exc)
    return render(request, "coding/code_speakers.html", context, partial="coding/_code_speakers_preview.html")


@router.post("/projects/{project_id}/code-speakers", response_class=HTMLResponse)
def code_speakers(
    request: Request,
    project_id: int,
    code_id: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    transcript: FormValues = None,
    dyad: FormValues = None,
    session: Session = Depends(get_session),
    me: User = Depends(current_user),
) -> Response:
    """Code every turn of the role in the chosen transcripts, then say how many were coded."""
    choice = Choice.sent(code_id, role, transcript, dyad)
    try:
        options = speaker_options(session, project_id=project_id)
        created = code_speaker_turns(
            session,
            project_id=project_id,
            code_id=choice.code(),
            role=choice.speaker(),
            transcript_ids=choice.transcript_ids(options),
            coder=me,
        )
    except InvalidInput as exc:
        return _refused(request, session, project_id, choice, exc)
    report = {"code": choice.code_id, "role": choice.role, "coded": len(created)}
    report["transcripts"] = len({c.transcript_id for c in created})
    target = f"/projects/{project_id}/code-speakers?{urlencode(report)}"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
