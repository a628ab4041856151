"""worker jobs and host leases

A `jobs` table that workers claim from with SELECT … FOR UPDATE SKIP LOCKED (tracker/workers/),
and a lease with a fencing token on each row of `hosts`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 22:15:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_PENDING = "status IN ('waiting', 'running')"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("batch_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("payload", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("run_after", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # Claims look only at waiting and running jobs: done ones pile up without slowing them.
    op.create_index(
        "ix_jobs_pending",
        "jobs",
        ["queue", "id"],
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
    op.create_index("ix_jobs_queue_key", "jobs", ["queue", "key"])
    op.create_index(
        "ux_jobs_pending_key",
        "jobs",
        ["queue", "key"],
        unique=True,
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
    with op.batch_alter_table("hosts") as batch:
        batch.add_column(sa.Column("lease_holder", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("lease_token", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_token")
        batch.drop_column("lease_holder")
    op.drop_index("ux_jobs_pending_key", table_name="jobs")
    op.drop_index("ix_jobs_queue_key", table_name="jobs")
    op.drop_index("ix_jobs_pending", table_name="jobs")
    op.drop_table("jobs")
