"""fault tolerance: citations remember that a cited URL carried credentials (which are not kept);
sources retired for a refused address or port remember the settings that refused them;
an index covering the seeds that cite a source (link_versions_to_seeds)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of citations would break the views that read it.
    op.add_column("citations", sa.Column("had_credentials", sa.Boolean(), nullable=False, server_default="0"))
    op.add_column("sources", sa.Column("retired_under", sa.String(), nullable=True))
    op.create_index("ix_citations_source_seed", "citations", ["source_id", "seed_id"])


def downgrade() -> None:
    op.drop_index("ix_citations_source_seed", table_name="citations")
    op.drop_column("sources", "retired_under")
    op.drop_column("citations", "had_credentials")  # SQLite 3.35+ drops a column in place
