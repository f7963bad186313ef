"""Fixtures: a real SQLite file per test (migrated once, then copied) and a real PostgreSQL database.

Every test that touches the database runs on both engines: ``db_url`` is parametrised, and its
PostgreSQL half carries the ``postgres`` marker. Without a reachable server that half is skipped,
unless ``DYADIC_REQUIRE_ALL=1`` (set by CI), which turns every such skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

from app.db import make_engine, migrate
from app.main import create_app
from app.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get("DYADIC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_ALL = os.environ.get("DYADIC_REQUIRE_ALL") == "1"


def unavailable(reason: str) -> None:
    """Skip, or fail where CI requires every suite to run."""
    if REQUIRE_ALL:
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "dyadic.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    name = f"dyadic_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, or no right to create a database
        admin.dispose()
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL} ({type(exc).__name__})")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "dyadic.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "var", local_user="Ana")


@pytest.fixture
def engine(settings: Settings) -> Iterator:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        yield session


def with_form_token(client: TestClient) -> TestClient:
    """Give the client what a page gives a browser: the form-token cookie, and the token in the header that
    htmx sends (``X-CSRF-Token``), so that tests post forms as the app's own pages do."""
    page = client.get("/static/favicon.svg")
    client.headers["X-CSRF-Token"] = form_token(client.app, page.cookies.get("dyadic_csrf") or "")  # type: ignore[arg-type]
    return client


def form_token(app: FastAPI, nonce: str) -> str:
    """The form token the server expects with this nonce cookie (what its pages embed)."""
    for middleware in app.user_middleware:
        if middleware.cls.__name__ == "CsrfCookie":
            return middleware.kwargs["signer"].mac(nonce)  # type: ignore[no-any-return]
    raise AssertionError("the app has no CsrfCookie middleware")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The web app on this test's database, as a browser without JavaScript would use it."""
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield with_form_token(test_client)
    app.state.engine.dispose()
