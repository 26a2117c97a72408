"""The knowledge loop's review and the dashboard: unanswered questions get a kind (not answered,
answered with the topic's overview, answered by a weak match), the answer given and its
coverage, and a group (unanswered_group: similar questions reviewed together, with what staff
decided); question_count counts the questions answered per Beijing day, channel and outcome.

Questions logged before this revision keep kind 'unanswered' and are grouped the first time
the review page or the dashboard is opened (knowledge/unanswered.py: group_pending).

Revision ID: dash_0001
Revises: edit_0001
Create Date: 2026-12-02 04:29:20.076975

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'dash_0001'
down_revision: Union[str, None] = 'edit_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('question_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_count')),
    sa.UniqueConstraint('day', 'channel', 'outcome', name=op.f('uq_question_count_day_channel_outcome'))
    )
    op.create_table('unanswered_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('answer_id', sa.String(length=96), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['kb_answer_version.id'], name=op.f('fk_unanswered_group_version_id_kb_answer_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_group'))
    )
    with op.batch_alter_table('unanswered_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unanswered_group_state'), ['state'], unique=False)

    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='unanswered', nullable=False))
        batch_op.add_column(sa.Column('answer_id', sa.String(length=96), nullable=True))
        batch_op.add_column(sa.Column('coverage', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('words', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('match_id', sa.String(length=96), nullable=True))
        batch_op.add_column(sa.Column('match', sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f('ix_unanswered_question_group_id'), ['group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_unanswered_question_group_id_unanswered_group'), 'unanswered_group', ['group_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unanswered_question_group_id_unanswered_group'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_unanswered_question_group_id'))
        batch_op.drop_column('match')
        batch_op.drop_column('match_id')
        batch_op.drop_column('words')
        batch_op.drop_column('group_id')
        batch_op.drop_column('coverage')
        batch_op.drop_column('answer_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('unanswered_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unanswered_group_state'))

    op.drop_table('unanswered_group')
    op.drop_table('question_count')
