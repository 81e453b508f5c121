"""report indexes: milestones by due date and by completion, payments by the day they arrived, per team

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 17:30:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_milestone_tenant_due', 'milestones', ['tenant_id', 'due_on'])
    op.create_index('ix_milestone_tenant_done', 'milestones', ['tenant_id', 'done_at'])
    op.create_index('ix_payment_tenant_received', 'payments', ['tenant_id', 'received_on'])


def downgrade() -> None:
    op.drop_index('ix_payment_tenant_received', table_name='payments')
    op.drop_index('ix_milestone_tenant_done', table_name='milestones')
    op.drop_index('ix_milestone_tenant_due', table_name='milestones')
