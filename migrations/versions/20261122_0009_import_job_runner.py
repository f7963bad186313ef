"""The server process running a browser import: a crash leaves its job unfinished, and the next look marks
it failed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 04:52:00.723747
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('importjob', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('importjob', schema=None) as batch_op:
        batch_op.drop_column('runner')

