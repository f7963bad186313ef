"""What the benchmarks share: a generated study imported into a project, its sentences, percentiles.

Imported by the scripts beside it (``from bench.common import …``, with the repository root on the path).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from app.demo_study import write_study
from coding.models import Code
from transcripts.ingest import import_manifest
from transcripts.models import Sentence, Transcript
from transcripts.projects import create_project, ensure_user


@contextmanager
def throwaway_postgres(server_url: str, *, prefix: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``, dropped afterwards (even if still in use)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database(url: str | None, folder: Path, *, name: str) -> Iterator[str]:
    """A benchmark's database: a SQLite file ``name``.db in ``folder`` by default; for a PostgreSQL server URL,
    a throwaway database on it; any other URL as it is."""
    if url is None:
        yield f"sqlite:///{folder / f'{name}.db'}"
    elif url.startswith("postgresql"):
        with throwaway_postgres(url, prefix=f"dyadic_{name}") as fresh:
            yield fresh
    else:
        yield url


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def study(session: Session, folder: Path, *, name: str, words: int, dyads: int = 1) -> tuple[int, list[int]]:
    """A project with ``dyads`` dyads' interviews (session 3) of about ``words`` words each and one code;
    returns the project and its transcripts."""
    user = ensure_user(session, name="bench")
    project = create_project(session, name=name, user=user)
    manifest = write_study(folder, dyads=dyads, sessions=(3,), words_per_interview=words, formats=False)
    import_manifest(session, project=project, manifest=manifest, user=user, max_bytes=10**9)
    session.add(Code(project_id=project.id, name="Feeling heard"))
    session.commit()
    ids = session.exec(select(Transcript.id).where(Transcript.project_id == project.id)).all()
    return project.id, list(ids)  # type: ignore[return-value]


def sentence_spans(session: Session, transcript_id: int) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in session.exec(select(Sentence).where(Sentence.transcript_id == transcript_id))]
