"""Alembic environment: all domain tables, batch mode for SQLite, the search index left to migrations."""

from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

import transcripts.models  # noqa: F401  (registers the tables)
from app.db import make_engine

config = context.config
target_metadata = SQLModel.metadata

# Full-text machinery that the models do not describe: SQLite's FTS5 shadow tables and PostgreSQL's
# generated tsvector column. They are created by hand-written migrations, so autogenerate leaves them be.
SEARCH_OBJECTS = {"search_vector"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if type_ == "table" and name and name.startswith("sentence_fts"):
        return False
    return not (name in SEARCH_OBJECTS or (type_ == "index" and name == "ix_sentence_search_vector"))


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or os.environ.get("DYADIC_DATABASE_URL", "sqlite:///./var/dyadic.db")


def run_migrations() -> None:
    url = database_url()
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
