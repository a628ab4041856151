"""adaptive schedule: per-source check interval, change count, retirement; raw-body hash per attempt

Revision ID: issue6
Revises: 0001
Create Date: 2026-11-22 04:40:34.849988
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'issue6'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('check_interval', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retired_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('fetch_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('fetch_attempts', schema=None) as batch_op:
        batch_op.drop_column('body_sha256')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('retired_reason')
        batch_op.drop_column('check_interval')
        batch_op.drop_column('changes')
