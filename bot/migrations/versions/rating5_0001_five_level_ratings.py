"""Five-level ratings (好差评) and the follow-up of bad ones.

answer_rating.rating widens from 'up'/'down' to the five levels' keys (bot/portal/ratings.py)
and gains an optional comment; rating_followup holds one item per bad rating.

Existing rows migrate: 满意 ('up') → 满意 ('satisfied'), 不满意 ('down') → 不满意
('dissatisfied'). They open no follow-up items: they were given before bad ratings were
followed up, carry no comment, and a deadline counted from today would be invented; staff see
them among the ratings as they are.

Downgrade maps back what the two levels can say: 非常满意, 满意, 基本满意 → 'up'; 不满意,
非常不满意 → 'down'; comments and follow-up items are dropped.

Revision ID: rating5_0001
Revises: desk_0001
Create Date: 2026-12-02 01:51:37.553226

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'rating5_0001'
down_revision: Union[str, None] = 'desk_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('rating_followup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.String(length=200), nullable=True),
    sa.Column('question', sa.String(length=500), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answer_id', sa.String(length=96), nullable=True),
    sa.Column('from_tracker', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_followup')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rating_followup_rating_id'))
    )
    with op.batch_alter_table('rating_followup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_followup_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_followup_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_followup_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_followup_sender'), ['sender'], unique=False)

    with op.batch_alter_table('answer_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment', sa.String(length=200), nullable=True))
        batch_op.alter_column('rating',
               existing_type=sa.VARCHAR(length=4),
               type_=sa.String(length=20),
               existing_nullable=False)

    rating = sa.table('answer_rating', sa.column('rating', sa.String))
    op.execute(rating.update().where(rating.c.rating == 'up').values(rating='satisfied'))
    op.execute(rating.update().where(rating.c.rating == 'down').values(rating='dissatisfied'))


def downgrade() -> None:
    rating = sa.table('answer_rating', sa.column('rating', sa.String))
    op.execute(rating.update().where(rating.c.rating.in_(
        ['very_satisfied', 'satisfied', 'fair'])).values(rating='up'))
    op.execute(rating.update().where(rating.c.rating.in_(
        ['dissatisfied', 'very_dissatisfied'])).values(rating='down'))
    with op.batch_alter_table('answer_rating', schema=None) as batch_op:
        batch_op.alter_column('rating',
               existing_type=sa.String(length=20),
               type_=sa.VARCHAR(length=4),
               existing_nullable=False)
        batch_op.drop_column('comment')

    with op.batch_alter_table('rating_followup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_followup_sender'))
        batch_op.drop_index(batch_op.f('ix_rating_followup_due'))
        batch_op.drop_index(batch_op.f('ix_rating_followup_created_at'))
        batch_op.drop_index(batch_op.f('ix_rating_followup_closed_at'))

    op.drop_table('rating_followup')
