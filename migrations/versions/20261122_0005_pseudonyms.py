"""The pseudonymisation check: a project's pseudonym dictionary (terms, their kind and replacement) and the
team's decisions on what the check found in the quotes of an export (replaced, accepted, acknowledged).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pseudonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('term_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('replacement', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('person', 'place', 'other')", name=op.f('ck_pseudonym_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_pseudonym_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_pseudonym_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pseudonym')),
    sa.UniqueConstraint('project_id', 'term_key', name=op.f('uq_pseudonym_project_id_term_key'))
    )
    with op.batch_alter_table('pseudonym', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pseudonym_project_id'), ['project_id'], unique=False)

    op.create_table('pseudonym_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('export_kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('quote_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('quote_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('replacement', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('replaced', 'accepted', 'acknowledged')", name=op.f('ck_pseudonym_decision_decision')),
    sa.CheckConstraint("export_kind IN ('report', 'seminar')", name=op.f('ck_pseudonym_decision_export_kind')),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], name=op.f('fk_pseudonym_decision_coding_id_coding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_pseudonym_decision_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_pseudonym_decision_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pseudonym_decision')),
    sa.UniqueConstraint('project_id', 'export_kind', 'quote_key', 'term', name=op.f('uq_pseudonym_decision_project_id_export_kind_quote_key_term'))
    )
    with op.batch_alter_table('pseudonym_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pseudonym_decision_coding_id'), ['coding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pseudonym_decision_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pseudonym_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pseudonym_decision_project_id'))
        batch_op.drop_index(batch_op.f('ix_pseudonym_decision_coding_id'))

    op.drop_table('pseudonym_decision')
    with op.batch_alter_table('pseudonym', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pseudonym_project_id'))

    op.drop_table('pseudonym')
