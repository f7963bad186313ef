"""Reading many rows fast: a statement run on the driver's own cursor, in the session's transaction.

SQLAlchemy's compiling, its ``Row`` objects and a row-by-row fetch cost more than the database takes to find
the rows when a page reads thousands of them (a long transcript's turns and sentences, search's candidates).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session


def fetch_all(session: Session, sql: str, params: Sequence[object]) -> Sequence[Any]:
    """All rows of ``sql`` as the driver's tuples; ``?`` marks the parameters (``%s`` on PostgreSQL)."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql.replace("?", "%s") if connection.dialect.name == "postgresql" else sql, tuple(params))
        return cursor.fetchall()
    finally:
        cursor.close()
