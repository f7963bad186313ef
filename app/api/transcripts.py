"""A project's transcripts, and one transcript with its text and turns."""

from __future__ import annotations

from app.api.auth import Db, Id, Member
from app.api.errors import api_router
from app.api.schemas import TranscriptDetail, TranscriptOut, TurnOut
from transcripts.study import TranscriptInfo, list_transcripts, show_transcript

router = api_router()


def _info(info: TranscriptInfo) -> dict[str, object]:
    return {
        **info.as_json(),
        "dyad_id": info.dyad_id,
        "participant_id": info.participant_id,
        "format": info.format,
        "date": info.date,
    }


@router.get("/projects/{project_id}/transcripts", response_model=list[TranscriptOut], summary="Transcripts")
def transcripts(access: Member, session: Db) -> list[TranscriptOut]:
    """Every transcript, by dyad (natural order), session and role: the objects of
    ``dyadic transcripts list --format json``."""
    return [
        TranscriptOut.model_validate(_info(info)) for info in list_transcripts(session, project_id=access.project_id)
    ]


@router.get(
    "/projects/{project_id}/transcripts/{transcript_id}",
    response_model=TranscriptDetail,
    summary="A transcript with its text and turns",
)
def transcript(access: Member, transcript_id: Id, session: Db) -> TranscriptDetail:
    """The transcript as ``dyadic transcripts show --format json`` prints it: ``turns[i].text`` is
    ``text[start:end]``."""
    view = show_transcript(session, transcript_id, project_id=access.project_id)
    turns = [
        TurnOut(
            position=turn.position,
            speaker=turn.speaker,
            role=turn.role,
            start=turn.start,
            end=turn.end,
            text=turn.text,
            timestamp=turn.timestamp,
            end_time=turn.end_time,
        )
        for turn in view.turns
    ]
    return TranscriptDetail.model_validate({**_info(view.info), "text": view.text, "turns": turns})
