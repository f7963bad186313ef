"""Dyadic's own backup of one project: everything, history included, in a versioned zip.

The archive holds ``manifest.json`` (format and version, Dyadic's version, the schema's Alembic revision, when,
and row counts) and one JSON Lines file per table (``tables/<name>.jsonl``, rows in id order). Which tables
belong to a project is worked out from the foreign keys of ``SQLModel.metadata``, not listed by hand, so that
a new table is not forgotten: a table is in the backup when a chain of foreign keys leads from it to
``project`` (``turn`` → ``transcript`` → ``project``). People (``user``) are shared by all projects: the
backup carries those its rows refer to, by name, and a restore finds or creates them by name.

Some columns refer to rows without a foreign key: ``SOFT_REFERENCES`` lists them, so that a restore can
remap them too. Where the database is SQLite, ``sqlite_copy`` offers a copy of the whole database through
SQLite's online backup API instead.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, Table, select, text
from sqlmodel import Session, SQLModel

import app.db  # noqa: F401  (imports every package's tables into SQLModel.metadata)
from app.exchange.errors import ExchangeRefused
from transcripts.models import Project

FORMAT = "dyadic-project-backup"
FORMAT_VERSION = 1
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BATCH = 5000
# Columns that hold ids without a foreign key: (table, column) → the table the ids are of. ``entity`` means
# the table named by the row's ``entity`` column (the audit log); lists and "id+id" keys are remapped item by item.
SOFT_REFERENCES: dict[tuple[str, str], str] = {
    ("auditevent", "entity_id"): "entity",
    ("agreementround", "coder_ids"): "user",
    ("agreementround", "code_ids"): "code",
    ("agreementround", "transcript_ids"): "transcript",
    ("pseudonym_decision", "quote_key"): "coding",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """How a table's rows are found from the project: ``column`` refers to ``parent`` (a scoped table)."""

    table: Table
    column: str
    parent: str


def scoped_tables() -> list[Scope]:
    """Every table that belongs to a project, parents before children (``project`` itself first)."""
    tables = SQLModel.metadata.tables
    found: dict[str, Scope] = {"project": Scope(tables["project"], "id", "project")}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in found:
            continue
        keys = [fk for fk in table.foreign_keys if fk.column.table.name != table.name]
        direct = [fk for fk in keys if fk.column.table.name == "project"]
        chained = sorted(
            (fk for fk in keys if fk.column.table.name in found),
            key=lambda fk: (fk.parent.nullable, fk.parent.name),  # a required link first
        )
        chosen = (direct or chained or [None])[0]
        if chosen is not None:
            found[table.name] = Scope(table, chosen.parent.name, chosen.column.table.name)
    return list(found.values())


def project_tables() -> set[str]:
    return {scope.table.name for scope in scoped_tables()}


def _ids(scopes: dict[str, Scope], name: str, project_id: int) -> Select[Any]:
    scope = scopes[name]
    if name == "project":
        return select(scope.table.c.id).where(scope.table.c.id == project_id)
    column = scope.table.c[scope.column]
    if scope.parent == "project":
        return select(scope.table.c.id).where(column == project_id)
    return select(scope.table.c.id).where(column.in_(_ids(scopes, scope.parent, project_id)))


def _rows_query(scopes: dict[str, Scope], scope: Scope, project_id: int) -> Select[Any]:
    table = scope.table
    if scope.table.name == "project":
        where = table.c.id == project_id
    elif scope.parent == "project":
        where = table.c[scope.column] == project_id
    else:
        where = table.c[scope.column].in_(_ids(scopes, scope.parent, project_id))
    return select(table).where(where).order_by(table.c.id)


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def dyadic_version() -> str:
    try:
        return version("dyadic")
    except PackageNotFoundError:
        return "unknown"


def schema_revision(session: Session) -> str:
    """The Alembic revision the database stands at."""
    return str(session.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


@dataclass(slots=True)
class BackupReport:
    path: str
    project: str
    counts: Counter[str]

    def lines(self) -> list[str]:
        rows = ", ".join(f"{n} {table}" for table, n in sorted(self.counts.items()) if n)
        return [f"backed up project {self.project!r} to {self.path}: {rows}"]


def backup_project(session: Session, *, project: Project, path: Path) -> BackupReport:
    """Write the whole project (every table that belongs to it, and the people its rows name) to ``path``."""
    assert project.id is not None
    scopes = {scope.table.name: scope for scope in scoped_tables()}
    counts: Counter[str] = Counter()
    users: set[int] = set()
    user_columns = {
        name: [fk.parent.name for fk in scope.table.foreign_keys if fk.column.table.name == "user"]
        for name, scope in scopes.items()
    }
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, scope in scopes.items():
                info = zipfile.ZipInfo(f"tables/{name}.jsonl", date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w") as out:
                    for row in _stream(session, _rows_query(scopes, scope, project.id)):
                        users.update(row[c] for c in user_columns[name] if row[c] is not None)
                        if name == "agreementround":
                            users.update(row.get("coder_ids") or [])
                        out.write(json.dumps({k: encode(v) for k, v in row.items()}, ensure_ascii=False).encode())
                        out.write(b"\n")
                        counts[name] += 1
            people = SQLModel.metadata.tables["user"]
            person = (people.c.id, people.c.name, people.c.created_at)  # never their password hashes
            rows = session.execute(select(*person).where(people.c.id.in_(sorted(users))).order_by(people.c.id))
            lines = [json.dumps({k: encode(v) for k, v in row._mapping.items()}, ensure_ascii=False) for row in rows]
            counts["user"] = len(lines)
            archive.writestr(_info("tables/user.jsonl"), "".join(line + "\n" for line in lines))
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "dyadic_version": dyadic_version(),
                "alembic_revision": schema_revision(session),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "project": project.name,
                "counts": dict(sorted(counts.items())),
            }
            archive.writestr(_info("manifest.json"), json.dumps(manifest, ensure_ascii=False, indent=2))
    except OSError as exc:
        raise ExchangeRefused(f"cannot write {path}: {exc.strerror}") from None
    return BackupReport(str(path), project.name, counts)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _stream(session: Session, query: Select[Any]) -> Iterator[dict[str, Any]]:
    result = session.connection().execute(query.execution_options(yield_per=BATCH))  # streamed, in batches
    for row in result:
        yield dict(row._mapping)


def sqlite_copy(engine: Engine, path: Path) -> None:
    """A consistent copy of the whole SQLite database at ``path``, through SQLite's online backup API (other
    connections may go on writing meanwhile)."""
    if engine.dialect.name != "sqlite":
        raise ExchangeRefused("a whole-database copy is for SQLite; for PostgreSQL use pg_dump, or --project")
    if path.exists():
        raise ExchangeRefused(f"{path} exists already: choose a new file")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        path.unlink(missing_ok=True)
        raise ExchangeRefused(f"cannot copy the database to {path}: {exc}") from None
    finally:
        raw.close()
