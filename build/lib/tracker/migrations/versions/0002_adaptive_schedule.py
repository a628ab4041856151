"""adaptive schedule: per-source check interval, change count, retirement; raw-body hash per attempt;
what each activity used (version, seed)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:40:34.849988
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("check_interval", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retired_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("used_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seed_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_activities_seed_id"), ["seed_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_used_version_id"), ["used_version_id"], unique=False)
        batch_op.create_foreign_key("fk_activities_seed_id_seeds", "seeds", ["seed_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint("fk_activities_seed_id_seeds", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_activities_used_version_id"))
        batch_op.drop_index(batch_op.f("ix_activities_seed_id"))
        batch_op.drop_column("seed_id")
        batch_op.drop_column("used_version_id")
    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.drop_column("body_sha256")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("retired_reason")
        batch_op.drop_column("check_interval")
        batch_op.drop_column("changes")
