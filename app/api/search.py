"""Searching a project's speech by lemma ("trust" finds "trusted"), a page of hits at a time."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from app.api.auth import MAX_ID, PRINTABLE, Db, Member
from app.api.errors import api_router
from app.api.schemas import HitOut, SearchOut
from app.deps import get_settings
from app.settings import Settings
from coding.search import Filters, search_results

router = api_router()

MAX_PAGE = 500
Labels = Annotated[list[Annotated[str, Query(max_length=80, pattern=PRINTABLE)]] | None, Query(max_length=100)]


@router.get("/projects/{project_id}/search", response_model=SearchOut, summary="Lemma-aware search of the speech")
def search(
    access: Member,
    session: Db,
    settings: Annotated[Settings, Depends(get_settings)],
    q: Annotated[
        str,
        Query(min_length=1, max_length=200, pattern=PRINTABLE, description="one or more words, all in one sentence"),
    ],
    dyad: Annotated[Labels, Query(description="only these dyads (labels)")] = None,
    role: Annotated[Labels, Query(description="only interviews of these roles")] = None,
    session_number: Annotated[
        list[Annotated[int, Query(ge=0, le=MAX_ID)]] | None,
        Query(alias="session", max_length=100, description="only interviews about these sessions"),
    ] = None,
    group: Annotated[Labels, Query(description="only dyads of these groups")] = None,
    speakers: Annotated[Literal["participants", "all"], Query(description="all: the interviewer's speech too")] = (
        "participants"
    ),
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> SearchOut:
    """One hit per matching word, in study order (the objects of ``dyadic search --format json``, with more),
    a page at a time; ``total`` counts the hits of the whole selection. Hits say where words occur, not
    what matters."""
    filters = Filters(tuple(dyad or ()), tuple(role or ()), tuple(session_number or ()), tuple(group or ()), speakers)
    results = search_results(
        session,
        project_id=access.project_id,
        query=q,
        filters=filters,
        offset=offset,
        limit=limit,
        model=settings.spacy_model,
    )
    hits = [
        HitOut(
            transcript=hit.transcript_id,
            transcript_name=hit.transcript,
            dyad=hit.dyad,
            role=hit.role,
            participant=hit.participant,
            session=hit.session,
            speaker=hit.speaker,
            speaker_role=hit.speaker_role,
            turn=hit.turn_position,
            timestamp=hit.timestamp,
            start=hit.start,
            end=hit.end,
            text=hit.text,
            context=hit.context,
            context_start=hit.context_start,
        )
        for hit in results.hits
    ]
    return SearchOut(
        query=results.query,
        lemmas=list(results.lemmas),
        total=results.total,
        transcripts=results.transcripts,
        offset=offset,
        limit=limit,
        hits=hits,
    )
