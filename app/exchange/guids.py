"""Stable GUIDs for rows that have no ``guid`` column (users, dyads, transcripts, selections, notes …).

They are name-based UUIDs (uuid5): the same row gets the same GUID in every export. A project's rows are
derived from a namespace of the project itself (its id and creation time), users from their name, so that a
person keeps one GUID across projects and databases.
"""

from __future__ import annotations

import re
import uuid

from transcripts.models import Project

DYADIC = uuid.UUID("6c1f8a4e-3d2b-5e7a-9c4d-2b8e1f0a7d35")
GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")


def project_namespace(project: Project) -> uuid.UUID:
    created = project.created_at.replace(tzinfo=None).isoformat(timespec="seconds")
    return uuid.uuid5(DYADIC, f"project:{project.id}:{created}")


def derived(namespace: uuid.UUID, kind: str, key: object) -> str:
    """The GUID of the ``kind`` row with ``key`` (an id, or a tuple of ids) in a project."""
    return str(uuid.uuid5(namespace, f"{kind}:{key}"))


def user_guid(name: str) -> str:
    return str(uuid.uuid5(DYADIC, f"user:{name}"))


def normalised(value: str | None) -> str | None:
    """A GUID as Dyadic stores it (lower case, no braces), or None when ``value`` is no GUID."""
    match = GUID.fullmatch((value or "").strip())
    return match.group(1).lower() if match else None
