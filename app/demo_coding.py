"""The demo study's codebook and codings: a small nested codebook, applied through "code all hits" of a
search (each hit's sentence) by two coders, so that every view of phase 2 has something to show.

Everything goes through the same domain functions a researcher's clicks reach; nothing is written directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from coding.autocode import code_hits
from coding.codebook import create_code
from coding.search import Filters
from transcripts.members import join
from transcripts.models import Project, User
from transcripts.projects import ensure_user

SECOND_CODER = "Sam (demo coder)"
TRIAD = "Dyad 4"  # the dyad with an interpreter (app/demo_study.py)


@dataclass(frozen=True, slots=True)
class DemoCode:
    name: str
    definition: str
    queries: tuple[str, ...] = ()
    parent: str | None = None
    where: Filters = field(default_factory=Filters)  # which interviews the searches cover


CODEBOOK = (
    DemoCode("Being with", "How client and therapist are together in the moment the recording was stopped."),
    DemoCode(
        "Feeling heard",
        "The client describes being listened to or taken seriously, or the therapist says they tried to.",
        ("heard", "listened"),
        parent="Being with",
    ),
    DemoCode(
        "Staying with silence",
        "A pause or silence held rather than filled, and what it was like.",
        ("silence", "quiet"),
        parent="Being with",
    ),
    DemoCode("Wanting more", "What a participant wanted from the other and did or did not get.", ("wanted",)),
    DemoCode(
        "Bodily signs",
        "Sensations and gestures noticed in the moment: breath, shoulders, hands, calm.",
        ("breathe", "shoulders", "calm"),
    ),
    DemoCode("Trust", "Trusting or doubting the other, or the process.", ("trust",)),
    DemoCode(
        "Advice and fixing",
        "Wanting, giving or resisting advice and solutions.",
        ("advice", "fix"),
    ),
    DemoCode(
        "The interpreter's place",
        "How the interpreter's presence shapes what is said and how (triad only).",
        ("formal", "embarrassed", "interpreter"),
        where=Filters(dyads=(TRIAD,)),
    ),
)

# The second coder codes a few of the same searches in the client interviews only: overlapping, not identical,
# codings for the coder views (and, later, agreement).
SECOND_CODER_CODES = ("Feeling heard", "Trust")


def code_demo(session: Session, *, project: Project, user: User) -> int:
    """Create the demo codebook and its codings; returns how many codings were made."""
    codes: dict[str, int] = {}
    made = 0
    for demo in CODEBOOK:
        code = create_code(
            session,
            project_id=project.id,  # type: ignore[arg-type]
            user=user,
            name=demo.name,
            parent_id=codes[demo.parent] if demo.parent else None,
            definition=demo.definition,
        )
        codes[demo.name] = code.id  # type: ignore[assignment]
        for query in demo.queries:
            made += len(
                code_hits(
                    session,
                    project_id=project.id,  # type: ignore[arg-type]
                    code_id=code.id,  # type: ignore[arg-type]
                    query=query,
                    coder=user,
                    filters=demo.where,
                )
            )
    sam = ensure_user(session, name=SECOND_CODER)
    join(session, project_id=project.id, user=sam, role="coder")  # type: ignore[arg-type]
    session.commit()
    by_name = {demo.name: demo for demo in CODEBOOK}
    for name in SECOND_CODER_CODES:
        for query in by_name[name].queries:
            made += len(
                code_hits(
                    session,
                    project_id=project.id,  # type: ignore[arg-type]
                    code_id=codes[name],
                    query=query,
                    coder=sam,
                    filters=Filters(roles=("client",)),
                )
            )
    return made
