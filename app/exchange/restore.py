"""Restoring a project from Dyadic's own backup (``backup.py``): a new project, in one transaction.

The archive is untrusted input: it is opened by ``archive.open_archive`` (no zip slip, links, bombs), its
manifest must name this format, a version this Dyadic reads and a schema revision it knows, and every row
must fit the table it claims. Rows are inserted with new ids, parents before children; every foreign key
(and every id in ``SOFT_REFERENCES``) is remapped to the new ids; people are found or created by name. A
code, coding or theme GUID that the database holds already (a restore beside the original) gets a new one.
Any refusal is one line, and nothing is stored.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Date, DateTime, Table, insert, select, update
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import Session

from app.db import alembic_config
from app.exchange.archive import Limits, SafeArchive, open_archive
from app.exchange.backup import FORMAT, FORMAT_VERSION, SOFT_REFERENCES, Scope, scoped_tables
from app.exchange.errors import ExchangeRefused
from transcripts import store
from transcripts.audit import record
from transcripts.projects import ensure_user, project_by_name

BATCH = 2000


@dataclass(slots=True)
class RestoreReport:
    project: str
    project_id: int
    counts: Counter[str]
    new_guids: int = 0

    def lines(self) -> list[str]:
        rows = ", ".join(f"{n} {table}" for table, n in sorted(self.counts.items()) if n)
        out = [f"restored project {self.project!r} (id {self.project_id}): {rows}"]
        if self.new_guids:
            out.append(f"  ! {self.new_guids} GUIDs were in use in this database already and were replaced")
        return out


def _manifest(archive: SafeArchive, name: str) -> dict[str, Any]:
    entry = archive.find("manifest.json")
    if entry is None:
        raise ExchangeRefused(f"{name}: not a Dyadic backup (no manifest.json)")
    try:
        manifest = json.loads(archive.read(entry))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExchangeRefused(f"{name}: the backup's manifest.json is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExchangeRefused(f"{name}: not a Dyadic project backup (format {manifest.get('format')!r})")
    number = manifest.get("format_version")
    if not isinstance(number, int) or number > FORMAT_VERSION or number < 1:
        raise ExchangeRefused(
            f"{name}: backup format version {number!r} is not one this Dyadic reads (up to {FORMAT_VERSION})"
        )
    revision = manifest.get("alembic_revision")
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()}
    if revision not in known:
        raise ExchangeRefused(
            f"{name}: the backup comes from a database at schema revision {revision!r}, "
            "which this Dyadic does not know (a newer version?)"
        )
    if not isinstance(manifest.get("project"), str):
        raise ExchangeRefused(f"{name}: the backup's manifest names no project")
    return manifest


def _lines(archive: SafeArchive, table: str, name: str) -> Iterator[dict[str, Any]]:
    entry = archive.find(f"tables/{table}.jsonl")
    if entry is None:  # a table newer than the backup
        return
    for number, line in enumerate(archive.read(entry).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ExchangeRefused(f"{name}: tables/{table}.jsonl line {number} is not valid JSON") from None
        if not isinstance(row, dict) or not isinstance(row.get("id"), int):
            raise ExchangeRefused(f"{name}: tables/{table}.jsonl line {number} is not a row with an id")
        yield row


def _decode(table: Table, row: dict[str, Any], where: str) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key not in table.c:
            raise ExchangeRefused(f"{where}: the table {table.name} has no column {key!r}")
        kind = table.c[key].type
        try:
            if value is not None and isinstance(kind, DateTime):
                moment = datetime.fromisoformat(value)
                value = moment if kind.timezone else moment.astimezone(UTC).replace(tzinfo=None)
            elif value is not None and isinstance(kind, Date):
                value = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ExchangeRefused(f"{where}: {table.name}.{key} holds {value!r}, not a date or time") from None
        out[key] = value
    return out


class _Restorer:
    def __init__(self, session: Session, archive: SafeArchive, name: str) -> None:
        self.session = session
        self.archive = archive
        self.name = name
        self.ids: dict[str, dict[int, int]] = {}
        self.counts: Counter[str] = Counter()
        self.new_guids = 0

    def new_id(self, table: str, old: Any, where: str) -> int:
        try:
            return self.ids[table][old]
        except (KeyError, TypeError):
            raise ExchangeRefused(f"{where}: refers to {table} {old!r}, which the backup does not hold") from None

    def users(self) -> None:
        self.ids["user"] = {}
        for row in _lines(self.archive, "user", self.name):
            name = row.get("name")
            if not isinstance(name, str) or not name.strip():
                raise ExchangeRefused(f"{self.name}: a person in the backup has no name")
            self.ids["user"][row["id"]] = ensure_user(self.session, name=name).id  # type: ignore[assignment]

    def table(self, scope: Scope, project_name: str) -> None:
        table, name = scope.table, scope.table.name
        self.ids[name] = {}
        keys = [fk for fk in table.foreign_keys]
        own = [fk.parent.name for fk in keys if fk.column.table.name == name]
        guid_taken = "guid" in table.c and table.c.guid.unique
        rows: list[dict[str, Any]] = []
        olds: list[int] = []
        later: list[tuple[int, str, Any]] = []  # (old id, column, old parent id) for a table's own parents
        for row in _lines(self.archive, name, self.name):
            where = f"{self.name}: {name} {row['id']}"
            values = _decode(table, row, where)
            old = values.pop("id")
            for fk in keys:
                column, parent = fk.parent.name, fk.column.table.name
                if values.get(column) is None:
                    continue
                if column in own:
                    later.append((old, column, values[column]))
                    values[column] = None
                else:
                    values[column] = self.new_id(parent, values[column], where)
            for (soft_table, column), target in SOFT_REFERENCES.items():
                if soft_table == name and values.get(column) is not None:
                    values[column] = self.soft(values, column, target, where)
            if name == "project":
                values["name"] = project_name
            rows.append(values)
            olds.append(old)
        if guid_taken:
            self.fresh_guids(table, rows)
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            new = self.session.execute(statement, batch).scalars().all()
            self.ids[name].update(zip(olds[start : start + BATCH], new, strict=True))
        for old, column, parent in later:
            target = self.new_id(name, parent, f"{self.name}: {name} {old}")
            self.session.execute(update(table).where(table.c.id == self.ids[name][old]).values({column: target}))
        self.counts[name] = len(rows)

    def soft(self, values: dict[str, Any], column: str, target: str, where: str) -> Any:
        value = values[column]
        if target == "entity":  # the audit log: an id of the table its entity names, where the backup has it
            table = self.ids.get(str(values.get("entity")))
            return table.get(value, value) if table is not None and isinstance(value, int) else value
        mapping = self.ids.get(target, {})
        if isinstance(value, list):
            return [mapping.get(item, item) if isinstance(item, int) else item for item in value]
        if isinstance(value, str):  # "12" or "12+13"
            parts = value.split("+")
            if all(part.isdigit() for part in parts):
                return "+".join(str(mapping.get(int(part), part)) for part in parts)
        return value

    def fresh_guids(self, table: Table, rows: list[dict[str, Any]]) -> None:
        wanted = [row["guid"] for row in rows if row.get("guid")]
        taken: set[str] = set()
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            taken.update(self.session.execute(select(table.c.guid).where(table.c.guid.in_(chunk))).scalars())
        for row in rows:
            if row.get("guid") in taken:
                row["guid"] = str(uuid.uuid4())
                self.new_guids += 1


def _order(scopes: list[Scope]) -> list[Scope]:
    """Parents before children; tables with soft references last, so that the ids they name are known."""
    soft = {table for table, _ in SOFT_REFERENCES}
    referenced = {fk.column.table.name for scope in scopes for fk in scope.table.foreign_keys}
    last = [s for s in scopes if s.table.name in soft and s.table.name not in referenced]
    return [s for s in scopes if s not in last] + last


def restore_project(
    session: Session, *, path: Path, limits: Limits, name: str | None = None, user_name: str | None = None
) -> RestoreReport:
    """Restore a backup as a new project (called ``name``, or as in the backup), all or nothing."""
    archive = open_archive(path, limits=limits)
    try:
        manifest = _manifest(archive, path.name)
        project_name = " ".join((name or manifest["project"]).split())
        if not project_name or len(project_name) > 200:
            raise ExchangeRefused("a project needs a name of 1 to 200 characters")
        if project_by_name(session, project_name) is not None:
            raise ExchangeRefused(f"a project called {project_name!r} exists already: restore it --as another name")
        restorer = _Restorer(session, archive, path.name)
        restorer.users()
        for scope in _order(scoped_tables()):
            restorer.table(scope, project_name)
        project_id = next(iter(restorer.ids["project"].values()), None)
        if project_id is None:
            raise ExchangeRefused(f"{path.name}: the backup holds no project")
        store.index_sentences(session, transcript_ids=sorted(restorer.ids.get("transcript", {}).values()))
        if user_name:
            person = ensure_user(session, name=user_name)
            record(
                session,
                project_id=project_id,
                user_id=person.id,
                action="exchange.restore",
                entity="project",
                entity_id=project_id,
                after={"file": path.name, "from": manifest["project"], "created_at": manifest.get("created_at")},
            )
        session.commit()
    except (DBAPIError, StatementError) as exc:
        session.rollback()
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        raise ExchangeRefused(f"{path.name}: the backup's rows do not fit this database ({reason})") from None
    except BaseException:
        session.rollback()
        raise
    finally:
        archive.close()
    return RestoreReport(project_name, project_id, restorer.counts, restorer.new_guids)
