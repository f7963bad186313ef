"""Codings: listing a project's coded extracts (filtered, in pages), coding a span, removing a coding.

Coders code and remove their own codings, leads and owners anyone's (``coding.apply`` checks); a viewer's
attempt answers 403. A span outside the text, an empty span or a code of another project answers 422 and
stores nothing. While an agreement round is open, the list hides what the reading view hides
(``coding.visibility``): a coder in the round sees only their own codings of its codes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Query, Response
from sqlmodel import Session

from app.api.auth import MAX_ID, PRINTABLE, Access, Db, Id, Member
from app.api.errors import api_router
from app.api.schemas import CodingCreated, CodingOut, CodingPage, NewCoding
from coding.agreement_rounds import rounds
from coding.apply import apply_code, delete_coding, get_coding
from coding.extracts import Extract, ExtractFilters, extracts
from coding.visibility import concealed
from transcripts.errors import InvalidInput, NotFound
from transcripts.members import require_coder
from transcripts.models import Transcript
from transcripts.study import transcript_info
from transcripts.tokens import find_person

router = api_router(refusals=True)

MAX_PAGE = 1000


def _coding(extract: Extract) -> CodingOut:
    return CodingOut(
        id=extract.coding_id,
        code_id=extract.code_id,
        code=extract.code,
        code_path=extract.code_path,
        transcript_id=extract.transcript_id,
        transcript=extract.transcript,
        dyad_id=extract.dyad_id,
        dyad=extract.dyad,
        participant=extract.participant,
        role=extract.role,
        session=extract.session,
        speaker_role=extract.speaker_role,
        turn=extract.turn,
        timestamp=extract.timestamp,
        coder=extract.coder,
        start=extract.start,
        end=extract.end,
        text=extract.text,
        memo=extract.memo,
        created_at=extract.created_at,
    )


def _transcript_in(session: Session, access: Access, transcript_id: int) -> Transcript:
    """The transcript, if it belongs to the project (refused as input otherwise: it names nothing here)."""
    transcript = session.get(Transcript, transcript_id)
    if transcript is None or transcript.project_id != access.project_id:
        raise InvalidInput(f"no transcript with id {transcript_id} in this project")
    return transcript


def _not_concealed(session: Session, access: Access, found: list[Extract]) -> list[Extract]:
    """Leave out what an open agreement round hides from the caller (its coders code blind until it closes),
    as the reading view does."""
    if not any(found_round.status == "open" for found_round in rounds(session, project_id=access.project_id)):
        return found
    hidden = {
        transcript_id: concealed(session, project_id=access.project_id, transcript_id=transcript_id, user=access.user)
        for transcript_id in {extract.transcript_id for extract in found}
    }
    coder_ids = {name: find_person(session, name).id for name in {extract.coder for extract in found if extract.coder}}
    return [
        extract
        for extract in found
        if not hidden[extract.transcript_id].hides(coder_ids.get(extract.coder or ""), extract.code_id)
    ]


@router.get("/projects/{project_id}/codings", response_model=CodingPage, summary="Coded extracts, in pages")
def codings(
    access: Member,
    session: Db,
    transcript: Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this transcript's")] = None,
    code: Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this code's")] = None,
    subcodes: Annotated[bool, Query(description="with `code`: its subcodes' codings too")] = False,
    coder: Annotated[
        str | None, Query(min_length=1, max_length=80, pattern=PRINTABLE, description="only this person's (a name)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> CodingPage:
    """The project's codings in study order (dyad, role, session, transcript, place in the text). A filter
    naming something the project does not have is refused (422), never taken for "no codings"."""
    filters = ExtractFilters(code_ids=(code,) if code else (), include_subcodes=subcodes)
    if transcript is not None:
        # The retrieval filters by interview (dyad, role, session), which narrows the query to this
        # transcript (and, rarely, a namesake interview, left out below).
        _transcript_in(session, access, transcript)
        info = transcript_info(session, transcript)
        filters = replace(filters, dyad_ids=(info.dyad_id,), roles=(info.role,), sessions=(info.session,))
    try:
        if coder is not None:
            filters = replace(filters, coder_ids=(find_person(session, coder).id or 0,))
        found = extracts(session, project_id=access.project_id, filters=filters)
    except NotFound as exc:  # a code or person named in the query: bad input, not a missing resource
        raise InvalidInput(str(exc)) from exc
    if transcript is not None:
        found = [extract for extract in found if extract.transcript_id == transcript]
    found = _not_concealed(session, access, found)
    page = found[offset : offset + limit]
    return CodingPage(items=[_coding(extract) for extract in page], total=len(found), offset=offset, limit=limit)


@router.post("/projects/{project_id}/codings", response_model=CodingCreated, status_code=201, summary="Code a span")
def create_coding(access: Member, body: NewCoding, session: Db) -> CodingCreated:
    """Apply a code to ``[start, end)`` of a transcript as the caller. Applying the same code to the same span
    again gives the existing coding back."""
    require_coder(session, project_id=access.project_id, user=access.user)
    _transcript_in(session, access, body.transcript_id)
    try:
        coding = apply_code(
            session,
            transcript_id=body.transcript_id,
            code_id=body.code_id,
            start=body.start,
            end=body.end,
            coder=access.user,
        )
    except NotFound as exc:  # the code in the body
        raise InvalidInput(f"{exc} in this project") from exc
    return CodingCreated(
        id=coding.id or 0,
        code_id=coding.code_id,
        transcript_id=coding.transcript_id,
        coder=access.user.name,
        start=coding.start,
        end=coding.end,
        text=coding.text,
        created_at=coding.created_at,
    )


@router.delete(
    "/projects/{project_id}/codings/{coding_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a coding",
)
def remove_coding(access: Member, coding_id: Id, session: Db) -> Response:
    """Remove a coding: a coder their own, a lead or owner anyone's. Its audit event keeps what it was."""
    if get_coding(session, coding_id).project_id != access.project_id:
        raise NotFound(f"no coding with id {coding_id}")  # as get_coding says when there is none
    delete_coding(session, coding_id=coding_id, user=access.user)
    return Response(status_code=204)
