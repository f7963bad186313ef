"""The database engine and the schema migrations (Alembic is the only source of the schema)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

import coding.agreement_models
import coding.models  # noqa: F401  (every table, for Alembic and the tests)
import themes.models
import themes.pseudonym_models  # noqa: F401
import transcripts.account_models
import transcripts.models  # noqa: F401

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Reads through a memory map of the file (the operating system's page cache, shared by every
            # connection) instead of a read() and a copy per page: search looks up thousands of scattered
            # rows, and this cut its statement from 6.3 to 3.7 ms. A larger private cache (64 MiB, taken as it fills)
            # keeps the hot index pages besides. See BENCHMARKS.md, Search.
            cursor.execute("PRAGMA mmap_size=1073741824")  # up to 1 GiB: address space, not memory
            cursor.execute("PRAGMA cache_size=-65536")  # KiB: 64 MiB at most, per connection
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


# Full-text machinery that the models do not describe: SQLite's FTS5 tables and PostgreSQL's generated
# tsvector column with its index. Hand-written migrations create them, so autogenerate leaves them be.
SEARCH_COLUMNS = {"search_vector"}
SEARCH_INDEXES = {"ix_sentence_search_vector"}


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's filter: everything but the full-text machinery."""
    if type_ == "table" and name and name.startswith("sentence_fts"):
        return False
    return name not in SEARCH_COLUMNS | SEARCH_INDEXES


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema."""
    if url.startswith("sqlite"):
        make_engine(url).dispose()  # creates the folder of the file
    command.upgrade(alembic_config(url), "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
