"""Agreement rounds: an owner's comparison of coders on chosen codes (and transcripts) in one unit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agreementround',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('coder_ids', sa.JSON(), nullable=False),
    sa.Column('code_ids', sa.JSON(), nullable=True),
    sa.Column('transcript_ids', sa.JSON(), nullable=True),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('theta', sa.Float(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_agreementround_status')),
    sa.CheckConstraint("unit IN ('sentence', 'turn', 'character', 'transcript')", name=op.f('ck_agreementround_unit')),
    sa.CheckConstraint('theta IS NULL OR (theta > 0 AND theta <= 1)', name=op.f('ck_agreementround_theta')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_agreementround_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_agreementround_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreementround'))
    )
    with op.batch_alter_table('agreementround', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreementround_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agreementround', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreementround_project_id'))

    op.drop_table('agreementround')
