"""The WeChat outbox: customer-service messages wait here until sent (or 48 h have passed).

Revision ID: prod_0001
Revises: 0001
Create Date: 2026-12-01 22:25:47.686591

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'prod_0001'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('wechat_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('chunks', sa.JSON(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_outbox'))
    )
    with op.batch_alter_table('wechat_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wechat_outbox_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wechat_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wechat_outbox_openid'), ['openid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wechat_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wechat_outbox_openid'))
        batch_op.drop_index(batch_op.f('ix_wechat_outbox_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_wechat_outbox_done_at'))

    op.drop_table('wechat_outbox')
