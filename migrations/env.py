"""Alembic environment: all domain tables, batch mode for SQLite, the search index left to migrations."""

from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

from app.db import include_object, make_engine  # app.db imports every package's tables

config = context.config
target_metadata = SQLModel.metadata


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
