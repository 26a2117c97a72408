"""好差评 on WeChat: the channel of each rating and follow-up item, and the answer a WeChat
user may rate.

answer_rating.channel and rating_followup.channel: 'widget' or 'wechat'; every existing row
came from the widget (the only channel that could rate), hence the server default.
wechat_option gains the latest turn's rateable answer (answer_ref, answer_hash, answer_id,
menu_ref) and the rating given to it (rating_id); existing rows have none, so nothing is
rateable until the user's next answer.

Downgrade drops the columns; WeChat ratings stay, recognisable by their "wx-" sender.

Revision ID: wxrate_0001
Revises: calc_0001
Create Date: 2026-12-02 04:30:03.460376

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'wxrate_0001'
down_revision: Union[str, None] = 'calc_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('answer_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='widget', nullable=False))

    with op.batch_alter_table('rating_followup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='widget', nullable=False))

    with op.batch_alter_table('wechat_option', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('answer_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('answer_id', sa.String(length=96), nullable=True))
        batch_op.add_column(sa.Column('menu_ref', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('rating_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('wechat_option', schema=None) as batch_op:
        batch_op.drop_column('rating_id')
        batch_op.drop_column('menu_ref')
        batch_op.drop_column('answer_id')
        batch_op.drop_column('answer_hash')
        batch_op.drop_column('answer_ref')

    with op.batch_alter_table('rating_followup', schema=None) as batch_op:
        batch_op.drop_column('channel')

    with op.batch_alter_table('answer_rating', schema=None) as batch_op:
        batch_op.drop_column('channel')

