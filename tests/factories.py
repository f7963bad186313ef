"""Builders of studies for tests: real files in real formats, imported through the real importer."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from coding.models import Code
from transcripts.ingest import ImportReport, import_manifest
from transcripts.members import join
from transcripts.models import Project, User
from transcripts.projects import create_project, ensure_user

CLIENT_TEXT = (
    "I: Where did you stop the recording? #00:00:04-0#\n\n"
    "B: Here, when she went quiet. I trusted her then (laughs). #00:00:12-5#\n\n"
    "I: What was going on for you? #00:00:15-0#\n\n"
    "B: I felt heard, for the first time — really heard. #00:00:21-0#\n"
)
THERAPIST_TEXT = (
    "I: Where did you stop the recording? #00:00:03-0#\n\n"
    "B: When she went quiet. I decided to stay with the silence. #00:00:11-0#\n\n"
    "I: And then? #00:00:13-5#\n\n"
    "B: I was trusting that she would come back to it. #00:00:20-0#\n"
)
INTERPRETER_TEXT = "I: What did you notice? #00:00:02-0#\n\nB: That both of them waited for me. #00:00:08-0#\n"


def write_manifest(
    folder: Path, rows: list[tuple[str, str, str, str, int, str]], *, files: dict[str, str | bytes]
) -> Path:
    """Write transcript files and a manifest (``file,dyad,role,participant,session,group``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    lines = ["file,dyad,role,participant,session,group"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def small_study_manifest(folder: Path) -> Path:
    """Two dyads (Dyad 2 is a triad), session 3, a client and a therapist interview each."""
    files = {
        "c2_s3.txt": CLIENT_TEXT,
        "t2_s3.txt": THERAPIST_TEXT,
        "i2_s3.txt": INTERPRETER_TEXT,
        "c10_s3.txt": CLIENT_TEXT.replace("quiet", "silent"),
        "t10_s3.txt": THERAPIST_TEXT.replace("quiet", "silent"),
    }
    rows = [
        ("c2_s3.txt", "Dyad 2", "client", "C2", 3, "good outcome"),
        ("t2_s3.txt", "Dyad 2", "therapist", "T2", 3, "good outcome"),
        ("i2_s3.txt", "Dyad 2", "interpreter", "I2", 3, "good outcome"),
        ("c10_s3.txt", "Dyad 10", "client", "C10", 3, "troubled"),
        ("t10_s3.txt", "Dyad 10", "therapist", "T10", 3, "troubled"),
    ]
    return write_manifest(folder, rows, files=files)


def researcher(session: Session, name: str = "Ana", *, role: str = "coder") -> User:
    """A person on the team of every project that exists now (as ``role``, unless a member already)."""
    user = ensure_user(session, name=name)
    for project_id in session.exec(select(Project.id)):
        join(session, project_id=project_id, user=user, role=role)  # type: ignore[arg-type]
    session.commit()
    return user


def study(session: Session, folder: Path, *, name: str = "IPR study") -> tuple[Project, ImportReport]:
    """A project with the small study imported."""
    user = researcher(session)
    project = create_project(session, name=name, user=user)
    report = import_manifest(
        session, project=project, manifest=small_study_manifest(folder), user=user, max_bytes=20_000_000
    )
    return project, report


def make_code(
    session: Session, project: Project, name: str, *, parent: Code | None = None, colour: str = "#4c78a8"
) -> Code:
    """A code in the project's codebook (stored directly: the codebook's own functions are under test)."""
    code = Code(project_id=project.id, name=name, parent_id=parent.id if parent else None, colour=colour)
    session.add(code)
    session.commit()
    return code
