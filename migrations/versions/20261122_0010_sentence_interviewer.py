"""Sentences know whether the interviewer said them, so that search need not look up each one's turn.

The flag is a copy of the role of the sentence's turn (which never changes once imported): search counts
only the participants' speech unless asked otherwise, and reading the turn of every sentence the index
finds cost as much as finding them. Existing sentences are filled from their turns.

The column is added and dropped in place, not through a batch copy of the table: on SQLite a copy would
drop the full-text index's delete trigger (migration 0001).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 05:07:25.534197
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sentence", sa.Column("interviewer", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE sentence SET interviewer = TRUE WHERE turn_id IN (SELECT id FROM turn WHERE role = 'interviewer')"
    )


def downgrade() -> None:
    op.drop_column("sentence", "interviewer")
