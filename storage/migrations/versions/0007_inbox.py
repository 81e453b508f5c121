"""inbox of platform updates (written before they are acknowledged) and the outbox of replies

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _lane_columns() -> list[sa.Column]:
    """The columns a lane worker claims and records with (the same on both tables)."""
    return [
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('not_before', sa.DateTime(), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('update_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('chat_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        *_lane_columns(),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('applied_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source', 'update_key', name='uq_inbox_update'),
    )
    op.create_index('ix_inbox_lane', 'inbox', ['platform', 'status', 'chat_key', 'id'])
    op.create_table(
        'reply_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('chat_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('inbox_id', sa.Integer(), nullable=True),
        sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        *_lane_columns(),
        sa.Column('message_ref', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reply_outbox_lane', 'reply_outbox', ['platform', 'status', 'chat_key', 'id'])


def downgrade() -> None:
    op.drop_index('ix_reply_outbox_lane', table_name='reply_outbox')
    op.drop_table('reply_outbox')
    op.drop_index('ix_inbox_lane', table_name='inbox')
    op.drop_table('inbox')
