"""hosts politeness state

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 04:46:51.010768
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hosts",
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("robots_status", sa.Integer(), nullable=True),
        sa.Column("robots_body", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("robots_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("robots_fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("crawl_delay", sa.Float(), nullable=True),
        sa.Column("last_request_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("next_request_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("blocked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("blocked_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("origin"),
    )


def downgrade() -> None:
    op.drop_table("hosts")
