"""seed terms: the index that related seeds are found through (issue 27)

Empty at first: the next run that ingests a seed indexes every current seed and relates them
again, as before.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 17:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seed_terms",
        sa.Column("seed_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["seed_id"], ["seeds.id"]),
        sa.PrimaryKeyConstraint("seed_id", "kind", "term"),
    )
    op.create_index("ix_seed_terms_kind_term", "seed_terms", ["kind", "term"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_seed_terms_kind_term", table_name="seed_terms")
    op.drop_table("seed_terms")
