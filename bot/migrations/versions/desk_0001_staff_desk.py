"""The staff desk: personal accounts, sessions and API tokens, one audit log (append-only, kept
at least 180 days: database triggers), call-back requests, the cases' history, and the
retention mark. The leads' old audit table is copied into the audit log (and its status
changes into the cases' history), then dropped.

Revision ID: desk_0001
Revises: prod_0001
Create Date: 2026-12-01 22:30:40.540165

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'desk_0001'
down_revision: Union[str, None] = 'prod_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=400), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_target'), ['target'], unique=False)

    op.create_table('callback_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket', sa.String(length=24), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('promised_days', sa.SmallInteger(), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('forwarded_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(), nullable=True),
    sa.Column('status_failures', sa.Integer(), nullable=False),
    sa.Column('status_failed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_request')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_callback_request_submission_key')),
    sa.UniqueConstraint('ticket', name=op.f('uq_callback_request_ticket'))
    )
    with op.batch_alter_table('callback_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_request_status'), ['status'], unique=False)

    op.create_table('case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket', sa.String(length=24), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('staff', sa.String(length=64), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note'))
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_ticket'), ['ticket'], unique=False)

    op.create_table('retention_mark',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('until', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_retention_mark'))
    )
    op.create_table('staff_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_account')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_account_username'))
    )
    op.create_table('staff_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_api_token_account_id_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_api_token_token_hash'))
    )
    with op.batch_alter_table('staff_api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_api_token_account_id'), ['account_id'], unique=False)

    op.create_table('staff_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_session_account_id_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_session_last_seen_at'), ['last_seen_at'], unique=False)

    _copy_lead_audit()
    with op.batch_alter_table('lead_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_audit_at')
        batch_op.drop_index('ix_lead_audit_ticket')

    op.drop_table('lead_audit')
    _guard_audit_log()


def _copy_lead_audit() -> None:
    """Who viewed, exported or moved which lead, kept in the one audit log; status changes
    also become the leads' history."""
    op.execute("INSERT INTO audit_log (at, actor, role, ip, action, target, result, detail) "
               "SELECT at, staff, NULL, NULL, action, ticket, 'ok', detail FROM lead_audit "
               "ORDER BY id")
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT ticket, at, staff, detail FROM lead_audit "
                                "WHERE action = 'status' ORDER BY id")).all()
    for ticket, at, staff, detail in rows:
        before, _, after = (detail or "").partition(" → ")
        bind.execute(sa.text("INSERT INTO case_note (ticket, at, staff, from_status, to_status) "
                             "VALUES (:t, :at, :s, :f, :to)"),
                     {"t": ticket, "at": at, "s": staff, "f": before or None, "to": after or None})


SQLITE_GUARD = [
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_kept_180_days BEFORE DELETE ON audit_log
       WHEN OLD.at > datetime('now', '-180 days')
       BEGIN SELECT RAISE(ABORT, 'audit_log entries are kept at least 180 days'); END""",
]
POSTGRES_GUARD = [
    """CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('UPDATE', 'TRUNCATE') THEN
           RAISE EXCEPTION 'audit_log is append-only';
         END IF;
         IF OLD.at > (now() AT TIME ZONE 'UTC') - interval '180 days' THEN
           RAISE EXCEPTION 'audit_log entries are kept at least 180 days';
         END IF;
         RETURN OLD;
       END $$""",
    """CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_guard()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()""",
]


def _guard_audit_log() -> None:
    """The application only inserts; the database refuses changes and early deletions too
    (Cybersecurity Law art. 21: six months; GB/T 22239: users cannot alter the trail)."""
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_GUARD, "postgresql": POSTGRES_GUARD}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only")
        op.execute("DROP TRIGGER IF EXISTS audit_log_kept_180_days")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_guard ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_guard()")
    op.create_table('lead_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('staff', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('ticket', sa.String(length=24), nullable=True),
    sa.Column('detail', sa.String(length=400), nullable=True),
    sa.PrimaryKeyConstraint('id', name='pk_lead_audit')
    )
    with op.batch_alter_table('lead_audit', schema=None) as batch_op:
        batch_op.create_index('ix_lead_audit_ticket', ['ticket'], unique=False)
        batch_op.create_index('ix_lead_audit_at', ['at'], unique=False)

    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_staff_session_account_id'))

    op.drop_table('staff_session')
    with op.batch_alter_table('staff_api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_api_token_account_id'))

    op.drop_table('staff_api_token')
    op.drop_table('staff_account')
    op.drop_table('retention_mark')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_ticket'))

    op.drop_table('case_note')
    with op.batch_alter_table('callback_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_request_status'))
        batch_op.drop_index(batch_op.f('ix_callback_request_created_at'))

    op.drop_table('callback_request')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_target'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
