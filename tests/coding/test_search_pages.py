"""A page of hits is found another way than every hit: the totals per transcript first, then only the
sentences of the transcripts that hold the page. Pages put together must be every hit, with the same
counts, for any query, filter and page size; the study order a search remembers must follow any change to
the interviews; and on PostgreSQL transcripts' texts are stored with LZ4 (migration 0011).

Each test runs on SQLite (FTS5) and on PostgreSQL (tsvector).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from coding.search import Filters, search, search_results
from tests.factories import researcher, study, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Dyad, Transcript
from transcripts.projects import create_project
from transcripts.registry import update_dyad

QUERIES = ("I", "trust", "quiet", "felt heard", "she went", "recording", "heard heard")
FILTERS = (
    Filters(),
    Filters(speakers="all"),
    Filters(roles=("client",)),
    Filters(dyads=("Dyad 10",), speakers="all"),
    Filters(groups=("good outcome",), roles=("therapist", "interpreter")),
)


def test_pages_put_together_are_every_hit_with_the_same_counts(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    for query in QUERIES:
        for filters in FILTERS:
            everything = search_results(session, project_id=project.id, query=query, filters=filters)  # type: ignore[arg-type]
            assert everything.total == len(everything.hits)
            for size in (1, 2, 3, 50):
                pages = []
                for offset in range(0, everything.total + size, size):
                    page = search_results(
                        session,
                        project_id=project.id,  # type: ignore[arg-type]
                        query=query,
                        filters=filters,
                        offset=offset,
                        limit=size,
                    )
                    assert (page.total, page.transcripts) == (everything.total, everything.transcripts)
                    assert len(page.hits) <= size
                    pages += page.hits
                assert pages == everything.hits, (query, filters, size)


def test_a_word_counts_only_where_it_is_a_whole_stored_lemma(session: Session, tmp_path: Path) -> None:
    """The index may find a sentence by a token of its own making (the lemma "o'clock" holds the token
    "clock" for FTS5 and for PostgreSQL's parser); the totals and the page count only whole lemmas, as
    every hit does."""
    project = create_project(session, name="Tokens", user=researcher(session))
    speech = (
        "I: Tell me. #00:00:01-0#\n\n"
        "B: We met at five o'clock. Then the clock stopped, clock after clock. #00:00:05-0#\n\n"
        "I: And? #00:00:07-0#\n\n"
        "B: At six o'clock, no clock. Only o'clock. #00:00:09-0#\n"
    )
    manifest = write_manifest(tmp_path, [("c1.txt", "Dyad 1", "client", "C1", 3, "")], files={"c1.txt": speech})
    import_manifest(session, project=project, manifest=manifest, user=researcher(session), max_bytes=10**6)
    everything = search(session, project_id=project.id, query="clock")  # type: ignore[arg-type]
    page = search_results(session, project_id=project.id, query="clock", limit=2)  # type: ignore[arg-type]
    assert [hit.text for hit in everything] == ["clock", "clock", "clock", "clock"]
    assert (page.total, page.transcripts, page.hits) == (4, 1, everything[:2])


def test_the_study_order_follows_a_renamed_dyad(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "study")
    user = researcher(session)
    before = search_results(session, project_id=project.id, query="trust", limit=2)  # type: ignore[arg-type]
    assert [hit.dyad for hit in before.hits] == ["Dyad 2", "Dyad 2"]
    dyad = session.exec(select(Dyad).where(Dyad.project_id == project.id, Dyad.label == "Dyad 10")).one()
    update_dyad(
        session, dyad_id=dyad.id, project_id=project.id, user=user, label="Dyad 1", group="troubled", attributes={}
    )  # type: ignore[arg-type]
    after = search_results(session, project_id=project.id, query="trust", limit=2)  # type: ignore[arg-type]
    assert [hit.dyad for hit in after.hits] == ["Dyad 1", "Dyad 1"]
    assert after.total == before.total


def test_postgresql_keeps_transcripts_texts_with_lz4(session: Session, tmp_path: Path) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite stores texts as they are
    connection = session.connection()
    lz4 = connection.execute(
        text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    if not lz4:
        return  # a server without LZ4 keeps pglz, and the migration leaves it so
    method = connection.execute(
        text("SELECT attcompression FROM pg_attribute WHERE attrelid = 'transcript'::regclass AND attname = 'text'")
    ).scalar()
    assert method == "l"
    project = create_project(session, name="Long", user=researcher(session))
    speech = "".join(
        f"B: Sentence {n} of a long interview, told slowly. #00:{n // 60:02}:{n % 60:02}-0#\n\n" for n in range(400)
    )
    manifest = write_manifest(tmp_path, [("c1.txt", "Dyad 1", "client", "C1", 3, "")], files={"c1.txt": speech})
    import_manifest(session, project=project, manifest=manifest, user=researcher(session), max_bytes=10**6)
    stored = session.exec(select(Transcript).where(Transcript.project_id == project.id)).one()
    compression = (
        session.connection()
        .execute(text("SELECT pg_column_compression(text) FROM transcript WHERE id = :id"), {"id": stored.id})
        .scalar()
    )
    assert compression == "lz4"
    assert "Sentence 399 of a long interview" in stored.text
    assert [hit.start for hit in search(session, project_id=project.id, query="slowly")][-1] > 20_000  # type: ignore[arg-type]
