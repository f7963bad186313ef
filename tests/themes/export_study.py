"""A small study for the export tests (report, seminar pack, pseudonymisation check): two dyads whose
interviews name a third person (Maria), a place (Leeds) and a participant's own pseudonym ID (T10), coded
through the real ``apply_code`` and gathered into themes with chosen extracts through the real theme
operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from coding.apply import apply_code
from coding.models import Code, Coding
from tests.factories import make_code, researcher, write_manifest
from themes.models import Theme
from themes.themes import choose_extract, create_theme, discard_theme
from transcripts.ingest import import_manifest
from transcripts.models import Participant, Project, Transcript, User
from transcripts.projects import create_project

C10 = (
    "I: Where did you stop the recording? #00:00:04-0#\n\n"
    "B: Here, when Maria went quiet. I trusted her then, like back in Leeds. #00:00:12-5#\n\n"
    "I: What was going on for you? #00:00:15-0#\n\n"
    "B: I felt heard, for the first time — really heard. #00:00:21-0#\n"
)
T10 = (
    "I: Where did you stop the recording? #00:00:03-0#\n\n"
    "B: When she went quiet. I decided to stay with the silence. #00:00:11-0#\n\n"
    "I: And then? #00:00:13-5#\n\n"
    "B: I was trusting that she would come back to it, as T10 always does. #00:00:20-0#\n"
)
C2 = "I: What did you notice? #00:00:02-0#\n\nB: That I could say no & it was fine — 100% fine. #00:00:08-0#\n"
T2 = "I: What did you notice? #00:00:02-0#\n\nB: She said no, and I trusted that. #00:00:07-0#\n"

ROWS = [
    ("c2_s3.txt", "Dyad 2", "client", "C2", 3, "good outcome"),
    ("t2_s3.txt", "Dyad 2", "therapist", "T2", 3, "good outcome"),
    ("c10_s3.txt", "Dyad 10", "client", "C10", 3, "troubled"),
    ("t10_s3.txt", "Dyad 10", "therapist", "T10", 3, "troubled"),
]
FILES = {"c2_s3.txt": C2, "t2_s3.txt": T2, "c10_s3.txt": C10, "t10_s3.txt": T10}


@dataclass
class ExportStudy:
    session: Session
    project: Project
    ana: User
    codings: dict[str, Coding] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.project.id or 0

    def transcript(self, pseudonym: str) -> Transcript:
        return self.session.exec(select(Transcript).join(Participant).where(Participant.pseudonym == pseudonym)).one()

    def mark(self, code: Code, pseudonym: str, passage: str) -> Coding:
        transcript = self.transcript(pseudonym)
        start = transcript.text.index(passage)
        coding = apply_code(
            self.session,
            transcript_id=transcript.id or 0,
            code_id=code.id or 0,
            start=start,
            end=start + len(passage),
            coder=self.ana,
        )
        self.codings[f"{pseudonym}:{passage[:12]}"] = coding
        return coding


MARIA = "Here, when Maria went quiet. I trusted her then, like back in Leeds."
T10_TRUST = "I was trusting that she would come back to it, as T10 always does."
C2_NO = "That I could say no & it was fine — 100% fine."
T10_SILENCE = "I decided to stay with the silence."


def build(session: Session, folder: Path, *, name: str = "Export study", choose: bool = True) -> ExportStudy:
    """The study, with themes "Trust & safety" (quotes: C10 naming Maria, then T10 — partners side by side) and
    its subtheme "Saying no" (quote: C2), "Silence" (no quote chosen) and a discarded theme "Old idea"."""
    ana = researcher(session, "Ana")
    project = create_project(session, name=name, user=ana)
    import_manifest(
        session, project=project, manifest=write_manifest(folder, ROWS, files=FILES), user=ana, max_bytes=20_000_000
    )
    s = ExportStudy(session, project, ana)
    trust, no, silence = (make_code(session, project, n) for n in ("trust", "saying no", "silence"))
    maria = s.mark(trust, "C10", MARIA)
    t10 = s.mark(trust, "T10", T10_TRUST)
    s.mark(trust, "T2", "I trusted that.")
    c2 = s.mark(no, "C2", C2_NO)
    s.mark(silence, "T10", T10_SILENCE)
    top = create_theme(
        session,
        project_id=s.pid,
        user=ana,
        name="Trust & safety",
        code_ids=[trust.id or 0],
        definition="Feeling safe enough to trust the other: 50% of it is_silence.",
        central_concept="trust as a risk taken together",
    )
    sub = create_theme(
        session, project_id=s.pid, user=ana, name="Saying no", code_ids=[no.id or 0], parent_id=top.id,
        definition="Refusing without losing the relationship.",
    )  # fmt: skip
    quiet = create_theme(session, project_id=s.pid, user=ana, name="Silence", code_ids=[silence.id or 0])
    old = create_theme(session, project_id=s.pid, user=ana, name="Old idea", code_ids=[trust.id or 0])
    if choose:
        choose_extract(session, theme_id=top.id or 0, coding_id=maria.id or 0, user=ana)
        choose_extract(session, theme_id=top.id or 0, coding_id=t10.id or 0, user=ana)
        choose_extract(session, theme_id=sub.id or 0, coding_id=c2.id or 0, user=ana)
        choose_extract(session, theme_id=old.id or 0, coding_id=maria.id or 0, user=ana)
    discard_theme(session, theme_id=old.id or 0, user=ana)
    s.themes = {"trust": top, "no": sub, "silence": quiet, "old": old}
    return s
