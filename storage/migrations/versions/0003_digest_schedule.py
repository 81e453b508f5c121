"""digest schedule: the weekly digest's weekday and time on each team

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 04:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # server defaults fill the rows of existing teams: weekly digest on Mondays at 09:00
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_day', sa.Integer(), nullable=True, server_default='0'))
        batch_op.add_column(sa.Column('digest_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False,
                                      server_default='09:00'))


def downgrade() -> None:
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('digest_time')
        batch_op.drop_column('digest_day')
