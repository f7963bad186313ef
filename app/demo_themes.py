"""The demo study's candidate themes: built from the demo codebook through the same domain functions the
theme pages use, with definitions, a subtheme, a few chosen quotes, a journal entry, and the project in
phase 3 — so that the board, the map, the frequency table and the exports have something to show."""

from __future__ import annotations

from sqlmodel import Session, col, select

from coding.models import Code, Coding
from themes.journal import write_entry
from themes.phases import move_to_phase
from themes.themes import choose_extract, create_theme
from transcripts.models import Project, User

THEMES = (
    # name, parent, codes, central organising concept, definition, scope
    (
        "Being met in the moment",
        None,
        ("Feeling heard", "Staying with silence"),
        "The moments both partners remember are those in which the client felt the therapist stay with them.",
        "Accounts, from either side, of a moment of contact: being listened to, a silence held together.",
        "Not general praise of the therapy or of the therapist.",
    ),
    (
        "The body keeps the score of the moment",
        "Being met in the moment",
        ("Bodily signs",),
        "Contact is remembered through the body: breath, shoulders, calm.",
        "Sensations the participants tie to the recalled moment.",
        "Not bodily complaints unrelated to the session.",
    ),
    (
        "Wanting more than was given",
        None,
        ("Wanting more", "Advice and fixing"),
        "What the client wanted and the therapist chose not to give shapes how the moment is judged.",
        "Wishes for action, advice or a sign, met or unmet, in either partner's account.",
        "Not wishes about life outside therapy.",
    ),
    ("Trust under construction", None, ("Trust",), "", "", ""),
    ("Three voices in the room", None, ("The interpreter's place",), "", "", ""),
)
QUOTES_PER_THEME = 2


def build_demo_themes(session: Session, *, project: Project, user: User) -> int:
    """Create the candidate themes and choose their first quotes; returns how many themes were made."""
    pid: int = project.id  # type: ignore[assignment]
    codes = {code.name: code.id for code in session.exec(select(Code).where(Code.project_id == pid))}
    made: dict[str, int] = {}
    for name, parent, members, concept, definition, scope in THEMES:
        theme = create_theme(
            session,
            project_id=pid,
            user=user,
            name=name,
            code_ids=[codes[member] for member in members],  # type: ignore[misc]
            parent_id=made[parent] if parent else None,
            central_concept=concept,
            definition=definition,
            scope=scope,
            status="developing" if definition else "candidate",
        )
        made[name] = theme.id  # type: ignore[assignment]
        quotes = session.exec(
            select(Coding.id)
            .where(col(Coding.code_id).in_([codes[m] for m in members]), Coding.coder_id == user.id)
            .order_by(col(Coding.transcript_id), col(Coding.start))
            .limit(QUOTES_PER_THEME)
        ).all()
        for coding_id in quotes:
            choose_extract(session, theme_id=theme.id, coding_id=coding_id, user=user)  # type: ignore[arg-type]
    move_to_phase(session, project=project, phase=3, user=user)
    write_entry(
        session,
        project=project,
        user=user,
        phase=3,
        text=(
            "Demo entry. I notice I am drawn to the 'good outcome' dyads' moments of contact; before the seminar I "
            "want to read the troubled dyads' accounts of the same moments again."
        ),
    )
    return len(made)
