"""Optimistic version checks: two people editing one code or theme, and the second is told, not overwritten.

A row's ``version`` moves on with every edit. An edit made from a form carries the version the form showed;
the row is claimed with ``UPDATE … SET version = v + 1 WHERE id = … AND version = v``, which on PostgreSQL
waits for a concurrent editor's transaction and then finds the version moved on, so exactly one wins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session


def claim_version(session: Session, model: Any, row_id: int, expected: int) -> bool:
    """Move the row's version from ``expected`` to the next one; False when someone else moved it first."""
    claim = update(model).where(model.id == row_id, model.version == expected).values(version=expected + 1)
    # The caller's loaded object keeps its version: it raises it itself, to the same value, when it is flushed.
    result = session.execute(claim.execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
