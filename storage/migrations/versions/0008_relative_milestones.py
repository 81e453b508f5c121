"""milestones due relative to another milestone or a contract event (issue 17)

A milestone may wait for an event (验收后30天): its due date is NULL until the event happens, and four columns
keep the rule (after_id or after_event, after_count, after_unit).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RULE = ('after_id', 'after_event', 'after_count', 'after_unit')
# the indexes of the milestones table before this revision (0001, 0004, 0006), rebuilt with it on SQLite
_INDEXES: tuple[tuple[str, list[str]], ...] = (
    ('ix_milestones_contract_id', ['contract_id']),
    ('ix_milestones_owner_id', ['owner_id']),
    ('ix_milestones_tenant_id', ['tenant_id']),
    ('ix_milestone_tenant_due', ['tenant_id', 'due_on']),
    ('ix_milestone_tenant_done', ['tenant_id', 'done_at']),
    ('ix_milestone_tenant_owner_status_due', ['tenant_id', 'owner_id', 'status', 'due_on', 'id']),
    ('ix_milestone_tenant_status_due', ['tenant_id', 'status', 'due_on', 'id']),
)


def _rule_columns() -> list[sa.Column]:
    return [
        sa.Column('after_id', sa.Integer(), nullable=True),
        sa.Column('after_event', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column('after_count', sa.Integer(), nullable=True),
        sa.Column('after_unit', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    ]


def _milestones_table(name: str, *, with_rule: bool) -> None:
    """The milestones table as the models declare it, with or without this revision's columns."""
    op.create_table(
        name,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=with_rule),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column('percent', sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.Column('done_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('reminder_offsets', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('snoozed_until', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        *(_rule_columns() if with_rule else []),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['people.id']),
        sa.ForeignKeyConstraint(['done_by_id'], ['people.id']),
        sa.ForeignKeyConstraint(['owner_id'], ['people.id']),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id']),
        *([sa.ForeignKeyConstraint(['after_id'], ['milestones.id'], name='fk_milestones_after_id')]
          if with_rule else []),
        sa.PrimaryKeyConstraint('id'),
    )


def _rebuild_on_sqlite(*, with_rule: bool) -> None:
    """SQLite cannot change a column's NOT NULL in place: copy the rows aside, drop, create, copy back.

    The migration runs in one transaction with foreign keys on, where ``PRAGMA foreign_keys=OFF`` does nothing.
    Deferred instead, dropping the table counts the reminders, payments and keys that point at its rows as
    violations, and putting the same ids back into a table of the same name counts them off again, so the
    commit finds none. (A copy renamed into place, as Alembic's batch mode does it, would leave them counted.)
    """
    keep = [c['name'] for c in sa.inspect(op.get_bind()).get_columns('milestones')]
    if not with_rule:
        keep = [c for c in keep if c not in _RULE]
    cols = ', '.join(keep)
    op.execute('PRAGMA defer_foreign_keys=ON')
    op.execute(f'CREATE TABLE _milestones_0008 AS SELECT {cols} FROM milestones')
    op.drop_table('milestones')
    _milestones_table('milestones', with_rule=with_rule)
    op.execute(f'INSERT INTO milestones ({cols}) SELECT {cols} FROM _milestones_0008')
    op.drop_table('_milestones_0008')
    for name, columns in _INDEXES:
        op.create_index(name, 'milestones', columns)
    op.execute('PRAGMA analysis_limit=1000')
    op.execute('ANALYZE milestones')  # the planner's statistics went with the old table's indexes


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_on_sqlite(with_rule=True)
    else:
        op.alter_column('milestones', 'due_on', existing_type=sa.Date(), nullable=True)
        for column in _rule_columns():
            op.add_column('milestones', column)
        op.create_foreign_key('fk_milestones_after_id', 'milestones', 'milestones', ['after_id'], ['id'])
    op.create_index('ix_milestones_after_id', 'milestones', ['after_id'])


def downgrade() -> None:
    # a milestone still waiting for its event has no date to go back to: it takes its contract's end date, else
    # the day it was added (its rule goes with the columns)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    added = 'date(created_at)' if sqlite else 'CAST(created_at AS DATE)'
    op.execute(
        "UPDATE milestones SET due_on = COALESCE((SELECT end_on FROM contracts WHERE contracts.id = "
        f"milestones.contract_id), {added}) WHERE due_on IS NULL"
    )
    op.drop_index('ix_milestones_after_id', table_name='milestones')
    if sqlite:
        _rebuild_on_sqlite(with_rule=False)
    else:
        op.drop_constraint('fk_milestones_after_id', 'milestones', type_='foreignkey')
        for name in reversed(_RULE):
            op.drop_column('milestones', name)
        op.alter_column('milestones', 'due_on', existing_type=sa.Date(), nullable=False)
