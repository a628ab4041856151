"""translation cache and the packages each activity used

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_models",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("from_language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("to_language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"]),
        sa.PrimaryKeyConstraint("activity_id", "hop"),
    )
    with op.batch_alter_table("activity_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_models_model"), ["model"], unique=False)

    op.create_table(
        "sentence_translations",
        sa.Column("sentence_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decoding", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("translation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("compute_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sentence_sha256", "model", "model_version", "model_sha256", "language", "decoding"),
    )


def downgrade() -> None:
    op.drop_table("sentence_translations")
    with op.batch_alter_table("activity_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_models_model"))
    op.drop_table("activity_models")
