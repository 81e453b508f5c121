"""Slack OAuth installations and bots, per workspace (issue 15)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:00:00.000000

- ``slack_installations``: each workspace's installation of the app (one row per installer), with its tokens;
- ``slack_bots``: the bot token each workspace's replies and reminders go out with;
- ``slack_oauth_states``: OAuth ``state`` values handed out by /slack/install (when no SLACK_STATE_SECRET);
- ``tenants.suspended_at``: the team uninstalled the app; its reminders are parked until it comes back.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        'slack_installations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', _string(64), nullable=False),
        sa.Column('tenant_key', _string(128), nullable=False),
        sa.Column('app_id', _string(32), nullable=True),
        sa.Column('enterprise_id', _string(32), nullable=True),
        sa.Column('enterprise_name', _string(255), nullable=True),
        sa.Column('enterprise_url', _string(255), nullable=True),
        sa.Column('team_id', _string(32), nullable=True),
        sa.Column('team_name', _string(255), nullable=True),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
        sa.Column('user_id', _string(32), nullable=False),
        sa.Column('user_token', _string(255), nullable=True),
        sa.Column('user_scopes', sa.Text(), nullable=True),
        sa.Column('user_refresh_token', _string(255), nullable=True),
        sa.Column('user_token_expires_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('bot_token', _string(255), nullable=True),
        sa.Column('bot_id', _string(32), nullable=True),
        sa.Column('bot_user_id', _string(32), nullable=True),
        sa.Column('bot_scopes', sa.Text(), nullable=True),
        sa.Column('bot_refresh_token', _string(255), nullable=True),
        sa.Column('bot_token_expires_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('token_type', _string(32), nullable=True),
        sa.Column('installed_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('client_id', 'tenant_key', 'user_id', name='uq_slack_installation'),
    )
    op.create_table(
        'slack_bots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', _string(64), nullable=False),
        sa.Column('tenant_key', _string(128), nullable=False),
        sa.Column('app_id', _string(32), nullable=True),
        sa.Column('enterprise_id', _string(32), nullable=True),
        sa.Column('enterprise_name', _string(255), nullable=True),
        sa.Column('team_id', _string(32), nullable=True),
        sa.Column('team_name', _string(255), nullable=True),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
        sa.Column('bot_token', _string(255), nullable=False),
        sa.Column('bot_id', _string(32), nullable=False),
        sa.Column('bot_user_id', _string(32), nullable=False),
        sa.Column('bot_scopes', sa.Text(), nullable=False),
        sa.Column('bot_refresh_token', _string(255), nullable=True),
        sa.Column('bot_token_expires_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('installed_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('client_id', 'tenant_key', name='uq_slack_bot'),
    )
    op.create_table(
        'slack_oauth_states',
        sa.Column('state', _string(64), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('state'),
    )
    op.create_index(op.f('ix_slack_oauth_states_expires_at'), 'slack_oauth_states', ['expires_at'], unique=False)
    with op.batch_alter_table('tenants') as batch:
        batch.add_column(sa.Column('suspended_at', storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+): a batch copy of tenants would drop the table every
    # team row is referenced from, which SQLite's foreign keys refuse
    with op.batch_alter_table('tenants', recreate='never') as batch:
        batch.drop_column('suspended_at')
    op.drop_index(op.f('ix_slack_oauth_states_expires_at'), table_name='slack_oauth_states')
    op.drop_table('slack_oauth_states')
    op.drop_table('slack_bots')
    op.drop_table('slack_installations')
