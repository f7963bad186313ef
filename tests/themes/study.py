"""A hand-built study for the themes tests: four dyads (one a triad, one without a group, one that nobody
codes), two sessions for one client, coded word by word through the real ``apply_code``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from coding.apply import apply_code
from coding.models import Code, Coding
from tests.factories import CLIENT_TEXT, INTERPRETER_TEXT, THERAPIST_TEXT, make_code, researcher, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Participant, Project, Transcript, User
from transcripts.projects import create_project

ROWS = [
    ("c2_s3.txt", "Dyad 2", "client", "C2", 3, "good outcome"),
    ("t2_s3.txt", "Dyad 2", "therapist", "T2", 3, "good outcome"),
    ("i2_s3.txt", "Dyad 2", "interpreter", "I2", 3, "good outcome"),
    ("c2_s5.txt", "Dyad 2", "client", "C2", 5, "good outcome"),
    ("c10_s3.txt", "Dyad 10", "client", "C10", 3, "troubled"),
    ("t10_s3.txt", "Dyad 10", "therapist", "T10", 3, "troubled"),
    ("c1_s3.txt", "Dyad 1", "client", "C1", 3, "troubled"),
    ("c9_s3.txt", "Dyad 9", "client", "C9", 3, ""),
]
FILES = {
    "c2_s3.txt": CLIENT_TEXT,
    "t2_s3.txt": THERAPIST_TEXT,
    "i2_s3.txt": INTERPRETER_TEXT,
    "c2_s5.txt": CLIENT_TEXT.replace("quiet", "still"),
    "c10_s3.txt": CLIENT_TEXT.replace("quiet", "silent"),
    "t10_s3.txt": THERAPIST_TEXT.replace("quiet", "silent"),
    "c1_s3.txt": CLIENT_TEXT.replace("quiet", "calm"),
    "c9_s3.txt": CLIENT_TEXT.replace("quiet", "mute"),
}


@dataclass
class Study:
    session: Session
    project: Project
    ana: User
    ben: User

    def transcript(self, pseudonym: str, number: int = 3) -> Transcript:
        return self.session.exec(
            select(Transcript)
            .join(Participant)
            .where(
                Transcript.project_id == self.project.id,
                Participant.pseudonym == pseudonym,
                Transcript.session == number,
            )
        ).one()

    def code(self, name: str) -> Code:
        return make_code(self.session, self.project, name)

    def mark(self, code: Code, pseudonym: str, word: str, *, number: int = 3, coder: User | None = None) -> Coding:
        """Code the first occurrence of ``word`` in a participant's interview."""
        transcript = self.transcript(pseudonym, number)
        start = transcript.text.index(word)
        return apply_code(
            self.session,
            transcript_id=transcript.id or 0,
            code_id=code.id or 0,
            start=start,
            end=start + len(word),
            coder=coder or self.ana,
        )


def build(session: Session, folder: Path, *, name: str = "Themes study") -> Study:
    ana = researcher(session, "Ana")
    project = create_project(session, name=name, user=ana)
    ben = researcher(session, "Ben")  # joins the project as a coder
    manifest = write_manifest(folder, ROWS, files=dict(FILES))
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=20_000_000)
    return Study(session, project, ana, ben)
