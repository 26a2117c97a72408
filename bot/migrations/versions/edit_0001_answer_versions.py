"""Knowledge editing with approval (issue 13): every version of every answer record
(kb_answer_version, never replaced by a build), and each source's confidence on kb_source so the
editor can hold a draft to "no surer than its source" without the data files. Existing
databases get their versions from the next `make kb` (imported as published, origin import).

Revision ID: edit_0001
Revises: wxrate_0001
Create Date: 2026-12-02 04:29:25.172665

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'edit_0001'
down_revision: Union[str, None] = 'wxrate_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('kb_answer_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.String(length=96), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('based_on', sa.Integer(), nullable=True),
    sa.Column('supersedes', sa.String(length=96), nullable=True),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['based_on'], ['kb_answer_version.id'], name=op.f('fk_kb_answer_version_based_on_kb_answer_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_answer_version')),
    sa.UniqueConstraint('answer_id', 'number', name=op.f('uq_kb_answer_version_answer_id_number'))
    )
    with op.batch_alter_table('kb_answer_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_answer_version_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_answer_version_state'), ['state'], unique=False)

    with op.batch_alter_table('kb_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.String(length=1), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('kb_source', schema=None) as batch_op:
        batch_op.drop_column('confidence')

    with op.batch_alter_table('kb_answer_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_answer_version_state'))
        batch_op.drop_index(batch_op.f('ix_kb_answer_version_answer_id'))

    op.drop_table('kb_answer_version')
