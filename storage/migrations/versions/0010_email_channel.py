"""e-mail addresses, e-mail routing and one-time action links (issue 15)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:00:00.000000

- ``people.email`` (unique per team) and ``people.email_off`` (the person asked for no e-mail);
- ``mail_links``: the one-time links of reminder e-mails (who acts, which button, until when, used when);
- ``signing_keys``: the secret the links are signed with, made on first use.

E-mail routing needs no column: ``tenants.routing`` takes ``email`` and ``channel+email`` / ``dm+email`` /
``both+email`` besides its old values.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # ALTER TABLE ... ADD COLUMN in place: people is referenced from every table, a batch copy would break that
    with op.batch_alter_table('people', recreate='never') as batch:
        batch.add_column(sa.Column('email', _string(254), nullable=True))
        batch.add_column(sa.Column('email_off', sa.Boolean(), nullable=False, server_default=sa.text('false')))
    op.create_index('uq_person_email', 'people', ['tenant_id', 'email'], unique=True)
    with op.batch_alter_table('reminders', recreate='never') as batch:
        batch.add_column(sa.Column('sent_copies', sa.Text(), nullable=True))
    op.create_table(
        'mail_links',
        sa.Column('token', _string(32), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('action_key', _string(32), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('used_at', storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['action_key'], ['action_keys.key']),
        sa.ForeignKeyConstraint(['person_id'], ['people.id']),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id']),
        sa.PrimaryKeyConstraint('token'),
    )
    op.create_index(op.f('ix_mail_links_tenant_id'), 'mail_links', ['tenant_id'], unique=False)
    op.create_table(
        'signing_keys',
        sa.Column('name', _string(32), nullable=False),
        sa.Column('secret', _string(128), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    with op.batch_alter_table('reminders', recreate='never') as batch:
        batch.drop_column('sent_copies')
    op.drop_table('signing_keys')
    op.drop_index(op.f('ix_mail_links_tenant_id'), table_name='mail_links')
    op.drop_table('mail_links')
    op.drop_index('uq_person_email', table_name='people')
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+), for the same reason as above
    with op.batch_alter_table('people', recreate='never') as batch:
        batch.drop_column('email_off')
        batch.drop_column('email')
