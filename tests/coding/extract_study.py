"""A coded study for the retrieval tests (domain, exports and web): the small study plus a session-5 client
interview with an emoji, a two-level codebook and codings by two coders, one in the interviewer's speech."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from coding.apply import apply_code, update_coding
from coding.models import Code, Coding
from tests.factories import make_code, researcher, study, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Participant, Project, Transcript, User

SESSION_5 = (
    "I: What stayed with you? #00:01:00-0#\n\n"
    "B: She smiled 😊 and I felt safe 🙏 with her. #00:01:07-5#\n\n"
    "I: Anything else? #00:01:10-0#\n\n"
    "B: =SUM(A1) is what she wrote. #00:01:15-0#\n"
)


@dataclass
class CodedStudy:
    project: Project
    ana: User
    ben: User
    relationship: Code
    trust: Code
    silence: Code
    codings: dict[str, Coding]


def transcript_of(session: Session, project: Project, pseudonym: str, number: int = 3) -> Transcript:
    return session.exec(
        select(Transcript)
        .join(Participant)
        .where(Transcript.project_id == project.id, Participant.pseudonym == pseudonym, Transcript.session == number)
    ).one()


def coded_study(session: Session, folder: Path, *, name: str = "IPR study") -> CodedStudy:
    """Codes: Relationship > Trust, and Silence. Codings (name → what):

    - ``c2_trusted``: Trust, "trusted" in C2's session-3 interview (Ana)
    - ``c2_question``: Trust, "stop the recording" — the interviewer's words in C2's interview (Ben)
    - ``t2_silence``: Silence, "silence" in T2's interview (Ana)
    - ``c10_heard``: Relationship, "heard" in C10's interview (Ben, memo "a first")
    - ``t10_trusting``: Trust, "trusting" in T10's interview (Ana)
    - ``c2_safe``: Trust, "safe 🙏" in C2's session-5 interview, after an emoji (Ana)
    - ``c2_formula``: Silence, "=SUM(A1)" in C2's session-5 interview (Ana, memo "@check")
    """
    project, _ = study(session, folder / "study", name=name)
    ana, ben = researcher(session, "Ana"), researcher(session, "Ben")
    manifest = write_manifest(
        folder / "more", [("c2_s5.txt", "Dyad 2", "client", "C2", 5, "good outcome")], files={"c2_s5.txt": SESSION_5}
    )
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=10**6)
    relationship = make_code(session, project, "Relationship")
    trust = make_code(session, project, "Trust", parent=relationship)
    silence = make_code(session, project, "Silence")

    def code(code: Code, who: str, words: str, coder: User, number: int = 3, memo: str = "") -> Coding:
        transcript = transcript_of(session, project, who, number)
        start = transcript.text.index(words)
        coding = apply_code(
            session,
            transcript_id=transcript.id or 0,
            code_id=code.id or 0,
            start=start,
            end=start + len(words),
            coder=coder,
        )
        if memo:
            coding = update_coding(session, coding_id=coding.id or 0, user=coder, memo=memo)
        return coding

    codings = {
        "c2_trusted": code(trust, "C2", "trusted", ana),
        "c2_question": code(trust, "C2", "stop the recording", ben),
        "t2_silence": code(silence, "T2", "silence", ana),
        "c10_heard": code(relationship, "C10", "heard", ben, memo="a first"),
        "t10_trusting": code(trust, "T10", "trusting", ana),
        "c2_safe": code(trust, "C2", "safe 🙏", ana, number=5),
        "c2_formula": code(silence, "C2", "=SUM(A1)", ana, number=5, memo="@check"),
    }
    return CodedStudy(project, ana, ben, relationship, trust, silence, codings)
