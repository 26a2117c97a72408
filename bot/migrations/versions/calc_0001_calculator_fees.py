"""The calculators' tables: official fees, fee rules (thresholds, rates, periods) and kinds of
applicant, all loaded from knowledge/data/fees.yml by `make kb` (replaced whole by each build).

Revision ID: calc_0001
Revises: rating5_0001
Create Date: 2026-12-01 22:29:07.519141

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'calc_0001'
down_revision: Union[str, None] = 'rating5_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('kb_applicant_kind',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('test', sa.String(length=16), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.Column('proof', sa.Text(), nullable=True),
    sa.Column('proof_source_id', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.String(length=1), nullable=False),
    sa.Column('last_verified', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['proof_source_id'], ['kb_source.id'], name=op.f('fk_kb_applicant_kind_proof_source_id_kb_source')),
    sa.ForeignKeyConstraint(['source_id'], ['kb_source.id'], name=op.f('fk_kb_applicant_kind_source_id_kb_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_applicant_kind'))
    )
    op.create_table('kb_fee',
    sa.Column('id', sa.String(length=96), nullable=False),
    sa.Column('office', sa.String(length=16), nullable=False),
    sa.Column('item', sa.String(length=32), nullable=False),
    sa.Column('patent_type', sa.String(length=16), nullable=True),
    sa.Column('year_from', sa.Integer(), nullable=True),
    sa.Column('year_to', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('per', sa.String(length=16), nullable=True),
    sa.Column('includes', sa.Integer(), nullable=True),
    sa.Column('reducible', sa.Boolean(), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.String(length=1), nullable=False),
    sa.Column('in_force_from', sa.Date(), nullable=True),
    sa.Column('in_force_until', sa.Date(), nullable=True),
    sa.Column('last_verified', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['kb_source.id'], name=op.f('fk_kb_fee_source_id_kb_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_fee'))
    )
    op.create_table('kb_fee_rule',
    sa.Column('id', sa.String(length=96), nullable=False),
    sa.Column('rule', sa.String(length=48), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.String(length=1), nullable=False),
    sa.Column('in_force_from', sa.Date(), nullable=True),
    sa.Column('in_force_until', sa.Date(), nullable=True),
    sa.Column('last_verified', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['kb_source.id'], name=op.f('fk_kb_fee_rule_source_id_kb_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_fee_rule'))
    )
    with op.batch_alter_table('kb_fee_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_fee_rule_rule'), ['rule'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kb_fee_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_fee_rule_rule'))

    op.drop_table('kb_fee_rule')
    op.drop_table('kb_fee')
    op.drop_table('kb_applicant_kind')
