"""The initial schema: knowledge tables, unanswered questions, leads, ratings, WeChat state.

Revision ID: 0001
Revises: 
Create Date: 2026-12-01 22:09:02.788860

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('answer_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('answer_id', sa.String(length=96), nullable=True),
    sa.Column('rating', sa.String(length=4), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_rating')),
    sa.UniqueConstraint('sender', 'message_id', name=op.f('uq_answer_rating_sender_message_id'))
    )
    with op.batch_alter_table('answer_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_rating_sender'), ['sender'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_rating_text_hash'), ['text_hash'], unique=False)

    op.create_table('kb_division',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_kb_division'))
    )
    op.create_table('kb_meta',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_kb_meta'))
    )
    op.create_table('kb_source',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('number', sa.String(length=128), nullable=True),
    sa.Column('issuer', sa.String(length=128), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('note', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_source'))
    )
    op.create_table('kb_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('canonical', sa.String(length=64), nullable=False),
    sa.Column('variant', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_term'))
    )
    with op.batch_alter_table('kb_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_term_kind'), ['kind'], unique=False)

    op.create_table('lead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket', sa.String(length=24), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('county', sa.String(length=32), nullable=True),
    sa.Column('who', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('forwarded_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(), nullable=True),
    sa.Column('status_failures', sa.Integer(), nullable=False),
    sa.Column('status_failed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_lead_submission_key')),
    sa.UniqueConstraint('ticket', name=op.f('uq_lead_ticket'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_status'), ['status'], unique=False)

    op.create_table('lead_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('staff', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('ticket', sa.String(length=24), nullable=True),
    sa.Column('detail', sa.String(length=400), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_audit'))
    )
    with op.batch_alter_table('lead_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_audit_ticket'), ['ticket'], unique=False)

    op.create_table('unanswered_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('intent', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_question'))
    )
    op.create_table('wechat_message',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_wechat_message'))
    )
    with op.batch_alter_table('wechat_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wechat_message_created_at'), ['created_at'], unique=False)

    op.create_table('wechat_option',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('payloads', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('openid', name=op.f('pk_wechat_option'))
    )
    op.create_table('wechat_token',
    sa.Column('app_id', sa.String(length=64), nullable=False),
    sa.Column('token', sa.String(length=512), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('app_id', name=op.f('pk_wechat_token'))
    )
    op.create_table('kb_answer',
    sa.Column('id', sa.String(length=96), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('short', sa.Text(), nullable=False),
    sa.Column('long', sa.Text(), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('article', sa.String(length=64), nullable=True),
    sa.Column('confidence', sa.String(length=1), nullable=False),
    sa.Column('in_force_from', sa.Date(), nullable=True),
    sa.Column('in_force_until', sa.Date(), nullable=True),
    sa.Column('superseded_by', sa.String(length=96), nullable=True),
    sa.Column('change_note', sa.Text(), nullable=True),
    sa.Column('last_verified', sa.Date(), nullable=False),
    sa.Column('next_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['kb_source.id'], name=op.f('fk_kb_answer_source_id_kb_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_answer'))
    )
    with op.batch_alter_table('kb_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_answer_topic'), ['topic'], unique=False)

    op.create_table('kb_service_point',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('division', sa.String(length=32), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('hours', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['division'], ['kb_division.name'], name=op.f('fk_kb_service_point_division_kb_division')),
    sa.ForeignKeyConstraint(['source_id'], ['kb_source.id'], name=op.f('fk_kb_service_point_source_id_kb_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_service_point'))
    )
    op.create_table('lead_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_lead_outbox_lead_id_lead')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_outbox')),
    sa.UniqueConstraint('lead_id', name=op.f('uq_lead_outbox_lead_id'))
    )
    with op.batch_alter_table('lead_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_outbox_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('kb_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.String(length=96), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['kb_answer.id'], name=op.f('fk_kb_question_answer_id_kb_answer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_question'))
    )
    with op.batch_alter_table('kb_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_question_answer_id'), ['answer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kb_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_question_answer_id'))

    op.drop_table('kb_question')
    with op.batch_alter_table('lead_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_outbox_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_lead_outbox_done_at'))

    op.drop_table('lead_outbox')
    op.drop_table('kb_service_point')
    with op.batch_alter_table('kb_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_answer_topic'))

    op.drop_table('kb_answer')
    op.drop_table('wechat_token')
    op.drop_table('wechat_option')
    with op.batch_alter_table('wechat_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wechat_message_created_at'))

    op.drop_table('wechat_message')
    op.drop_table('unanswered_question')
    with op.batch_alter_table('lead_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_audit_ticket'))
        batch_op.drop_index(batch_op.f('ix_lead_audit_at'))

    op.drop_table('lead_audit')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_status'))
        batch_op.drop_index(batch_op.f('ix_lead_kind'))
        batch_op.drop_index(batch_op.f('ix_lead_created_at'))
        batch_op.drop_index(batch_op.f('ix_lead_county'))

    op.drop_table('lead')
    with op.batch_alter_table('kb_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_term_kind'))

    op.drop_table('kb_term')
    op.drop_table('kb_source')
    op.drop_table('kb_meta')
    op.drop_table('kb_division')
    with op.batch_alter_table('answer_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_rating_text_hash'))
        batch_op.drop_index(batch_op.f('ix_answer_rating_sender'))

    op.drop_table('answer_rating')
