"""A coded study for the code tables (codes × dyads, co-occurrence), domain and web tests alike.

Dyads: "Dyad 2" (a triad: client, therapist, interpreter; group "good outcome"), "Dyad 10" (client and
therapist in session 3, the client again in session 5; group "troubled") and "Dyad 3" (one client, no group,
never coded). Codebook: Trust > Doubt, and Silence. Codings by Ana and Ben:

- C2 (session 3): Trust on "I trusted her then", by Ana **and** by Ben (one passage)
- T2: Doubt on "I was trusting that she would come back to it", and Trust on the same span (Ana)
- I2: Trust on "both of them waited for me"
- T2 and T10: Silence on "stay with the silence"
- C10 session 5: Doubt on "I felt heard"
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from coding.apply import apply_code
from coding.models import Code, Coding
from tests.factories import CLIENT_TEXT, INTERPRETER_TEXT, THERAPIST_TEXT, make_code, researcher, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Dyad, Participant, Project, Transcript, User
from transcripts.projects import create_project


@dataclass
class TablesStudy:
    project: Project
    ana: User
    ben: User
    trust: Code
    doubt: Code
    silence: Code
    dyads: dict[str, int]  # label → id


def transcript_of(session: Session, project: Project, pseudonym: str, number: int = 3) -> Transcript:
    return session.exec(
        select(Transcript)
        .join(Participant)
        .where(Transcript.project_id == project.id, Participant.pseudonym == pseudonym, Transcript.session == number)
    ).one()


def code_phrase(session: Session, transcript: Transcript, code: Code, phrase: str, coder: User) -> Coding:
    start = transcript.text.index(phrase)
    return apply_code(
        session,
        transcript_id=transcript.id or 0,
        code_id=code.id or 0,
        start=start,
        end=start + len(phrase),
        coder=coder,
    )


def import_study(session: Session, folder: Path, *, name: str = "IPR study") -> tuple[Project, User]:
    ana = researcher(session, "Ana")
    project = create_project(session, name=name, user=ana)
    files: dict[str, str | bytes] = {
        "c2_s3.txt": CLIENT_TEXT,
        "t2_s3.txt": THERAPIST_TEXT,
        "i2_s3.txt": INTERPRETER_TEXT,
        "c10_s3.txt": CLIENT_TEXT.replace("quiet", "silent"),
        "t10_s3.txt": THERAPIST_TEXT.replace("quiet", "silent"),
        "c10_s5.txt": CLIENT_TEXT.replace("quiet", "still"),
        "c3_s3.txt": CLIENT_TEXT.replace("quiet", "calm"),
    }
    rows = [
        ("c2_s3.txt", "Dyad 2", "client", "C2", 3, "good outcome"),
        ("t2_s3.txt", "Dyad 2", "therapist", "T2", 3, "good outcome"),
        ("i2_s3.txt", "Dyad 2", "interpreter", "I2", 3, "good outcome"),
        ("c10_s3.txt", "Dyad 10", "client", "C10", 3, "troubled"),
        ("t10_s3.txt", "Dyad 10", "therapist", "T10", 3, "troubled"),
        ("c10_s5.txt", "Dyad 10", "client", "C10", 5, "troubled"),
        ("c3_s3.txt", "Dyad 3", "client", "C3", 3, ""),
    ]
    manifest = write_manifest(folder, rows, files=files)
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=20_000_000)
    return project, ana


def tables_study(session: Session, folder: Path, *, name: str = "IPR study") -> TablesStudy:
    project, ana = import_study(session, folder, name=name)
    ben = researcher(session, "Ben")
    trust = make_code(session, project, "Trust")
    doubt = make_code(session, project, "Doubt", parent=trust)
    silence = make_code(session, project, "Silence")

    def at(pseudonym: str, number: int = 3) -> Transcript:
        return transcript_of(session, project, pseudonym, number)

    # the interpreter first: the cell's roles come in role order whatever the order of coding
    code_phrase(session, at("I2"), trust, "both of them waited for me", ana)
    code_phrase(session, at("T2"), doubt, "I was trusting that she would come back to it", ana)
    code_phrase(session, at("T2"), trust, "I was trusting that she would come back to it", ana)
    code_phrase(session, at("C2"), trust, "I trusted her then", ana)
    code_phrase(session, at("C2"), trust, "I trusted her then", ben)
    code_phrase(session, at("T2"), silence, "stay with the silence", ana)
    code_phrase(session, at("T10"), silence, "stay with the silence", ben)
    code_phrase(session, at("C10", 5), doubt, "I felt heard", ana)
    dyads = {dyad.label: dyad.id or 0 for dyad in session.exec(select(Dyad).where(Dyad.project_id == project.id))}
    return TablesStudy(project, ana, ben, trust, doubt, silence, dyads)
