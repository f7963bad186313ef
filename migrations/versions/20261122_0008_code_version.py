"""A code's version, raised by every edit: the second of two people editing one code gets a conflict.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 04:32:50.081195
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))



def downgrade() -> None:
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.drop_column('version')

