"""alerts: events recorded once, their deliveries, and what the alerts stage has looked at (issue 24)

`alerts` holds each event once (unique on kind, seed_id, source_id, version_id); `alert_deliveries`
how far each got to each destination (named by its masked URL, never its secrets); `alert_checks`
the align activities, originals and gone sources the alerts stage has looked at. What the
database held before this revision is marked looked at, so an upgrade does not alert on history.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    when = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", text(), nullable=False),
        sa.Column("seed_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("summary", text(), nullable=False),
        sa.Column("details", text(), nullable=False),
        sa.ForeignKeyConstraint(["seed_id"], ["seeds.id"]),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "seed_id", "source_id", "version_id", name="ux_alerts_event"),
    )
    op.create_index("ix_alerts_seed_id", "alerts", ["seed_id"])
    op.create_index("ix_alerts_source_id", "alerts", ["source_id"])
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_table(
        "alert_deliveries",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("destination", text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", when(), nullable=True),
        sa.Column("next_attempt_at", when(), nullable=True),
        sa.Column("error", text(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"]),
        sa.PrimaryKeyConstraint("alert_id", "destination"),
    )
    op.create_table(
        "alert_checks",
        sa.Column("subject", text(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "item_id"),
    )
    now = "CURRENT_TIMESTAMP"
    op.execute(
        f"INSERT INTO alert_checks (subject, item_id, checked_at) SELECT 'align', id, {now} FROM activities "
        "WHERE kind = 'align'"
    )
    op.execute(
        f"INSERT INTO alert_checks (subject, item_id, checked_at) SELECT 'original', id, {now} FROM versions "
        "WHERE kind = 'original'"
    )
    op.execute(
        f"INSERT INTO alert_checks (subject, item_id, checked_at) SELECT 'gone', id, {now} FROM sources "
        "WHERE state = 'retired' OR (state = 'failed' AND failures >= 3)"
    )


def downgrade() -> None:
    op.drop_table("alert_checks")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alerts_created_at", table_name="alerts")
    op.drop_index("ix_alerts_source_id", table_name="alerts")
    op.drop_index("ix_alerts_seed_id", table_name="alerts")
    op.drop_table("alerts")
