"""Project members: who works on a project, and in which role (owner, lead, coder, viewer).

Every project's creator (the first person of its audit log) becomes its owner.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'lead', 'coder', 'viewer')", name=op.f('ck_member_role')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_member_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_member_project_id_user_id'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_user_id'), ['user_id'], unique=False)
    # Existing projects: their creator is the owner.
    op.execute(
        "INSERT INTO member (project_id, user_id, role, since) "
        "SELECT project_id, user_id, 'owner', at FROM auditevent "
        "WHERE action = 'project.create' AND user_id IS NOT NULL AND project_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_member_project_id'))
    op.drop_table('member')
